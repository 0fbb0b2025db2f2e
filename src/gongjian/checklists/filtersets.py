"""The one FilterSet of the checklists, shared by the list page, the API and the export.

It filters the items of this app and, for `kind=resource`, the projects app's resources (the
资源清单 is kept there): each filter knows which of the two querysets it narrows. Rows already
went through restrict(); an organisation named by code is looked up within the user's reach,
so naming one outside it finds nothing, as naming a missing one does."""

import django_filters as filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from gongjian.core.access import restrict
from gongjian.core.filtersets import FilterForm
from gongjian.orgs.models import Organization
from gongjian.projects.models import Resource

from .models import ChecklistItem, Kind, State


class CheckFilter(filters.BooleanFilter):
    """A yes-only filter: a checkbox posts "on", the API "true"; no value, no filter."""

    field_class = forms.BooleanField


def _is_resources(queryset: QuerySet) -> bool:
    return queryset.model is Resource


class ChecklistFilterSet(filters.FilterSet):
    kind = filters.ChoiceFilter(method="filter_kind", label="清单", choices=Kind.choices,
                                empty_label="全部清单",
                                error_messages={"invalid_choice": "没有清单“%(value)s”。"})
    org = filters.CharFilter(method="filter_org", label="组织：编码（含下级）或名称",
                             widget=forms.TextInput(attrs={"placeholder": "组织编码或名称"}))
    state = filters.ChoiceFilter(method="filter_state", label="状态", choices=State.choices,
                                 empty_label="全部状态",
                                 error_messages={"invalid_choice": "没有状态“%(value)s”。"})
    overdue = CheckFilter(method="filter_overdue", label="仅逾期")
    q = filters.CharFilter(method="filter_q", label="事项名称",
                           widget=forms.TextInput(attrs={"placeholder": "事项名称"}))

    class Meta:
        model = ChecklistItem
        fields = ["kind", "org", "state", "overdue", "q"]
        form = FilterForm

    def filter_kind(self, queryset, name, value):
        if _is_resources(queryset):
            return queryset if value == Kind.RESOURCE else queryset.none()
        if value == Kind.RESOURCE:
            return queryset.none()
        return queryset.filter(kind=value)

    def filter_org(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        lookup = "unit__org" if _is_resources(queryset) else "org"
        org = (restrict(getattr(self.request, "user", None), "view", Organization)
               .filter(code=value).only("path").first())
        if org is not None:
            return queryset.filter(**{f"{lookup}__path__startswith": org.path})
        return queryset.filter(**{f"{lookup}__name__contains": value})

    def filter_state(self, queryset, name, value):
        # A resource has no state of the lists: asking for one lists none.
        return queryset.none() if _is_resources(queryset) else queryset.filter(state=value)

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        if _is_resources(queryset):
            return queryset.none()
        return queryset.overdue(timezone.localdate())

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if _is_resources(queryset):
            return queryset.filter(Q(title__icontains=value) | Q(unit__name__icontains=value))
        return queryset.filter(title__icontains=value)
