"""Every change to demands, resources and projects. Views and the API only call these.

The project workflow is the table TRANSITIONS: a step is allowed only from the states it
lists; anything else is refused with a Chinese message (409). Each step locks the project
row, re-checks the user's scope for the step's action, writes a ProjectEvent and tells the
people concerned.
"""

import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from gongjian.core.access import grants_of, reach_orgs, restrict
from gongjian.core.images import clean_jpeg
from gongjian.core.notifications import notify, org_staff, unit_liaisons
from gongjian.core.services import DomainError, OutOfScope, require_scope, save_checked, validate
from gongjian.orgs.models import Unit, street_path

from .keywords import keywords_of, stored
from .models import (
    Demand,
    DemandState,
    Project,
    ProjectClaim,
    ProjectEvent,
    ProjectPhoto,
    ProjectState,
    Resource,
    UnitRecord,
)

S = ProjectState

# Days the owner of each state has for the next step (settings.PROJECT_STEP_DAYS overrides).
DEFAULT_STEP_DAYS = {S.DECLARED: 7, S.APPROVED: 15, S.CLAIMED: 10, S.DOCKED: 7,
                     S.EXECUTING: 60, S.ACCEPTED: 7}
# Who must act in each state, and what they must do.
STEP_OWNERS = {S.DECLARED: "街道党建办", S.APPROVED: "驻区单位", S.CLAIMED: "社区党组织",
               S.DOCKED: "认领单位", S.EXECUTING: "认领单位", S.ACCEPTED: "社区党组织"}
NEXT_STEP = {S.DECLARED: "立项", S.APPROVED: "认领", S.CLAIMED: "对接", S.DOCKED: "开始执行",
             S.EXECUTING: "验收", S.ACCEPTED: "结项"}

# step → (states it may start from, state it leads to, access action, label)
TRANSITIONS = {
    "approve": ({S.DECLARED}, S.APPROVED, "approve", "立项"),
    "reject": ({S.DECLARED}, S.REJECTED, "approve", "驳回"),
    "claim": ({S.APPROVED, S.CLAIMED}, S.CLAIMED, "claim", "认领"),
    "dock": ({S.CLAIMED}, S.DOCKED, "dock", "对接"),
    "start": ({S.DOCKED}, S.EXECUTING, "start", "开始执行"),
    "progress": ({S.EXECUTING}, S.EXECUTING, "progress", "填报进展"),
    "accept": ({S.EXECUTING}, S.ACCEPTED, "accept", "验收"),
    "close": ({S.ACCEPTED}, S.CLOSED, "close", "结项"),
    "withdraw": ({S.DECLARED, S.APPROVED, S.CLAIMED, S.DOCKED}, S.WITHDRAWN, "withdraw", "撤回"),
}
_BEFORE_EXECUTION = {S.DECLARED, S.APPROVED, S.CLAIMED, S.DOCKED}
_FINISHED = {S.REJECTED, S.WITHDRAWN, S.CLOSED}


def step_days(state) -> int:
    overrides = getattr(settings, "PROJECT_STEP_DAYS", {}) or {}
    return int(overrides.get(str(state), DEFAULT_STEP_DAYS.get(state, 0)))


def deadline_for(state, today=None):
    if state not in DEFAULT_STEP_DAYS:
        return None
    return (today or timezone.localdate()) + datetime.timedelta(days=step_days(state))


def refusal(step, project) -> str:
    """Why `step` cannot be taken from the project's current state (Chinese)."""
    state = project.state
    if state in _FINISHED:
        return f"项目已{project.get_state_display()}，不能再{TRANSITIONS[step][3]}。"
    specific = {
        "approve": "项目已立项，不能重复立项。",
        "reject": "项目已立项，不能再驳回；如需终止请撤回。",
        "claim": "项目尚未立项，不能认领。" if state == S.DECLARED
        else "项目已完成对接，不再接受认领。",
        "dock": "项目尚未立项，不能对接。" if state == S.DECLARED
        else "项目还没有单位认领，不能对接。" if state == S.APPROVED
        else "项目已完成对接。",
        "start": "项目尚未完成对接，不能开始执行。" if state in _BEFORE_EXECUTION
        else "项目已开始执行。",
        "progress": "项目尚未开始执行，不能填报进展。" if state in _BEFORE_EXECUTION
        else "项目已验收，不能再填报进展。",
        "accept": "项目尚未执行，不能验收。" if state in _BEFORE_EXECUTION
        else "项目已验收，不能重复验收。",
        "close": "项目尚未验收，不能结项。",
        "withdraw": "项目已开始执行，不能撤回。",
    }
    return specific[step]


def project_url(project):
    return reverse("project_detail", args=[project.pk])


def demand_url(demand):
    return reverse("demand_detail", args=[demand.pk])


def _now():
    return timezone.now()


def _actor_label(user, project=None):
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


def _event(project, user, step, text, note="", actor_label=None, at=None):
    return ProjectEvent.objects.create(
        project=project, actor=user, step=step, text=text, note=note, at=at or _now(),
        actor_label=actor_label if actor_label is not None else _actor_label(user, project))


def _require_text(value, field, label, max_length=300):
    value = (value or "").strip()
    if not value:
        raise DomainError(f"请填写{label}。", field=field, status=400)
    if len(value) > max_length:
        raise DomainError(f"{label}不能超过 {max_length} 字。", field=field, status=400)
    return value


def _user_unit(user):
    for grant in grants_of(user):
        if grant.role == "unit_liaison" and grant.unit_id:
            return grant.unit
    return None


def _self_org(user, role_names=("resident", "member")):
    for grant in grants_of(user):
        if grant.role in role_names and grant.org_id:
            return grant.org
    return None


# ---- demands --------------------------------------------------------------------------------

def default_demand_org(user):
    """Where a demand posted by `user` belongs unless they choose: a resident's community, the
    organisation of a grid worker's or staff member's grant."""
    own = _self_org(user, ("resident",))
    if own is not None:
        return own
    orgs = reach_orgs(user, "add", Demand)
    return orgs[0] if orgs else None


def create_demand(user, *, org=None, grid=None, category, title, description, place,
                  beneficiaries, urgency="normal"):
    own = _self_org(user, ("resident",))
    if own is not None and not reach_orgs(user, "add", Demand):
        org = own  # residents post for their own community only
    org = org or default_demand_org(user)
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


D = DemandState
# demand step → (states it may start from, state it leads to, access action, label).
# "reopen" is taken by the system, not a user: a project that is rejected or withdrawn sends
# its source demands back to be handled again.
DEMAND_TRANSITIONS = {
    "accept": ({D.OPEN}, D.ACCEPTED, "change", "受理"),
    "decline": ({D.OPEN, D.ACCEPTED}, D.DECLINED, "change", "不予受理"),
    "withdraw": ({D.OPEN, D.ACCEPTED}, D.WITHDRAWN, "withdraw", "撤回"),
    "project": ({D.OPEN, D.ACCEPTED}, D.PROJECT, "change", "转为项目"),
    "reopen": ({D.PROJECT}, D.OPEN, None, "重新受理"),
}


def demand_detail_ids(user, demands) -> set[int]:
    """Which of `demands` `user` may read in full (poster, place, description, grid, notes):
    the poster, and staff who may act on the demand (accept or withdraw it). Others who
    reach a demand only to look for needs they can meet see its outline alone."""
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


def _demand_step(demand, step, user, reason=None):
    """Move a locked demand by `step` of DEMAND_TRANSITIONS, or refuse (409) in Chinese."""
    allowed, target, _action, label = DEMAND_TRANSITIONS[step]
    if demand.state not in allowed:
        raise DomainError(f"需求当前为“{demand.get_state_display()}”，不能{label}。")
    demand.state = target
    if reason is not None:
        demand.reason = reason
    demand.handled_at, demand.handled_by = _now(), user
    return demand


def _locked_demand(user, demand, step):
    action = DEMAND_TRANSITIONS[step][2]
    row = (restrict(user, action, Demand).select_for_update(of=("self",))
           .filter(pk=demand.pk).select_related("org").first())
    if row is None:
        raise OutOfScope()
    return row


def accept_demand(user, demand):
    with transaction.atomic():
        demand = _demand_step(_locked_demand(user, demand, "accept"), "accept", user)
        demand.save()
        notify([demand.posted_by], f"您的需求“{demand.title}”已受理", url=demand_url(demand),
               kind="demand")
    return demand


def decline_demand(user, demand, reason):
    reason = _require_text(reason, "reason", "不予受理的原因")
    with transaction.atomic():
        demand = _demand_step(_locked_demand(user, demand, "decline"), "decline", user, reason)
        demand.save()
        notify([demand.posted_by], f"您的需求“{demand.title}”不予受理", body=reason,
               url=demand_url(demand), kind="demand")
    return demand


def withdraw_demand(user, demand, reason=""):
    with transaction.atomic():
        demand = _demand_step(_locked_demand(user, demand, "withdraw"), "withdraw", user,
                              (reason or "").strip()[:300])
        demand.save()
    return demand


def _reopen_demands(project, user, why):
    """A rejected or withdrawn project gives its source demands back: open again, unlinked,
    with the reason kept on the demand (demands have no history of their own)."""
    rows = list(Demand.objects.select_for_update(of=("self",))
                .filter(project=project, state__in=DEMAND_TRANSITIONS["reopen"][0]))
    note = f"所转项目“{project.title}”已{project.get_state_display()}：{why}"[:300]
    for demand in rows:
        _demand_step(demand, "reopen", user, note)
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


def create_resource(user, *, unit=None, **fields):
    own = _user_unit(user)
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


def update_resource(user, resource, **changes):
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

def create_project(user, *, title, category, description, org=None, target_beneficiaries=None,
                   planned_start=None, planned_end=None, demands=()):
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
            closed = [d.title for d in rows if d.state not in DEMAND_TRANSITIONS["project"][0]]
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
            _demand_step(demand, "project", user)
            demand.project = project
            demand.save()
        note = "；".join(f"来自需求“{d.title}”" for d in demands)
        _event(project, user, "declare", f"{_actor_label(user, project)} 申报了该项目", note)
        notify(org_staff(project.org, ("street_staff",)), f"待立项：{project.title}",
               url=project_url(project), kind="project",
               body=f"{project.org.name}申报，请在 {project.step_deadline:%Y-%m-%d} 前审核。")
        notify([d.posted_by for d in demands if d.posted_by != user],
               f"您的需求已转为项目“{project.title}”", url=project_url(project), kind="demand")
    return project


# ---- projects: the workflow -----------------------------------------------------------------

def _locked(user, project, step):
    allowed, _target, action, _label = TRANSITIONS[step]
    row = (restrict(user, action, Project).select_for_update(of=("self",))
           .filter(pk=project.pk).select_related("org").first())
    if row is None:
        # Visible but not actionable in this state (a liaison on a project not yet approved)
        # is a refused step, not a missing object.
        visible = (restrict(user, "view", Project).filter(pk=project.pk)
                   .select_related("org").first())
        if visible is not None and visible.state not in allowed \
                and _holds_action(user, action):
            raise DomainError(refusal(step, visible))
        raise OutOfScope()
    if row.state not in allowed:
        raise DomainError(refusal(step, row))
    return row


def _holds_action(user, action):
    from gongjian.core.access import can

    return can(user, action, Project)


def _claim_liaisons(project):
    units = [c.unit for c in project.claims.select_related("unit")]
    return [u for unit in units for u in unit_liaisons(unit)]


def _community_staff(project):
    return org_staff(project.org, ("community_staff",))


def _tell(project, user, title, *, street=False, community=True, units=True, extra=(),
          body=""):
    people = list(extra)
    if community:
        people += _community_staff(project)
    if street:
        people += org_staff(project.org, ("street_staff",))
    if units:
        people += _claim_liaisons(project)
    notify([p for p in people if p != user], title, url=project_url(project), kind="project",
           body=body)


def _move(project, state):
    project.state = state
    project.step_deadline = deadline_for(state)


def _save(project):
    """Save a project after a step and carry its state and deadline to its claims."""
    project.save()
    project.claims.update(org=project.org, state=project.state,
                          step_deadline=project.step_deadline)


def approve(user, project, note=""):
    with transaction.atomic():
        project = _locked(user, project, "approve")
        _move(project, S.APPROVED)
        project.approved_at = _now()
        _save(project)
        _event(project, user, "approve", f"{_actor_label(user, project)} 批准立项", note)
        _tell(project, user, f"项目已立项：{project.title}", extra=[project.created_by],
              body=f"开放驻区单位认领，认领期限 {project.step_deadline:%Y-%m-%d}。")
    return project


def _reopened_note(reason, demands):
    if not demands:
        return reason
    return reason + "；来源需求" + "、".join(f"“{d.title}”" for d in demands) + "已重新待受理"


def reject(user, project, reason):
    reason = _require_text(reason, "reason", "驳回原因")
    with transaction.atomic():
        project = _locked(user, project, "reject")
        _move(project, S.REJECTED)
        project.reason = reason
        _save(project)
        reopened = _reopen_demands(project, user, reason)
        _event(project, user, "reject", f"{_actor_label(user, project)} 驳回了该项目",
               _reopened_note(reason, reopened))
        _tell(project, user, f"项目被驳回：{project.title}", extra=[project.created_by],
              body=reason, units=False)
    return project


def claim(user, project, *, share, unit=None, resource=None, uses=0, note=""):
    """A unit takes a share (%) of an approved project; shares add up to at most 100."""
    try:
        share = int(share)
    except (TypeError, ValueError):
        raise DomainError("认领份额须为 1–100 的整数。", field="share", status=400) from None
    if not 1 <= share <= 100:
        raise DomainError("认领份额须为 1–100%。", field="share", status=400)
    try:
        uses = int(uses or 0)
    except (TypeError, ValueError):
        raise DomainError("占用资源须为不小于 0 的整数。", field="uses", status=400) from None
    if uses < 0:
        raise DomainError("占用资源不能为负数。", field="uses", status=400)
    own = _user_unit(user)
    if own is not None:
        unit = own  # a liaison claims for their own unit only
    if unit is None:
        raise DomainError("请选择认领单位。", field="unit", status=400)
    with transaction.atomic():
        project = _locked(user, project, "claim")
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
        first = project.state == S.APPROVED
        project.claimed_share += share
        if first:
            _move(project, S.CLAIMED)
        _save(project)
        _event(project, user, "claim", f"{unit.name} 认领了该项目 {share}%", note,
               actor_label=unit.name)
        _tell(project, user, f"{unit.name} 认领了项目“{project.title}”{share}%",
              body=f"已认领合计 {project.claimed_share}%。")
    return claim_row


def dock(user, project, *, date, place, plan):
    place = _require_text(place, "place", "对接地点", 200)
    plan = _require_text(plan, "plan", "实施方案", 4000)
    if date is None:
        raise DomainError("请填写对接日期。", field="date", status=400)
    with transaction.atomic():
        project = _locked(user, project, "dock")
        _move(project, S.DOCKED)
        project.dock_date, project.dock_place, project.dock_plan = date, place, plan
        _save(project)
        _event(project, user, "dock",
               f"{_actor_label(user, project)} 记录了对接：{date:%Y-%m-%d} 于{place}", plan)
        _tell(project, user, f"项目已完成对接：{project.title}",
              body=f"{date:%Y-%m-%d} {place}")
    return project


def start(user, project, note=""):
    with transaction.atomic():
        project = _locked(user, project, "start")
        _move(project, S.EXECUTING)
        if project.planned_end and project.planned_end > timezone.localdate():
            project.step_deadline = project.planned_end
        project.started_at = _now()
        _save(project)
        _event(project, user, "start", f"{_actor_label(user, project)} 开始执行", note)
        _tell(project, user, f"项目开始执行：{project.title}")
    return project


MAX_PHOTOS = 9


def progress(user, project, *, text, photos=()):
    text = _require_text(text, "text", "进展情况", 2000)
    photos = list(photos)
    if len(photos) > MAX_PHOTOS:
        raise DomainError(f"一次最多上传 {MAX_PHOTOS} 张照片。", field="photos", status=400)
    # Checked and re-encoded (metadata dropped) before anything is written.
    images = [clean_jpeg(p, field="photos") for p in photos]
    with transaction.atomic():
        project = _locked(user, project, "progress")
        event = _event(project, user, "progress",
                       f"{_actor_label(user, project)} 填报了进展"
                       + (f"（{len(photos)} 张照片）" if photos else ""), text)
        stored = []
        try:
            for data in images:
                photo = ProjectPhoto(project=project, event=event, content_type="image/jpeg",
                                     uploaded_by=user)
                photo.image.save("photo.jpg", ContentFile(data), save=False)
                stored.append(photo.image.name)
                photo.save()
        except Exception:
            for name in stored:  # a rolled-back row must not leave its file behind
                ProjectPhoto.image.field.storage.delete(name)
            raise
        _tell(project, user, f"项目有新进展：{project.title}", body=text[:200])
    return event


def accept(user, project, *, rating, beneficiary_count, comment=""):
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        raise DomainError("群众评分须为 1–5 分。", field="rating", status=400) from None
    if not 1 <= rating <= 5:
        raise DomainError("群众评分须为 1–5 分。", field="rating", status=400)
    try:
        beneficiary_count = int(beneficiary_count)
    except (TypeError, ValueError):
        raise DomainError("请填写实际受益人数。", field="beneficiary_count", status=400) from None
    if not 0 <= beneficiary_count <= 1_000_000:
        raise DomainError("实际受益人数须为 0–1,000,000。", field="beneficiary_count",
                          status=400)
    with transaction.atomic():
        project = _locked(user, project, "accept")
        _move(project, S.ACCEPTED)
        project.rating, project.beneficiary_count = rating, beneficiary_count
        project.acceptance_comment = (comment or "").strip()[:2000]
        project.accepted_at = _now()
        _save(project)
        for unit_id in project.claims.values_list("unit_id", flat=True):
            record, _ = UnitRecord.objects.select_for_update().get_or_create(unit_id=unit_id)
            UnitRecord.objects.filter(pk=record.pk).update(
                projects_done=F("projects_done") + 1, rating_sum=F("rating_sum") + rating,
                rating_count=F("rating_count") + 1)
        _event(project, user, "accept",
               f"{_actor_label(user, project)} 组织验收：群众评分 {rating} 分，"
               f"受益 {beneficiary_count} 人", project.acceptance_comment)
        _tell(project, user, f"项目已验收：{project.title}", street=True,
              body=f"群众评分 {rating} 分，受益 {beneficiary_count} 人。")
    return project


def close(user, project, note=""):
    with transaction.atomic():
        project = _locked(user, project, "close")
        _move(project, S.CLOSED)
        project.closed_at = _now()
        _save(project)
        _event(project, user, "close", f"{_actor_label(user, project)} 办理结项", note)
        _tell(project, user, f"项目已结项：{project.title}", extra=[project.created_by])
    return project


def withdraw(user, project, reason):
    reason = _require_text(reason, "reason", "撤回原因")
    with transaction.atomic():
        project = _locked(user, project, "withdraw")
        released = list(project.claims.filter(resource__isnull=False, uses__gt=0)
                        .values_list("resource_id", "uses"))
        for resource_id, uses in released:  # the units' committed capacity is free again
            Resource.objects.filter(pk=resource_id).update(committed=F("committed") - uses)
        _move(project, S.WITHDRAWN)
        project.reason = reason
        _save(project)
        reopened = _reopen_demands(project, user, reason)
        _event(project, user, "withdraw", f"{_actor_label(user, project)} 撤回了该项目",
               _reopened_note(reason, reopened))
        _tell(project, user, f"项目已撤回：{project.title}", body=reason,
              street=True, extra=[project.created_by])
    return project


STEP_FUNCTIONS = {"approve": approve, "reject": reject, "claim": claim, "dock": dock,
                  "start": start, "progress": progress, "accept": accept, "close": close,
                  "withdraw": withdraw}


def allowed_steps(user, project):
    """The steps `user` may take on `project` now (for buttons): state and scope both."""
    from gongjian.core.access import can

    steps = []
    for step, (states, _target, action, _label) in TRANSITIONS.items():
        if project.state not in states or not can(user, action, Project):
            continue
        if restrict(user, action, Project).filter(pk=project.pk).exists():
            steps.append(step)
    if "claim" in steps and _user_unit(user) is not None \
            and project.claims.filter(unit=_user_unit(user)).exists():
        steps.remove("claim")
    return steps


def photo_for(user, pk):
    photo = restrict(user, "view", ProjectPhoto).filter(pk=pk).first()
    if photo is None:
        raise OutOfScope()
    require_scope(user, "view", photo.project)
    return photo
