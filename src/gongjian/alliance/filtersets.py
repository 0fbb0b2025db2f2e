"""Filters of the alliance lists, one per list, shared by the page and the API. The rows are
already the user's (restrict); an organisation a filter names by code is looked up within the
user's reach too, so naming one outside it finds nothing, as naming a missing one does."""

import django_filters as filters
from django.db.models import Q
from django.utils import timezone

from gongjian.core.access import restrict
from gongjian.orgs.models import Organization

from .models import Agreement, AgreementState, Alliance, Meeting, MeetingState, Task, TaskState


def _org_filter(request, queryset, lookup, value):
    """Rows whose organisation is the one of code `value` or below it (the organisation
    within the user's reach), else whose organisation's name contains `value`."""
    value = value.strip()
    if not value:
        return queryset
    org = (restrict(getattr(request, "user", None), "view", Organization)
           .filter(code=value).only("path").first())
    if org is not None:
        return queryset.filter(**{f"{lookup}__path__startswith": org.path})
    return queryset.filter(**{f"{lookup}__name__contains": value})


class AllianceFilterSet(filters.FilterSet):
    org = filters.CharFilter(method="filter_org", label="所属组织：编码（含下级）或名称")

    class Meta:
        model = Alliance
        fields = ["org"]

    def filter_org(self, queryset, name, value):
        return _org_filter(self.request, queryset, "org", value)


class MeetingFilterSet(filters.FilterSet):
    alliance = filters.NumberFilter(field_name="alliance_id", label="联盟 id")
    state = filters.ChoiceFilter(choices=MeetingState.choices, label="状态")

    class Meta:
        model = Meeting
        fields = ["alliance", "state"]


class TaskFilterSet(filters.FilterSet):
    state = filters.ChoiceFilter(
        method="filter_state", label="状态",
        choices=[*TaskState.choices, ("overdue", "已逾期"), ("all", "全部")])
    alliance = filters.NumberFilter(field_name="alliance_id", label="联盟 id")
    owner = filters.CharFilter(method="filter_owner", label="责任单位或责任组织名称")
    owner_unit = filters.CharFilter(field_name="owner_unit__code", label="责任单位编码")

    class Meta:
        model = Task
        fields = ["state", "alliance", "owner", "owner_unit"]

    def filter_state(self, queryset, name, value):
        if value == "overdue":
            return queryset.overdue(timezone.localdate())
        return queryset if value == "all" else queryset.filter(state=value)

    def filter_owner(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(owner_unit__name__contains=value)
                               | Q(owner_org__name__contains=value))


class AgreementFilterSet(filters.FilterSet):
    state = filters.ChoiceFilter(choices=AgreementState.choices, label="状态")
    expiry = filters.ChoiceFilter(method="filter_expiry", label="到期",
                                  choices=[("expiring", "30 天内到期"), ("expired", "已到期")])
    unit = filters.CharFilter(method="filter_unit", label="乙方单位：编码或名称")
    org = filters.CharFilter(method="filter_org", label="甲方组织：编码（含下级）或名称")

    class Meta:
        model = Agreement
        fields = ["state", "expiry", "unit", "org"]

    def filter_expiry(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.expiring(today) if value == "expiring" else queryset.expired(today)

    def filter_unit(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(unit__code=value) | Q(unit__name__contains=value))

    def filter_org(self, queryset, name, value):
        return _org_filter(self.request, queryset, "org", value)
