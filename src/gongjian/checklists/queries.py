"""Read-side questions of the checklists: the rows of a list (the 资源清单 read from the
projects app, where it is kept) and what a community's public board shows."""

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from gongjian.core.access import restrict
from gongjian.projects.models import Resource

from .models import ChecklistItem, Kind


def resources_for(user: Any) -> QuerySet:
    """The 资源清单: the active resources of the projects app the user reads (one source —
    entered once, as a 服务资源, and shown both there and here)."""
    return (restrict(user, "view", Resource).filter(active=True)
            .select_related("unit__org").order_by("unit__org__path", "-created_at", "-id"))


def items_for(user: Any) -> QuerySet:
    return (restrict(user, "view", ChecklistItem)
            .select_related("org", "publisher").order_by("-created_at", "-id"))


def rows_for(user: Any, kind: str) -> QuerySet:
    """The rows the list of `kind` draws from, before the FilterSet narrows them."""
    return resources_for(user) if kind == Kind.RESOURCE else items_for(user)


def public_board(org) -> dict:
    """A community's (or street's) public lists: its learning and activity lines declared
    public (`public_scope("board")`), as public fields only — nobody's name. The resource
    list is the 服务资源清单 the projects section shows on the same board: counted here and
    linked to, not shown a second time."""
    anyone = AnonymousUser()
    rows = (restrict(anyone, "board", ChecklistItem).filter(org__path__startswith=org.path)
            .select_related("org").order_by("starts_on", "title", "id")[:200])
    lists: dict[str, list] = {"checklist_learning": [], "checklist_activities": []}
    for item in rows:
        key = "checklist_learning" if item.kind == Kind.LEARNING else "checklist_activities"
        lists[key].append({
            "title": item.title, "content": item.content, "org": item.org.name,
            "starts_on": item.starts_on, "ends_on": item.ends_on, "period": item.period,
            "place": item.place,
        })
    resources = (restrict(anyone, "board", Resource)
                 .filter(unit__org__path__startswith=org.path).count())
    return {**lists, "checklist_resource_count": resources}
