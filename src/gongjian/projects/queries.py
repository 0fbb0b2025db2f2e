"""Read-side questions: whose unit an account speaks for, how much of a project it reads, the
supervision pipeline and the public board of a community.

The pipeline is counted in SQL (grouped aggregates over the user's restricted projects), so
a city of 100,000 projects costs a handful of index scans, not a loop over rows.
"""

from collections import defaultdict
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q
from django.utils import timezone

from gongjian.core.access import ROLE_PERMISSIONS, SELF_ROLES, grants_of, permission_name, restrict
from gongjian.orgs.models import Organization, Unit

from .models import (
    ACTIVE_STATES,
    STEPLEN,
    Demand,
    Project,
    ProjectClaim,
    ProjectEvent,
    ProjectState,
    Resource,
)

PIPELINE = [ProjectState.DECLARED, ProjectState.APPROVED, ProjectState.CLAIMED,
            ProjectState.DOCKED, ProjectState.EXECUTING, ProjectState.ACCEPTED,
            ProjectState.CLOSED, ProjectState.REJECTED, ProjectState.WITHDRAWN]
LABELS = dict(ProjectState.choices)
# Claimed projects not yet accepted: "in progress" for the unit.
IN_PROGRESS = (ProjectState.CLAIMED, ProjectState.DOCKED, ProjectState.EXECUTING)
OVERDUE_LIST = 50
UNIT_ROWS = 30


def liaison_unit(user: Any) -> Unit | None:
    """The unit an account is the liaison of (it claims and offers for that unit only)."""
    for grant in grants_of(user):
        if grant.role == "unit_liaison" and grant.unit_id:
            return grant.unit
    return None


def reads_as_poster(user: Any) -> bool:
    """Whether the account reads projects only as the poster of their source demands (a
    resident following what became of their demand): no other role of theirs reads projects.
    Such a reader is not shown the staff's side — claims' notes, the notes of the
    declaration (the other demands it joined) and of claims, the progress photos."""
    perm = permission_name(Project, "view")
    return not any(g.role not in SELF_ROLES and perm in ROLE_PERMISSIONS.get(g.role, ())
                   for g in grants_of(user))


# The notes of these steps are the staff's side: the other demands a declaration joined, a
# unit's note on its claim.
STAFF_NOTES = frozenset({"declare", "claim"})


def history_for(user: Any, project: Project) -> list[ProjectEvent]:
    """The project's history as `user` may read it (through restrict); one who reads it as
    the poster of a source demand gets it without the staff's notes."""
    events = list(restrict(user, "view", ProjectEvent).filter(project=project))
    if reads_as_poster(user):
        for event in events:
            if event.step in STAFF_NOTES:
                event.note = ""
    return events


def top_org(user):
    """The highest organisation the user's supervision reaches (their default view)."""
    from gongjian.core.access import reach_orgs

    orgs = reach_orgs(user, "supervise", Project)
    return min(orgs, key=lambda o: (o.depth, o.path)) if orgs else None


def supervision(user, *, root=None, category="", today=None):
    """The pipeline under `root` (default: the user's top organisation): counts by state,
    per child organisation and per unit, overdue counts, and the overdue projects."""
    today = today or timezone.localdate()
    root = root or top_org(user)
    projects = restrict(user, "supervise", Project)
    if root is not None:
        projects = projects.filter(org__path__startswith=root.path)
    if category:
        projects = projects.filter(category=category)
    overdue = Q(state__in=ACTIVE_STATES, step_deadline__lt=today)

    # One grouped scan: (organisation, state) → count, late count; the per-state totals and
    # the per-child rows are summed from it here (at most a few thousand rows).
    grouped = list(projects.values_list("org_id", "state").annotate(
        n=Count("pk"), late=Count("pk", filter=overdue)).order_by())
    by_state = defaultdict(lambda: [0, 0])
    for _org, st, n, late_n in grouped:
        by_state[st][0] += n
        by_state[st][1] += late_n
    states = [{"state": s, "label": LABELS[s], "n": by_state[s][0], "overdue": by_state[s][1]}
              for s in PIPELINE]
    total = sum(s["n"] for s in states)
    late_total = sum(s["overdue"] for s in states)

    children = []
    if root is not None:
        width = len(root.path) + STEPLEN  # the level right below root
        paths = dict(Organization.objects.filter(pk__in={g[0] for g in grouped})
                     .values_list("pk", "path"))
        table = {}
        for org_id, st, n, late_n in grouped:
            entry = table.setdefault(paths[org_id][:width], {"n": 0, "late": 0, "states": {}})
            entry["n"] += n
            entry["late"] += late_n
            entry["states"][st] = entry["states"].get(st, 0) + n
        names = {o.path: o for o in Organization.objects.filter(path__in=list(table))}
        for path, entry in table.items():
            org = names.get(path, root)  # projects declared by the root itself
            children.append({"org": org, "n": entry["n"], "overdue": entry["late"],
                             "cells": [entry["states"].get(s, 0) for s in PIPELINE],
                             "drill": org.pk != root.pk})
        children.sort(key=lambda c: (-c["n"], c["org"].path))

    # Claims carry their project's organisation, state and deadline: counted per unit
    # without joining the projects (only the category filter needs them).
    claims = restrict(user, "view", ProjectClaim)
    if root is not None:
        claims = claims.filter(org__path__startswith=root.path)
    if category:
        claims = claims.filter(project__category=category)
    unit_rows = list(claims.values("unit").annotate(
        n=Count("pk"),
        active=Count("pk", filter=Q(state__in=IN_PROGRESS)),
        done=Count("pk", filter=Q(state__in=(ProjectState.ACCEPTED, ProjectState.CLOSED))),
        late=Count("pk", filter=Q(state__in=ACTIVE_STATES, step_deadline__lt=today)))
        .order_by("-n", "unit")[:UNIT_ROWS])
    unit_names = Unit.objects.in_bulk([r["unit"] for r in unit_rows])
    units = [{**r, "unit": unit_names[r["unit"]]} for r in unit_rows if r["unit"] in unit_names]

    late = list(projects.filter(overdue).select_related("org")
                .order_by("step_deadline", "pk")[:OVERDUE_LIST])
    from .workflows import next_line  # the tables are built on this module's questions

    for p in late:
        p.days_overdue = (today - p.step_deadline).days
        line = next_line(p)
        p.next_step = "、".join(step.label for step, _ in line)
        p.owner = "；".join(owner for _, owner in line)
    return {"root": root, "states": states, "total": total, "overdue_total": late_total,
            "children": children, "units": units, "overdue": late, "pipeline_labels":
            [LABELS[s] for s in PIPELINE], "today": today}


def public_board(community) -> dict:
    """What a community (or a street) shows the public: open demands, active resources,
    projects past approval — the rows each model declares public (`public_scope("board")`),
    as plain dicts of public fields only (no names, phones or residents' places)."""
    path = community.path
    anyone = AnonymousUser()
    resources = [{
        "title": r.title, "category": r.get_category_display(), "unit": r.unit.name,
        "description": r.description, "capacity": r.capacity, "remaining": r.remaining,
        "available": r.available_text, "available_from": r.available_from,
        "available_until": r.available_until,
    } for r in restrict(anyone, "board", Resource).filter(unit__org__path__startswith=path)
        .select_related("unit").order_by("-created_at")[:100]]
    demands = [{
        # The description is the poster's own words and may name people: not shown.
        "title": d.title, "category": d.get_category_display(),
        "beneficiaries": d.beneficiaries,
        "urgency": d.get_urgency_display(), "state": d.get_state_display(),
        "posted_on": timezone.localdate(d.created_at),
    } for d in restrict(anyone, "board", Demand).filter(org__path__startswith=path)
        .order_by("-created_at")[:100]]
    projects = []
    rows = (restrict(anyone, "board", Project).filter(org__path__startswith=path)
            .select_related("org").prefetch_related("claims__unit")
            .order_by("-declared_at")[:100])
    for p in rows:
        projects.append({
            "title": p.title, "category": p.get_category_display(), "state": p.get_state_display(),
            "org": p.org.name, "units": [c.unit.name for c in p.claims.all()],
            "target_beneficiaries": p.target_beneficiaries,
            "beneficiary_count": p.beneficiary_count, "rating": p.rating,
            "planned_start": p.planned_start, "planned_end": p.planned_end,
            "approved_on": timezone.localdate(p.approved_at) if p.approved_at else None,
            "closed_on": timezone.localdate(p.closed_at) if p.closed_at else None,
        })
    return {"resources": resources, "demands": demands, "projects": projects}
