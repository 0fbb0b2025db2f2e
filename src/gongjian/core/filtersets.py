"""Filters of the platform's own lists (accounts, role grants, the audit log, notifications):
one FilterSet per list. They narrow rows that already went through restrict(); a value a
filter refuses lists nothing, and the page names the filter and why."""

import django_filters as filters
from django import forms
from django.db.models import Q
from django_filters.widgets import BooleanWidget

from . import audit
from .access import role_choices
from .forms import DATE_INPUT, Styled
from .models import AuditEntry, Notification, RoleGrant, User


class FilterForm(Styled, forms.Form):
    """A list's filter form: the site's widget classes, in their small size."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            classes = widget.attrs.get("class", "")
            for css in ("form-select", "form-control"):
                classes = classes.replace(css, f"{css} {css}-sm")
            widget.attrs["class"] = classes

    def full_clean(self):
        super().full_clean()
        for name in self._errors or ():  # outline a refused filter
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def _search(label, placeholder=None):
    return filters.CharFilter(method="filter_q", label=label, widget=forms.TextInput(
        attrs={"placeholder": placeholder or label}))


def _events():
    # Read when the form is drawn: capabilities may add their events to the labels.
    return list(audit.EVENT_LABELS.items())


class _Searched(filters.FilterSet):
    """`q` looks in `search_fields` (contains, any case)."""

    search_fields: tuple[str, ...] = ()

    def filter_q(self, queryset, name, value):
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)


class AccountFilterSet(_Searched):
    q = _search("账户名或姓名")
    search_fields = ("username", "display_name")

    class Meta:
        model = User
        fields = ["q"]
        form = FilterForm


class GrantFilterSet(_Searched):
    q = _search("账户、姓名、组织或单位")
    role = filters.ChoiceFilter(label="角色", choices=role_choices, empty_label="全部角色",
                                error_messages={"invalid_choice": "没有角色“%(value)s”。"})
    search_fields = ("user__username", "user__display_name", "org__name", "unit__name")

    class Meta:
        model = RoleGrant
        fields = ["q", "role"]
        form = FilterForm


class AuditFilterSet(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", label="对象或说明")
    actor = filters.CharFilter(field_name="actor_name", label="操作人账户")
    event = filters.ChoiceFilter(label="事件", choices=_events, empty_label="全部",
                                 error_messages={"invalid_choice": "没有事件“%(value)s”。"})
    date_from = filters.DateFilter(field_name="at", lookup_expr="date__gte", label="起始日期",
                                   widget=DATE_INPUT)
    date_to = filters.DateFilter(field_name="at", lookup_expr="date__lte", label="截止日期",
                                 widget=DATE_INPUT)

    class Meta:
        model = AuditEntry
        fields = ["q", "actor", "event", "date_from", "date_to"]
        form = FilterForm

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(object_repr__icontains=value) | Q(detail__icontains=value)
                               | Q(object_id=value))


class NotificationFilterSet(filters.FilterSet):
    # ?unread=1 (the page's tab) lists the unread ones; anything else, all of them.
    unread = filters.BooleanFilter(method="filter_unread", label="未读",
                                   widget=BooleanWidget)

    class Meta:
        model = Notification
        fields = ["unread"]
        form = FilterForm

    def filter_unread(self, queryset, name, value):
        return queryset.filter(read_at__isnull=True) if value else queryset


def filter_errors(filterset) -> str:
    """The FilterSet's refusals as one line, each after its filter's label."""
    fields = filterset.form.fields
    return "；".join(f"{fields[name].label}：{message}" if name in fields else message
                    for name, messages in filterset.form.errors.items() for message in messages)


def in_org(request, queryset, value, lookup="org__path"):
    """An "organisation code (with its subtree)" filter: rows under the organisation coded
    `value` if the user may view it, else none; a blank value keeps every row."""
    from gongjian.orgs.models import Organization

    from .access import restrict

    code = (value or "").strip()
    if not code:
        return queryset
    org = (restrict(getattr(request, "user", None), "view", Organization)
           .filter(code=code).only("path").first())
    if org is None:
        return queryset.none()
    return queryset.filter(**{f"{lookup}__startswith": org.path})
