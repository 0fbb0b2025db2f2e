"""Every change to alliances, meetings, tasks and agreements goes through these functions.

The steps of meetings, tasks and agreements are the tables of workflows.py, each taken by the
function of its name (`hold`, `cancel`, `reply`, `progress`, `complete`, `edit`, `sign`,
`terminate`): a step out of order is refused (409) with the state the object is in, and every
change writes a history line through `record_event` and tells whom it concerns.
"""

import calendar
import datetime
from collections.abc import Iterable
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.utils import timezone

from gongjian.core import audit
from gongjian.core.access import restrict
from gongjian.core.models import User
from gongjian.core.notifications import notify, org_staff, unit_liaisons
from gongjian.core.services import DomainError, require_scope, save_checked, validate
from gongjian.core.workflow import record_event
from gongjian.members.models import Person
from gongjian.orgs.models import Organization, Unit

from .document import agreement_docx
from .models import (
    Agreement,
    Alliance,
    AllianceMember,
    ChairTerm,
    Event,
    Invitation,
    Meeting,
    MemberRole,
    Reply,
    Task,
)
from .workflows import AGREEMENT, MEETING, TASK, transitions

# The tables as (sources, target, label) by step.
MEETING_STEPS = transitions(MEETING)
TASK_STEPS = transitions(TASK)
AGREEMENT_STEPS = transitions(AGREEMENT)


def quoted(name: str) -> str:
    """A name in Chinese quotes; quotes inside it become single quotes, not nested doubles."""
    return "“" + name.replace("“", "‘").replace("”", "’") + "”"


def events_of(*, user: User, **lookup: Any) -> list[Event]:
    """The history of one alliance, meeting, task or agreement as `user` may read it."""
    return list(restrict(user, "view", Event).filter(**lookup)
                .select_related("unit")[:100])


def _today() -> datetime.date:
    return timezone.localdate()


def _person_in_reach(user: User, person: Person | None, field: str) -> None:
    if person is None:
        return
    if not restrict(user, "view", Person).filter(pk=person.pk).exists():
        raise DomainError("所选人员不存在或不在您的管理范围内。", field=field, status=400)


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


# ---- alliances ------------------------------------------------------------------------------

def create_alliance(*, user: User, org: Organization, name: str, founded_on: datetime.date,
                    description: str = "") -> Alliance:
    alliance = Alliance(org=org, name=name.strip(), founded_on=founded_on,
                        description=description)
    with transaction.atomic():
        save_checked(user, alliance, "add")
        record_event(alliance, "created", user, text=f"成立共建联盟{quoted(alliance.name)}",
                     org=org)
    return alliance


def update_alliance(alliance: Alliance, *, user: User, **changes: Any) -> Alliance:
    require_scope(user, "change", alliance)
    for field, value in changes.items():
        setattr(alliance, field, value)
    with transaction.atomic():
        save_checked(user, alliance, "change")
        record_event(alliance, "updated", user, text="修改联盟信息", org=alliance.org)
    return alliance


def add_member(alliance: Alliance, *, user: User, unit: Unit, role: str = MemberRole.MEMBER,
               joined_on: datetime.date | None = None, liaison: Person | None = None,
               committee_person: Person | None = None, term_start: datetime.date | None = None,
               term_end: datetime.date | None = None) -> AllianceMember:
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
    taken = f"{quoted(unit.name)}已是本联盟的在册成员单位。"
    if AllianceMember.objects.filter(alliance=alliance, unit=unit,
                                     left_on__isnull=True).exists():
        raise DomainError(taken, field="unit", status=400)
    with transaction.atomic():
        try:
            with transaction.atomic():
                save_checked(user, member, "add")
        except IntegrityError as error:
            raise DomainError(taken, field="unit", status=400) from error
        role_label = member.get_role_display()
        record_event(alliance, "joined", user, text=f"{quoted(unit.name)}加入联盟（{role_label}）",
                     org=alliance.org, unit=unit)
        notify(unit_liaisons(unit), f"贵单位已加入{alliance.name}",
               url=alliance.get_absolute_url(), kind="alliance", body=f"身份：{role_label}")
    return member


def member_leaves(member: AllianceMember, *, user: User, left_on: datetime.date | None = None,
                  reason: str = "") -> AllianceMember:
    require_scope(user, "change", member)
    if not member.active:
        raise DomainError(f"{quoted(member.unit.name)}已于 {member.left_on:%Y-%m-%d} 退出联盟。")
    if not reason.strip():
        raise DomainError("请填写退出原因。", field="left_reason", status=400)
    member.left_on = left_on or _today()
    member.left_reason = reason.strip()
    with transaction.atomic():
        save_checked(user, member, "change")
        record_event(member.alliance, "left", user, text=f"{quoted(member.unit.name)}退出联盟",
                     note=member.left_reason, org=member.alliance.org, unit=member.unit)
    return member


def _lock_alliance(alliance: Alliance) -> None:
    """One schedule change at a time per alliance."""
    Alliance.objects.select_for_update().get(pk=alliance.pk)


def _active_member_units(alliance: Alliance) -> set[int]:
    rows = AllianceMember.objects.filter(alliance=alliance, left_on__isnull=True)
    return set(rows.values_list("unit_id", flat=True))


def _check_no_overlap(alliance, starts_on, ends_on, exclude_pk=None):
    clash = (ChairTerm.objects.filter(alliance=alliance, starts_on__lte=ends_on,
                                      ends_on__gte=starts_on)
             .exclude(pk=exclude_pk).select_related("unit").first())
    if clash is not None:
        raise DomainError(
            f"与{quoted(clash.unit.name)}的轮值任期（{clash.starts_on:%Y-%m-%d} 至 "
            f"{clash.ends_on:%Y-%m-%d}）重叠。", field="starts_on", status=400)


def add_chair_term(alliance: Alliance, *, user: User, unit: Unit, starts_on: datetime.date,
                   ends_on: datetime.date) -> ChairTerm:
    require_scope(user, "change", alliance)
    term = ChairTerm(alliance=alliance, unit=unit, starts_on=starts_on, ends_on=ends_on)
    validate(term)
    with transaction.atomic():
        _lock_alliance(alliance)
        if unit.pk not in _active_member_units(alliance):
            raise DomainError(f"{quoted(unit.name)}不是本联盟的在册成员单位。", field="unit",
                              status=400)
        _check_no_overlap(alliance, starts_on, ends_on)
        save_checked(user, term, "add")
        record_event(alliance, "chair", user, org=alliance.org,
                     text=f"{quoted(unit.name)}任轮值主席单位"
                          f"（{starts_on:%Y-%m-%d} 至 {ends_on:%Y-%m-%d}）")
    return term


def remove_chair_term(term: ChairTerm, *, user: User) -> None:
    require_scope(user, "change", term.alliance)
    if term.ends_on < _today():
        raise DomainError("已结束的轮值任期是历史记录，不能删除。")
    with transaction.atomic():
        term.delete()
        record_event(term.alliance, "chair_removed", user, org=term.alliance.org,
                     text=f"删除{quoted(term.unit.name)}的轮值任期"
                          f"（{term.starts_on:%Y-%m-%d} 起）")


def generate_rotation(alliance: Alliance, *, user: User, units: list[Unit], months: int,
                      starts_on: datetime.date, rounds: int = 1) -> list[ChairTerm]:
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
        _lock_alliance(alliance)
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
                f"自 {starts_on:%Y-%m-%d} 起生成会改动{quoted(held.unit.name)}"
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
        record_event(alliance, "rotation", user, org=alliance.org,
                     text=f"生成轮值主席安排：{len(terms)} 任，每任 {months} 个月，"
                          f"自 {starts_on:%Y-%m-%d} 起",
                     note="轮值顺序：" + "→".join(u.name for u in units))
    return terms


def chair_now_and_next(alliance: Alliance, today: datetime.date | None = None
                       ) -> tuple[ChairTerm | None, ChairTerm | None]:
    today = today or _today()
    terms = list(ChairTerm.objects.filter(alliance=alliance, ends_on__gte=today)
                 .select_related("unit").order_by("starts_on")[:2])
    current = terms[0] if terms and terms[0].starts_on <= today else None
    upcoming = [t for t in terms if t.starts_on > today]
    return current, (upcoming[0] if upcoming else None)


def owner_choices(alliance: Alliance) -> tuple[list[Unit], list[Organization]]:
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


# ---- meetings: called → held or cancelled; invited units reply while called --------------

def _liaisons_of(units: Iterable[Unit]) -> list[User]:
    return [u for unit in units for u in unit_liaisons(unit)]


def call_meeting(alliance: Alliance, *, user: User, title: str, starts_at: datetime.datetime,
                 place: str, agenda: str, units: Iterable[Unit] | None = None) -> Meeting:
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
        record_event(meeting, "called", user, org=alliance.org, state_to=meeting.state,
                     text=f"通知召开{quoted(title)}，邀请 {len(unit_ids)} 家成员单位")
        local = timezone.localtime(starts_at)
        notify(_liaisons_of(Unit.objects.filter(pk__in=unit_ids)), f"会议通知：{title}",
               url=meeting.get_absolute_url(), kind="meeting",
               body=f"{local:%Y-%m-%d %H:%M} 在{place}召开，请回复是否参会。")
    return meeting


def reply(meeting: Meeting, *, user: User, unit: Unit, reply: str,
          note: str = "") -> Invitation:
    """A unit's liaison (or the staff for it) answers 参会 or 请假."""
    if reply not in (Reply.ATTEND, Reply.LEAVE):
        raise DomainError("回复须为“参会”或“请假”。", field="reply", status=400)
    with transaction.atomic():
        meeting = MEETING.lock(user, meeting, "reply")
        invitation = Invitation.objects.filter(meeting=meeting, unit=unit).first()
        if invitation is None:
            raise DomainError(f"{quoted(unit.name)}不在本次会议的邀请名单中。", field="unit",
                              status=400)
        require_scope(user, "change", invitation)
        if reply == Reply.LEAVE and not note.strip():
            raise DomainError("请假须说明原因。", field="note", status=400)
        invitation.reply, invitation.reply_note = reply, note.strip()
        invitation.replied_at = timezone.now()
        save_checked(user, invitation, "change")
        answer = invitation.get_reply_display()
        record_event(meeting, "reply", user, text=f"{quoted(unit.name)}回复：{answer}",
                     note=invitation.reply_note, org=meeting.alliance.org, unit=unit)
        notify(org_staff(meeting.alliance.org), f"{unit.name}回复{meeting.title}：{answer}",
               url=meeting.get_absolute_url(), kind="meeting")
    return invitation


def hold(meeting: Meeting, *, user: User, minutes: str, attended_units: Iterable[Unit] = (),
         decisions: Iterable[dict[str, Any]] = ()) -> Meeting:
    """Record the meeting as held: who attended, the minutes, and the decisions, each of
    which becomes a task. `decisions` are dicts with title, owner_unit or owner_org,
    deadline."""
    with transaction.atomic():
        meeting = MEETING.lock(user, meeting, "hold")
        if not minutes.strip():
            raise DomainError("请填写会议纪要。", field="minutes", status=400)
        invitations = list(meeting.invitations.select_related("unit"))
        invited = {i.unit_id for i in invitations}
        attended = {u.pk for u in attended_units}
        if attended - invited:
            raise DomainError("出席单位须在邀请名单中。", field="attended", status=400)
        tasks = [_decision_task(meeting, n, d) for n, d in enumerate(decisions, start=1)]
        before = MEETING.move(meeting, "hold")
        meeting.minutes = minutes.strip()
        save_checked(user, meeting, "change")
        for invitation in invitations:
            invitation.attended = invitation.unit_id in attended
        Invitation.objects.bulk_update(invitations, ["attended"])
        org = meeting.alliance.org
        record_event(meeting, "held", user, org=org, state_from=before, state_to=meeting.state,
                     text=f"会议召开：出席 {len(attended)}/{len(invited)} 家，"
                          f"形成决议 {len(tasks)} 项")
        for task in tasks:
            save_checked(user, task, "add")
            record_event(task, "created", user, org=org, unit=task.owner_unit,
                         state_to=task.state,
                         text=f"会议{quoted(meeting.title)}形成决议，责任方：{task.owner}，"
                              f"期限 {task.deadline:%Y-%m-%d}")
            notify(owners_of(task), f"新的决议任务：{task.title}", url=task.get_absolute_url(),
                   kind="task", body=f"完成期限 {task.deadline:%Y-%m-%d}")
    return meeting


def _decision_task(meeting: Meeting, n: int, decision: dict[str, Any]) -> Task:
    title = (decision.get("title") or "").strip()
    if not title:
        raise DomainError(f"第 {n} 项决议未填写内容。", field="decisions", status=400)
    unit, org = decision.get("owner_unit"), decision.get("owner_org")
    if (unit is None) == (org is None):
        raise DomainError(f"第 {n} 项决议须指定一个责任单位或责任组织。", field="decisions",
                          status=400)
    if unit is not None and not AllianceMember.objects.filter(
            alliance=meeting.alliance, unit=unit, left_on__isnull=True).exists():
        raise DomainError(f"第 {n} 项决议的责任单位{quoted(unit.name)}不是本联盟在册成员单位。",
                          field="decisions", status=400)
    if org is not None and not org.path.startswith(meeting.alliance.org.path):
        raise DomainError(f"第 {n} 项决议的责任组织{quoted(org.name)}不在本联盟所属组织之内。",
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


def cancel(meeting: Meeting, *, user: User, reason: str) -> Meeting:
    with transaction.atomic():
        meeting = MEETING.lock(user, meeting, "cancel")
        if not reason.strip():
            raise DomainError("请填写取消原因。", field="reason", status=400)
        before = MEETING.move(meeting, "cancel")
        meeting.cancel_reason = reason.strip()
        save_checked(user, meeting, "change")
        record_event(meeting, "cancelled", user, text="会议取消", note=meeting.cancel_reason,
                     org=meeting.alliance.org, state_from=before, state_to=meeting.state)
        units = Unit.objects.filter(pk__in=meeting.invitations.values("unit_id"))
        notify(_liaisons_of(units), f"会议取消：{meeting.title}", url=meeting.get_absolute_url(),
               kind="meeting", body=meeting.cancel_reason)
    return meeting


# ---- tasks: open → done, with progress while open -------------------------------------------

def owners_of(task: Task) -> list[User]:
    return unit_liaisons(task.owner_unit) if task.owner_unit_id else org_staff(task.owner_org)


def progress(task: Task, *, user: User, note: str) -> Event:
    with transaction.atomic():
        task = TASK.lock(user, task, "progress")
        if not note.strip():
            raise DomainError("请填写进展情况。", field="note", status=400)
        return cast(Event, record_event(task, "progress", user, text="填报进展",
                                        note=note.strip(), org=task.alliance.org,
                                        unit=task.owner_unit))


def complete(task: Task, *, user: User, note: str,
             completed_on: datetime.date | None = None) -> Task:
    with transaction.atomic():
        task = TASK.lock(user, task, "complete")
        if not note.strip():
            raise DomainError("请填写完成情况。", field="note", status=400)
        completed_on = completed_on or _today()
        if completed_on > _today():
            raise DomainError("完成日期不能晚于今天。", field="completed_on", status=400)
        before = TASK.move(task, "complete")
        task.completion_note, task.completed_on = note.strip(), completed_on
        save_checked(user, task, "change")
        record_event(task, "completed", user, text="办结", note=task.completion_note,
                     org=task.alliance.org, unit=task.owner_unit, state_from=before,
                     state_to=task.state)
        notify(org_staff(task.alliance.org), f"决议任务已办结：{task.title}",
               url=task.get_absolute_url(), kind="task")
    return task


# ---- agreements: draft → signed → terminated -------------------------------------------------

AGREEMENT_FIELDS = ("number", "title", "org", "unit", "rights_obligations", "service_items",
                    "starts_on", "ends_on", "org_liaison", "unit_liaison")


def _check_agreement_refs(user: User, agreement: Agreement) -> None:
    if not restrict(user, "view", Unit).filter(pk=agreement.unit_id).exists():
        raise DomainError("所选单位不存在或不在您的管理范围内。", field="unit", status=400)
    _person_in_reach(user, agreement.org_liaison, "org_liaison")
    _person_in_reach(user, agreement.unit_liaison, "unit_liaison")


def create_agreement(*, user: User, **data: Any) -> Agreement:
    agreement = Agreement(**{k: v for k, v in data.items() if k in AGREEMENT_FIELDS})
    validate(agreement)
    _check_agreement_refs(user, agreement)
    with transaction.atomic():
        save_checked(user, agreement, "add")
        record_event(agreement, "drafted", user, text="草拟协议", org=agreement.org,
                     unit=agreement.unit, state_to=agreement.state)
    return agreement


def edit(agreement: Agreement, *, user: User, **changes: Any) -> Agreement:
    with transaction.atomic():
        agreement = AGREEMENT.lock(user, agreement, "edit")
        for field, value in changes.items():
            if field in AGREEMENT_FIELDS:
                setattr(agreement, field, value)
        validate(agreement)
        _check_agreement_refs(user, agreement)
        save_checked(user, agreement, "change")
        record_event(agreement, "edited", user, text="修改协议草稿", org=agreement.org,
                     unit=agreement.unit)
    return agreement


def _parties(agreement: Agreement) -> list[User]:
    return unit_liaisons(agreement.unit) + org_staff(agreement.org)


def sign(agreement: Agreement, *, user: User,
         signed_on: datetime.date | None = None) -> Agreement:
    with transaction.atomic():
        agreement = AGREEMENT.lock(user, agreement, "sign")
        signed_on = signed_on or _today()
        if signed_on > _today():
            raise DomainError("签订日期不能晚于今天。", field="signed_on", status=400)
        if signed_on > agreement.ends_on:
            raise DomainError("签订日期不能晚于协议结束日期。", field="signed_on", status=400)
        before = AGREEMENT.move(agreement, "sign")
        agreement.signed_on = signed_on
        save_checked(user, agreement, "change")
        record_event(agreement, "signed", user, text=f"双方签订协议（{signed_on:%Y-%m-%d}）",
                     org=agreement.org, unit=agreement.unit, state_from=before,
                     state_to=agreement.state)
        notify(_parties(agreement), f"协议已签订：{agreement.title}",
               url=agreement.get_absolute_url(), kind="agreement",
               body=f"有效期 {agreement.starts_on:%Y-%m-%d} 至 {agreement.ends_on:%Y-%m-%d}")
    return agreement


def terminate(agreement: Agreement, *, user: User, reason: str,
              terminated_on: datetime.date | None = None) -> Agreement:
    with transaction.atomic():
        agreement = AGREEMENT.lock(user, agreement, "terminate")
        if not reason.strip():
            raise DomainError("请填写终止原因。", field="reason", status=400)
        terminated_on = terminated_on or _today()
        if agreement.signed_on and terminated_on < agreement.signed_on:
            raise DomainError("终止日期不能早于签订日期。", field="terminated_on", status=400)
        before = AGREEMENT.move(agreement, "terminate")
        agreement.terminated_on, agreement.termination_reason = terminated_on, reason.strip()
        save_checked(user, agreement, "change")
        record_event(agreement, "terminated", user, text="终止协议",
                     note=agreement.termination_reason, org=agreement.org, unit=agreement.unit,
                     state_from=before, state_to=agreement.state)
        notify(_parties(agreement), f"协议已终止：{agreement.title}",
               url=agreement.get_absolute_url(), kind="agreement",
               body=agreement.termination_reason)
    return agreement


def agreement_document(agreement: Agreement, *, user: User) -> bytes:
    """The Word 协议书. A document to sign carries the liaisons' real phones for those who may
    reveal them (the members' rule), and each such reveal is logged; others read them masked."""
    require_scope(user, "view", agreement)
    liaisons = [p for p in (agreement.org_liaison, agreement.unit_liaison) if p is not None]
    revealable = set(restrict(user, "reveal", Person).filter(
        pk__in=[p.pk for p in liaisons if p.phone]).values_list("pk", flat=True))
    for person in {p.pk: p for p in liaisons if p.pk in revealable}.values():
        audit.record("reveal", person, user=user,
                     detail=f"下载协议书 {agreement.number}，含联络员完整联系电话")
    return agreement_docx(agreement, revealed=revealable)

