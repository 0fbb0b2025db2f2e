"""Volunteer service: teams and their members, activities through their table (草稿 → 招募中 →
进行中 → 已结束 → 时长已审核 → 已公示, or 已取消), sign-ups with places and a waiting list,
check-in by the rotating code (or by the organiser's hand, flagged and audited), the records
and their hours under rules.py, and certificates. One service per step and per write, each
refusing bad input with a Chinese message and writing nothing.

Sign-ups serialise on the activity's row (`WORKFLOW.lock`: SELECT … FOR UPDATE), so however
many sign up at the same moment no more than the places are accepted; the rest wait in order
and move up when a place is given back. Check-ins serialise on the volunteer's sign-up row.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from gongjian.core import audit
from gongjian.core.access import SELF_ROLES, grants_of, restrict
from gongjian.core.models import User
from gongjian.core.notifications import notify
from gongjian.core.services import DomainError, require_scope, save_checked, validate
from gongjian.core.workflow import Step, Workflow, record_event
from gongjian.members.models import Membership, Person
from gongjian.orgs.models import Organization, Unit

from . import people, rules, tokens
from .models import (
    ACTIVE_SIGNUP,
    Activity,
    Certificate,
    CheckIn,
    Eligibility,
    RecordTally,
    ServiceDays,
    ServiceRecord,
    Signup,
    SignupState,
    State,
    Team,
    TeamMember,
    Volunteer,
    certificate_number,
    volunteer_number,
)

S = State
ACTIVITY_FIELDS = ("title", "content", "place", "starts_at", "ends_at", "signup_deadline",
                   "places", "eligibility", "beneficiaries_expected", "team")
TEAM_FIELDS = ("name", "speciality", "description", "founded_on", "leader", "unit")


def _bad(message: str, field: str | None = None) -> DomainError:
    return DomainError(message, field=field, status=400)


# ---- who volunteers ------------------------------------------------------------------------

def volunteer_of(*, user: Any) -> Volunteer | None:
    """The account's volunteer registration, if any (by account, else by its person)."""
    if not getattr(user, "is_authenticated", False):
        return None
    found = Volunteer.objects.filter(account_id=user.pk).select_related("org").first()
    if found is None and user.person_id:
        found = Volunteer.objects.filter(person_id=user.person_id).select_related("org").first()
    return found


def _home_org(user: User) -> Organization | None:
    if user.person_id:
        person = Person.objects.filter(pk=user.person_id).select_related("org").first()
        if person is not None:
            return person.org
    for grant in grants_of(user):
        if grant.role in SELF_ROLES and grant.org_id:
            return grant.org
    return None


def _numbered(volunteer: Volunteer) -> Volunteer:
    volunteer.number = volunteer_number(volunteer.pk)
    Volunteer.objects.filter(pk=volunteer.pk).update(number=volunteer.number)
    return volunteer


def ensure_volunteer(*, user: User) -> Volunteer:
    """The account's registration, made on first use (sign-up, joining a team): its person's
    name and community, else the account's name and the organisation of its member or
    resident grant."""
    found = volunteer_of(user=user)
    if found is not None:
        if found.account_id is None:
            found.account = user
            found.save(update_fields=["account"])
        return found
    org = _home_org(user)
    if org is None:
        raise DomainError("您的账户没有所在社区，不能注册为志愿者，请联系社区工作人员。")
    name = ""
    if user.person_id:
        name = Person.objects.filter(pk=user.person_id).values_list("name", flat=True).first() \
            or ""
    volunteer = Volunteer(account=user, person_id=user.person_id, org=org,
                          name=name or user.display_name or user.username)
    validate(volunteer, exclude=["number"])
    try:
        with transaction.atomic():
            volunteer.save()
    except IntegrityError:  # the same account registered at the same moment elsewhere
        found = volunteer_of(user=user)
        if found is None:
            raise
        return found
    return _numbered(volunteer)


def register_person(person: Person, *, user: User, unit: Unit | None = None) -> Volunteer:
    """Staff register a person of their register as a volunteer (a unit's staff, a resident
    without an account); the registration already made is returned as it is."""
    require_scope(user, "view", person)
    found = Volunteer.objects.filter(person=person).first()
    if found is not None:
        return found
    account = User.objects.filter(person=person).first()
    volunteer = Volunteer(person=person, account=account, org=person.org, unit=unit,
                          name=person.name)
    with transaction.atomic():
        save_checked(user, volunteer, "add", exclude=["number"])
    return _numbered(volunteer)


def is_party_member(volunteer: Volunteer) -> bool:
    if volunteer.person_id and Membership.objects.filter(person_id=volunteer.person_id,
                                                         active=True).exists():
        return True
    return volunteer.account_id is not None and volunteer.account is not None and any(
        g.role == "member" for g in grants_of(volunteer.account))


# ---- teams -----------------------------------------------------------------------------------

def _check_team(team: Team) -> None:
    if team.unit_id and team.org_id and team.unit is not None \
            and not team.unit.org.path.startswith(team.org.path):
        raise _bad(f"“{team.unit.name}”不在“{team.org.name}”。", "unit")
    if team.leader_id and team.pk and not TeamMember.objects.filter(
            team=team, volunteer_id=team.leader_id, left_on__isnull=True).exists():
        raise _bad("队长须是本服务队的现有队员。", "leader")


def create_team(*, user: User, org: Organization, name: str, speciality: str = "other",
                description: str = "", founded_on: datetime.date | None = None,
                unit: Unit | None = None, leader: Volunteer | None = None) -> Team:
    """A community's, the street's or (naming the unit) a unit's service team; a leader given
    joins it as its first member."""
    team = Team(org=org, name=(name or "").strip(), speciality=speciality,
                description=(description or "").strip(), unit=unit, created_by=user,
                founded_on=founded_on or timezone.localdate())
    with transaction.atomic():
        validate(team)
        _check_team(team)
        save_checked(user, team, "add")
        if leader is not None:
            TeamMember.objects.create(team=team, volunteer=leader)
            team.leader = leader
            team.save(update_fields=["leader"])
    return team


def edit_team(team: Team, *, user: User, **fields: Any) -> Team:
    unknown = set(fields) - set(TEAM_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        require_scope(user, "change", team)
        locked = Team.objects.select_for_update().get(pk=team.pk)
        if not locked.is_active:
            raise DomainError(f"服务队“{locked.name}”已解散。")
        for name, value in fields.items():
            setattr(locked, name, value.strip() if isinstance(value, str) else value)
        validate(locked)
        _check_team(locked)
        save_checked(user, locked, "change")
    return locked


def _join(team: Team, volunteer: Volunteer) -> TeamMember:
    if not team.is_active:
        raise DomainError(f"服务队“{team.name}”已解散，不能加入。")
    if TeamMember.objects.filter(team=team, volunteer=volunteer, left_on__isnull=True).exists():
        raise DomainError(f"{volunteer.name}已是“{team.name}”的队员。")
    return TeamMember.objects.create(team=team, volunteer=volunteer)


def add_member(team: Team, *, user: User, volunteer: Volunteer) -> TeamMember:
    """The team's keeper (staff, or the unit's liaison) takes a volunteer in."""
    with transaction.atomic():
        require_scope(user, "change", team)
        locked = Team.objects.select_for_update().get(pk=team.pk)
        return _join(locked, volunteer)


def join(team: Team, *, user: User) -> TeamMember:
    """A member or a resident joins an active team of their street."""
    with transaction.atomic():
        require_scope(user, "join", team)
        locked = Team.objects.select_for_update().get(pk=team.pk)
        return _join(locked, ensure_volunteer(user=user))


def _leave(member: TeamMember, reason: str) -> TeamMember:
    member.left_on = timezone.localdate()
    member.left_reason = (reason or "").strip()[:200]
    member.save(update_fields=["left_on", "left_reason"])
    team = member.team
    if team.leader_id == member.volunteer_id:
        Team.objects.filter(pk=team.pk).update(leader=None)
    return member


def leave(team: Team, *, user: User, reason: str = "") -> TeamMember:
    """The volunteer leaves the team; the row stays, with the day they left."""
    with transaction.atomic():
        volunteer = volunteer_of(user=user)
        member = TeamMember.objects.select_for_update().filter(
            team=team, volunteer=volunteer, left_on__isnull=True).first() \
            if volunteer is not None else None
        if member is None:
            raise DomainError(f"您不是“{team.name}”的队员。")
        return _leave(member, reason or "本人退出")


def remove_member(member: TeamMember, *, user: User, reason: str) -> TeamMember:
    """The team's keeper records that a member left (with the reason)."""
    with transaction.atomic():
        require_scope(user, "change", member.team)
        locked = TeamMember.objects.select_for_update().select_related("team").get(pk=member.pk)
        if locked.left_on is not None:
            raise DomainError(f"{locked.volunteer.name}已于 {locked.left_on:%Y-%m-%d} 退出。")
        if not (reason or "").strip():
            raise _bad("请填写退出原因。", "reason")
        return _leave(locked, reason)


def team_figures(team: Team) -> dict[str, Any]:
    """The team's record, added up from its activities' service records (never typed)."""
    from .figures import hours_of, turnout_of

    records = ServiceRecord.objects.filter(activity__team=team)
    counted = records.filter(counts_from__lte=timezone.localdate())
    return {"activities": team.activities.exclude(state__in=[S.DRAFT, S.CANCELLED]).count(),
            "turnout": turnout_of(records), "hours": hours_of(counted),
            "members": team.members.filter(left_on__isnull=True).count()}


# ---- the activity's table --------------------------------------------------------------------

def my_signup(activity: Activity, *, user: Any) -> Signup | None:
    volunteer = volunteer_of(user=user)
    if volunteer is None:
        return None
    return Signup.objects.filter(activity=activity, volunteer=volunteer,
                                 state__in=ACTIVE_SIGNUP).first()


def signup_refusal(activity: Activity, volunteer: Volunteer | None,
                   now: datetime.datetime | None = None) -> str | None:
    """Why this volunteer may not sign up now (None: they may)."""
    now = now or timezone.now()
    if activity.signup_deadline and now > activity.signup_deadline:
        return f"报名已于 {timezone.localtime(activity.signup_deadline):%Y-%m-%d %H:%M} 截止。"
    if now >= activity.ends_at:
        return "活动已结束，不能报名。"
    if volunteer is None:
        return None
    if Signup.objects.filter(activity=activity, volunteer=volunteer,
                             state__in=ACTIVE_SIGNUP).exists():
        return "您已报名该活动，不能重复报名。"
    if activity.eligibility == Eligibility.MEMBERS and not is_party_member(volunteer):
        return "该活动仅限党员报名。"
    if activity.eligibility == Eligibility.TEAM and not TeamMember.objects.filter(
            team=activity.team, volunteer=volunteer, left_on__isnull=True).exists():
        return f"该活动仅限“{activity.team.name if activity.team else ''}”队员报名。"
    return None


def _signup_guard(user: Any, activity: Activity) -> str | None:
    return signup_refusal(activity, volunteer_of(user=user))


def _cancel_signup_guard(user: Any, activity: Activity) -> str | None:
    return None if my_signup(activity, user=user) is not None else "您没有报名该活动。"


def _start_guard(user: Any, activity: Activity) -> str | None:
    early = activity.starts_at - datetime.timedelta(minutes=int(
        rules.setting("start_early_minutes")))
    if timezone.now() < early:
        return (f"活动 {timezone.localtime(activity.starts_at):%m月%d日 %H:%M} 开始，"
                f"最早可提前 {rules.setting('start_early_minutes')} 分钟开始签到。")
    return None


def _refusal(step: Step, activity: Activity) -> str:
    return f"活动当前为“{activity.get_state_display()}”，不能{step.label}。"


WORKFLOW = Workflow(Activity, [
    Step("edit", "修改活动", [S.DRAFT, S.RECRUITING], None, style="outline-secondary",
         done="活动已修改。"),
    Step("publish", "发布招募", [S.DRAFT], S.RECRUITING, done="活动已发布，开始招募志愿者。"),
    Step("signup", "我要报名", [S.RECRUITING, S.IN_PROGRESS], None, action="signup",
         guard=_signup_guard, owner="志愿者", style="party", done="报名成功。"),
    Step("cancel_signup", "取消我的报名", [S.RECRUITING, S.IN_PROGRESS], None, action="signup",
         guard=_cancel_signup_guard, owner="志愿者", style="danger", done="已取消报名。"),
    Step("start", "开始活动（开放签到）", [S.RECRUITING], S.IN_PROGRESS, guard=_start_guard,
         done="活动已开始，可以扫码签到。"),
    Step("checkin", "签到", [S.IN_PROGRESS], None, action="checkin", owner="志愿者",
         fields=("code",), done="签到成功。"),
    Step("checkout", "签退", [S.IN_PROGRESS], None, action="checkin", owner="志愿者",
         fields=("code",), done="签退成功。"),
    Step("finish", "结束活动", [S.IN_PROGRESS], S.ENDED,
         done="活动已结束，服务记录已生成，请核对并审核时长。"),
    Step("review", "审核时长", [S.ENDED], S.REVIEWED, fields=("beneficiaries_served", "note"),
         done="时长已审核。"),
    Step("publicize", "公示时长", [S.REVIEWED], S.PUBLISHED, done="已公示，公示期满后计入时长。"),
    Step("cancel", "取消活动", [S.DRAFT, S.RECRUITING, S.IN_PROGRESS], S.CANCELLED,
         style="danger", fields=("reason",), done="活动已取消。"),
], refusal=_refusal)


def _check_activity(activity: Activity) -> None:
    if activity.team_id and activity.team is not None and not activity.team.is_active:
        raise _bad(f"服务队“{activity.team.name}”已解散。", "team")


def create_activity(*, user: User, org: Organization, **fields: Any) -> Activity:
    """A draft activity of `org` (a community or the street; a team's activity names the
    team, which belongs there)."""
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    activity = Activity(org=org, created_by=user, **fields)
    with transaction.atomic():
        validate(activity)
        _check_activity(activity)
        save_checked(user, activity, "add")
        record_event(activity, "create", user, state_to=activity.state,
                     text=f"登记活动：{activity.title}")
    return activity


def edit(activity: Activity, *, user: User, **fields: Any) -> Activity:
    """Change a draft or recruiting activity; more places take in those waiting."""
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = WORKFLOW.lock(user, activity, "edit")
        changed = [n for n, v in fields.items() if getattr(locked, n) != v]
        for name, value in fields.items():
            setattr(locked, name, value.strip() if isinstance(value, str) else value)
        accepted = locked.signups.filter(state=SignupState.ACCEPTED).count()
        if locked.places is not None and locked.places < accepted:
            raise _bad(f"已录用 {accepted} 人，名额不能少于 {accepted}。", "places")
        validate(locked)
        _check_activity(locked)
        locked.save()
        require_scope(user, "change", locked)
        labels = [str(getattr(Activity._meta.get_field(n), "verbose_name", n)) for n in changed]
        record_event(locked, "edit", user, note="修改：" + "、".join(labels) if labels else "")
        _promote(locked, user)
    return locked


def publish(activity: Activity, *, user: User) -> Activity:
    with transaction.atomic():
        locked = WORKFLOW.lock(user, activity, "publish")
        if locked.ends_at <= timezone.now():
            raise _bad("活动结束时间已过，不能发布招募。", "ends_at")
        before = WORKFLOW.move(locked, "publish")
        locked.save()
        record_event(locked, "publish", user, state_from=before, state_to=locked.state,
                     text=f"发布招募：名额 {locked.places} 人")
    return locked


def _accounts(signups: Any) -> list[User]:
    return [s.volunteer.account for s in signups if s.volunteer.account_id]


def _promote(activity: Activity, user: Any) -> list[Signup]:
    """Move those waiting up, in order of sign-up, into the places free (activity locked)."""
    accepted = activity.signups.filter(state=SignupState.ACCEPTED).count()
    free = activity.places - accepted
    if free <= 0:
        return []
    moved = list(activity.signups.filter(state=SignupState.WAITING)
                 .select_related("volunteer__account").order_by("created_at", "id")[:free])
    now = timezone.now()
    for row in moved:
        row.state, row.decided_at = SignupState.ACCEPTED, now
        row.save(update_fields=["state", "decided_at"])
        record_event(activity, "promote", user, text=f"候补递补：{row.volunteer.name}")
    notify(_accounts(moved), f"候补转为录用：{activity.title}", url=activity.get_absolute_url(),
           body="有名额空出，您已由候补转为录用，请按时参加。", kind="volunteer")
    return moved


def signup(activity: Activity, *, user: User, now: datetime.datetime | None = None) -> Signup:
    """Sign the account up: accepted while places remain, else waiting in order. The
    activity's row is locked for the count, so simultaneous sign-ups never exceed the places."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = WORKFLOW.lock(user, activity, "signup")
        volunteer = ensure_volunteer(user=user)
        refusal = signup_refusal(locked, volunteer, now)
        if refusal:
            raise DomainError(refusal)
        accepted = locked.signups.filter(state=SignupState.ACCEPTED).count()
        state = SignupState.ACCEPTED if accepted < locked.places else SignupState.WAITING
        row = Signup(activity=locked, volunteer=volunteer, state=state, created_at=now,
                     decided_at=now if state == SignupState.ACCEPTED else None)
        row.save()
    return row


def cancel_signup(activity: Activity, *, user: User) -> Signup:
    """The volunteer gives their place (or their place in the queue) back; the first one
    waiting moves up. Once they have signed in, the pairs stay and the place too."""
    with transaction.atomic():
        locked = WORKFLOW.lock(user, activity, "cancel_signup")
        row = my_signup(locked, user=user)
        if row is None:
            raise DomainError("您没有报名该活动。")
        if row.checkins.exists():
            raise DomainError("您已签到，不能取消报名。")
        row.state, row.decided_at = SignupState.CANCELLED, timezone.now()
        row.save(update_fields=["state", "decided_at"])
        _promote(locked, user)
    return row


def decline(signup_row: Signup, *, user: User, reason: str) -> Signup:
    """The organiser does not take a volunteer (with the reason); the place goes to the first
    one waiting."""
    with transaction.atomic():
        require_scope(user, "change", signup_row)
        activity = Activity.objects.select_for_update().get(pk=signup_row.activity_id)
        require_scope(user, "change", activity)
        row = Signup.objects.select_related("volunteer__account").get(pk=signup_row.pk)
        if activity.state not in SIGNUP_OPEN:
            raise DomainError(f"活动当前为“{activity.get_state_display()}”，不能处理报名。")
        if row.state not in ACTIVE_SIGNUP:
            raise DomainError(f"该报名当前为“{row.get_state_display()}”，不能不予录用。")
        if row.checkins.exists():
            raise DomainError(f"{row.volunteer.name}已签到，不能不予录用。")
        reason = (reason or "").strip()
        if not reason:
            raise _bad("请填写不予录用的原因。", "reason")
        row.state, row.decided_at, row.decided_by = SignupState.DECLINED, timezone.now(), user
        row.note = reason[:200]
        row.save(update_fields=["state", "decided_at", "decided_by", "note"])
        record_event(activity, "decline", user, text=f"不予录用：{row.volunteer.name}",
                     note=reason)
        notify(_accounts([row]), f"报名未录用：{activity.title}", url=activity.get_absolute_url(),
               body=reason, kind="volunteer")
        _promote(activity, user)
    return row


SIGNUP_OPEN = (S.RECRUITING, S.IN_PROGRESS)


def start(activity: Activity, *, user: User) -> Activity:
    with transaction.atomic():
        locked = WORKFLOW.lock(user, activity, "start")
        before = WORKFLOW.move(locked, "start")
        locked.save()
        record_event(locked, "start", user, state_from=before, state_to=locked.state)
        accepted = locked.signups.filter(state=SignupState.ACCEPTED).select_related(
            "volunteer__account")
        notify(_accounts(accepted), f"活动开始：{locked.title}", url=locked.get_absolute_url(),
               body=f"请到{locked.place}扫描现场二维码签到。", kind="volunteer")
    return locked


# ---- check-in and check-out ------------------------------------------------------------------

def _scanned(activity: Activity, code: str, ticket: str, now: datetime.datetime) -> None:
    """The code scanned (or the ticket a scan gave) must be this activity's, and fresh."""
    if ticket:
        found = tokens.read_ticket(ticket)
        if found != activity.pk:
            raise _bad(tokens.OTHER, "code")
        return
    if not (code or "").strip():
        raise _bad("请扫描活动现场的签到二维码。", "code")
    tokens.activity_of_code(code, activity.pk, now)


def _accepted_signup(activity: Activity, volunteer: Volunteer | None) -> Signup:
    row = None
    if volunteer is not None:
        row = (Signup.objects.select_for_update()
               .filter(activity=activity, volunteer=volunteer, state__in=ACTIVE_SIGNUP).first())
    if row is None:
        raise DomainError("您没有报名该活动，不能签到。")
    if row.state != SignupState.ACCEPTED:
        raise DomainError("您在候补名单中，尚未录用，不能签到。")
    return row


def next_scan(activity: Activity, *, user: Any) -> str:
    """"checkout" when the volunteer has an open pair here, else "checkin"."""
    volunteer = volunteer_of(user=user)
    if volunteer is not None and CheckIn.objects.filter(
            activity=activity, volunteer=volunteer, out_at__isnull=True).exists():
        return "checkout"
    return "checkin"


def _open_pair(activity: Activity, volunteer: Volunteer) -> CheckIn | None:
    return (CheckIn.objects.filter(activity=activity, volunteer=volunteer, out_at__isnull=True)
            .order_by("-in_at").first())


def _add_pair(activity: Activity, row: Signup, at: datetime.datetime, *, user: Any,
              manual: bool = False, note: str = "") -> CheckIn:
    volunteer = row.volunteer
    if _open_pair(activity, volunteer) is not None:
        raise DomainError(f"{'您' if not manual else volunteer.name}已签到，尚未签退，"
                          "请先签退。")
    day = timezone.localtime(at).date()
    today = CheckIn.objects.filter(activity=activity, volunteer=volunteer, day=day).count()
    if not rules.may_add_pair(today):
        raise DomainError(f"同一天最多签到 {rules.setting('max_pairs_per_day')} 次，"
                          f"{'您' if not manual else volunteer.name}今天已签到签退 {today} 次。")
    pair = CheckIn(activity=activity, signup=row, volunteer=volunteer, day=day, in_at=at,
                   in_manual=manual, note=note[:200], recorded_by=user if manual else None)
    pair.save()
    if manual:
        audit.record("create", pair, after=audit.snapshot(pair),
                     detail=f"手工签到：{volunteer.name}，{timezone.localtime(at):%Y-%m-%d %H:%M}"
                            f"，原因：{note}")
    return pair


def _close(pair: CheckIn, at: datetime.datetime, *, user: Any, manual: bool = False,
           note: str = "") -> CheckIn:
    if at <= pair.in_at:
        raise _bad(f"签退时间须晚于签到时间 {timezone.localtime(pair.in_at):%H:%M}。", "out_at")
    before = audit.snapshot(pair)
    pair.out_at, pair.out_manual = at, manual
    if manual:
        pair.note = (f"{pair.note}；{note}" if pair.note else note)[:200]
        pair.recorded_by = user
    pair.save(update_fields=["out_at", "out_manual", "note", "recorded_by"])
    if manual:
        audit.record("update", pair, before=before, after=audit.snapshot(pair),
                     detail=f"手工签退：{pair.volunteer.name}，"
                            f"{timezone.localtime(at):%Y-%m-%d %H:%M}，原因：{note}")
    return pair


def checkin(activity: Activity, *, user: User, code: str = "", ticket: str = "",
            now: datetime.datetime | None = None) -> CheckIn:
    """Sign in with the code scanned at the activity (or the ticket a scan gave)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = WORKFLOW.lock(user, activity, "checkin")
        _scanned(locked, code, ticket, now)
        row = _accepted_signup(locked, volunteer_of(user=user))
        return _add_pair(locked, row, now, user=user)


def checkout(activity: Activity, *, user: User, code: str = "", ticket: str = "",
             now: datetime.datetime | None = None) -> CheckIn:
    """Sign out with the code scanned at the activity: closes the open pair."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = WORKFLOW.lock(user, activity, "checkout")
        _scanned(locked, code, ticket, now)
        row = _accepted_signup(locked, volunteer_of(user=user))
        pair = _open_pair(locked, row.volunteer)
        if pair is None:
            raise DomainError("您还没有签到，不能签退。")
        return _close(pair, now, user=user)


MANUAL_STATES = (S.IN_PROGRESS, S.ENDED)


def manual_entry(activity: Activity, *, user: User, volunteer: Volunteer, direction: str,
                 at: datetime.datetime, reason: str) -> CheckIn:
    """The organiser signs a volunteer in or out by hand (no phone, a code that would not
    scan): flagged manual, with the reason, in the audit log and the history. Allowed while
    the activity runs and after it ended, before the hours are reviewed."""
    with transaction.atomic():
        require_scope(user, "change", activity)
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        if locked.state not in MANUAL_STATES:
            raise DomainError(f"活动当前为“{locked.get_state_display()}”，不能手工签到或签退。")
        reason = (reason or "").strip()
        if not reason:
            raise _bad("请填写手工录入的原因。", "reason")
        if at > timezone.now():
            raise _bad("时间不能晚于现在。", "at")
        if direction not in ("in", "out"):
            raise _bad("请选择签到或签退。", "direction")
        row = (Signup.objects.select_for_update()
               .filter(activity=locked, volunteer=volunteer, state=SignupState.ACCEPTED).first())
        if row is None:
            raise _bad(f"{volunteer.name}不在本活动的录用名单中。", "volunteer")
        if direction == "in":
            pair = _add_pair(locked, row, at, user=user, manual=True, note=reason)
        else:
            found = _open_pair(locked, volunteer)
            if found is None:
                raise DomainError(f"{volunteer.name}还没有签到，不能签退。")
            pair = _close(found, at, user=user, manual=True, note=reason)
        record_event(locked, "manual", user,
                     text=f"手工{'签到' if direction == 'in' else '签退'}：{volunteer.name} "
                          f"{timezone.localtime(at):%m-%d %H:%M}", note=reason)
        if locked.state == S.ENDED:
            _write_record(locked, volunteer, user)
    return pair


def close_pair(pair: CheckIn, *, user: User, out_at: datetime.datetime,
               reason: str) -> CheckIn:
    """The organiser closes a pair left open (a missing sign-out), setting the time by hand."""
    return manual_entry(pair.activity, user=user, volunteer=pair.volunteer, direction="out",
                        at=out_at, reason=reason)


# ---- records and hours -----------------------------------------------------------------------

def hours_elsewhere(activity: Activity, volunteer: Volunteer,
                    days: Iterable[datetime.date]) -> dict[datetime.date, Decimal]:
    """The hours the volunteer's pairs earn on these days at their other activities whose
    records are written (the activity finished first keeps its hours): what comes off the
    daily cap for this one."""
    per_activity_day: dict[tuple[int, datetime.date], list] = {}
    for activity_id, day, in_at, out_at in (
            CheckIn.objects.filter(volunteer=volunteer, day__in=set(days),
                                   activity__records__volunteer=volunteer)
            .exclude(activity=activity).order_by()
            .values_list("activity_id", "day", "in_at", "out_at")):
        per_activity_day.setdefault((activity_id, day), []).append((in_at, out_at))
    already: dict[datetime.date, Decimal] = {}
    for (_activity_id, day), pairs in per_activity_day.items():
        already[day] = already.get(day, Decimal("0")) + rules.day_hours(pairs)
    return already


def _write_record(activity: Activity, volunteer: Volunteer, user: Any) -> ServiceRecord:
    pairs = list(CheckIn.objects.filter(activity=activity, volunteer=volunteer)
                 .values_list("day", "in_at", "out_at"))
    already = hours_elsewhere(activity, volunteer, (p[0] for p in pairs))
    raw, counted, open_pairs = rules.record_hours(pairs, already)
    date = min((p[0] for p in pairs), default=timezone.localtime(activity.starts_at).date())
    record = ServiceRecord.objects.filter(activity=activity, volunteer=volunteer).first()
    if record is None:
        record = ServiceRecord(activity=activity, volunteer=volunteer, org_id=activity.org_id)
    record.date, record.raw_hours, record.computed_hours = date, raw, counted
    record.open_pairs, record.recorded_by = open_pairs, user
    if not record.adjusted:
        record.hours = counted
    record.save()
    return record


def finish(activity: Activity, *, user: User) -> Activity:
    """The activity is over: each accepted volunteer who signed in gets a service record with
    the hours of their pairs (an open pair earns nothing until the organiser closes it); those
    who never signed in are marked absent."""
    with transaction.atomic():
        locked = WORKFLOW.lock(user, activity, "finish")
        before = WORKFLOW.move(locked, "finish")
        locked.save()
        accepted = list(locked.signups.filter(state=SignupState.ACCEPTED)
                        .select_related("volunteer"))
        present = set(CheckIn.objects.filter(activity=locked)
                      .values_list("volunteer_id", flat=True).distinct())
        for row in accepted:
            if row.volunteer_id in present:
                _write_record(locked, row.volunteer, user)
        absent = [r.pk for r in accepted if r.volunteer_id not in present]
        Signup.objects.filter(pk__in=absent).update(state=SignupState.ABSENT)
        Signup.objects.filter(activity=locked, state=SignupState.WAITING).update(
            state=SignupState.CANCELLED, note="活动结束，候补未录用")
        open_pairs = CheckIn.objects.filter(activity=locked, out_at__isnull=True).count()
        record_event(locked, "finish", user, state_from=before, state_to=locked.state,
                     text=f"结束活动：{len(present)} 人签到，{len(absent)} 人缺席"
                          + (f"，{open_pairs} 人未签退" if open_pairs else ""))
    return locked


def _hours(value: Any) -> Decimal:
    try:
        hours = Decimal(str(value).strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise _bad("时长须为数字（小时）。", "hours") from None
    if hours < 0:
        raise _bad("时长不能为负数。", "hours")
    return hours


def adjust(record: ServiceRecord, *, user: User, hours: Any, reason: str,
           evaluation: str = "") -> ServiceRecord:
    """Before the review: the organiser sets a record's hours (with the reason) and its
    evaluation. Hours above the days served times the daily cap are refused."""
    with transaction.atomic():
        require_scope(user, "change", record)
        activity = Activity.objects.select_for_update().get(pk=record.activity_id)
        if activity.state != S.ENDED:
            raise DomainError(f"活动当前为“{activity.get_state_display()}”，不能调整时长。")
        locked = ServiceRecord.objects.select_related("volunteer").get(pk=record.pk)
        value = _hours(hours)
        days = set(CheckIn.objects.filter(activity=activity, volunteer=locked.volunteer)
                   .values_list("day", flat=True)) or {record.date}
        daily = Decimal(str(rules.setting("daily_cap_hours")))
        elsewhere = hours_elsewhere(activity, locked.volunteer, days)
        cap = sum((max(Decimal("0"), daily - elsewhere.get(day, Decimal("0"))) for day in days),
                  Decimal("0"))
        if value > cap:
            taken = sum(elsewhere.values(), Decimal("0"))
            raise _bad(f"服务 {len(days)} 天最多计 {cap} 小时"
                       + (f"（当日在其他活动已计 {taken} 小时）。" if taken else "。"), "hours")
        reason = (reason or "").strip()
        changed = value != locked.hours
        if changed and not reason:
            raise _bad("调整时长须填写原因。", "reason")
        if evaluation and evaluation not in {"excellent", "good", "qualified"}:
            raise _bad("服务评价无效。", "evaluation")
        if changed:
            record_event(activity, "adjust", user,
                         text=f"调整时长：{locked.volunteer.name} {locked.hours} → {value} 小时",
                         note=reason)
            locked.hours, locked.adjusted, locked.adjust_reason = value, True, reason[:200]
        locked.evaluation = evaluation
        locked.save()
    return locked


def review(activity: Activity, *, user: User, beneficiaries_served: Any,
           note: str = "") -> Activity:
    """The organiser records the beneficiaries served and approves the hours as they stand
    (open pairs earn nothing: close them first to count them)."""
    with transaction.atomic():
        locked = WORKFLOW.lock(user, activity, "review")
        try:
            served = int(beneficiaries_served)
        except (TypeError, ValueError):
            raise _bad("请填写实际服务对象人数。", "beneficiaries_served") from None
        if served < 0:
            raise _bad("服务对象人数不能为负数。", "beneficiaries_served")
        before = WORKFLOW.move(locked, "review")
        locked.beneficiaries_served = served
        locked.review_note = (note or "").strip()[:500]
        locked.reviewed_by, locked.reviewed_at = user, timezone.now()
        locked.save()
        records = ServiceRecord.objects.filter(activity=locked)
        total = sum((r.hours for r in records), Decimal("0"))
        open_pairs = CheckIn.objects.filter(activity=locked, out_at__isnull=True).count()
        record_event(locked, "review", user, state_from=before, state_to=locked.state,
                     text=f"审核时长：{records.count()} 人次共 {total} 小时，服务对象 {served} 人",
                     note="；".join(filter(None, [
                         f"{open_pairs} 次签到未签退，不计时长" if open_pairs else "",
                         locked.review_note])))
    return locked


def publicize(activity: Activity, *, user: User) -> Activity:
    """Publicise the reviewed hours; they count once the publicity days are over
    (`counts_from`, also copied onto the records for the figures)."""
    with transaction.atomic():
        locked = WORKFLOW.lock(user, activity, "publicize")
        before = WORKFLOW.move(locked, "publicize")
        today = timezone.localdate()
        locked.publicity_days = int(rules.setting("publicity_days"))
        locked.publicised_on = today
        locked.counts_from = rules.counts_from(today, locked.publicity_days)
        locked.save()
        ServiceRecord.objects.filter(activity=locked).update(counts_from=locked.counts_from)
        refresh_rollup([locked.pk])
        record_event(locked, "publicize", user, state_from=before, state_to=locked.state,
                     text=f"公示 {locked.publicity_days} 天，{locked.counts_from:%Y-%m-%d} 起计入时长")
        records = ServiceRecord.objects.filter(activity=locked).select_related("volunteer__account")
        notify([r.volunteer.account for r in records if r.volunteer.account_id],
               f"服务时长公示：{locked.title}", url=locked.get_absolute_url(), kind="volunteer",
               body=f"公示期至 {locked.counts_from:%Y-%m-%d}，期满计入您的服务时长。")
    return locked


def cancel(activity: Activity, *, user: User, reason: str) -> Activity:
    with transaction.atomic():
        locked = WORKFLOW.lock(user, activity, "cancel")
        reason = (reason or "").strip()
        if not reason:
            raise _bad("请填写取消原因。", "reason")
        before = WORKFLOW.move(locked, "cancel")
        locked.cancel_reason = reason[:200]
        locked.save()
        record_event(locked, "cancel", user, state_from=before, state_to=locked.state,
                     text="取消活动", note=reason)
        rows = locked.signups.filter(state__in=ACTIVE_SIGNUP).select_related("volunteer__account")
        notify(_accounts(rows), f"活动已取消：{locked.title}", url=locked.get_absolute_url(),
               body=reason, kind="volunteer")
    return locked


# ---- the rollup the figures read -------------------------------------------------------------

ROLLUP_CHUNK = 500


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), ROLLUP_CHUNK):
        yield ordered[start:start + ROLLUP_CHUNK]


def refresh_rollup(activity_ids: Iterable[int]) -> None:
    """Make RecordTally and ServiceDays agree with the records of these activities again:
    called by every write of ServiceRecord (in this module, the ledger import, the demos; the
    synthetic city rebuilds them with `rebuild_rollup`). A record's volunteer never leaves its
    activity, so the volunteers read after the write are all those touched."""
    for chunk in _chunks(activity_ids):
        refresh_rollup_of(chunk, ServiceRecord.objects.filter(activity_id__in=chunk)
                          .values_list("volunteer_id", flat=True).distinct())


def refresh_rollup_of(activity_ids: Iterable[int], volunteer_ids: Iterable[int]) -> None:
    """Rewrite the tallies of these activities and the days of these volunteers."""
    for chunk in _chunks(activity_ids):
        _rewrite_tallies(chunk)
    refresh_service_days(volunteer_ids)


def _rewrite_tallies(activity_ids: list[int]) -> None:
    RecordTally.objects.filter(activity_id__in=activity_ids).delete()
    groups = (ServiceRecord.objects.filter(activity_id__in=activity_ids).order_by()
              .values("activity_id", "org_id", "date", "counts_from")
              .annotate(n=Count("id"), total=Sum("hours")))
    RecordTally.objects.bulk_create(
        [RecordTally(activity_id=g["activity_id"], org_id=g["org_id"], date=g["date"],
                     counts_from=g["counts_from"], records=g["n"], hours=g["total"])
         for g in groups], batch_size=1000)


def refresh_service_days(volunteer_ids: Iterable[int]) -> None:
    """Rewrite the ServiceDays rows of these volunteers from all their records, and move
    their bits in the people bitmaps."""
    for chunk in _chunks(volunteer_ids):
        before = people.service_day_rows(chunk)
        _rewrite_service_days(chunk)
        people.refresh(chunk, before)


def _rewrite_service_days(volunteer_ids: list[int]) -> None:
    ServiceDays.objects.filter(volunteer_id__in=volunteer_ids).delete()
    rows: dict[tuple[int, int, int], ServiceDays] = {}
    for volunteer_id, org_id, day in (ServiceRecord.objects.filter(volunteer_id__in=volunteer_ids)
                                      .order_by().values_list("volunteer_id", "org_id", "date")):
        row = rows.get((volunteer_id, org_id, day.year))
        if row is None:
            row = rows[volunteer_id, org_id, day.year] = ServiceDays(
                volunteer_id=volunteer_id, org_id=org_id, year=day.year)
        field = f"m{day.month:02d}"
        setattr(row, field, getattr(row, field) | (1 << (day.day - 1)))
    ServiceDays.objects.bulk_create(rows.values(), batch_size=1000)


# Set-based on PostgreSQL, for a city's records at once (the synthetic city, the migration).
_MONTH_BITS = ", ".join(
    f"bit_or(CASE WHEN extract(month FROM date) = {m} "
    f"THEN 1 << (extract(day FROM date)::int - 1) ELSE 0 END)" for m in range(1, 13))
REBUILD_ROLLUP_SQL = (
    "DELETE FROM volunteer_recordtally",
    "DELETE FROM volunteer_servicedays",
    "INSERT INTO volunteer_recordtally (activity_id, org_id, date, counts_from, records, hours)"
    " SELECT activity_id, org_id, date, counts_from, count(*), sum(hours)"
    " FROM volunteer_servicerecord GROUP BY 1, 2, 3, 4",
    "INSERT INTO volunteer_servicedays (volunteer_id, org_id, year, "
    + ", ".join(f"m{m:02d}" for m in range(1, 13)) + ")"
    f" SELECT volunteer_id, org_id, extract(year FROM date)::int, {_MONTH_BITS}"
    " FROM volunteer_servicerecord GROUP BY 1, 2, 3",
)


def rebuild_rollup(*, people_bits: bool = True) -> None:
    """Rebuild the whole rollup from the records (the people bitmaps too, unless a migration
    that predates them asks)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        RecordTally.objects.all().delete()
        ServiceDays.objects.all().delete()
        for chunk in _chunks(Activity.objects.filter(records__isnull=False)
                             .values_list("pk", flat=True).distinct()):
            _rewrite_tallies(chunk)
        for chunk in _chunks(ServiceRecord.objects.values_list("volunteer_id", flat=True)
                             .distinct()):
            _rewrite_service_days(chunk)
    else:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
            for statement in REBUILD_ROLLUP_SQL:
                cursor.execute(statement)
    if people_bits:
        people.rebuild()


# ---- a volunteer's totals and certificates -----------------------------------------------------

def counted_records(volunteer: Volunteer, on: datetime.date | None = None
                    ) -> QuerySet[ServiceRecord]:
    on = on or timezone.localdate()
    return ServiceRecord.objects.filter(volunteer=volunteer, counts_from__lte=on)


def total_hours(volunteer: Volunteer, on: datetime.date | None = None) -> Decimal:
    from .figures import hours_of

    return hours_of(counted_records(volunteer, on))


def issue_certificate(volunteer: Volunteer, *, user: User,
                      issuer: Organization) -> Certificate:
    """The certificate of the volunteer's counted service organised by `issuer` (谁记录谁证明):
    their hours, the activities, the period. Asked again with nothing new, the certificate
    already issued is returned, with its number."""
    with transaction.atomic():
        if volunteer.account_id != getattr(user, "pk", None):
            require_scope(user, "view", volunteer)
            require_scope(user, "view", issuer)
        locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        records = list(counted_records(locked).filter(org__path__startswith=issuer.path)
                       .select_related("activity").order_by("date", "id"))
        if not records:
            raise DomainError(f"您在“{issuer.name}”没有已计入的服务时长（公示期满后方可出具证明）。")
        ids = {r.pk for r in records}
        latest = (Certificate.objects.filter(volunteer=locked, issuer=issuer)
                  .order_by("-issued_on", "-id").first())
        if latest is not None and set(latest.records.values_list("pk", flat=True)) == ids:
            return latest
        hours = sum((r.hours for r in records), Decimal("0"))
        titles = list(dict.fromkeys(r.activity.title for r in records))
        content = "、".join(titles[:20]) + (f"等 {len(titles)} 项活动" if len(titles) > 20 else "")
        today = timezone.localdate()
        for _attempt in range(5):
            cert = Certificate(number=certificate_number(today.year), volunteer=locked,
                               issuer=issuer, issued_on=today, issued_by=user, hours=hours,
                               activity_count=len(records), first_date=records[0].date,
                               last_date=records[-1].date, content=content)
            try:
                with transaction.atomic():
                    cert.save()
                break
            except IntegrityError:  # the random number was taken: draw another
                continue
        else:
            raise DomainError("证明编号生成失败，请重试。")
        cert.records.set(records)
    return cert


def certificate_issuers(volunteer: Volunteer) -> list[tuple[Organization, Decimal, int]]:
    """(organiser, counted hours, activities) of the volunteer's counted service, for the
    certificates they may ask for."""
    rows: dict[int, list[Any]] = {}
    for record in counted_records(volunteer).select_related("org"):
        entry = rows.setdefault(record.org_id, [record.org, Decimal("0"), 0])
        entry[1] += record.hours
        entry[2] += 1
    return [(org, hours, n) for org, hours, n in rows.values()]


def open_activities(*, user: User) -> QuerySet[Activity]:
    """Activities recruiting near the account (its street), soonest first."""
    return (restrict(user, "signup", Activity).filter(state__in=SIGNUP_OPEN)
            .filter(Q(signup_deadline__isnull=True) | Q(signup_deadline__gt=timezone.now()))
            .select_related("org").order_by("starts_at", "id"))
