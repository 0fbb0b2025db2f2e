"""Every change to demands, resources and projects. Views and the API only call these.

The workflows are the tables of `workflows.py`: a step is taken only from the states it lists
and by whom the table grants it; anything else is refused with a Chinese message (409). Each
step locks the row, re-checks the user's scope for the step's action, writes the history
(`record_event`) and tells the people concerned.

Every public function takes the acting user keyword-only: `approve(project, user=…)`.
"""

import datetime
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any, cast

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from gongjian.core.access import can, grants_of, reach_orgs, restrict
from gongjian.core.images import clean_jpeg
from gongjian.core.models import Notification, User
from gongjian.core.notifications import notify, org_staff, unit_liaisons
from gongjian.core.services import DomainError, OutOfScope, require_scope, save_checked, validate
from gongjian.core.workflow import record_event
from gongjian.orgs.models import Grid, Organization, Unit, street_path

from .keywords import keywords_of, stored
from .models import (
    Demand,
    Project,
    ProjectClaim,
    ProjectEvent,
    ProjectPhoto,
    ProjectState,
    Resource,
    UnitRecord,
)
from .queries import liaison_unit
from .workflows import DEMAND_WORKFLOW, PROJECT_WORKFLOW, as_rows, waiting_steps

S = ProjectState

# The tables as step → (sources, target, action, label) rows.
TRANSITIONS = as_rows(PROJECT_WORKFLOW)
DEMAND_TRANSITIONS = as_rows(DEMAND_WORKFLOW)

# Days the owner of each state has for the next step (settings.PROJECT_STEP_DAYS overrides).
DEFAULT_STEP_DAYS: dict[str, int] = {S.DECLARED: 7, S.APPROVED: 15, S.CLAIMED: 10, S.DOCKED: 7,
                     S.EXECUTING: 60, S.ACCEPTED: 7}

def step_days(state: str) -> int:
    overrides = getattr(settings, "PROJECT_STEP_DAYS", {}) or {}
    return int(overrides.get(str(state), DEFAULT_STEP_DAYS.get(state, 0)))


def deadline_for(state: str, today: datetime.date | None = None) -> datetime.date | None:
    if state not in DEFAULT_STEP_DAYS:
        return None
    return (today or timezone.localdate()) + datetime.timedelta(days=step_days(state))


def project_url(project: Project) -> str:
    return reverse("project_detail", args=[project.pk])


def demand_url(demand: Demand) -> str:
    return reverse("demand_detail", args=[demand.pk])


def _now() -> datetime.datetime:
    return timezone.now()


def _actor_name(user: User | None, project: Project | None = None) -> str:
    """How the history names the acting side: the unit of a liaison, else the organisation
    of the user's grant that reaches the project, else the user's name."""
    grants = grants_of(user) if user is not None else ()
    for grant in grants:
        if grant.unit_id:
            return grant.unit.name
    if project is not None:
        path = project.org.path
        for grant in sorted((g for g in grants if g.org_id), key=lambda g: -g.org.depth):
            if path.startswith(grant.org.path):
                return grant.org.name
    return str(user) if user is not None else ""


def _record(project: Project, step: str, user: User | None, text: str, note: str = "", *,
            state_from: str = "", actor_name: str | None = None) -> ProjectEvent:
    name = actor_name if actor_name is not None else _actor_name(user, project)
    return cast(ProjectEvent, record_event(
        project, step, user, text=f"{name} {text}", note=note, state_from=state_from,
        state_to=project.state, actor_name=name))


def _require_text(value: str | None, field: str, label: str, max_length: int = 300) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(f"请填写{label}。", field=field, status=400)
    if len(value) > max_length:
        raise DomainError(f"{label}不能超过 {max_length} 字。", field=field, status=400)
    return value


def _self_org(user: User,
              role_names: Iterable[str] = ("resident", "member")) -> Organization | None:
    for grant in grants_of(user):
        if grant.role in role_names and grant.org_id:
            return grant.org
    return None


# ---- demands --------------------------------------------------------------------------------

def default_demand_org(*, user: User) -> Organization | None:
    """Where a demand posted by `user` belongs unless they choose: a resident's community, the
    organisation of a grid worker's or staff member's grant."""
    own = _self_org(user, ("resident",))
    if own is not None:
        return own
    orgs = reach_orgs(user, "add", Demand)
    return orgs[0] if orgs else None


def create_demand(*, user: User, org: Organization | None = None, grid: Grid | None = None,
                  category: str, title: str, description: str, place: str,
                  beneficiaries: int, urgency: str = "normal") -> Demand:
    own = _self_org(user, ("resident",))
    if own is not None and not reach_orgs(user, "add", Demand):
        org = own  # residents post for their own community only
    org = org or default_demand_org(user=user)
    if org is None:
        raise DomainError("请选择需求所属的社区。", field="org", status=400)
    demand = Demand(org=org, grid=grid, posted_by=user, category=category, title=title,
                    description=description, place=place, beneficiaries=beneficiaries,
                    urgency=urgency)
    demand.keywords = stored(keywords_of(title, description))
    save_checked(user, demand, "add")
    notify([u for u in org_staff(org, ("community_staff",)) if u != user],
           f"新的服务需求：{demand.title}", url=demand_url(demand), kind="demand",
           body=f"{demand.org.name} · {demand.get_category_display()} · "
                f"{demand.get_urgency_display()}")
    return demand


def demand_detail_ids(demands: Iterable[Demand], *, user: User) -> set[int]:
    """Which of `demands` `user` may read in full (poster, place, description, grid, notes):
    the poster, and staff who may act on the demand (accept or withdraw it). Others who
    reach a demand only to look for needs they can meet see its outline alone."""
    demands = list(demands)
    ids = {d.pk for d in demands}
    if not ids or user is None or not user.is_authenticated:
        return set()
    own = {d.pk for d in demands if d.posted_by_id == user.pk}
    rest = ids - own
    for action in ("change", "withdraw"):
        if rest:
            found = set(restrict(user, action, Demand).filter(pk__in=rest)
                        .values_list("pk", flat=True))
            own |= found
            rest -= found
    return own


def _move_demand(demand: Demand, step: str, user: User | None,
                 reason: str | None = None) -> Demand:
    """Move a (locked) demand by `step` of the table, or refuse (409) in Chinese. Demands keep
    no history of their own: who handled it, when, and why is on the row."""
    DEMAND_WORKFLOW.check(step, demand)
    DEMAND_WORKFLOW.move(demand, step)
    if reason is not None:
        demand.reason = reason
    demand.handled_at, demand.handled_by = _now(), user
    return demand


def _take_demand_step(demand: Demand, step: str, user: User,
                      reason: str | None = None) -> Demand:
    row = DEMAND_WORKFLOW.lock(user, demand, step)
    _move_demand(row, step, user, reason)
    row.save()
    return row


def accept_demand(demand: Demand, *, user: User) -> Demand:
    with transaction.atomic():
        demand = _take_demand_step(demand, "accept", user)
        notify([demand.posted_by], f"您的需求“{demand.title}”已受理", url=demand_url(demand),
               kind="demand")
    return demand


def decline_demand(demand: Demand, *, user: User, reason: str = "") -> Demand:
    reason = _require_text(reason, "reason", "不予受理的原因")
    with transaction.atomic():
        demand = _take_demand_step(demand, "decline", user, reason)
        notify([demand.posted_by], f"您的需求“{demand.title}”不予受理", body=reason,
               url=demand_url(demand), kind="demand")
    return demand


def withdraw_demand(demand: Demand, *, user: User, reason: str = "") -> Demand:
    with transaction.atomic():
        return _take_demand_step(demand, "withdraw", user, (reason or "").strip()[:300])


# The demand table's steps under their own names, for the page and the API (a project has
# steps named "accept" and "withdraw" too).
DEMAND_STEPS = SimpleNamespace(accept=accept_demand, decline=decline_demand,
                               withdraw=withdraw_demand)


def _reopen_demands(project: Project, user: User, why: str) -> list[Demand]:
    """A rejected or withdrawn project gives its source demands back: open again, unlinked,
    with the reason kept on the demand (demands have no history of their own)."""
    rows = list(Demand.objects.select_for_update(of=("self",))
                .filter(project=project, state__in=DEMAND_WORKFLOW["reopen"].sources))
    note = f"所转项目“{project.title}”已{project.get_state_display()}：{why}"[:300]
    for demand in rows:
        _move_demand(demand, "reopen", user, note)
        demand.project = None
        demand.save()
    if rows:
        notify([d.posted_by for d in rows if d.posted_by_id != getattr(user, "pk", None)],
               f"您的需求已重新待受理（项目“{project.title}”{project.get_state_display()}）",
               url=demand_url(rows[0]) if len(rows) == 1 else reverse("demand_list"),
               kind="demand", body=why)
    return rows


# ---- resources ------------------------------------------------------------------------------

RESOURCE_FIELDS = ("category", "title", "description", "capacity", "available_text",
                   "available_from", "available_until", "address", "active")


def create_resource(*, user: User, unit: Unit | None = None, **fields: Any) -> Resource:
    own = liaison_unit(user)
    if own is not None:
        unit = own  # a liaison offers their own unit's resources
    if unit is None:
        raise DomainError("请选择提供资源的单位。", field="unit", status=400)
    resource = Resource(unit=unit, created_by=user,
                        **{k: v for k, v in fields.items() if k in RESOURCE_FIELDS})
    if not resource.address:
        resource.address = unit.address
    resource.keywords = stored(keywords_of(resource.title, resource.description))
    return save_checked(user, resource, "add")


def update_resource(resource: Resource, *, user: User, **changes: Any) -> Resource:
    with transaction.atomic():
        row = (restrict(user, "change", Resource).select_for_update(of=("self",))
               .filter(pk=resource.pk).first())
        if row is None:
            raise OutOfScope()
        for field, value in changes.items():
            if field in RESOURCE_FIELDS:
                setattr(row, field, value)
        row.keywords = stored(keywords_of(row.title, row.description))
        save_checked(user, row, "change")
    return row


# ---- projects: creation ---------------------------------------------------------------------

def _todo_key(project: Project, step: str) -> str:
    """The key of a notification asking for `step` of this project (settled once the project
    no longer waits for it, see `_settle`)."""
    return f"project:{project.pk}:todo:{step}"


def create_project(*, user: User, title: str, category: str, description: str,
                   org: Organization | None = None, target_beneficiaries: int | None = None,
                   planned_start: datetime.date | None = None,
                   planned_end: datetime.date | None = None,
                   demands: Iterable[Demand] = ()) -> Project:
    """Declare a project (申报), from one or more open demands or directly."""
    demands = list(demands)
    with transaction.atomic():
        if demands:
            ids = [d.pk for d in demands]
            rows = list(restrict(user, "change", Demand).select_for_update(of=("self",))
                        .filter(pk__in=ids).select_related("org"))
            if len(rows) != len(set(ids)):
                raise DomainError("所选需求不存在或不在您的管理范围内。", field="demands",
                                  status=400)
            closed = [d.title for d in rows
                      if not DEMAND_WORKFLOW.allows("project", d.state)]
            if closed:
                raise DomainError(f"需求“{closed[0]}”已处理，不能再转为项目。", field="demands")
            demands = rows
            org = org or demands[0].org
            if target_beneficiaries in (None, ""):
                target_beneficiaries = sum(d.beneficiaries for d in demands)
        if org is None:
            reach = reach_orgs(user, "add", Project)
            org = reach[0] if len(reach) == 1 else None
        if org is None:
            raise DomainError("请选择申报项目的社区。", field="org", status=400)
        if target_beneficiaries in (None, ""):
            raise DomainError("请填写计划受益人数。", field="target_beneficiaries", status=400)
        project = Project(title=title, category=category, description=description, org=org,
                          target_beneficiaries=target_beneficiaries, planned_start=planned_start,
                          planned_end=planned_end, created_by=user, declared_at=_now(),
                          state=S.DECLARED, step_deadline=deadline_for(S.DECLARED))
        save_checked(user, project, "add")
        for demand in demands:
            _move_demand(demand, "project", user)
            demand.project = project
            demand.save()
        note = "；".join(f"来自需求“{d.title}”" for d in demands)
        _record(project, "declare", user, "申报了该项目", note)
        notify(org_staff(project.org, ("street_staff",)), f"待立项：{project.title}",
               url=project_url(project), kind="project", key=_todo_key(project, "approve"),
               body=f"{project.org.name}申报，请在 {project.step_deadline:%Y-%m-%d} 前审核。")
        notify([d.posted_by for d in demands if d.posted_by != user],
               f"您的需求已转为项目“{project.title}”", url=project_url(project), kind="demand")
    return project


# ---- projects: the workflow -----------------------------------------------------------------

def _lock(user: User, project: Project, step: str) -> Project:
    """The table's lock (reach for the step, row lock, state, guard). A project the user sees
    but cannot take the step on in this state (a liaison's project after the meeting) is a
    refused step (409), not a missing object."""
    try:
        return PROJECT_WORKFLOW.lock(user, project, step)
    except OutOfScope:
        action = PROJECT_WORKFLOW[step].action
        seen = restrict(user, "view", Project).filter(pk=project.pk).first()
        if seen is not None and action is not None and can(user, action, Project) \
                and not PROJECT_WORKFLOW.allows(step, seen.state):
            raise DomainError(PROJECT_WORKFLOW.refuse(step, seen)) from None
        raise


def _claim_liaisons(project: Project) -> list[User]:
    units = [c.unit for c in project.claims.select_related("unit")]
    return [u for unit in units for u in unit_liaisons(unit)]


def _tell(project: Project, user: User, title: str, *, street: bool = False,
          community: bool = True, units: bool = True, extra: Iterable[User | None] = (),
          body: str = "") -> None:
    people = list(extra)
    if community:
        people += org_staff(project.org, ("community_staff",))
    if street:
        people += org_staff(project.org, ("street_staff",))
    if units:
        people += _claim_liaisons(project)
    notify([p for p in people if p != user], title, url=project_url(project), kind="project",
           body=body)


def _move(project: Project, step: str) -> str:
    """Take the table's step on a locked project: its state and the new step's deadline."""
    before = PROJECT_WORKFLOW.move(project, step)
    project.step_deadline = deadline_for(project.state)
    return before


def _save(project: Project) -> None:
    """Save a project after a step, carry its state and deadline to its claims, and settle
    the reminders that no longer ask anything."""
    project.save()
    project.claims.update(org=project.org, state=project.state,
                          step_deadline=project.step_deadline)
    _settle(project)


def _settle(project: Project) -> None:
    """Mark read the project's to-do notifications for steps it no longer waits for ("待立项"
    once approved) and its deadline reminders of states it has left: an unread notification
    never asks for a step already taken."""
    prefix = f"project:{project.pk}:"
    waiting = [_todo_key(project, s.name) for s in waiting_steps(project)]
    (Notification.objects.filter(key__startswith=prefix, read_at__isnull=True)
     .exclude(key__startswith=f"{prefix}{project.state}:").exclude(key__in=waiting)
     .update(read_at=_now()))


def _street_liaisons(project: Project) -> list[User]:
    """The liaisons of the units located in the project's street."""
    units = (Unit.objects.filter(org__path__startswith=street_path(project.org),
                                 grants__role="unit_liaison").distinct().order_by("code"))
    return [u for unit in units for u in unit_liaisons(unit)]


def approve(project: Project, *, user: User, note: str = "") -> Project:
    with transaction.atomic():
        project = _lock(user, project, "approve")
        before = _move(project, "approve")
        project.approved_at = _now()
        _save(project)
        _record(project, "approve", user, "批准立项", note, state_from=before)
        _tell(project, user, f"项目已立项：{project.title}", extra=[project.created_by],
              body=f"开放驻区单位认领，认领期限 {project.step_deadline:%Y-%m-%d}。")
        # The units of the street learn there is a project for them to claim.
        notify(_street_liaisons(project), f"新项目待认领：{project.title}",
               url=project_url(project), kind="project", key=_todo_key(project, "claim"),
               body=f"{project.org.name} · {project.get_category_display()}，"
                    f"认领期限 {project.step_deadline:%Y-%m-%d}。")
    return project


def _reopened_note(reason: str, demands: list[Demand]) -> str:
    if not demands:
        return reason
    return reason + "；来源需求" + "、".join(f"“{d.title}”" for d in demands) + "已重新待受理"


def reject(project: Project, *, user: User, reason: str = "") -> Project:
    reason = _require_text(reason, "reason", "驳回原因")
    with transaction.atomic():
        project = _lock(user, project, "reject")
        before = _move(project, "reject")
        project.reason = reason
        _save(project)
        reopened = _reopen_demands(project, user, reason)
        _record(project, "reject", user, "驳回了该项目", _reopened_note(reason, reopened),
                state_from=before)
        _tell(project, user, f"项目被驳回：{project.title}", extra=[project.created_by],
              body=reason, units=False)
    return project


def _whole(value: Any, field: str, message: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DomainError(message, field=field, status=400) from None


def claim(project: Project, *, user: User, share: int, unit: Unit | None = None,
          resource: Resource | None = None, uses: int = 0, note: str = "") -> ProjectClaim:
    """A unit takes a share (%) of an approved project; shares add up to at most 100."""
    share = _whole(share, "share", "认领份额须为 1–100 的整数。")
    if not 1 <= share <= 100:
        raise DomainError("认领份额须为 1–100%。", field="share", status=400)
    uses = _whole(uses or 0, "uses", "占用资源须为不小于 0 的整数。")
    if uses < 0:
        raise DomainError("占用资源不能为负数。", field="uses", status=400)
    own = liaison_unit(user)
    if own is not None:
        unit = own  # a liaison claims for their own unit only
    if unit is None:
        raise DomainError("请选择认领单位。", field="unit", status=400)
    with transaction.atomic():
        project = _lock(user, project, "claim")
        if own is None and not restrict(user, "view", Unit).filter(pk=unit.pk).exists():
            raise DomainError("所选单位不在您的管理范围内。", field="unit", status=400)
        if street_path(unit.org) != street_path(project.org):
            raise DomainError(f"“{unit.name}”不在本项目所在街道，不能认领。", field="unit")
        if project.claims.filter(unit=unit).exists():
            raise DomainError(f"“{unit.name}”已认领本项目。")
        if project.claimed_share + share > 100:
            raise DomainError(f"认领份额合计不能超过 100%（已认领 {project.claimed_share}%，"
                              f"本次 {share}%）。", field="share")
        if resource is not None:
            res = Resource.objects.select_for_update().filter(pk=resource.pk).first()
            if res is None or res.unit_id != unit.pk or not res.active:
                raise DomainError("投入资源须为本单位有效的服务资源。", field="resource",
                                  status=400)
            if uses > res.remaining:
                raise DomainError(f"“{res.title}”剩余容量只有 {res.remaining} 人次。",
                                  field="uses")
            Resource.objects.filter(pk=res.pk).update(committed=F("committed") + uses)
        claim_row = ProjectClaim(project=project, unit=unit, share=share, resource=resource,
                                 org=project.org, state=project.state,
                                 step_deadline=project.step_deadline,
                                 uses=uses if resource is not None else 0,
                                 note=(note or "")[:300], claimed_by=user)
        validate(claim_row)
        try:
            with transaction.atomic():
                claim_row.save()
        except IntegrityError:
            raise DomainError(f"“{unit.name}”已认领本项目。") from None
        before = project.state
        project.claimed_share += share
        if before == S.APPROVED:  # the first claim; later ones keep the state and deadline
            _move(project, "claim")
        _save(project)
        _record(project, "claim", user, f"认领了该项目 {share}%", note, state_from=before,
                actor_name=unit.name)
        _tell(project, user, f"{unit.name} 认领了项目“{project.title}”{share}%",
              body=f"已认领合计 {project.claimed_share}%。")
    return claim_row


def dock(project: Project, *, user: User, date: datetime.date | None, place: str,
         plan: str) -> Project:
    place = _require_text(place, "place", "对接地点", 200)
    plan = _require_text(plan, "plan", "实施方案", 4000)
    if date is None:
        raise DomainError("请填写对接日期。", field="date", status=400)
    with transaction.atomic():
        project = _lock(user, project, "dock")
        before = _move(project, "dock")
        project.dock_date, project.dock_place, project.dock_plan = date, place, plan
        _save(project)
        _record(project, "dock", user, f"记录了对接：{date:%Y-%m-%d} 于{place}", plan,
                state_from=before)
        _tell(project, user, f"项目已完成对接：{project.title}",
              body=f"{date:%Y-%m-%d} {place}")
    return project


def start(project: Project, *, user: User, note: str = "") -> Project:
    with transaction.atomic():
        project = _lock(user, project, "start")
        before = _move(project, "start")
        if project.planned_end and project.planned_end > timezone.localdate():
            project.step_deadline = project.planned_end
        project.started_at = _now()
        _save(project)
        _record(project, "start", user, "开始执行", note, state_from=before)
        _tell(project, user, f"项目开始执行：{project.title}")
    return project


MAX_PHOTOS = 9


def progress(project: Project, *, user: User, text: str,
             photos: Iterable[UploadedFile] = ()) -> ProjectEvent:
    text = _require_text(text, "text", "进展情况", 2000)
    photos = list(photos)
    if len(photos) > MAX_PHOTOS:
        raise DomainError(f"一次最多上传 {MAX_PHOTOS} 张照片。", field="photos", status=400)
    # Checked and re-encoded (metadata dropped) before anything is written.
    images = [clean_jpeg(p, field="photos") for p in photos]
    with transaction.atomic():
        project = _lock(user, project, "progress")
        event = _record(project, "progress", user,
                        "填报了进展" + (f"（{len(photos)} 张照片）" if photos else ""), text,
                        state_from=project.state)
        kept: list[str] = []
        try:
            for data in images:
                photo = ProjectPhoto(project=project, event=event, content_type="image/jpeg",
                                     uploaded_by=user)
                photo.image.save("photo.jpg", ContentFile(data), save=False)
                kept.append(str(photo.image.name))
                photo.save()
        except Exception:
            for name in kept:  # a rolled-back row must not leave its file behind
                ProjectPhoto.image.field.storage.delete(name)
            raise
        _tell(project, user, f"项目有新进展：{project.title}", body=text[:200])
    return event


def accept(project: Project, *, user: User, rating: int, beneficiary_count: int,
           comment: str = "") -> Project:
    rating = _whole(rating, "rating", "群众评分须为 1–5 分。")
    if not 1 <= rating <= 5:
        raise DomainError("群众评分须为 1–5 分。", field="rating", status=400)
    beneficiary_count = _whole(beneficiary_count, "beneficiary_count", "请填写实际受益人数。")
    if not 0 <= beneficiary_count <= 1_000_000:
        raise DomainError("实际受益人数须为 0–1,000,000。", field="beneficiary_count",
                          status=400)
    with transaction.atomic():
        project = _lock(user, project, "accept")
        before = _move(project, "accept")
        project.rating, project.beneficiary_count = rating, beneficiary_count
        project.acceptance_comment = (comment or "").strip()[:2000]
        project.accepted_at = _now()
        _save(project)
        for unit_id in project.claims.values_list("unit_id", flat=True):
            record, _ = UnitRecord.objects.select_for_update().get_or_create(unit_id=unit_id)
            UnitRecord.objects.filter(pk=record.pk).update(
                projects_done=F("projects_done") + 1, rating_sum=F("rating_sum") + rating,
                rating_count=F("rating_count") + 1)
        _record(project, "accept", user,
                f"组织验收：群众评分 {rating} 分，受益 {beneficiary_count} 人",
                project.acceptance_comment, state_from=before)
        _tell(project, user, f"项目已验收：{project.title}", street=True,
              body=f"群众评分 {rating} 分，受益 {beneficiary_count} 人。")
    return project


def close(project: Project, *, user: User, note: str = "") -> Project:
    with transaction.atomic():
        project = _lock(user, project, "close")
        before = _move(project, "close")
        project.closed_at = _now()
        _save(project)
        _record(project, "close", user, "办理结项", note, state_from=before)
        _tell(project, user, f"项目已结项：{project.title}", extra=[project.created_by])
    return project


def withdraw(project: Project, *, user: User, reason: str = "") -> Project:
    reason = _require_text(reason, "reason", "撤回原因")
    with transaction.atomic():
        project = _lock(user, project, "withdraw")
        released = list(project.claims.filter(resource__isnull=False, uses__gt=0)
                        .values_list("resource_id", "uses"))
        for resource_id, uses in released:  # the units' committed capacity is free again
            Resource.objects.filter(pk=resource_id).update(committed=F("committed") - uses)
        before = _move(project, "withdraw")
        project.reason = reason
        _save(project)
        reopened = _reopen_demands(project, user, reason)
        _record(project, "withdraw", user, "撤回了该项目", _reopened_note(reason, reopened),
                state_from=before)
        _tell(project, user, f"项目已撤回：{project.title}", body=reason,
              street=True, extra=[project.created_by])
    return project


# The project table's steps by name (the page and the API look them up on this module).
STEP_FUNCTIONS = {step.name: globals()[step.name] for step in PROJECT_WORKFLOW}


def photo_for(pk: int, *, user: User) -> ProjectPhoto:
    photo = restrict(user, "view", ProjectPhoto).filter(pk=pk).first()
    if photo is None:
        raise OutOfScope()
    require_scope(user, "view", photo.project)
    return photo
