"""Filters of the organisation system's lists: one FilterSet per list, shared by its page and
its API endpoint, so both answer the same rows for the same query parameters. Codes name
organisations and grids; an organisation a filter names is looked up within the user's
reach, so naming one outside it gives an empty list, as naming a missing one does."""

import django_filters as filters
from django.db.models import Q
from django_filters.widgets import BooleanWidget

from gongjian.core.access import restrict
from gongjian.core.pinyin import search_filter

from .choices import NON_PUBLIC_UNIT_TYPES, OrgKind, Sector, UnitType
from .models import Building, Grid, Organization, Unit


def _reachable_org(request, code):
    user = getattr(request, "user", None)
    return restrict(user, "view", Organization).filter(code=code).only("path", "depth").first()


class _ScopedFilterSet(filters.FilterSet):
    #: lookup from the filtered model to the organisation path, for `within`
    org_path_lookup = "org__path"
    #: secondary ordering after the search rank
    search_order = "code"

    within = filters.CharFilter(method="filter_within",
                                label="所属组织编码（含其全部下级组织）")
    q = filters.CharFilter(method="filter_q", label="名称、全拼或首字母（如 jasq），或编码")

    def filter_within(self, queryset, name, value):
        org = _reachable_org(self.request, value.strip())
        if org is None:
            return queryset.none()
        return queryset.filter(**{f"{self.org_path_lookup}__startswith": org.path})

    def filter_q(self, queryset, name, value):
        if not value.strip():
            return queryset
        condition, rank = search_filter(value)
        return (queryset.filter(condition | Q(code__iexact=value.strip()))
                .annotate(search_rank=rank)
                .order_by("search_rank", self.search_order))


class OrganizationFilterSet(_ScopedFilterSet):
    org_path_lookup = "path"
    search_order = "path"

    parent = filters.CharFilter(method="filter_parent", label="上级组织编码（只列直接下级）")
    kind = filters.ChoiceFilter(choices=OrgKind.choices, label="类别")
    sector = filters.ChoiceFilter(choices=Sector.choices, label="所在领域")
    active = filters.BooleanFilter(method="filter_active", widget=BooleanWidget,
                                   label="存续（true）或已撤销（false）；不填为全部")

    class Meta:
        model = Organization
        fields = ["within", "parent", "kind", "sector", "active", "q"]

    def filter_parent(self, queryset, name, value):
        parent = _reachable_org(self.request, value.strip())
        if parent is None:
            return queryset.none()
        return queryset.filter(path__startswith=parent.path, depth=parent.depth + 1)

    def filter_active(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(dissolved_on__isnull=value)


class GridFilterSet(_ScopedFilterSet):
    class Meta:
        model = Grid
        fields = ["within", "q"]


class BuildingFilterSet(_ScopedFilterSet):
    org_path_lookup = "grid__org__path"

    grid = filters.CharFilter(field_name="grid__code", label="网格编码")

    class Meta:
        model = Building
        fields = ["grid", "within"]

    # Buildings have no pinyin keys; they are found by grid.
    q = None


class UnitFilterSet(_ScopedFilterSet):
    unit_type = filters.ChoiceFilter(choices=UnitType.choices, label="单位类型")
    # true/false (also 1/0, as the pages' links write them)
    non_public = filters.BooleanFilter(method="filter_non_public", widget=BooleanWidget,
                                       label="两新组织（非公有制企业、社会组织）")
    has_party_org = filters.BooleanFilter(method="filter_has_party_org", widget=BooleanWidget,
                                          label="已建立本单位党组织")

    class Meta:
        model = Unit
        fields = ["within", "unit_type", "non_public", "has_party_org", "q"]

    def filter_non_public(self, queryset, name, value):
        if value is None:
            return queryset
        types = list(NON_PUBLIC_UNIT_TYPES)
        return (queryset.filter(unit_type__in=types) if value
                else queryset.exclude(unit_type__in=types))

    def filter_has_party_org(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(party_org__isnull=not value)
