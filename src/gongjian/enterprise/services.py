"""Every write of services for companies: areas, cadres, links, and the case workflow.

A case moves through an explicit transition table (STEPS); each step locks the case, checks
that the user may take it and that the case is in a state that allows it, writes the change
and one CaseEvent (the history shown on the page), and tells the people it concerns.
"""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from gongjian.core import reminders
from gongjian.core.access import restrict
from gongjian.core.notifications import notify, org_staff, unit_liaisons
from gongjian.core.services import DomainError, OutOfScope, save_checked, validate
from gongjian.orgs.models import Organization, street_path

from .models import (
    COMPANY_TYPES,
    OPEN_STATES,
    Cadre,
    CadreLink,
    Case,
    CaseEvent,
    CaseVisit,
    Satisfaction,
    ServiceArea,
    Source,
    State,
)

S = State
# step → (access action, states it may start from, label used in refusals)
STEPS = {
    "assign": ("assign", {S.SUBMITTED, S.ASSIGNED, S.FOLLOWING}, "受理分派"),
    "visit": ("visit", {S.ASSIGNED, S.FOLLOWING}, "记录走访"),
    "resolve": ("resolve", {S.ASSIGNED, S.FOLLOWING}, "办结"),
    "rate": ("rate", {S.RESOLVED}, "评价满意度"),
    "close": ("close", {S.SUBMITTED, S.ASSIGNED, S.FOLLOWING}, "关闭"),
    "reopen": ("reopen", {S.RESOLVED}, "重新办理"),
}
REMIND_DAYS = 3


def allowed_steps(user, case) -> list[str]:
    """The steps this user may take on this case now (for buttons)."""
    from gongjian.core.access import can

    steps = []
    for step, (action, states, _label) in STEPS.items():
        if case.state not in states or not can(user, action, Case):
            continue
        if step == "rate" and case.satisfaction:
            continue
        if step == "reopen" and case.satisfaction != Satisfaction.UNSATISFIED:
            continue
        steps.append(step)
    return steps


def _text(value, label, field, max_length=None):
    value = (value or "").strip()
    if not value:
        raise DomainError(f"请填写{label}。", field=field, status=400)
    if max_length and len(value) > max_length:
        raise DomainError(f"{label}不能超过 {max_length} 个字。", field=field, status=400)
    return value


def _date(value, label, field):
    if value in (None, ""):
        raise DomainError(f"请填写{label}。", field=field, status=400)
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            raise DomainError(f"{label}格式不正确，应为 年-月-日。", field=field,
                              status=400) from None
    return value


def _url(case):
    return reverse("enterprise_case_detail", args=[case.pk])


def _concerned(case, actor, staff_cache=None):
    """The case's company liaisons, the staff over its community, and the assignee's account."""
    org = case.company.org
    if staff_cache is None:
        staff = org_staff(org)
    else:
        if org.pk not in staff_cache:
            staff_cache[org.pk] = org_staff(org)
        staff = staff_cache[org.pk]
    users = list(staff) + list(unit_liaisons(case.company))
    if case.assignee_id:
        # The cadre's own account is told only if it may read the case (a cadre's account
        # may hold no right over companies at all).
        account = getattr(case.assignee.person, "account", None)
        if account is not None and restrict(account, "view", Case).filter(pk=case.pk).exists():
            users.append(account)
    return [u for u in users if u is not None and (actor is None or u.pk != actor.pk)]


def _event(case, actor, kind, note=""):
    CaseEvent.objects.create(case=case, actor=actor if actor and actor.pk else None, kind=kind,
                             state=case.state, note=note)


# ---- areas, cadres, links -----------------------------------------------------------------

def save_area(user, area, communities=None):
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


def save_cadre(user, cadre):
    return save_checked(user, cadre, "change" if cadre.pk else "add")


def link(user, *, cadre, company, started_on=None, note=""):
    """Link a cadre to a company (挂钩)."""
    if not restrict(user, "view", Cadre).filter(pk=cadre.pk).exists():
        raise OutOfScope()
    row = CadreLink(cadre=cadre, company=company, started_on=started_on or timezone.localdate(),
                    note=note)
    return save_checked(user, row, "add")


def end_link(user, row, ended_on=None):
    ended_on = ended_on or timezone.localdate()
    if row.ended_on is not None and row.ended_on <= timezone.localdate():
        raise DomainError("该挂钩关系已结束。")
    if ended_on < row.started_on:
        raise DomainError("挂钩结束日期不能早于开始日期。", field="ended_on", status=400)
    row.ended_on = ended_on
    return save_checked(user, row, "change")


# ---- cases --------------------------------------------------------------------------------

def raise_case(user, *, company, category, title, description, raised_on=None,
               source=None, on_behalf_of=None):
    """A company's case, raised by its liaison or by a cadre or staff on its behalf."""
    from gongjian.core.access import grants_of

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
        _event(case, user, "submitted", f"{case.get_source_display()}：{who}".rstrip("："))
        notify(_concerned(case, user), f"新的企业诉求：{case.company.name}「{case.title}」",
               url=_url(case), body=case.description[:200], kind="enterprise")
    return case


def _locked(user, case, step):
    """The case locked for the step, or OutOfScope / a refusal naming the state."""
    action, states, label = STEPS[step]
    locked = restrict(user, action, Case.objects.select_for_update().filter(pk=case.pk)).first()
    if locked is None:
        # In reach for reading but not for this step: a refusal, not a missing object.
        if restrict(user, "view", Case).filter(pk=case.pk).exists():
            raise DomainError(f"您不能对该诉求进行“{label}”。", status=403)
        raise OutOfScope()
    if locked.state not in states:
        raise DomainError(f"诉求当前为“{locked.get_state_display()}”，不能{label}。")
    return locked


def assign(user, case, *, assignee=None, assignee_org=None, deadline=None, note=""):
    """受理/分派: to a cadre of the street and/or an organisation of it, with a deadline."""
    if assignee is None and assignee_org is None:
        raise DomainError("请选择承办干部或承办组织。", field="assignee", status=400)
    deadline = _date(deadline, "办理期限", "deadline")
    with transaction.atomic():
        case = _locked(user, case, "assign")
        street = street_path(case.company.org)
        if assignee is not None and (assignee.street.path != street or not assignee.active):
            raise DomainError(f"“{assignee}”不是企业所在街道的在岗挂钩干部。", field="assignee",
                              status=400)
        if assignee_org is not None and not assignee_org.path.startswith(street):
            raise DomainError(f"“{assignee_org.name}”不在企业所在街道。", field="assignee_org",
                              status=400)
        if deadline < case.raised_on:
            raise DomainError("办理期限不能早于提出日期。", field="deadline", status=400)
        first = case.state == S.SUBMITTED
        case.assignee, case.assignee_org, case.deadline = assignee, assignee_org, deadline
        if first:
            case.state = S.ASSIGNED
        case.save()
        who = "、".join(x for x in (assignee and assignee.person.name,
                                    assignee_org and assignee_org.name) if x)
        text = f"{'分派' if first else '改派'}给 {who}，期限 {deadline:%Y-%m-%d}"
        _event(case, user, "assigned", f"{text}。{note}".strip())
        notify(_concerned(case, user), f"企业诉求已{'受理' if first else '改派'}：{case.title}",
               url=_url(case), body=text, kind="enterprise")
    return case


def visit(user, case, *, visited_on=None, visitor=None, visitor_name="", done="", next_step=""):
    """A follow-up visit: the case is being worked on (跟进中)."""
    visited_on = _date(visited_on or timezone.localdate(), "走访日期", "visited_on")
    done = _text(done, "办理情况", "done")
    if visitor is not None and not visitor_name:
        visitor_name = visitor.person.name
    visitor_name = _text(visitor_name, "走访人", "visitor_name", 50)
    if visited_on > timezone.localdate():
        raise DomainError("走访日期不能晚于今天。", field="visited_on", status=400)
    with transaction.atomic():
        case = _locked(user, case, "visit")
        if visited_on < case.raised_on:
            raise DomainError("走访日期不能早于诉求提出日期。", field="visited_on", status=400)
        if visitor is not None and visitor.street.path != street_path(case.company.org):
            raise DomainError("走访干部须属于企业所在街道。", field="visitor", status=400)
        row = CaseVisit(case=case, visited_on=visited_on, visitor=visitor,
                        visitor_name=visitor_name, done=done, next_step=(next_step or "").strip(),
                        recorded_by=user)
        validate(row)
        row.save()
        case.state = S.FOLLOWING
        case.save()
        text = f"{visited_on:%Y-%m-%d} {visitor_name} 走访：{done}"
        if row.next_step:
            text += f"；下一步：{row.next_step}"
        _event(case, user, "visit", text)
        notify(_concerned(case, user), f"企业诉求有新的走访记录：{case.title}", url=_url(case),
               body=text[:200], kind="enterprise")
    return case


def resolve(user, case, *, resolution="", resolved_on=None):
    resolution = _text(resolution, "解决情况", "resolution")
    resolved_on = _date(resolved_on or timezone.localdate(), "解决日期", "resolved_on")
    if resolved_on > timezone.localdate():
        raise DomainError("解决日期不能晚于今天。", field="resolved_on", status=400)
    with transaction.atomic():
        case = _locked(user, case, "resolve")
        if resolved_on < case.raised_on:
            raise DomainError("解决日期不能早于提出日期。", field="resolved_on", status=400)
        case.state, case.resolution, case.resolved_on = S.RESOLVED, resolution, resolved_on
        case.satisfaction, case.satisfaction_comment, case.rated_on = "", "", None
        case.save()
        _event(case, user, "resolved", resolution)
        notify(_concerned(case, user), f"企业诉求已解决，请企业评价：{case.title}",
               url=_url(case), body=resolution[:200], kind="enterprise")
    return case


def rate(user, case, *, satisfaction="", comment=""):
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
        case = _locked(user, case, "rate")
        if case.satisfaction:
            raise DomainError(f"企业已评价（{case.get_satisfaction_display()}），不能重复评价。")
        case.satisfaction, case.satisfaction_comment = satisfaction, comment
        case.rated_on = timezone.localdate()
        case.save()
        label = case.get_satisfaction_display()
        _event(case, user, "rated", f"{label}。{comment}".strip())
        notify(_concerned(case, user), f"企业评价：{label}「{case.title}」", url=_url(case),
               body=comment, kind="enterprise")
    return case


def close(user, case, *, reason=""):
    """Close without a solution (the company withdrew, out of the street's power...)."""
    reason = _text(reason, "关闭原因", "reason")
    with transaction.atomic():
        case = _locked(user, case, "close")
        case.state, case.close_reason, case.closed_on = S.CLOSED, reason, timezone.localdate()
        case.save()
        _event(case, user, "closed", reason)
        notify(_concerned(case, user), f"企业诉求已关闭：{case.title}", url=_url(case),
               body=reason[:200], kind="enterprise")
    return case


def reopen(user, case, *, note=""):
    """The company was not satisfied: back to work, with the same assignee."""
    note = _text(note, "重新办理说明", "note")
    with transaction.atomic():
        case = _locked(user, case, "reopen")
        if case.satisfaction != Satisfaction.UNSATISFIED:
            raise DomainError("企业未评价“不满意”，不能重新办理。")
        case.state = S.FOLLOWING
        case.resolution, case.resolved_on = "", None
        case.satisfaction, case.satisfaction_comment, case.rated_on = "", "", None
        case.save()
        _event(case, user, "reopened", note)
        notify(_concerned(case, user), f"企业诉求重新办理：{case.title}", url=_url(case),
               body=note[:200], kind="enterprise")
    return case


# ---- reminders ----------------------------------------------------------------------------

@reminders.register("enterprise-cases")
def sweep(today):
    """Open cases whose deadline is within REMIND_DAYS days or has passed: tell the assignee's
    account and the staff over the company, once per case, kind and deadline (a new deadline
    after a reassignment or a reopening is reminded again)."""
    soon = today + datetime.timedelta(days=REMIND_DAYS)
    cases = (Case.objects.filter(state__in=OPEN_STATES, deadline__isnull=False,
                                 deadline__lte=soon)
             .select_related("company__org", "assignee__person__account"))
    sent, staff_cache = 0, {}
    for case in cases:
        overdue = case.deadline < today
        kind = "overdue" if overdue else "due"
        title = (f"企业诉求已逾期：{case.title}（期限 {case.deadline:%Y-%m-%d}）" if overdue
                 else f"企业诉求即将到期：{case.title}（期限 {case.deadline:%Y-%m-%d}）")
        sent += len(notify(_concerned(case, None, staff_cache), title, url=_url(case),
                           kind="enterprise",
                           key=f"enterprise-case:{case.pk}:{kind}:{case.deadline:%Y%m%d}"))
    return sent


__all__ = ["COMPANY_TYPES", "STEPS", "allowed_steps", "assign", "close", "end_link", "link",
           "raise_case", "rate", "reopen", "resolve", "save_area", "save_cadre", "sweep",
           "visit", "ServiceArea"]
