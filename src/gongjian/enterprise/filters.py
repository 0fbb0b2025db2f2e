"""The case list's filters, shared by the page, the export and the API."""

from django.db.models import Q
from django.utils import timezone

from .models import OPEN_STATES, Case, Category, ServiceArea, State, overdue_q


def area_q(area, prefix="company__org"):
    """Rows whose company lies in one of the area's communities (or below them)."""
    paths = [org.path for org in area.communities.all()]
    if not paths:
        return Q(pk__in=[])
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{prefix}__path__startswith": path})
    return condition


def cases(queryset, params, user=None, today=None):
    """Filter `queryset` by state, category, area (id), overdue (1) and q (title/company).
    Returns (queryset, cleaned values); unknown values are ignored, not guessed."""
    today = today or timezone.localdate()
    values = {}
    state = params.get("state") or ""
    if state in State.values:
        queryset = queryset.filter(state=state)
        values["state"] = state
    elif state == "open":
        queryset = queryset.filter(state__in=OPEN_STATES)
        values["state"] = state
    category = params.get("category") or ""
    if category in Category.values:
        queryset = queryset.filter(category=category)
        values["category"] = category
    area_id = str(params.get("area") or "")
    if area_id.isdigit() and user is not None:
        from gongjian.core.access import restrict

        area = restrict(user, "view", ServiceArea).filter(pk=int(area_id)).first()
        if area is not None:
            queryset = queryset.filter(area_q(area))
            values["area"] = area.pk
    if str(params.get("overdue") or "").lower() in ("1", "true", "on"):
        queryset = queryset.filter(overdue_q(today))
        values["overdue"] = True
    q = (params.get("q") or "").strip()
    if q:
        queryset = queryset.filter(Q(title__icontains=q) | Q(company__name__icontains=q))
        values["q"] = q
    return queryset, values


def case_rows(queryset):
    return (queryset.select_related("company__org", "assignee__person", "assignee_org")
            .order_by("-raised_on", "-id"))


__all__ = ["Case", "area_q", "case_rows", "cases"]
