"""Every write of 双报到: the member's report, the community's receipt (with the 回执 to the
member's own unit and branch), ending and withdrawing it, and the community's year-end
evaluation — one table of steps — and the hours that feed them, read from the volunteer app.

Who may report: a member on the roster whose own branch is not in the community they report
to (an in-service member: their branch is in a unit, an office, a school …, not where they
live). One active report per member and community; the check and the write serialise on the
member's Person row.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from gongjian.core.access import restrict
from gongjian.core.models import User
from gongjian.core.notifications import notify, org_staff, unit_liaisons
from gongjian.core.services import (
    DomainError,
    posted_text,
    require_scope,
    save_checked,
    validate,
)
from gongjian.core.workflow import Step, Workflow, record_event
from gongjian.members.models import Membership, Person
from gongjian.orgs.models import Grid, Organization, Unit, ancestor_paths
from gongjian.projects.models import Category, Demand
from gongjian.volunteer.models import ServiceRecord, Volunteer

from . import rules
from .models import ACTIVE_STATES, Availability, EndReason, Grade, Report, ReportEvaluation, State

S = State


def hours_text(hours: Decimal) -> str:
    """48.00 → "48", 2.50 → "2.5": hours as people write them."""
    return f"{Decimal(hours).normalize():f}"


def _bad(message: str, field: str | None = None) -> DomainError:
    return DomainError(message, field=field, status=400)


# ---- who reports, and where from ------------------------------------------------------------

def own_membership(person: Person) -> Membership | None:
    return (Membership.objects.filter(person=person, active=True)
            .select_related("org").first())


def unit_candidates(branch: Organization) -> list[Unit]:
    """The units whose own party organisation is the branch or one above it (a joint branch
    of non-public companies serves several), nearest first."""
    units = Unit.objects.filter(party_org__path__in=ancestor_paths(branch.path)) \
        .select_related("party_org")
    return sorted(units, key=lambda u: (-u.party_org.depth, u.code))  # type: ignore[union-attr]


def own_unit(person: Person, branch: Organization, chosen: Unit | None = None) -> Unit | None:
    """The member's unit: the one chosen (it must be one of the branch's), the only
    candidate, or the candidate named as the person's work unit."""
    candidates = unit_candidates(branch)
    if chosen is not None:
        if chosen.pk not in {u.pk for u in candidates}:
            raise _bad(f"“{chosen.name}”不是“{branch.name}”所在的单位。", "unit")
        return chosen
    if len(candidates) == 1:
        return candidates[0]
    named = [u for u in candidates if person.work_unit and u.name == person.work_unit]
    return named[0] if named else None


def report_refusal(person: Person, community: Organization) -> str | None:
    """Why the person cannot report to the community now (None: they can)."""
    membership = own_membership(person)
    if membership is None:
        return "只有在册党员可以到社区报到。"
    if membership.org.path.startswith(community.path):
        return (f"您的组织关系在“{membership.org.name}”，已属“{community.name}”，"
                "无需再到本社区报到。")
    if Report.objects.filter(person=person, community=community,
                             state__in=ACTIVE_STATES).exists():
        return f"您已向“{community.name}”报到，不能重复报到。"
    return None


def _community(org: Organization) -> Organization:
    if not Organization.objects.communities().filter(pk=org.pk, dissolved_on__isnull=True) \
            .exists():
        raise _bad(f"“{org.name}”不是社区党组织，请选择居住地所在社区。", "community")
    return org


def open_demands(community: Organization) -> QuerySet[Demand]:
    """The community's open needs, as its public board shows them (what a member may offer
    to take on when reporting)."""
    return (restrict(AnonymousUser(), "board", Demand)
            .filter(org__path__startswith=community.path).order_by("-created_at", "-id"))


# ---- telling people ---------------------------------------------------------------------------

def community_staff(report: Report) -> list[User]:
    return org_staff(report.community, ("community_staff",))


def home_side(report: Report) -> list[User]:
    """The member's own side: the unit's liaisons and the branch's committee."""
    return [*unit_liaisons(report.unit), *org_staff(report.branch, ("branch_committee",))]


def _member_account(report: Report) -> list[User]:
    account = User.objects.filter(person_id=report.person_id, is_active=True).first()
    return [account] if account is not None else []


def _tell(users: Iterable[User], report: Report, actor: Any, title: str, body: str = "",
          key: str = "") -> int:
    people = [u for u in users if actor is None or u.pk != getattr(actor, "pk", None)]
    return len(notify(people, title, url=report.get_absolute_url(), body=body[:500],
                      kind="community_report", key=key))


# ---- reporting --------------------------------------------------------------------------------

def submit(*, user: User, community: Organization, address: str, skills: str = "", fields: Iterable[str] = (), demands: Iterable[Demand] = (),
           availability: str = Availability.WEEKEND, availability_note: str = "",
           unit: Unit | None = None) -> Report:
    """报到: the member's form. Refused for one who is not an in-service member of another
    organisation, or who already reported to this community."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        raise DomainError("您的账户未关联党员档案，不能报到；请联系所在党支部。")
    community = _community(community)
    chosen = list(dict.fromkeys(str(f) for f in fields))
    unknown = [f for f in chosen if f not in Category.values]
    if unknown:
        raise _bad(f"没有服务意向“{'、'.join(unknown)}”。", "fields")
    if not chosen:
        raise _bad("请至少选择一项服务意向。", "fields")
    if availability not in Availability.values:
        raise _bad(f"服务时间“{availability}”无效。", "availability")
    wanted = list(demands)
    if wanted:
        offered = set(open_demands(community).filter(pk__in=[d.pk for d in wanted])
                      .values_list("pk", flat=True))
        stray = [d.title for d in wanted if d.pk not in offered]
        if stray:
            raise _bad(f"需求“{'、'.join(stray)}”不是“{community.name}”当前的社区需求。",
                       "demands")
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person_id)
        refusal = report_refusal(person, community)
        if refusal:
            raise DomainError(refusal)
        membership = own_membership(person)
        assert membership is not None  # report_refusal checked it
        report = Report(
            person=person, membership=membership, branch=membership.org,
            unit=own_unit(person, membership.org, unit), community=community,
            address=posted_text(address, "居住地址", "address", 200),
            skills=posted_text(skills, "特长", "skills", 200, required=False),
            fields=chosen, availability=availability,
            availability_note=posted_text(availability_note, "时间说明", "availability_note",
                                          100, required=False),
            created_by=user)
        save_checked(user, report, "add")
        if wanted:
            report.demands.set(wanted)
        record_event(report, "submit", user, state_to=report.state,
                     note=f"{membership.org.name}" + (f"（{report.unit.name}）"
                                                       if report.unit else ""))
        _tell(community_staff(report), report, user, f"在职党员报到待接收：{person.name}",
              f"{person.name}（{membership.org.name}）到{community.name}报到，居住在"
              f"{report.address}。请核实后接收。")
    return report


# ---- the steps --------------------------------------------------------------------------------

def _own_report(user: Any, report: Report) -> str | None:
    if user is None or not getattr(user, "person_id", None) \
            or user.person_id != report.person_id:
        return "只有报到的党员本人可以撤回。"
    return None


def _evaluable(user: Any, report: Report) -> str | None:
    today = timezone.localdate()
    year = rules.evaluation_year(today)
    if report.received_on is None or report.received_on.year > year:
        return f"该党员 {year} 年尚未报到，不能进行 {year} 年度评价。"
    if report.ended_on is not None and report.ended_on.year < year:
        return f"该报到已于 {report.ended_on:%Y-%m-%d} 结束，不能进行 {year} 年度评价。"
    return None


def _refusal(step: Step, report: Report) -> str:
    return f"报到当前为“{report.get_state_display()}”，不能{step.label}。"


WORKFLOW = Workflow(Report, [
    Step("receive", "接收报到", [S.SUBMITTED], S.RECEIVED, action="receive", owner="报到社区",
         style="success", fields=("grid",),
         done="已接收报到，回执已发送至党员所在单位和党支部。"),
    Step("evaluate", "年度评价", [S.RECEIVED, S.ENDED], None, action="evaluate",
         guard=_evaluable, owner="报到社区", style="outline-primary",
         fields=("grade", "note"), done="已评价。"),
    Step("end", "结束报到", [S.RECEIVED], S.ENDED, action="end", owner="报到社区",
         style="danger", fields=("end_kind", "reason"), done="报到已结束。"),
    Step("withdraw", "撤回", [S.SUBMITTED], S.WITHDRAWN, action="withdraw", guard=_own_report,
         owner="报到党员", style="danger", done="已撤回报到。"),
], refusal=_refusal)


def _step(report: Report, user: User, name: str) -> tuple[Report, str]:
    locked = WORKFLOW.lock(user, report, name)
    before = WORKFLOW.move(locked, name)
    return locked, before


def receive(report: Report, *, user: User, grid: Grid | None = None) -> Report:
    """The community confirms the member lives there and takes them in (placing them in a
    grid of its own, if it says); the 回执 goes back to the member's unit (its liaison) and
    branch (its committee), and to the member."""
    with transaction.atomic():
        locked, before = _step(report, user, "receive")
        locked.received_on = timezone.localdate()
        locked.received_by = user
        if grid is not None:
            require_scope(user, "view", grid)
            locked.grid = grid
        validate(locked)
        locked.save()
        record_event(locked, "receive", user, state_from=before, state_to=locked.state,
                     text=f"{locked.community.name}接收报到，回执已送{home_label(locked)}")
        name, community = locked.person.name, locked.community.name
        _tell(home_side(locked), locked, user, f"在职党员报到回执：{name}已到{community}报到",
              f"{name}（{locked.branch.name}）已于 {locked.received_on:%Y-%m-%d} 到"
              f"{community}报到，居住地址 {locked.address}。社区每季度向单位反馈其服务情况。")
        _tell(_member_account(locked), locked, user, f"{community}已接收您的报到",
              f"年度志愿服务时长应达 {rules.yearly_hours()} 小时。")
    return locked


def home_label(report: Report) -> str:
    return f"{report.unit.name}和{report.branch.name}" if report.unit else report.branch.name


def end(report: Report, *, user: User, end_kind: str = "", reason: str = "") -> Report:
    """结束报到: the member moved away, retired (their relation comes to the community) or
    left their unit; with the reason. Their past service stays on record."""
    if end_kind not in EndReason.values:
        raise _bad("请选择结束原因。", "end_kind")
    text = posted_text(reason, "结束说明", "reason", 200)
    with transaction.atomic():
        locked, before = _step(report, user, "end")
        locked.ended_on = timezone.localdate()
        locked.end_kind, locked.end_reason = end_kind, text
        validate(locked)
        locked.save()
        label = EndReason(end_kind).label
        record_event(locked, "end", user, state_from=before, state_to=locked.state,
                     text=f"结束报到：{label}", note=text)
        _tell([*home_side(locked), *_member_account(locked)], locked, user,
              f"在职党员报到已结束：{locked.person.name}（{locked.community.name}）",
              f"{label}：{text}")
    return locked


def withdraw(report: Report, *, user: User) -> Report:
    """The member takes back a report the community has not received yet."""
    with transaction.atomic():
        locked, before = _step(report, user, "withdraw")
        locked.save()
        record_event(locked, "withdraw", user, state_from=before, state_to=locked.state)
    return locked


def evaluate(report: Report, *, user: User, grade: str = "", note: str = "") -> Report:
    """年度评价: the community grades the member for the year under evaluation (this year from
    November, else last year), against the hours counted today; graded again, the grade is
    replaced and the history keeps both. A member short of the expectation is not 优秀
    (`excellent_needs_hours`)."""
    if grade not in Grade.values:
        raise _bad("请选择评价等次：" + "、".join(Grade.labels) + "。", "grade")
    text = posted_text(note, "评语", "note", 500, required=False)
    today = timezone.localdate()
    year = rules.evaluation_year(today)
    with transaction.atomic():
        locked, before = _step(report, user, "evaluate")
        figures = year_figures(locked, year, on=today)
        if grade == Grade.EXCELLENT and figures["short"] and rules.setting(
                "excellent_needs_hours"):
            raise _bad(f"{year} 年服务时长 {hours_text(figures['hours'])} 小时，未达 "
                       f"{hours_text(figures['expected'])} 小时，不能评为优秀。", "grade")
        evaluation = ReportEvaluation.objects.filter(report=locked, year=year).first() \
            or ReportEvaluation(report=locked, year=year)
        evaluation.grade, evaluation.note = grade, text
        evaluation.hours, evaluation.expected = figures["hours"], figures["expected"]
        evaluation.evaluated_by, evaluation.evaluated_on = user, today
        save_checked(user, evaluation, "change" if evaluation.pk else "add")
        label = Grade(grade).label
        record_event(locked, "evaluate", user, state_from=before, state_to=locked.state,
                     text=f"{year} 年度评价：{label}（服务 {hours_text(figures['hours'])} 小时，"
                          f"应达 {hours_text(figures['expected'])} 小时）", note=text)
        _tell(home_side(locked), locked, user,
              f"在职党员年度评价：{locked.person.name} {year} 年“{label}”",
              f"{locked.community.name}评价：{label}。{year} 年在社区服务 "
              f"{hours_text(figures['hours'])} 小时（应达 {hours_text(figures['expected'])} 小时）。"
              f"{text}")
    return locked


# ---- hours ------------------------------------------------------------------------------------

def volunteer_for(report: Report) -> Volunteer | None:
    """The member's volunteer registration (by their person, or by their account)."""
    return (Volunteer.objects.filter(person_id=report.person_id).first()
            or Volunteer.objects.filter(account__person_id=report.person_id).first())


def hours_of_reports(reports: Iterable[Report], first: datetime.date, last: datetime.date,
                     on: datetime.date | None = None) -> dict[int, Decimal]:
    """Counted hours (volunteer.services.counted_records, as of `on`) of service dated from
    `first` to `last`, in activities organised in each report's community subtree (rules.py),
    for many reports in three queries: the volunteers of their persons (by the person, else by
    the person's account), then those volunteers' hours per organiser."""
    reports = list(reports)
    on = on or timezone.localdate()
    persons = {r.person_id for r in reports}
    by_person: dict[int, int] = {}
    # By the person first, else by the person's account (as volunteer_for).
    for pk, person_id in (Volunteer.objects.filter(person_id__in=persons)
                          .order_by("pk").values_list("pk", "person_id")):
        by_person.setdefault(person_id, pk)
    for pk, account_person_id in (
            Volunteer.objects.filter(account__person_id__in=persons - set(by_person))
            .order_by("pk").values_list("pk", "account__person_id")):
        by_person.setdefault(account_person_id, pk)
    hours: dict[int, list[tuple[str, Decimal]]] = {}
    for volunteer_id, path, total in (
            ServiceRecord.objects.filter(volunteer_id__in=set(by_person.values()),
                                         counts_from__lte=on, date__gte=first, date__lte=last)
            .order_by().values_list("volunteer_id", "org__path").annotate(total=Sum("hours"))):
        hours.setdefault(volunteer_id, []).append((path, total))
    result = {}
    for report in reports:
        community = report.community.path
        served = hours.get(by_person[report.person_id], []) \
            if report.person_id in by_person else []
        result[report.pk] = sum((total for path, total in served if path.startswith(community)),
                                Decimal("0"))
    return result


def hours_between(report: Report, first: datetime.date, last: datetime.date,
                  on: datetime.date | None = None) -> Decimal:
    """One report's hours (hours_of_reports)."""
    return hours_of_reports([report], first, last, on)[report.pk]


def figures_of(report: Report, year: int, hours: Decimal) -> dict[str, Any]:
    """The member's hours in `year` against what is expected of them."""
    expected = rules.expected_hours(year, report.received_on, report.ended_on)
    return {"year": year, "hours": hours, "expected": expected,
            "short": rules.is_short(hours, expected) if expected else False,
            "missing": max(Decimal("0"), expected - hours),
            "percent": min(100, int(hours * 100 / expected)) if expected else 100}


def year_figures_of(reports: Iterable[Report], year: int, on: datetime.date | None = None
                    ) -> dict[int, dict[str, Any]]:
    """Each report's figures for `year`, for many reports at once."""
    reports = list(reports)
    hours = hours_of_reports(reports, datetime.date(year, 1, 1), datetime.date(year, 12, 31), on)
    return {r.pk: figures_of(r, year, hours[r.pk]) for r in reports}


def year_figures(report: Report, year: int, on: datetime.date | None = None) -> dict[str, Any]:
    """The member's hours in `year`, what is expected of them, and whether they fall short."""
    return year_figures_of([report], year, on)[report.pk]


def active_in(reports: QuerySet[Report], first: datetime.date, last: datetime.date
              ) -> QuerySet[Report]:
    """Reports received by `last` and not ended before `first`."""

    return reports.filter(received_on__isnull=False, received_on__lte=last).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=first))


__all__ = ["WORKFLOW", "active_in", "community_staff", "end", "evaluate", "figures_of",
           "home_side", "home_label", "hours_between", "hours_of_reports", "hours_text",
           "open_demands", "own_membership", "own_unit", "receive", "report_refusal", "submit",
           "unit_candidates", "volunteer_for", "withdraw", "year_figures", "year_figures_of"]
