"""Filters of the three lists, one FilterSet per list shared by the page and the API.

They narrow rows that already went through restrict(); an organisation a filter names is
looked up within the user's reach, so naming one outside it gives an empty list, as naming a
missing one does.
"""

import django_filters as filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_filters.widgets import BooleanWidget

from gongjian.core.access import restrict
from gongjian.core.forms import Styled
from gongjian.orgs.models import Organization

from .models import (
    ACTIVE_STATES,
    Category,
    Demand,
    DemandState,
    Project,
    ProjectClaim,
    ProjectState,
    Resource,
)
from .queries import liaison_unit


class FilterForm(Styled, forms.Form):
    """The filters' form, with the site's widget classes."""


class CheckFilter(filters.BooleanFilter):
    """A yes-only filter: a checkbox posts "on", the API "true"; any value but false/0 asks
    for it, and no value leaves the list as it is."""

    field_class = forms.BooleanField


def _search(label: str) -> filters.CharFilter:
    return filters.CharFilter(method="filter_q", label=label,
                              widget=forms.TextInput(attrs={"placeholder": label}))


class _Filters(filters.FilterSet):
    q = _search("名称")
    category = filters.ChoiceFilter(choices=Category.choices, label="类别",
                                    empty_label="全部类别")
    # Looked up by the fields the list searches (see filter_q).
    search_fields: tuple[str, ...] = ("title",)

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)


class DemandFilterSet(_Filters):
    q = _search("需求名称")
    state = filters.ChoiceFilter(choices=DemandState.choices, label="状态",
                                 empty_label="全部状态")

    class Meta:
        model = Demand
        fields = ["q", "state", "category"]
        form = FilterForm


class ResourceFilterSet(_Filters):
    q = _search("资源或单位名称")
    search_fields = ("title", "unit__name")
    # "1"/"true" the active ones, "0"/"false" the stopped ones, anything else ("all") all.
    active = filters.BooleanFilter(label="仅有效（true）或仅停用（false）；不填为全部",
                                   widget=BooleanWidget)
    unit = filters.CharFilter(field_name="unit__code", label="单位编码")

    class Meta:
        model = Resource
        fields = ["q", "category", "active", "unit"]
        form = FilterForm


class ProjectFilterSet(_Filters):
    q = _search("项目名称")
    state = filters.ChoiceFilter(choices=ProjectState.choices, label="状态",
                                 empty_label="全部状态")
    org = filters.CharFilter(method="filter_org", label="组织编码（含下级）", widget=forms.TextInput(
        attrs={"placeholder": "组织编码（含下级）"}))
    overdue = CheckFilter(method="filter_overdue", label="只看逾期")
    unit = filters.CharFilter(method="filter_unit", label="认领单位编码")
    mine = CheckFilter(method="filter_mine", label="只看本单位认领的（联络员）")

    class Meta:
        model = Project
        fields = ["q", "state", "category", "org", "overdue", "unit", "mine"]
        form = FilterForm

    def filter_org(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        user = getattr(self.request, "user", None)
        org = restrict(user, "view", Organization).filter(code=value.strip()).first()
        return queryset.filter(org__path__startswith=org.path) if org else queryset.none()

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(state__in=ACTIVE_STATES, step_deadline__lt=timezone.localdate())

    def filter_unit(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(pk__in=ProjectClaim.objects.filter(unit__code=value.strip())
                               .values("project_id"))

    def filter_mine(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if not value:
            return queryset
        unit = liaison_unit(getattr(self.request, "user", None))
        if unit is None:
            return queryset
        return queryset.filter(pk__in=ProjectClaim.objects.filter(unit=unit)
                               .values("project_id"))
