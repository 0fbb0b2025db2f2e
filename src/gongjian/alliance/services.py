"""Every change to alliances, meetings, tasks and agreements goes through these functions.

Each workflow is an explicit transition table; a step out of order is refused (409) with the
state it is in, and every step writes an Event row (the history on the detail page) and tells
whom it concerns.
"""

import calendar
import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from gongjian.core import audit
from gongjian.core.access import restrict
from gongjian.core.notifications import notify, org_staff, unit_liaisons
from gongjian.core.services import DomainError, require_scope, save_checked, validate
from gongjian.members.models import Person
from gongjian.orgs.models import Organization, Unit

from .models import (
    Agreement,
    AgreementState,
    Alliance,
    AllianceMember,
    ChairTerm,
    Event,
    Invitation,
    Meeting,
    MeetingState,
    MemberRole,
    Reply,
    Task,
    TaskState,
)

# step: (states it may start from, state it leads to, label)
MEETING_STEPS = {
    "hold": ({MeetingState.CALLED}, MeetingState.HELD, "召开会议"),
    "cancel": ({MeetingState.CALLED}, MeetingState.CANCELLED, "取消会议"),
    "reply": ({MeetingState.CALLED}, MeetingState.CALLED, "回复参会"),
}
TASK_STEPS = {
    "progress": ({TaskState.OPEN}, TaskState.OPEN, "填报进展"),
    "complete": ({TaskState.OPEN}, TaskState.DONE, "办结"),
}
AGREEMENT_STEPS = {
    "edit": ({AgreementState.DRAFT}, AgreementState.DRAFT, "修改"),
    "sign": ({AgreementState.DRAFT}, AgreementState.SIGNED, "签订"),
    "terminate": ({AgreementState.SIGNED}, AgreementState.TERMINATED, "终止"),
}


def check_step(table, step, obj):
    """The state `step` leads to, or a refusal naming the state the object is in."""
    sources, target, label = table[step]
    if obj.state not in sources:
        raise DomainError(f"当前状态为“{obj.get_state_display()}”，不能{label}。")
    return target


def _event(obj_kwargs, org, kind, text, user=None, note="", unit=None, at=None):
    return Event.objects.create(org=org, kind=kind, text=text[:300], note=note,
                                actor=user if getattr(user, "is_authenticated", False) else None,
                                unit=unit, at=at or timezone.now(), **obj_kwargs)


def events_of(user, **lookup):
    """The history of one alliance, meeting, task or agreement as `user` may read it."""
    return list(restrict(user, "view", Event).filter(**lookup)
                .select_related("actor", "unit")[:100])


def _locked(model, obj):
    return model.objects.select_for_update().get(pk=obj.pk)


def _today():
    return timezone.localdate()


def _person_in_reach(user, person, field):
    if person is None:
        return
    if not restrict(user, "view", Person).filter(pk=person.pk).exists():
        raise DomainError("所选人员不存在或不在您的管理范围内。", field=field, status=400)


def add_months(day, months):
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


# ---- alliances ------------------------------------------------------------------------------

def create_alliance(user, *, org, name, founded_on, description=""):
    alliance = Alliance(org=org, name=name.strip(), founded_on=founded_on,
                        description=description)
    with transaction.atomic():
        save_checked(user, alliance, "add")
        _event({"alliance": alliance}, org, "created", f"成立共建联盟“{alliance.name}”", user)
    return alliance


def update_alliance(user, alliance, **changes):
    require_scope(user, "change", alliance)
    for field, value in changes.items():
        setattr(alliance, field, value)
    with transaction.atomic():
        save_checked(user, alliance, "change")
        _event({"alliance": alliance}, alliance.org, "updated", "修改联盟信息", user)
    return alliance


def add_member(user, alliance, *, unit, role=MemberRole.MEMBER, joined_on=None,
               liaison=None, committee_person=None, term_start=None, term_end=None):
    require_scope(user, "change", alliance)
    if not restrict(user, "view", Unit).filter(pk=unit.pk).exists():
        raise DomainError("所选单位不存在或不在您的管理范围内。", field="unit", status=400)
    _person_in_reach(user, liaison, "liaison")
    _person_in_reach(user, committee_person, "committee_person")
    member = AllianceMember(alliance=alliance, unit=unit, role=role,
                            joined_on=joined_on or _today(), liaison=liaison,
                            committee_person=committee_person if role == MemberRole.CONCURRENT
                            else None,
                            term_start=term_start, term_end=term_end)
    validate(member)
    if AllianceMember.objects.filter(alliance=alliance, unit=unit,
                                     left_on__isnull=True).exists():
        raise DomainError(f"“{unit.name}”已是本联盟的在册成员单位。", field="unit", status=400)
    with transaction.atomic():
        try:
            with transaction.atomic():
                save_checked(user, member, "add")
        except IntegrityError as error:
            raise DomainError(f"“{unit.name}”已是本联盟的在册成员单位。", field="unit",
                              status=400) from error
        role_label = member.get_role_display()
        _event({"alliance": alliance}, alliance.org, "joined",
               f"“{unit.name}”加入联盟（{role_label}）", user, unit=unit)
        notify(unit_liaisons(unit), f"贵单位已加入{alliance.name}",
               url=reverse("alliance_detail", args=[alliance.pk]), kind="alliance",
               body=f"身份：{role_label}")
    return member


def member_leaves(user, member, *, left_on=None, reason=""):
    require_scope(user, "change", member)
    if not member.active:
        raise DomainError(f"“{member.unit.name}”已于 {member.left_on:%Y-%m-%d} 退出联盟。")
    if not reason.strip():
        raise DomainError("请填写退出原因。", field="left_reason", status=400)
    member.left_on = left_on or _today()
    member.left_reason = reason.strip()
    with transaction.atomic():
        save_checked(user, member, "change")
        _event({"alliance": member.alliance}, member.alliance.org, "left",
               f"“{member.unit.name}”退出联盟", user, note=member.left_reason, unit=member.unit)
    return member


def _active_member_units(alliance):
    rows = AllianceMember.objects.filter(alliance=alliance, left_on__isnull=True)
    return set(rows.values_list("unit_id", flat=True))


def _check_no_overlap(alliance, starts_on, ends_on, exclude_pk=None):
    clash = (ChairTerm.objects.filter(alliance=alliance, starts_on__lte=ends_on,
                                      ends_on__gte=starts_on)
             .exclude(pk=exclude_pk).select_related("unit").first())
    if clash is not None:
        raise DomainError(
            f"与“{clash.unit.name}”的轮值任期（{clash.starts_on:%Y-%m-%d} 至 "
            f"{clash.ends_on:%Y-%m-%d}）重叠。", field="starts_on", status=400)


def add_chair_term(user, alliance, *, unit, starts_on, ends_on):
    require_scope(user, "change", alliance)
    term = ChairTerm(alliance=alliance, unit=unit, starts_on=starts_on, ends_on=ends_on)
    validate(term)
    with transaction.atomic():
        _locked(Alliance, alliance)  # one schedule change at a time per alliance
        if unit.pk not in _active_member_units(alliance):
            raise DomainError(f"“{unit.name}”不是本联盟的在册成员单位。", field="unit",
                              status=400)
        _check_no_overlap(alliance, starts_on, ends_on)
        save_checked(user, term, "add")
        _event({"alliance": alliance}, alliance.org, "chair",
               f"“{unit.name}”任轮值主席单位（{starts_on:%Y-%m-%d} 至 {ends_on:%Y-%m-%d}）",
               user)
    return term


def remove_chair_term(user, term):
    require_scope(user, "change", term.alliance)
    if term.ends_on < _today():
        raise DomainError("已结束的轮值任期是历史记录，不能删除。")
    with transaction.atomic():
        term.delete()
        _event({"alliance": term.alliance}, term.alliance.org, "chair_removed",
               f"删除“{term.unit.name}”的轮值任期（{term.starts_on:%Y-%m-%d} 起）", user)


def generate_rotation(user, alliance, *, units, months, starts_on, rounds=1):
    """Chair terms for `units` in order, `months` each, from `starts_on`, `rounds` times.
    Terms starting on or after `starts_on` are replaced; a term running across it ends the
    day before. Refused when that would change a term's days before today (history)."""
    require_scope(user, "change", alliance)
    if not units:
        raise DomainError("请至少选择一个轮值单位。", field="units", status=400)
    if not 1 <= months <= 24:
        raise DomainError("每任轮值月数须在 1–24 之间。", field="months", status=400)
    if not 1 <= rounds <= 5:
        raise DomainError("轮数须在 1–5 之间。", field="rounds", status=400)
    if len({u.pk for u in units}) != len(units):
        raise DomainError("轮值顺序中有重复的单位。", field="units", status=400)
    with transaction.atomic():
        _locked(Alliance, alliance)
        active = _active_member_units(alliance)
        outside = [u.name for u in units if u.pk not in active]
        if outside:
            raise DomainError(f"不是本联盟在册成员单位：{'、'.join(outside)}。", field="units",
                              status=400)
        today = _today()
        # The days before today are history (as for `remove_chair_term`): a rotation may
        # reach into the past only where no term was held yet.
        past = ChairTerm.objects.filter(alliance=alliance, starts_on__lt=today)
        held = (past.filter(ends_on__gte=starts_on).select_related("unit")
                .order_by("starts_on").first()) if starts_on < today else None
        if held is not None:
            last = max(past.values_list("ends_on", flat=True))
            earliest = min(last + datetime.timedelta(days=1), today)
            raise DomainError(
                f"自 {starts_on:%Y-%m-%d} 起生成会改动“{held.unit.name}”"
                f"{held.starts_on:%Y-%m-%d} 至 {held.ends_on:%Y-%m-%d} 的轮值任期；"
                f"已过去的任期是历史记录，不能改动，请从 {earliest:%Y-%m-%d} 或之后开始。",
                field="starts_on", status=400)
        # A queryset delete sends the delete signals (logged); update and bulk_create do not.
        ChairTerm.objects.filter(alliance=alliance, starts_on__gte=starts_on).delete()
        running = list(ChairTerm.objects.filter(alliance=alliance, starts_on__lt=starts_on,
                                                ends_on__gte=starts_on))
        cut = starts_on - datetime.timedelta(days=1)
        ChairTerm.objects.filter(pk__in=[t.pk for t in running]).update(ends_on=cut)
        terms, start = [], starts_on
        for _ in range(rounds):
            for unit in units:
                end = add_months(start, months) - datetime.timedelta(days=1)
                terms.append(ChairTerm(alliance=alliance, unit=unit, starts_on=start,
                                       ends_on=end))
                start = end + datetime.timedelta(days=1)
        ChairTerm.objects.bulk_create(terms)
        # The change log for what the signals did not see (nothing when auditing is
        # suppressed, as for the demo).
        for term in running:
            audit.record("update", term, before={"ends_on": term.ends_on.isoformat()},
                         after={"ends_on": cut.isoformat()})
        for term in terms:
            audit.record("create", term, after=audit.snapshot(term))
        _event({"alliance": alliance}, alliance.org, "rotation",
               f"生成轮值主席安排：{len(terms)} 任，每任 {months} 个月，"
               f"自 {starts_on:%Y-%m-%d} 起", user,
               note="轮值顺序：" + "→".join(u.name for u in units))
    return terms


def chair_now_and_next(alliance, today=None):
    today = today or _today()
    terms = list(ChairTerm.objects.filter(alliance=alliance, ends_on__gte=today)
                 .select_related("unit").order_by("starts_on")[:2])
    current = terms[0] if terms and terms[0].starts_on <= today else None
    upcoming = [t for t in terms if t.starts_on > today]
    return current, (upcoming[0] if upcoming else None)


# ---- meetings -------------------------------------------------------------------------------

def _meeting_url(meeting):
    return reverse("meeting_detail", args=[meeting.pk])


def call_meeting(user, alliance, *, title, starts_at, place, agenda, units=None):
    require_scope(user, "change", alliance)
    active = _active_member_units(alliance)
    unit_ids = [u.pk for u in units] if units else sorted(active)
    if not unit_ids:
        raise DomainError("联盟还没有在册成员单位，无法通知开会。", field="units", status=400)
    if set(unit_ids) - active:
        raise DomainError("只能邀请本联盟的在册成员单位。", field="units", status=400)
    meeting = Meeting(alliance=alliance, title=title, starts_at=starts_at, place=place,
                      agenda=agenda, called_by=user if getattr(user, "pk", None) else None)
    with transaction.atomic():
        save_checked(user, meeting, "add")
        Invitation.objects.bulk_create([Invitation(meeting=meeting, unit_id=pk)
                                        for pk in unit_ids])
        _event({"meeting": meeting}, alliance.org, "called",
               f"通知召开“{title}”，邀请 {len(unit_ids)} 家成员单位", user)
        liaisons = [u for unit in Unit.objects.filter(pk__in=unit_ids)
                    for u in unit_liaisons(unit)]
        local = timezone.localtime(starts_at)
        notify(liaisons, f"会议通知：{title}", url=_meeting_url(meeting), kind="meeting",
               body=f"{local:%Y-%m-%d %H:%M} 在{place}召开，请回复是否参会。")
    return meeting


def reply_invitation(user, meeting, *, unit, reply, note=""):
    """A unit's liaison (or the staff for it) answers 参会 or 请假."""
    require_scope(user, "view", meeting)
    check_step(MEETING_STEPS, "reply", meeting)
    if reply not in (Reply.ATTEND, Reply.LEAVE):
        raise DomainError("回复须为“参会”或“请假”。", field="reply", status=400)
    invitation = Invitation.objects.filter(meeting=meeting, unit=unit).first()
    if invitation is None:
        raise DomainError(f"“{unit.name}”不在本次会议的邀请名单中。", field="unit", status=400)
    require_scope(user, "change", invitation)
    if reply == Reply.LEAVE and not note.strip():
        raise DomainError("请假须说明原因。", field="note", status=400)
    invitation.reply, invitation.reply_note = reply, note.strip()
    invitation.replied_at = timezone.now()
    with transaction.atomic():
        save_checked(user, invitation, "change")
        _event({"meeting": meeting}, meeting.alliance.org, "reply",
               f"“{unit.name}”回复：{invitation.get_reply_display()}", user, note=note,
               unit=unit)
        notify(org_staff(meeting.alliance.org), f"{unit.name}回复{meeting.title}："
               f"{invitation.get_reply_display()}", url=_meeting_url(meeting), kind="meeting")
    return invitation


def hold_meeting(user, meeting, *, minutes, attended_units, decisions=()):
    """Record the meeting as held: who attended, the minutes, and the decisions, each of
    which becomes a task. `decisions` are dicts with title, owner_unit or owner_org,
    deadline."""
    require_scope(user, "change", meeting)
    with transaction.atomic():
        meeting = _locked(Meeting, meeting)
        target = check_step(MEETING_STEPS, "hold", meeting)
        if not minutes.strip():
            raise DomainError("请填写会议纪要。", field="minutes", status=400)
        invitations = list(meeting.invitations.select_related("unit"))
        invited = {i.unit_id for i in invitations}
        attended = {u.pk for u in attended_units}
        if attended - invited:
            raise DomainError("出席单位须在邀请名单中。", field="attended", status=400)
        tasks = [_decision_task(meeting, n, d) for n, d in enumerate(decisions, start=1)]
        meeting.state, meeting.minutes = target, minutes.strip()
        save_checked(user, meeting, "change")
        for invitation in invitations:
            invitation.attended = invitation.unit_id in attended
        Invitation.objects.bulk_update(invitations, ["attended"])
        for task in tasks:
            save_checked(user, task, "add")
        _event({"meeting": meeting}, meeting.alliance.org, "held",
               f"会议召开：出席 {len(attended)}/{len(invited)} 家，形成决议 {len(tasks)} 项",
               user)
        for task in tasks:
            _event({"task": task}, meeting.alliance.org, "created",
                   f"会议“{meeting.title}”形成决议，责任方：{task.owner}，"
                   f"期限 {task.deadline:%Y-%m-%d}", user, unit=task.owner_unit)
            notify(owners_of(task), f"新的决议任务：{task.title}",
                   url=reverse("task_detail", args=[task.pk]), kind="task",
                   body=f"完成期限 {task.deadline:%Y-%m-%d}")
    return meeting


def _decision_task(meeting, n, decision):
    title = (decision.get("title") or "").strip()
    if not title:
        raise DomainError(f"第 {n} 项决议未填写内容。", field="decisions", status=400)
    unit, org = decision.get("owner_unit"), decision.get("owner_org")
    if (unit is None) == (org is None):
        raise DomainError(f"第 {n} 项决议须指定一个责任单位或责任组织。", field="decisions",
                          status=400)
    if unit is not None and not AllianceMember.objects.filter(
            alliance=meeting.alliance, unit=unit, left_on__isnull=True).exists():
        raise DomainError(f"第 {n} 项决议的责任单位“{unit.name}”不是本联盟在册成员单位。",
                          field="decisions", status=400)
    if org is not None and not org.path.startswith(meeting.alliance.org.path):
        raise DomainError(f"第 {n} 项决议的责任组织“{org.name}”不在本联盟所属组织之内。",
                          field="decisions", status=400)
    deadline = decision.get("deadline")
    if deadline is None:
        raise DomainError(f"第 {n} 项决议未填写完成期限。", field="decisions", status=400)
    if deadline < timezone.localdate(meeting.starts_at):
        raise DomainError(f"第 {n} 项决议的完成期限早于会议日期。", field="decisions",
                          status=400)
    task = Task(meeting=meeting, alliance=meeting.alliance, title=title[:300],
                owner_unit=unit, owner_org=org, deadline=deadline)
    validate(task)
    return task


def cancel_meeting(user, meeting, *, reason):
    require_scope(user, "change", meeting)
    with transaction.atomic():
        meeting = _locked(Meeting, meeting)
        target = check_step(MEETING_STEPS, "cancel", meeting)
        if not reason.strip():
            raise DomainError("请填写取消原因。", field="reason", status=400)
        meeting.state, meeting.cancel_reason = target, reason.strip()
        save_checked(user, meeting, "change")
        _event({"meeting": meeting}, meeting.alliance.org, "cancelled", "会议取消", user,
               note=meeting.cancel_reason)
        units = Unit.objects.filter(pk__in=meeting.invitations.values("unit_id"))
        notify([u for unit in units for u in unit_liaisons(unit)],
               f"会议取消：{meeting.title}", url=_meeting_url(meeting), kind="meeting",
               body=meeting.cancel_reason)
    return meeting


# ---- tasks ----------------------------------------------------------------------------------

def owners_of(task):
    return unit_liaisons(task.owner_unit) if task.owner_unit_id else org_staff(task.owner_org)


def add_progress(user, task, *, note):
    require_scope(user, "change", task)
    with transaction.atomic():
        task = _locked(Task, task)
        check_step(TASK_STEPS, "progress", task)
        if not note.strip():
            raise DomainError("请填写进展情况。", field="note", status=400)
        event = _event({"task": task}, task.alliance.org, "progress", "填报进展", user,
                       note=note.strip(), unit=task.owner_unit)
    return event


def complete_task(user, task, *, note, completed_on=None):
    require_scope(user, "change", task)
    with transaction.atomic():
        task = _locked(Task, task)
        target = check_step(TASK_STEPS, "complete", task)
        if not note.strip():
            raise DomainError("请填写完成情况。", field="note", status=400)
        completed_on = completed_on or _today()
        if completed_on > _today():
            raise DomainError("完成日期不能晚于今天。", field="completed_on", status=400)
        task.state, task.completion_note, task.completed_on = target, note.strip(), completed_on
        save_checked(user, task, "change")
        _event({"task": task}, task.alliance.org, "completed", "办结", user,
               note=task.completion_note, unit=task.owner_unit)
        notify(org_staff(task.alliance.org), f"决议任务已办结：{task.title}",
               url=reverse("task_detail", args=[task.pk]), kind="task")
    return task


# ---- agreements -----------------------------------------------------------------------------

AGREEMENT_FIELDS = ("number", "title", "org", "unit", "rights_obligations", "service_items",
                    "starts_on", "ends_on", "org_liaison", "unit_liaison")


def _check_agreement_refs(user, agreement):
    if not restrict(user, "view", Unit).filter(pk=agreement.unit_id).exists():
        raise DomainError("所选单位不存在或不在您的管理范围内。", field="unit", status=400)
    _person_in_reach(user, agreement.org_liaison, "org_liaison")
    _person_in_reach(user, agreement.unit_liaison, "unit_liaison")


def _agreement_url(agreement):
    return reverse("agreement_detail", args=[agreement.pk])


def create_agreement(user, **data):
    agreement = Agreement(**{k: v for k, v in data.items() if k in AGREEMENT_FIELDS})
    validate(agreement)
    _check_agreement_refs(user, agreement)
    with transaction.atomic():
        save_checked(user, agreement, "add")
        _event({"agreement": agreement}, agreement.org, "drafted", "草拟协议", user,
               unit=agreement.unit)
    return agreement


def update_agreement(user, agreement, **changes):
    require_scope(user, "change", agreement)
    with transaction.atomic():
        agreement = _locked(Agreement, agreement)
        check_step(AGREEMENT_STEPS, "edit", agreement)
        for field, value in changes.items():
            if field in AGREEMENT_FIELDS:
                setattr(agreement, field, value)
        validate(agreement)
        _check_agreement_refs(user, agreement)
        save_checked(user, agreement, "change")
        _event({"agreement": agreement}, agreement.org, "edited", "修改协议草稿", user,
               unit=agreement.unit)
    return agreement


def sign_agreement(user, agreement, *, signed_on=None):
    require_scope(user, "change", agreement)
    with transaction.atomic():
        agreement = _locked(Agreement, agreement)
        target = check_step(AGREEMENT_STEPS, "sign", agreement)
        signed_on = signed_on or _today()
        if signed_on > _today():
            raise DomainError("签订日期不能晚于今天。", field="signed_on", status=400)
        if signed_on > agreement.ends_on:
            raise DomainError("签订日期不能晚于协议结束日期。", field="signed_on", status=400)
        agreement.state, agreement.signed_on = target, signed_on
        save_checked(user, agreement, "change")
        _event({"agreement": agreement}, agreement.org, "signed",
               f"双方签订协议（{signed_on:%Y-%m-%d}）", user, unit=agreement.unit)
        notify(unit_liaisons(agreement.unit) + org_staff(agreement.org),
               f"协议已签订：{agreement.title}", url=_agreement_url(agreement),
               kind="agreement",
               body=f"有效期 {agreement.starts_on:%Y-%m-%d} 至 {agreement.ends_on:%Y-%m-%d}")
    return agreement


def terminate_agreement(user, agreement, *, reason, terminated_on=None):
    require_scope(user, "change", agreement)
    with transaction.atomic():
        agreement = _locked(Agreement, agreement)
        target = check_step(AGREEMENT_STEPS, "terminate", agreement)
        if not reason.strip():
            raise DomainError("请填写终止原因。", field="reason", status=400)
        terminated_on = terminated_on or _today()
        if agreement.signed_on and terminated_on < agreement.signed_on:
            raise DomainError("终止日期不能早于签订日期。", field="terminated_on", status=400)
        agreement.state = target
        agreement.terminated_on, agreement.termination_reason = terminated_on, reason.strip()
        save_checked(user, agreement, "change")
        _event({"agreement": agreement}, agreement.org, "terminated", "终止协议", user,
               note=agreement.termination_reason, unit=agreement.unit)
        notify(unit_liaisons(agreement.unit) + org_staff(agreement.org),
               f"协议已终止：{agreement.title}", url=_agreement_url(agreement),
               kind="agreement", body=agreement.termination_reason)
    return agreement


def owner_choices(alliance):
    """Who a decision may be given to: the active member units, and the alliance's
    organisation with the organisations right below it (its communities)."""
    units = list(Unit.objects.filter(alliance_memberships__alliance=alliance,
                                     alliance_memberships__left_on__isnull=True)
                 .order_by("code"))
    orgs = list(Organization.objects.filter(path__startswith=alliance.org.path,
                                            depth__lte=alliance.org.depth + 1,
                                            dissolved_on__isnull=True,
                                            sector__in=("street", "community"))
                .order_by("path"))
    return units, orgs
