"""Read-side questions of 双报到: the rows a user reads, a member's 我的 section, a unit's
quarterly summary and the year-end list of those short of the expectation."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from gongjian.core.access import restrict

from . import rules, services
from .models import ACTIVE_STATES, Grade, Report, ReportEvaluation, State


def reports_for(user: Any) -> QuerySet[Report]:
    return (restrict(user, "view", Report)
            .select_related("person", "branch", "unit", "community", "grid")
            .order_by("-reported_on", "-id"))


def my_section(user: Any) -> dict[str, Any] | None:
    """The member's reports (the active ones first) with this year's hours against the
    expectation; None for an account that is no member's, or a member whose branch is where
    they live and who never reported."""
    if not getattr(user, "person_id", None):
        return None
    from gongjian.core.access import grants_of

    if not any(g.role == "member" for g in grants_of(user)):
        return None
    today = timezone.localdate()
    reports = list(restrict(user, "view", Report).filter(person_id=user.person_id)
                   .select_related("community", "branch", "unit")
                   .order_by("-reported_on", "-id")[:5])
    membership = services.own_membership(user.person)
    if not reports and membership is None:
        return None
    rows = []
    for report in reports:
        figures = services.year_figures(report, today.year, on=today) \
            if report.state == State.RECEIVED else None
        rows.append({"report": report, "figures": figures})
    evaluation = (restrict(user, "view", ReportEvaluation)
                  .filter(report__person_id=user.person_id).select_related("report__community")
                  .order_by("-year", "-id").first())
    return {"rows": rows, "year": today.year, "yearly_hours": rules.yearly_hours(),
            "evaluation": evaluation,
            "can_report": not any(r.state in ACTIVE_STATES for r in reports)}


def with_figures(reports: Any, year: int, on: datetime.date | None = None) -> list[dict]:
    """Each report with its figures for `year` (hours, expectation, short)."""
    reports = list(reports)
    figures = services.year_figures_of(reports, year, on)
    return [{"report": r, **figures[r.pk]} for r in reports]


def year_end_rows(user: Any, year: int, *, short_only: bool = True,
                  base: QuerySet[Report] | None = None) -> list[dict]:
    """The reports active in `year` within the user's reach, with their hours and the year's
    evaluation; only those short of the expectation unless `short_only` is False."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    reports = services.active_in(base if base is not None else reports_for(user), first, last)
    grades = dict(ReportEvaluation.objects.filter(report__in=reports, year=year)
                  .values_list("report_id", "grade"))
    rows = []
    for row in with_figures(reports.order_by("community__path", "person__name", "id"), year,
                            timezone.localdate()):
        if short_only and not row["short"]:
            continue
        row["grade"] = grades.get(row["report"].pk, "")
        row["grade_label"] = Grade(row["grade"]).label if row["grade"] else ""
        rows.append(row)
    return rows


def unit_summary(user: Any, unit: Any, year: int, quarter: int) -> dict[str, Any]:
    """A unit's members reported to communities, active in the quarter, with their hours in
    the quarter and in the year so far (as counted today)."""
    first, last = rules.quarter_bounds(year, quarter)
    today = timezone.localdate()
    reports = services.active_in(reports_for(user).filter(unit=unit), first, last) \
        .order_by("person__name", "id")
    reports = list(reports)
    figures = services.year_figures_of(reports, year, on=today)
    in_quarter = services.hours_of_reports(reports, first, last, on=today)
    rows = [{"report": r, "quarter_hours": in_quarter[r.pk], **figures[r.pk]} for r in reports]
    return {"unit": unit, "year": year, "quarter": quarter, "first": first, "last": last,
            "rows": rows, "short": sum(1 for r in rows if r["short"])}
