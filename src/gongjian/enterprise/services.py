"""Every write of services for companies: areas, cadres, links, and the case workflow.

A case moves through one table, CASE_FLOW: each step locks the case, checks that the user may
take it and that the case's state allows it, writes the change and one line of the case's
history (record_event), and tells the people it concerns. The same table tells the pages and
the API which steps a user may take.
"""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from gongjian.core import reminders
from gongjian.core.access import grants_of, restrict
from gongjian.core.models import User
from gongjian.core.notifications import notify, org_staff, unit_liaisons
from gongjian.core.services import DomainError, OutOfScope, save_checked, validate
from gongjian.core.services import posted_date as _date
from gongjian.core.services import posted_text as _text
from gongjian.core.workflow import Step, Workflow, record_event
from gongjian.orgs.models import Organization, Unit, street_path

from .models import (
    OPEN_STATES,
    Cadre,
    CadreLink,
    Case,
    CaseVisit,
    Satisfaction,
    ServiceArea,
    Source,
    State,
)

S = State
REMIND_DAYS = 3


# ---- the case workflow ------------------------------------------------------------------

def _refusal(step: Step, case: Case) -> str:
    # A refusal names the step as people ask for it ("不能评价满意度", "不能关闭").
    verb = {"rate": "评价满意度", "close": "关闭"}.get(step.name, step.label)
    return f"诉求当前为“{case.get_state_display()}”，不能{verb}。"


def _not_rated(user: User | None, case: Case) -> str | None:
    if case.satisfaction:
        return f"企业已评价（{case.get_satisfaction_display()}），不能重复评价。"
    return None


def _rated_unsatisfied(user: User | None, case: Case) -> str | None:
    if case.satisfaction != Satisfaction.UNSATISFIED:
        return "企业未评价“不满意”，不能重新办理。"
    return None


WORKING = (S.ASSIGNED, S.FOLLOWING)
CASE_FLOW = Workflow(Case, [
    # Assigning again (改派) keeps the state; the first assignment moves 已提交 → 已分派.
    Step("assign", "受理分派", OPEN_STATES, action="assign",
         fields=("assignee", "assignee_org", "deadline", "note")),
    Step("visit", "记录走访", WORKING, S.FOLLOWING, action="visit",
         fields=("visited_on", "visitor", "visitor_name", "done", "next_step")),
    Step("resolve", "办结", WORKING, S.RESOLVED, action="resolve",
         fields=("resolution", "resolved_on")),
    Step("rate", "记录企业评价", [S.RESOLVED], action="rate", guard=_not_rated,
         owner="企业联络员", fields=("satisfaction", "comment")),
    Step("close", "关闭诉求", OPEN_STATES, S.CLOSED, action="close", style="danger",
         fields=("reason",)),
    Step("reopen", "重新办理", [S.RESOLVED], S.FOLLOWING, action="reopen",
         guard=_rated_unsatisfied, fields=("note",)),
], refusal=_refusal)


def allowed_steps(case: Case, *, user: User) -> list[str]:
    """The steps this user may take on this case now, in the table's order."""
    return [step.name for step in CASE_FLOW.available_steps(user, case)]


def next_line(case: Case) -> list[tuple[Step, str]]:
    """Whose turn it is (step, who) — the table's next steps whose conditions the case meets
    (a reopening waits for an unsatisfied rating)."""
    return [(step, who) for step, who in CASE_FLOW.next_line(case)
            if step.guard is None or not step.guard(None, case)]


def _lock(case: Case, user: User, name: str) -> Case:
    """The case locked for the step. Whoever reads the case but may not take the step is
    refused (403); whoever cannot read it learns nothing of it (404)."""
    try:
        return CASE_FLOW.lock(user, case, name)
    except OutOfScope:
        if restrict(user, "view", Case).filter(pk=case.pk).exists():
            raise DomainError(f"您不能对该诉求进行“{CASE_FLOW[name].label}”。",
                              status=403) from None
        raise


def _concerned(case: Case, actor: User | None,
               staff_cache: dict[int, list[User]] | None = None) -> list[User]:
    """The case's company liaisons, the staff over its community, and the assignee's account."""
    org = case.company.org
    if staff_cache is None:
        staff = org_staff(org)
    else:
        if org.pk not in staff_cache:
            staff_cache[org.pk] = org_staff(org)
        staff = staff_cache[org.pk]
    users = list(staff) + list(unit_liaisons(case.company))
    if case.assignee is not None:
        # The cadre's own account is told only if it may read the case (a cadre's account
        # may hold no right over companies at all).
        account = getattr(case.assignee.person, "account", None)
        if account is not None and restrict(account, "view", Case).filter(pk=case.pk).exists():
            users.append(account)
    return [u for u in users if u is not None and (actor is None or u.pk != actor.pk)]


def _tell(case: Case, user: User | None, title: str, body: str = "") -> None:
    notify(_concerned(case, user), title, url=case.get_absolute_url(), body=body,
           kind="enterprise")


# ---- areas, cadres, links -----------------------------------------------------------------

def save_area(area: ServiceArea, *, user: User,
              communities: Iterable[Organization] | None = None) -> ServiceArea:
    """Create or change a service area; the communities must lie in its street."""
    action = "change" if area.pk else "add"
    validate(area)
    communities = list(communities or [])
    for org in communities:
        if (not Organization.objects.communities().filter(pk=org.pk).exists()
                or not org.path.startswith(area.street.path)):
            raise DomainError(f"“{org.name}”不是本街道的社区。", field="communities", status=400)
    with transaction.atomic():
        save_checked(user, area, action)
        area.communities.set(communities)
    return area


def save_cadre(cadre: Cadre, *, user: User) -> Cadre:
    return save_checked(user, cadre, "change" if cadre.pk else "add")


def link(*, user: User, cadre: Cadre, company: Unit, started_on: datetime.date | None = None,
         note: str = "") -> CadreLink:
    """Link a cadre to a company (挂钩)."""
    if not restrict(user, "view", Cadre).filter(pk=cadre.pk).exists():
        raise OutOfScope()
    row = CadreLink(cadre=cadre, company=company, started_on=started_on or timezone.localdate(),
                    note=note)
    return save_checked(user, row, "add")


def end_link(row: CadreLink, *, user: User, ended_on: datetime.date | None = None) -> CadreLink:
    ended_on = ended_on or timezone.localdate()
    if row.ended_on is not None and row.ended_on <= timezone.localdate():
        raise DomainError("该挂钩关系已结束。")
    if ended_on < row.started_on:
        raise DomainError("挂钩结束日期不能早于开始日期。", field="ended_on", status=400)
    row.ended_on = ended_on
    return save_checked(user, row, "change")


# ---- cases --------------------------------------------------------------------------------

def raise_case(*, user: User, company: Unit, category: str, title: str, description: str,
               raised_on: datetime.date | None = None, source: str | None = None,
               on_behalf_of: Cadre | None = None) -> Case:
    """A company's case, raised by its liaison or by a cadre or staff on its behalf."""
    is_liaison = any(g.role == "unit_liaison" and g.unit_id == company.pk
                     for g in grants_of(user))
    if source is None:
        source = Source.CADRE if on_behalf_of else (
            Source.COMPANY if is_liaison else Source.STAFF)
    if on_behalf_of is not None and on_behalf_of.street.path != street_path(company.org):
        raise DomainError("代为提出的挂钩干部须属于企业所在街道。", field="on_behalf_of", status=400)
    case = Case(company=company, category=category, title=(title or "").strip(),
                description=(description or "").strip(), raised_on=raised_on or timezone.localdate(),
                source=source, raised_by=user if user and user.pk else None,
                on_behalf_of=on_behalf_of)
    with transaction.atomic():
        save_checked(user, case, "add")
        who = on_behalf_of.person.name if on_behalf_of else (
            user.display_name if user else "")
        record_event(case, "submitted", user, state_to=case.state,
                     note=f"{case.get_source_display()}：{who}".rstrip("："))
        _tell(case, user, f"新的企业诉求：{case.company.name}「{case.title}」",
              case.description[:200])
    return case


def assign(case: Case, *, user: User, assignee: Cadre | None = None,
           assignee_org: Organization | None = None, deadline: datetime.date | str | None = None,
           note: str = "") -> Case:
    """受理/分派: to a cadre of the street and/or an organisation of it, with a deadline."""
    if assignee is None and assignee_org is None:
        raise DomainError("请选择承办干部或承办组织。", field="assignee", status=400)
    deadline = _date(deadline, "办理期限", "deadline")
    with transaction.atomic():
        case = _lock(case, user, "assign")
        street = street_path(case.company.org)
        if assignee is not None and (assignee.street.path != street or not assignee.active):
            raise DomainError(f"“{assignee}”不是企业所在街道的在岗挂钩干部。", field="assignee",
                              status=400)
        if assignee_org is not None and not assignee_org.path.startswith(street):
            raise DomainError(f"“{assignee_org.name}”不在企业所在街道。", field="assignee_org",
                              status=400)
        if deadline < case.raised_on:
            raise DomainError("办理期限不能早于提出日期。", field="deadline", status=400)
        before = case.state
        first = before == S.SUBMITTED
        case.assignee, case.assignee_org, case.deadline = assignee, assignee_org, deadline
        if first:
            case.state = S.ASSIGNED
        case.save()
        who = "、".join(x for x in (assignee and assignee.person.name,
                                    assignee_org and assignee_org.name) if x)
        text = f"{'分派' if first else '改派'}给 {who}，期限 {deadline:%Y-%m-%d}"
        record_event(case, "assigned", user, state_from=before, state_to=case.state,
                     note=f"{text}。{note}".strip())
        _tell(case, user, f"企业诉求已{'受理' if first else '改派'}：{case.title}", text)
    return case


def visit(case: Case, *, user: User, visited_on: datetime.date | str | None = None,
          visitor: Cadre | None = None, visitor_name: str = "", done: str = "",
          next_step: str = "") -> Case:
    """A follow-up visit: the case is being worked on (跟进中)."""
    visited_on = _date(visited_on or timezone.localdate(), "走访日期", "visited_on")
    done = _text(done, "办理情况", "done")
    if visitor is not None and not visitor_name:
        visitor_name = visitor.person.name
    visitor_name = _text(visitor_name, "走访人", "visitor_name", 50)
    if visited_on > timezone.localdate():
        raise DomainError("走访日期不能晚于今天。", field="visited_on", status=400)
    with transaction.atomic():
        case = _lock(case, user, "visit")
        if visited_on < case.raised_on:
            raise DomainError("走访日期不能早于诉求提出日期。", field="visited_on", status=400)
        if visitor is not None and visitor.street.path != street_path(case.company.org):
            raise DomainError("走访干部须属于企业所在街道。", field="visitor", status=400)
        row = CaseVisit(case=case, visited_on=visited_on, visitor=visitor,
                        visitor_name=visitor_name, done=done, next_step=(next_step or "").strip(),
                        recorded_by=user)
        validate(row)
        row.save()
        before = CASE_FLOW.move(case, "visit")
        case.save()
        text = f"{visited_on:%Y-%m-%d} {visitor_name} 走访：{done}"
        if row.next_step:
            text += f"；下一步：{row.next_step}"
        record_event(case, "visit", user, state_from=before, state_to=case.state, note=text)
        _tell(case, user, f"企业诉求有新的走访记录：{case.title}", text[:200])
    return case


def resolve(case: Case, *, user: User, resolution: str = "",
            resolved_on: datetime.date | str | None = None) -> Case:
    resolution = _text(resolution, "解决情况", "resolution")
    resolved_on = _date(resolved_on or timezone.localdate(), "解决日期", "resolved_on")
    if resolved_on > timezone.localdate():
        raise DomainError("解决日期不能晚于今天。", field="resolved_on", status=400)
    with transaction.atomic():
        case = _lock(case, user, "resolve")
        if resolved_on < case.raised_on:
            raise DomainError("解决日期不能早于提出日期。", field="resolved_on", status=400)
        before = CASE_FLOW.move(case, "resolve")
        case.resolution, case.resolved_on = resolution, resolved_on
        case.satisfaction, case.satisfaction_comment, case.rated_on = "", "", None
        case.save()
        record_event(case, "resolved", user, state_from=before, state_to=case.state,
                     note=resolution)
        _tell(case, user, f"企业诉求已解决，请企业评价：{case.title}", resolution[:200])
    return case


def rate(case: Case, *, user: User, satisfaction: str = "", comment: str = "") -> Case:
    """The company's satisfaction, recorded by its liaison or by staff who heard it."""
    if satisfaction not in Satisfaction.values:
        raise DomainError("请选择满意度（满意、基本满意或不满意）。", field="satisfaction",
                          status=400)
    comment = (comment or "").strip()
    if len(comment) > 300:
        raise DomainError("企业评价不能超过 300 个字。", field="comment", status=400)
    if satisfaction == Satisfaction.UNSATISFIED and not comment:
        raise DomainError("不满意时请填写企业的意见。", field="comment", status=400)
    with transaction.atomic():
        case = _lock(case, user, "rate")
        case.satisfaction, case.satisfaction_comment = satisfaction, comment
        case.rated_on = timezone.localdate()
        case.save()
        label = case.get_satisfaction_display()
        record_event(case, "rated", user, state_from=case.state, state_to=case.state,
                     note=f"{label}。{comment}".strip())
        _tell(case, user, f"企业评价：{label}「{case.title}」", comment)
    return case


def close(case: Case, *, user: User, reason: str = "") -> Case:
    """Close without a solution (the company withdrew, out of the street's power...)."""
    reason = _text(reason, "关闭原因", "reason")
    with transaction.atomic():
        case = _lock(case, user, "close")
        before = CASE_FLOW.move(case, "close")
        case.close_reason, case.closed_on = reason, timezone.localdate()
        case.save()
        record_event(case, "closed", user, state_from=before, state_to=case.state, note=reason)
        _tell(case, user, f"企业诉求已关闭：{case.title}", reason[:200])
    return case


def reopen(case: Case, *, user: User, note: str = "") -> Case:
    """The company was not satisfied: back to work, with the same assignee."""
    note = _text(note, "重新办理说明", "note")
    with transaction.atomic():
        case = _lock(case, user, "reopen")
        before = CASE_FLOW.move(case, "reopen")
        case.resolution, case.resolved_on = "", None
        case.satisfaction, case.satisfaction_comment, case.rated_on = "", "", None
        case.save()
        record_event(case, "reopened", user, state_from=before, state_to=case.state, note=note)
        _tell(case, user, f"企业诉求重新办理：{case.title}", note[:200])
    return case


# ---- reminders ----------------------------------------------------------------------------

@reminders.register("enterprise-cases")
def sweep(today: datetime.date) -> int:
    """Open cases whose deadline is within REMIND_DAYS days or has passed: tell the assignee's
    account and the staff over the company, once per case, kind and deadline (a new deadline
    after a reassignment or a reopening is reminded again)."""
    soon = today + datetime.timedelta(days=REMIND_DAYS)
    cases = (Case.objects.filter(state__in=OPEN_STATES, deadline__isnull=False,
                                 deadline__lte=soon)
             .select_related("company__org", "assignee__person__account"))
    sent = 0
    staff_cache: dict[int, list[User]] = {}
    for case in cases:
        assert case.deadline is not None  # the query keeps only cases with a deadline
        overdue = case.deadline < today
        kind = "overdue" if overdue else "due"
        title = (f"企业诉求已逾期：{case.title}（期限 {case.deadline:%Y-%m-%d}）" if overdue
                 else f"企业诉求即将到期：{case.title}（期限 {case.deadline:%Y-%m-%d}）")
        sent += len(notify(_concerned(case, None, staff_cache), title,
                           url=case.get_absolute_url(), kind="enterprise",
                           key=f"enterprise-case:{case.pk}:{kind}:{case.deadline:%Y%m%d}"))
    return sent


__all__ = ["CASE_FLOW", "allowed_steps", "assign", "close", "end_link", "link", "next_line",
           "raise_case", "rate", "reopen", "resolve", "save_area", "save_cadre", "sweep", "visit"]
