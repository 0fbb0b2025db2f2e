"""The FilterSets of volunteer service: one for the activity list (the page, the API and the
spreadsheet export), one for the team list (page and API). Rows already went through
restrict(); an organisation named by code is looked up within the user's reach, so naming one
outside it lists nothing, as naming a missing one."""

import datetime

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from gongjian.core.filtersets import FilterForm, in_org
from gongjian.core.forms import DATE_INPUT

from .models import Activity, Eligibility, Speciality, State, Team


def _day_start(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class ActivityFilterSet(filters.FilterSet):
    org = filters.CharFilter(method="filter_org", label="组织编码（含下级）",
                             widget=forms.TextInput(attrs={"placeholder": "组织编码（含下级）"}))
    state = filters.ChoiceFilter(choices=State.choices, label="状态", empty_label="全部状态",
                                 error_messages={"invalid_choice": "没有状态“%(value)s”。"})
    team = filters.NumberFilter(field_name="team_id", label="服务队 id")
    eligibility = filters.ChoiceFilter(choices=Eligibility.choices, label="报名范围",
                                       empty_label="全部范围",
                                       error_messages={"invalid_choice": "没有报名范围“%(value)s”。"})
    # `from` and `to` are Python keywords: declared through the class namespace.
    locals()["from"] = filters.DateFilter(method="filter_from", label="起始日期",
                                          widget=DATE_INPUT)
    locals()["to"] = filters.DateFilter(method="filter_to", label="截止日期", widget=DATE_INPUT)
    q = filters.CharFilter(method="filter_q", label="活动名称或地点",
                           widget=forms.TextInput(attrs={"placeholder": "活动名称或地点"}))

    class Meta:
        model = Activity
        fields = ["org", "state", "team", "eligibility", "from", "to", "q"]
        form = FilterForm

    def filter_org(self, queryset, name, value):
        return in_org(self.request, queryset, value)

    def filter_from(self, queryset, name, value):
        return queryset.filter(starts_at__gte=_day_start(value)) if value else queryset

    def filter_to(self, queryset, name, value):
        return queryset.filter(starts_at__lt=_day_start(value + datetime.timedelta(days=1))) \
            if value else queryset

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(title__icontains=value) | Q(place__icontains=value)) \
            if value else queryset


class TeamFilterSet(filters.FilterSet):
    org = filters.CharFilter(method="filter_org", label="组织编码（含下级）",
                             widget=forms.TextInput(attrs={"placeholder": "组织编码（含下级）"}))
    speciality = filters.ChoiceFilter(choices=Speciality.choices, label="服务专长",
                                      empty_label="全部专长",
                                      error_messages={"invalid_choice": "没有专长“%(value)s”。"})
    q = filters.CharFilter(method="filter_q", label="服务队名称",
                           widget=forms.TextInput(attrs={"placeholder": "服务队名称"}))

    class Meta:
        model = Team
        fields = ["org", "speciality", "q"]
        form = FilterForm

    def filter_org(self, queryset, name, value):
        return in_org(self.request, queryset, value)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(name__icontains=value) if value else queryset
