"""The FilterSets of positions and bookings: one per list, used by the page, the API and the
spreadsheet export. Rows already went through restrict(); an organisation named by code is
looked up within the user's reach, so naming one outside it lists nothing."""

import datetime

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from gongjian.core.access import grants_of
from gongjian.core.filtersets import FilterForm, in_org
from gongjian.core.forms import DATE_INPUT

from .models import BaseType, Booking, Kind, State, Status, Venue


def _day_start(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class VenueFilterSet(filters.FilterSet):
    org = filters.CharFilter(method="filter_org", label="组织编码（含下级）",
                             widget=forms.TextInput(attrs={"placeholder": "组织编码（含下级）"}))
    kind = filters.ChoiceFilter(choices=Kind.choices, label="类别", empty_label="全部类别",
                                error_messages={"invalid_choice": "没有类别“%(value)s”。"})
    base_type = filters.ChoiceFilter(choices=BaseType.choices, label="基地类型",
                                     empty_label="全部基地类型",
                                     error_messages={"invalid_choice": "没有基地类型“%(value)s”。"})
    status = filters.ChoiceFilter(choices=Status.choices, label="状态", empty_label="全部状态",
                                  error_messages={"invalid_choice": "没有状态“%(value)s”。"})
    bookable = filters.BooleanFilter(label="可预约", widget=forms.Select(choices=[
        ("", "是否可预约"), ("true", "可预约"), ("false", "不可预约")]))
    q = filters.CharFilter(method="filter_q", label="名称、地址、品牌或服务",
                           widget=forms.TextInput(attrs={"placeholder": "名称、地址、品牌或服务"}))

    class Meta:
        model = Venue
        fields = ["org", "kind", "base_type", "status", "bookable", "q"]
        form = FilterForm

    def filter_org(self, queryset, name, value):
        return in_org(self.request, queryset, value)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value)
                               | Q(brand__icontains=value) | Q(services__icontains=value)
                               | Q(unit__name__icontains=value))


class BookingFilterSet(filters.FilterSet):
    side = filters.ChoiceFilter(method="filter_side", label="范围", empty_label="全部预约",
                                choices=[("mine", "我方的预约"), ("to_confirm", "待我确认"),
                                         ("owned", "我方场地的预约")],
                                error_messages={"invalid_choice": "没有范围“%(value)s”。"})
    state = filters.ChoiceFilter(choices=State.choices, label="状态", empty_label="全部状态",
                                 error_messages={"invalid_choice": "没有状态“%(value)s”。"})
    venue = filters.NumberFilter(field_name="venue_id", label="阵地 id")
    room = filters.NumberFilter(field_name="room_id", label="房间 id")
    # `from` and `to` are Python keywords: declared through the class namespace.
    locals()["from"] = filters.DateFilter(method="filter_from", label="起始日期",
                                          widget=DATE_INPUT)
    locals()["to"] = filters.DateFilter(method="filter_to", label="截止日期", widget=DATE_INPUT)
    q = filters.CharFilter(method="filter_q", label="场地、用途或预约方",
                           widget=forms.TextInput(attrs={"placeholder": "场地、用途或预约方"}))

    class Meta:
        model = Booking
        fields = ["side", "state", "venue", "room", "from", "to", "q"]
        form = FilterForm

    def filter_side(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if not value or user is None:
            return queryset
        mine, owned = Q(requested_by_id=user.pk), Q()
        for grant in grants_of(user):
            if grant.unit_id:
                mine |= Q(unit_id=grant.unit_id)
                owned |= Q(venue__unit_id=grant.unit_id)
            elif grant.org_id:
                mine |= Q(org__path__startswith=grant.org.path, unit__isnull=True)
                owned |= Q(venue__org__path__startswith=grant.org.path, venue__unit__isnull=True)
        if value == "mine":
            return queryset.filter(mine)
        if not owned:
            return queryset.none()
        if value == "to_confirm":
            return queryset.filter(owned, state=State.REQUESTED, end__gt=timezone.now())
        return queryset.filter(owned)

    def filter_from(self, queryset, name, value):
        return queryset.filter(start__gte=_day_start(value)) if value else queryset

    def filter_to(self, queryset, name, value):
        return queryset.filter(start__lt=_day_start(value + datetime.timedelta(days=1))) \
            if value else queryset

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(venue__name__icontains=value) | Q(room__name__icontains=value)
                               | Q(purpose__icontains=value) | Q(org__name__icontains=value)
                               | Q(unit__name__icontains=value) | Q(code__iexact=value))
