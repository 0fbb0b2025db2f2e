"""The FilterSets of party dues, each shared by its page, its API list and its export: the
arrears list (accounts with unpaid months) and the payments. Rows already went through
restrict(); an organisation named by code is looked up within the user's reach."""

import datetime

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from gongjian.core.filtersets import FilterForm, in_org

from . import rules
from .models import Account, Method, Payment

MONTH_INPUT = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class MonthField(forms.DateField):
    """A month typed as YYYY-MM (a browser's month input) or a date; the first of that month."""

    input_formats = ["%Y-%m", "%Y-%m-%d"]
    default_error_messages = {"invalid": "请按“年-月”填写月份，如 2026-03。"}

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MONTH_INPUT)
        super().__init__(**kwargs)

    def to_python(self, value):
        day = super().to_python(value)
        return rules.month_of(day) if day else day


class MonthFilter(filters.DateFilter):
    field_class = MonthField


class ArrearsFilterSet(filters.FilterSet):
    org = filters.CharFilter(method="filter_org", label="组织编码（含下级）",
                             widget=forms.TextInput(attrs={"placeholder": "组织编码（含下级）"}))
    months = filters.NumberFilter(method="filter_months", label="欠缴月数不少于",
                                  min_value=1, max_value=600,
                                  widget=forms.NumberInput(attrs={"placeholder": "欠缴月数不少于"}))
    q = filters.CharFilter(method="filter_q", label="姓名",
                           widget=forms.TextInput(attrs={"placeholder": "姓名"}))

    class Meta:
        model = Account
        fields = ["org", "months", "q"]
        form = FilterForm

    def filter_org(self, queryset, name, value):
        return in_org(self.request, queryset, value)

    def filter_months(self, queryset, name, value):
        if not value:
            return queryset
        current = rules.month_of(timezone.localdate())
        return queryset.filter(paid_through__lt=rules.add_months(current, -int(value)))

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(membership__person__name__contains=value) if value else queryset


class PaymentFilterSet(filters.FilterSet):
    org = filters.CharFilter(method="filter_org", label="组织编码（含下级）",
                             widget=forms.TextInput(attrs={"placeholder": "组织编码（含下级）"}))
    month = MonthFilter(method="filter_month", label="交纳月份")
    method = filters.ChoiceFilter(choices=Method.choices, label="交纳方式", empty_label="全部方式",
                                  error_messages={"invalid_choice": "没有交纳方式“%(value)s”。"})
    account = filters.NumberFilter(field_name="account_id", label="党费账户 id")
    q = filters.CharFilter(method="filter_q", label="姓名",
                           widget=forms.TextInput(attrs={"placeholder": "姓名"}))

    class Meta:
        model = Payment
        fields = ["org", "month", "method", "account", "q"]
        form = FilterForm

    def filter_org(self, queryset, name, value):
        return in_org(self.request, queryset, value)

    def filter_month(self, queryset, name, value):
        if not value:
            return queryset
        end = rules.add_months(value, 1)
        return queryset.filter(paid_on__gte=value, paid_on__lt=end)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(account__membership__person__name__contains=value)) \
            if value else queryset


def parse_month(text: str | None, default: datetime.date | None = None) -> datetime.date | None:
    """A `month` query parameter (YYYY-MM) as the first of the month; None if unreadable."""
    if not text:
        return default
    try:
        return rules.month_of(datetime.datetime.strptime(text.strip()[:10], "%Y-%m").date())
    except ValueError:
        try:
            return rules.month_of(datetime.date.fromisoformat(text.strip()))
        except ValueError:
            return None
