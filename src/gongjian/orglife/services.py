"""Organisational life: a branch plans a meeting, notifies those due, records it (attendance,
列席, minutes or a scan, resolutions), then adds votes and 民主评议 grades; every absentee owes a
make-up study (补学) that the committee confirms. Two tables (core.workflow): the meeting's
and the make-up's; one service per step, each refusing bad input with a Chinese message and
writing nothing."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from gongjian.core.access import restrict
from gongjian.core.images import clean_jpeg
from gongjian.core.models import User
from gongjian.core.notifications import notify as send_notice
from gongjian.core.services import DomainError, require_scope, save_checked, validate
from gongjian.core.workflow import Step, Workflow, record_event
from gongjian.members.choices import Category
from gongjian.members.models import Membership, Person, TeamSeat
from gongjian.orgs.choices import OrgKind
from gongjian.orgs.models import Organization

from . import rules
from .models import (
    ATTENDING,
    Appraisal,
    Attendance,
    Grade,
    MakeUp,
    MakeUpState,
    Meeting,
    Presence,
    State,
    Vote,
)
from .rules import BRANCH_KINDS, NOT_DUE

PLAN_FIELDS = ("kind", "title", "date", "start_time", "place", "topics", "x_item", "host",
               "recorder", "lecturer", "group")


def _appraisal_only(user: Any, meeting: Meeting) -> str | None:
    return None if meeting.kind == "appraisal" else "只有“民主评议党员”会议登记评议等次。"


S = State
WORKFLOW = Workflow(Meeting, [
    Step("edit", "修改计划", [S.PLANNED], S.PLANNED, style="outline-secondary",
         done="计划已修改。"),
    Step("notify", "通知参会", [S.PLANNED], None, done="已通知应参会的党员。"),
    Step("record", "登记召开情况", [S.PLANNED], S.HELD, style="party",
         done="已登记召开情况；缺席的党员已列入补学。",
         fields=("date", "attendance", "observers", "minutes", "minutes_scan", "resolutions")),
    Step("minutes", "修改会议记录", [S.HELD], None, style="outline-secondary",
         done="会议记录已保存。",
         fields=("observers", "minutes", "minutes_scan", "resolutions")),
    Step("vote", "登记表决", [S.HELD], None, style="outline-primary", done="表决结果已登记。",
         fields=("subject", "election", "in_favour", "against", "abstain")),
    Step("grade", "登记评议等次", [S.HELD], None, style="outline-primary", guard=_appraisal_only,
         done="评议等次已登记。", fields=("grades", "confirm_excess")),
    Step("cancel", "取消会议", [S.PLANNED], S.CANCELLED, style="danger", done="会议已取消。",
         fields=("reason",)),
], refusal=lambda step, m: f"会议当前为“{m.get_state_display()}”，不能{step.label}。")

MAKEUP_WORKFLOW = Workflow(MakeUp, [
    Step("confirm", "确认补学", [MakeUpState.OPEN], MakeUpState.DONE, owner="支部委员会",
         done="补学已确认。", fields=("content", "done_on")),
], refusal=lambda step, m: f"补学当前为“{m.get_state_display()}”，不能{step.label}。")


def _bad(message: str, field: str | None = None) -> DomainError:
    return DomainError(message, field=field, status=400)


# ---- who is due ------------------------------------------------------------------------------

def current_committee(branch: Organization, on: datetime.date | None = None) -> list[int]:
    """Person ids seated on the branch's current committee (支委会) on `on`."""
    on = on or timezone.localdate()
    return list(TeamSeat.objects.filter(
        team__org=branch, team__elected_on__lte=on, started_on__lte=on)
        .filter(Q(team__ended_on__isnull=True) | Q(team__ended_on__gt=on))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
        .values_list("person_id", flat=True))


def due_memberships(meeting: Meeting) -> QuerySet[Membership]:
    """The memberships due at `meeting`: the branch's active full and probationary members
    (its party groups' too) whose standing is not suspended or lost contact; mobile members
    stay due (the pages list them apart). A group meeting: the group's members where members
    are kept at group level, else the branch's (rosters usually sit at the branch). A 支委会:
    the branch's current committee only."""
    rows = Membership.objects.filter(
        active=True, category__in=(Category.FULL, Category.PROBATIONARY)).exclude(
        standing__in=NOT_DUE)
    branch = meeting.org
    if meeting.kind == "committee":
        rows = rows.filter(person_id__in=current_committee(branch, meeting.date))
    elif meeting.kind == "group" and meeting.group_id and rows.filter(
            org_id=meeting.group_id).exists():
        rows = rows.filter(org_id=meeting.group_id)
    else:
        rows = rows.filter(org__path__startswith=branch.path)
    return rows.select_related("person").order_by("person__name", "id")


def roster(branch: Organization) -> QuerySet[Person]:
    """People on the branch's roster (active memberships in its subtree): hosts, recorders."""
    return Person.objects.filter(memberships__active=True,
                                 memberships__org__path__startswith=branch.path).distinct()


def is_voting(membership: Membership) -> bool:
    """Probationary members have no vote (党章第七条)."""
    return membership.category == Category.FULL


# ---- planning ------------------------------------------------------------------------------

def _check_plan(meeting: Meeting) -> None:
    org = meeting.org
    if org.kind not in BRANCH_KINDS:
        raise _bad(f"“{org.name}”不是党支部，组织生活须由党支部（或临时党支部）安排。", "org")
    if not org.is_active:
        raise _bad(f"“{org.name}”已撤销。", "org")
    group = meeting.group
    if group is not None:
        if meeting.kind != "group":
            raise _bad("只有党小组会需要选择党小组。", "group")
        if group.kind != OrgKind.GROUP or group.parent_path != org.path:
            raise _bad(f"“{group.name}”不是“{org.name}”的党小组。", "group")
    if meeting.x_item.strip() and meeting.kind != "theme_day":
        raise _bad("只有主题党日填写自选动作（X）。", "x_item")
    people = roster(org)
    for name, label in (("host", "主持人"), ("recorder", "记录人")):
        person = getattr(meeting, name)
        if person is not None and not people.filter(pk=person.pk).exists():
            raise _bad(f"{label}“{person.name}”不在“{org.name}”的党员名册中。", name)
    if meeting.kind == "committee" and not current_committee(org, meeting.date):
        raise _bad(f"“{org.name}”没有登记在任的支部委员会，不能安排支部委员会会议。", "kind")


def plan(org: Organization, *, user: User | None, **fields: Any) -> Meeting:
    """A planned meeting of `org` (a branch): kind, title, date, time, place, topics, host,
    recorder (from the branch's roster), lecturer, the X item of a 主题党日, a party group."""
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    meeting = Meeting(org=org, created_by=user, **fields)
    with transaction.atomic():
        validate(meeting)
        _check_plan(meeting)
        save_checked(user, meeting, "add")
        record_event(meeting, "plan", user, state_to=meeting.state,
                     text=f"计划{meeting.get_kind_display()}：{meeting.title}")
    return meeting


def edit(meeting: Meeting, *, user: User | None, **fields: Any) -> Meeting:
    """Change a planned meeting (the branch stays)."""
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = WORKFLOW.lock(user, meeting, "edit")
        changed = [name for name, value in fields.items() if getattr(locked, name) != value]
        for name, value in fields.items():
            setattr(locked, name, value)
        validate(locked)
        _check_plan(locked)
        locked.save()
        require_scope(user, "change", locked)
        labels = [str(getattr(Meeting._meta.get_field(n), "verbose_name", n)) for n in changed]
        record_event(locked, "edit", user, note="修改：" + "、".join(labels) if labels else "")
    return locked


def notify(meeting: Meeting, *, user: User | None) -> Meeting:
    """Tell the accounts of those due when and where the meeting is; keeps the state."""
    with transaction.atomic():
        locked = WORKFLOW.lock(user, meeting, "notify")
        due = list(due_memberships(locked))
        accounts = list(User.objects.filter(person__in=[m.person_id for m in due],
                                            is_active=True))
        when = f"{locked.date:%Y-%m-%d}" + (f" {locked.start_time:%H:%M}"
                                            if locked.start_time else "")
        place = f"，地点：{locked.place}" if locked.place else ""
        send_notice(accounts, f"{locked.get_kind_display()}通知：{locked.title}",
                    url=locked.get_absolute_url(), body=f"时间：{when}{place}。", kind="orglife")
        locked.notified_at = timezone.now()
        locked.save(update_fields=["notified_at"])
        record_event(locked, "notify", user,
                     text=f"通知参会：应到 {len(due)} 人，{len(accounts)} 人有平台账户")
    return locked


# ---- the record ----------------------------------------------------------------------------

def read_scan(upload: Any) -> tuple[str, bytes] | None:
    """A scan of the paper record: a PDF kept as is, or a picture re-encoded as JPEG without
    its metadata; (file name, bytes), or None when nothing was uploaded."""
    if not upload:
        return None
    size = getattr(upload, "size", 0) or 0
    if size > settings.UPLOAD_MAX_BYTES:
        limit = settings.UPLOAD_MAX_BYTES / (1024 * 1024)
        raise _bad(f"扫描件不能超过 {limit:g} MB。", "minutes_scan")
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return "minutes.pdf", upload.read()
    return "minutes.jpg", clean_jpeg(upload, field="minutes_scan")


def _store_scan(meeting: Meeting, scan: tuple[str, bytes] | None) -> None:
    if scan is not None:
        name, data = scan
        meeting.minutes_scan.save(name, ContentFile(data), save=False)


def _require_minutes(minutes: str, scan: Any) -> None:
    if not minutes.strip() and not scan:
        raise _bad("请填写会议记录，或上传纸质记录的扫描件（任选其一）。", "minutes")


def _attendance_rows(meeting: Meeting, attendance: Iterable[Mapping[str, Any]]
                     ) -> list[Attendance]:
    """One row per due member from the posted {membership, presence, reason}; refuses anyone
    not due, a member twice, a member left out and an unknown presence."""
    due = {m.pk: m for m in due_memberships(meeting)}
    rows: dict[int, Attendance] = {}
    codes = dict(Presence.choices)
    for item in attendance:
        try:
            pk = int(item.get("membership"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise _bad("出席情况须以党籍 id 指定党员。", "attendance") from None
        membership = due.get(pk)
        if membership is None:
            other = Membership.objects.filter(pk=pk).select_related("person").first()
            who = f"“{other.person.name}”" if other is not None else f"党籍 {pk}"
            raise _bad(f"{who}不是本次会议的应到党员（不在“{meeting.org.name}”的应到名单中），"
                       "不能登记出席情况。", "attendance")
        if pk in rows:
            raise _bad(f"“{membership.person.name}”的出席情况重复登记。", "attendance")
        presence = str(item.get("presence") or "")
        if presence not in codes:
            raise _bad(f"“{membership.person.name}”的出席情况“{presence}”无效，可选："
                       f"{'、'.join(codes.values())}。", "attendance")
        reason = str(item.get("reason") or "").strip()
        if presence in ATTENDING:
            reason = ""  # a reason is for leave or absence only
        if len(reason) > 200:
            raise _bad(f"“{membership.person.name}”的原因不能超过 200 字。", "attendance")
        rows[pk] = Attendance(meeting=meeting, membership=membership, presence=presence,
                              reason=reason, voting=is_voting(membership))
    missing = [m.person.name for pk, m in due.items() if pk not in rows]
    if missing:
        shown = "、".join(missing[:5]) + (f"等 {len(missing)} 人" if len(missing) > 5 else "")
        raise _bad(f"还有应到党员未登记出席情况：{shown}。", "attendance")
    return list(rows.values())


def record(meeting: Meeting, *, user: User | None, attendance: Iterable[Mapping[str, Any]],
           minutes: str = "", minutes_scan: Any = None, resolutions: str = "",
           observers: str = "", date: datetime.date | None = None) -> Meeting:
    """The meeting was held: each due member's attendance (出席/迟到/病假/事假/公假/缺席 and the
    reason), 列席, the minutes typed or a scan of the paper record (either is enough), the
    resolutions. Every member not attending gets a make-up item."""
    with transaction.atomic():
        locked = WORKFLOW.lock(user, meeting, "record", related=["org"])
        held_on = date or locked.date
        if held_on > timezone.localdate():
            raise _bad(f"会议日期 {held_on:%Y-%m-%d} 还未到，不能登记为已召开。", "date")
        locked.date = held_on
        _require_minutes(minutes, minutes_scan)
        scan = read_scan(minutes_scan)
        rows = _attendance_rows(locked, attendance)
        before = WORKFLOW.move(locked, "record")
        locked.minutes, locked.resolutions = minutes.strip(), resolutions.strip()
        locked.observers = observers.strip()
        locked.due_count = len(rows)
        locked.present_count = sum(1 for r in rows if r.presence in ATTENDING)
        locked.held_recorded_at = timezone.now()
        validate(locked, exclude=["minutes_scan"])
        _store_scan(locked, scan)
        locked.save()
        Attendance.objects.bulk_create(rows)
        saved = Attendance.objects.filter(meeting=locked).exclude(presence__in=ATTENDING)
        MakeUp.objects.bulk_create([MakeUp(attendance=a, org=locked.org, meeting=locked,
                                           meeting_date=locked.date) for a in saved])
        absent = locked.due_count - locked.present_count
        record_event(locked, "record", user, state_from=before, state_to=locked.state,
                     text=f"登记召开：应到 {locked.due_count} 人，实到 {locked.present_count} 人"
                          + (f"，{absent} 人列入补学" if absent else ""))
    return locked


def minutes(meeting: Meeting, *, user: User | None, minutes: str = "", minutes_scan: Any = None,
            resolutions: str = "", observers: str = "") -> Meeting:
    """Correct the record after the meeting: minutes, scan, resolutions, 列席."""
    with transaction.atomic():
        locked = WORKFLOW.lock(user, meeting, "minutes")
        _require_minutes(minutes, minutes_scan or locked.minutes_scan)
        scan = read_scan(minutes_scan)
        locked.minutes, locked.resolutions = minutes.strip(), resolutions.strip()
        locked.observers = observers.strip()
        validate(locked, exclude=["minutes_scan"])
        _store_scan(locked, scan)
        locked.save()
        record_event(locked, "minutes", user,
                     note="上传了新的扫描件" if scan is not None else "")
    return locked


def vote_counts(meeting: Meeting) -> tuple[int, int]:
    """(entitled, present) among the meeting's voting members, from its attendance."""
    rows = Attendance.objects.filter(meeting=meeting, voting=True)
    return rows.count(), rows.filter(presence__in=ATTENDING).count()


def vote(meeting: Meeting, *, user: User | None, subject: str, in_favour: int,
         against: int = 0, abstain: int = 0, election: bool = False) -> Vote:
    """A resolution or an election put to the vote (RULES §1): those entitled and present are
    the meeting's full members; the quorum and the outcome follow rules.py."""
    with transaction.atomic():
        locked = WORKFLOW.lock(user, meeting, "vote")
        subject = (subject or "").strip()
        if not subject:
            raise _bad("请填写表决事项。", "subject")
        counts = {"in_favour": in_favour, "against": against, "abstain": abstain}
        for name, value in counts.items():
            if value is None or int(value) < 0:
                raise _bad("票数不能为负数。", name)
        entitled, present = vote_counts(locked)
        if entitled == 0:
            raise _bad("本次会议没有有表决权的党员出席记录，不能登记表决。", "subject")
        cast = int(in_favour) + int(against) + int(abstain)
        if cast > present:
            raise _bad(f"赞成、反对、弃权合计 {cast} 票，超过有表决权的实到人数 {present}。",
                       "in_favour")
        quorate = rules.has_quorum(present, entitled, election=election)
        # An election: the elected need more than half of those present with a vote (选举工作
        # 条例第二十一条); a motion more than half of those entitled (RULES §1).
        passed = quorate and rules.motion_passes(int(in_favour), present if election else entitled)
        row = Vote(meeting=locked, subject=subject, election=bool(election), entitled=entitled,
                   present=present, in_favour=in_favour, against=against, abstain=abstain,
                   quorate=quorate, passed=passed)
        validate(row)
        row.save()
        outcome = "通过" if passed else ("未达到法定人数，表决无效" if not quorate else "未通过")
        record_event(locked, "vote", user,
                     text=f"{'选举' if election else '表决'}“{subject}”：应到 {entitled}、实到 "
                          f"{present}，赞成 {in_favour}、反对 {against}、弃权 {abstain}，{outcome}")
    return row


def excellent_share(grades: Iterable[str]) -> Fraction:
    graded = list(grades)
    return Fraction(sum(1 for g in graded if g == Grade.EXCELLENT), len(graded)) if graded \
        else Fraction(0)


def grade(meeting: Meeting, *, user: User | None, grades: Mapping[int, str],
          confirm_excess: bool = False) -> Meeting:
    """民主评议: each due full member's grade (优秀/合格/基本合格/不合格), replacing any given
    before. Probationary members take part ungraded unless the district's setting grades them;
    优秀 above the share (1/3) is refused unless confirmed, then kept with a warning."""
    with transaction.atomic():
        locked = WORKFLOW.lock(user, meeting, "grade")
        rows = {a.membership_id: a for a in Attendance.objects.filter(meeting=locked)
                .select_related("membership__person")}
        labels = dict(Grade.choices)
        chosen: dict[int, str] = {}
        for key, value in grades.items():
            try:
                pk = int(key)
            except (TypeError, ValueError):
                raise _bad("评议等次须以党籍 id 指定党员。", "grades") from None
            row = rows.get(pk)
            if row is None:
                raise _bad(f"党籍 {pk} 不是本次民主评议的应到党员，不能评定等次。", "grades")
            name = row.membership.person.name
            if not row.voting and not rules.setting("grade_probationary"):
                raise _bad(f"“{name}”是预备党员，参加评议但不评定等次。", "grades")
            if value not in labels:
                raise _bad(f"“{name}”的等次“{value}”无效，可选：{'、'.join(labels.values())}。",
                           "grades")
            chosen[pk] = value
        if not chosen:
            raise _bad("请至少为一名党员评定等次。", "grades")
        kept = {a.membership_id: a.grade for a in Appraisal.objects.filter(meeting=locked)}
        final = {**kept, **chosen}
        share = excellent_share(final.values())
        limit = rules.setting("excellent_share")
        warning = ""
        if share > limit:
            excellent = sum(1 for g in final.values() if g == Grade.EXCELLENT)
            warning = (f"评为优秀 {excellent} 人，占评定人数 {len(final)} 人的 "
                       f"{float(share):.1%}，超过 {limit} 的比例")
            if not confirm_excess:
                raise DomainError(f"{warning}；如确需如此，请勾选“确认超过比例”后再提交。",
                                  field="confirm_excess", status=400)
        Appraisal.objects.filter(meeting=locked, membership_id__in=list(chosen)).delete()
        Appraisal.objects.bulk_create([Appraisal(meeting=locked, membership_id=pk, grade=g)
                                       for pk, g in chosen.items()])
        counts = Counter(final.values())
        summary = "、".join(f"{label} {counts[code]}" for code, label in Grade.choices
                           if counts[code])
        record_event(locked, "grade", user, text=f"登记评议等次：{summary}",
                     note=f"注意：{warning}，经确认后登记。" if warning else "")
    return locked


def cancel(meeting: Meeting, *, user: User | None, reason: str) -> Meeting:
    with transaction.atomic():
        locked = WORKFLOW.lock(user, meeting, "cancel")
        reason = (reason or "").strip()
        if not reason:
            raise _bad("请填写取消原因。", "reason")
        before = WORKFLOW.move(locked, "cancel")
        locked.cancel_reason = reason
        validate(locked)
        locked.save()
        record_event(locked, "cancel", user, state_from=before, state_to=locked.state,
                     text="取消会议", note=reason)
    return locked


# ---- make-up study -------------------------------------------------------------------------

def confirm(makeup: MakeUp, *, user: User | None, content: str,
            done_on: datetime.date | None) -> MakeUp:
    """补学 done: what was studied and when, confirmed by the branch's committee."""
    with transaction.atomic():
        locked = MAKEUP_WORKFLOW.lock(user, makeup, "confirm",
                                      related=["attendance__meeting", "attendance__membership"])
        content = (content or "").strip()
        if not content:
            raise _bad("请填写补学内容。", "content")
        meeting = locked.attendance.meeting
        if done_on is None:
            raise _bad("请填写补学日期。", "done_on")
        if done_on > timezone.localdate():
            raise _bad("补学日期不能晚于今天。", "done_on")
        if done_on < meeting.date:
            raise _bad(f"补学日期不能早于会议日期 {meeting.date:%Y-%m-%d}。", "done_on")
        MAKEUP_WORKFLOW.move(locked, "confirm")
        locked.content, locked.done_on, locked.confirmed_by = content, done_on, user
        validate(locked)
        locked.save()
        name = locked.attendance.membership.person.name
        record_event(meeting, "makeup", user, text=f"确认{name}补学（{done_on:%Y-%m-%d}）",
                     note=content)
    return locked


# ---- reading ---------------------------------------------------------------------------------

def reasons_visible(meeting: Meeting, *, user: User | None) -> set[int]:
    """Ids of the meeting's attendance rows whose reason the user may read (the committee)."""
    return set(restrict(user, "reason", Attendance).filter(meeting=meeting)
               .values_list("pk", flat=True))


def scan_bytes(meeting: Meeting) -> bytes:
    with meeting.minutes_scan.open("rb") as handle:
        return handle.read()

