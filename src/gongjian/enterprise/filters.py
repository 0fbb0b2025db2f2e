"""The filters of the lists of services for companies: one FilterSet per list, shared by the
page, its .xlsx export and the API. Areas are looked up within the user's reach; an unknown
or unreachable value is ignored on a page (the list shows unfiltered, the field empty) and
answered with a 400 naming the field under /api/."""

import django_filters as filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field

from gongjian.core.access import restrict
from gongjian.core.forms import Styled
from gongjian.orgs.models import Unit

from .models import (
    OPEN_STATES,
    Cadre,
    CadreLink,
    Case,
    Category,
    Post,
    ServiceArea,
    State,
    current_links,
    overdue_q,
)


class FilterForm(Styled, forms.Form):
    """The filter bar's controls: Bootstrap's small size, like the bar's buttons."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = field.widget.attrs.get("class", "")
            if css in ("form-control", "form-select"):
                field.widget.attrs["class"] = f"{css} {css}-sm"


def areas_in_reach(request):
    user = getattr(request, "user", None)
    if user is None:
        return ServiceArea.objects.none()
    return restrict(user, "view", ServiceArea).order_by("order", "id")


def area_q(area, prefix="company__org"):
    """Rows whose company lies in one of the area's communities (or below them)."""
    paths = [org.path for org in area.communities.all()]
    if not paths:
        return Q(pk__in=[])
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{prefix}__path__startswith": path})
    return condition


@extend_schema_field({"type": "integer", "description": "片区 id（本人管理范围内的片区）"})
class AreaFilter(filters.ModelChoiceFilter):
    """A service area by id, among those in the user's reach; `prefix` leads from the listed
    row to the organisation its company lies in."""

    def __init__(self, prefix, **kwargs):
        super().__init__(label="片区（id）", queryset=areas_in_reach, empty_label="全部片区",
                         method=lambda queryset, name, area: queryset.filter(area_q(area, prefix)),
                         **kwargs)


class CaseFilterSet(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", label="标题或企业名称",
                           widget=forms.TextInput(attrs={"placeholder": "标题或企业名称"}))
    state = filters.ChoiceFilter(method="filter_state", label="状态", empty_label="全部状态",
                                 choices=[("open", "未办结"), *State.choices])
    category = filters.ChoiceFilter(label="类别", choices=Category.choices,
                                    empty_label="全部类别")
    area = AreaFilter("company__org")
    overdue = filters.BooleanFilter(method="filter_overdue", label="仅逾期",
                                    widget=forms.CheckboxInput)

    class Meta:
        model = Case
        fields = ["q", "state", "category", "area", "overdue"]
        form = FilterForm

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(company__name__icontains=value))

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(state__in=OPEN_STATES)
        return queryset.filter(state=value)

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_q(timezone.localdate())) if value else queryset


def case_rows(queryset):
    return (queryset.select_related("company__org", "assignee__person", "assignee_org")
            .order_by("-raised_on", "-id"))


class CompanyFilterSet(filters.FilterSet):
    """Companies (units of a company type) with or without a cadre linked today."""

    q = filters.CharFilter(method="filter_q", label="企业名称或拼音首字母",
                           widget=forms.TextInput(attrs={"placeholder": "企业名称或拼音首字母"}))
    area = AreaFilter("org")
    linked = filters.ChoiceFilter(method="filter_linked", label="挂钩", empty_label="挂钩：不限",
                                  choices=[("1", "已挂钩"), ("0", "未挂钩")])

    class Meta:
        model = Unit
        fields = ["q", "area", "linked"]
        form = FilterForm

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(name_initials=value.lower()))

    def filter_linked(self, queryset, name, value):
        linked = Exists(CadreLink.objects.filter(current_links(), company=OuterRef("pk")))
        return queryset.filter(linked) if value == "1" else queryset.exclude(linked)


class CadreFilterSet(filters.FilterSet):
    """Cadres by area (or none), post and name; those no longer in post only on request."""

    q = filters.CharFilter(method="filter_q", label="姓名或拼音首字母",
                           widget=forms.TextInput(attrs={"placeholder": "姓名或拼音首字母"}))
    area = filters.ChoiceFilter(method="filter_area", label="片区", empty_label="全部片区")
    post = filters.ChoiceFilter(label="岗位", choices=Post.choices, empty_label="全部岗位")
    inactive = filters.BooleanFilter(method="filter_inactive", label="含不在岗",
                                     widget=forms.CheckboxInput)

    class Meta:
        model = Cadre
        fields = ["q", "area", "post", "inactive"]
        form = FilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["area"].extra["choices"] = [
            *((str(a.pk), a.name) for a in areas_in_reach(self.request)), ("none", "未划片区")]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(person__name__icontains=value)
                               | Q(person__name_initials=value.lower()))

    def filter_area(self, queryset, name, value):
        if value == "none":
            return queryset.filter(area__isnull=True)
        return queryset.filter(area_id=int(value))

    def filter_inactive(self, queryset, name, value):
        return queryset if value else queryset.filter(active=True)


class AreaFilterSet(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", label="片区或社区名称",
                           widget=forms.TextInput(attrs={"placeholder": "片区或社区名称"}))

    class Meta:
        model = ServiceArea
        fields = ["q"]
        form = FilterForm

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value)
                               | Q(communities__name__icontains=value)).distinct()


class CadreLinkFilterSet(filters.FilterSet):
    """The API's list of links: current ones unless `current=false` asks for all."""

    company = filters.CharFilter(field_name="company__code", label="企业编码")
    current = filters.BooleanFilter(method="filter_current",
                                    label="仅当前挂钩（默认是；false 列出全部，含已结束）")

    class Meta:
        model = CadreLink
        fields = ["company", "current"]

    def filter_queryset(self, queryset):
        if self.form.cleaned_data.get("current") is None:
            queryset = queryset.filter(current_links())
        return super().filter_queryset(queryset)

    def filter_current(self, queryset, name, value):
        return queryset.filter(current_links()) if value else queryset


__all__ = ["AreaFilterSet", "CadreFilterSet", "CadreLinkFilterSet", "CaseFilterSet",
           "CompanyFilterSet", "area_q", "case_rows"]
