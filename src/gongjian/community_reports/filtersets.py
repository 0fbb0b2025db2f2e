"""The one FilterSet of 双报到, shared by the list page, the API and the export. Rows already went
through restrict(); an organisation or unit named by code is looked up within the user's
reach, so naming one outside it finds nothing, as naming a missing one does."""

import django_filters as filters
from django import forms
from django.db.models import Q

from gongjian.core.access import restrict
from gongjian.core.filtersets import FilterForm
from gongjian.orgs.models import Organization, Unit

from .models import Report, State


class ReportFilterSet(filters.FilterSet):
    state = filters.ChoiceFilter(label="状态", choices=State.choices, empty_label="全部状态",
                                 error_messages={"invalid_choice": "没有状态“%(value)s”。"})
    community = filters.CharFilter(method="filter_community", label="报到社区：编码（含下级）或名称",
                                   widget=forms.TextInput(attrs={"placeholder": "报到社区"}))
    unit = filters.CharFilter(method="filter_unit", label="所在单位：编码或名称",
                              widget=forms.TextInput(attrs={"placeholder": "所在单位"}))
    q = filters.CharFilter(method="filter_q", label="党员姓名",
                           widget=forms.TextInput(attrs={"placeholder": "党员姓名"}))

    class Meta:
        model = Report
        fields = ["state", "community", "unit", "q"]
        form = FilterForm

    def _user(self):
        return getattr(self.request, "user", None)

    def filter_community(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        org = restrict(self._user(), "view", Organization).filter(code=value).only("path").first()
        if org is not None:
            return queryset.filter(community__path__startswith=org.path)
        return queryset.filter(community__name__contains=value)

    def filter_unit(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        unit = restrict(self._user(), "view", Unit).filter(code=value).first()
        if unit is not None:
            return queryset.filter(unit=unit)
        return queryset.filter(unit__name__contains=value)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(person__name__contains=value)
                               | Q(person__name_pinyin__icontains=value)
                               | Q(person__name_initials__iexact=value))
