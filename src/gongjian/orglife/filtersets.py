"""The meetings list's one FilterSet, shared by the page, the API and the attendance export.
The rows are already the user's (restrict); the organisation named by code is looked up
within the user's reach, so naming one outside it lists nothing, as naming a missing one."""

import django_filters as filters
from django import forms
from django.db.models import Q

from gongjian.core.filtersets import FilterForm, in_org
from gongjian.core.forms import DATE_INPUT

from .models import MakeUp, MakeUpState, Meeting, State
from .rules import KIND_CHOICES


class MeetingFilterSet(filters.FilterSet):
    org = filters.CharFilter(method="filter_org", label="组织编码（含下级）",
                             widget=forms.TextInput(attrs={"placeholder": "组织编码（含下级）"}))
    kind = filters.ChoiceFilter(choices=KIND_CHOICES, label="类型", empty_label="全部类型",
                                error_messages={"invalid_choice": "没有类型“%(value)s”。"})
    # `from` and `to` are Python keywords: declared through the class namespace.
    locals()["from"] = filters.DateFilter(field_name="date", lookup_expr="gte",
                                          label="起始日期", widget=DATE_INPUT)
    locals()["to"] = filters.DateFilter(field_name="date", lookup_expr="lte", label="截止日期",
                                        widget=DATE_INPUT)
    state = filters.ChoiceFilter(choices=State.choices, label="状态", empty_label="全部状态",
                                 error_messages={"invalid_choice": "没有状态“%(value)s”。"})
    q = filters.CharFilter(method="filter_q", label="主题或议题",
                           widget=forms.TextInput(attrs={"placeholder": "主题或议题"}))

    class Meta:
        model = Meeting
        fields = ["org", "kind", "from", "to", "state", "q"]
        form = FilterForm

    def filter_org(self, queryset, name, value):
        return in_org(self.request, queryset, value)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(title__icontains=value) | Q(topics__icontains=value)) \
            if value else queryset


class MakeUpFilterSet(filters.FilterSet):
    org = filters.CharFilter(method="filter_org", label="组织编码（含下级）")
    state = filters.ChoiceFilter(choices=MakeUpState.choices, label="状态",
                                 error_messages={"invalid_choice": "没有状态“%(value)s”。"})

    class Meta:
        model = MakeUp
        fields = ["org", "state"]
        form = FilterForm

    def filter_org(self, queryset, name, value):
        return in_org(self.request, queryset, value)
