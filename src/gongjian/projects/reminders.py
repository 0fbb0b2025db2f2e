"""The daily sweep: tell the owner of each project step that is due within two days or late."""

import datetime

from django.urls import reverse

from gongjian.core.notifications import notify, org_staff, unit_liaisons
from gongjian.core.reminders import register

from .models import ACTIVE_STATES, Project, ProjectState
from .workflows import next_line

NEAR_DAYS = 2


def _owners(project):
    """Who is reminded in the project's current state: the street to approve, the claiming
    units and the community while the units act, else the community."""
    if project.state == ProjectState.DECLARED:
        return org_staff(project.org, ("street_staff",))
    if project.state in (ProjectState.DOCKED, ProjectState.EXECUTING):
        units = [c.unit for c in project.claims.all()]
        return [u for unit in units for u in unit_liaisons(unit)] \
            + org_staff(project.org, ("community_staff",))
    return org_staff(project.org, ("community_staff",))


@register("projects")
def sweep(today: datetime.date) -> int:
    due = (Project.objects.filter(state__in=ACTIVE_STATES,
                                  step_deadline__lte=today + datetime.timedelta(days=NEAR_DAYS))
           .select_related("org").prefetch_related("claims__unit").order_by("pk"))
    projects = list(due)
    sent = 0
    for project in projects:
        step = "、".join(s.label for s, _ in next_line(project))
        late = project.step_deadline < today
        kind = "overdue" if late else "near"
        if late:
            title = (f"已逾期 {(today - project.step_deadline).days} 天：“{project.title}”"
                     f"待{step}")
        else:
            title = f"即将到期：“{project.title}”须在 {project.step_deadline:%Y-%m-%d} 前{step}"
        sent += len(notify(_owners(project), title,
                           url=reverse("project_detail", args=[project.pk]), kind="reminder",
                           key=f"project:{project.pk}:{project.state}:"
                               f"{project.step_deadline:%Y%m%d}:{kind}"))
    return sent
