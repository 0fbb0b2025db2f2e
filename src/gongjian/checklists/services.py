"""Every write of the checklists: publishing, registering and listing items, and the steps of
the 责任清单 and 问题清单 in one table (their states are apart, so one table holds both).

Who takes a step is decided twice: the access action (through restrict: the item lies in the
user's reach) and the step's guard (the user's level). The responsible organisation's own
accounts claim, report and rectify; the level above checks — accepts, sends back, closes out
(销号) and extends. A problem is never closed out by the one who filed it or by one who worked
on its rectification, even when they hold a post at the level above.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from gongjian.core.access import ROLE_PERMISSIONS, SELF_ROLES, grants_of, permission_name
from gongjian.core.models import RoleGrant, User
from gongjian.core.notifications import notify
from gongjian.core.services import DomainError, posted_text, save_checked, validate
from gongjian.core.services import posted_date as _date
from gongjian.core.workflow import Step, Workflow, record_event
from gongjian.orgs.models import Organization, ancestor_paths

from .models import (
    INITIAL_STATE,
    PUBLIC_LIST_KINDS,
    ChecklistItem,
    Kind,
    State,
)

S = State
RESPONSIBLE_ROLES = ("community_staff", "branch_committee")
CHECKER_ROLES = ("street_staff", "community_staff")
# The steps of the responsible side whose actors may not close the problem out themselves.
WORK_STEPS = ("rectify", "progress", "apply_close")


# ---- who acts: the responsible organisation, or the level above it ---------------------------

def _grant_orgs(user: Any, action: str) -> list[Organization]:
    perm = permission_name(ChecklistItem, action)
    return [g.org for g in grants_of(user) if g.org_id and g.role not in SELF_ROLES
            and perm in ROLE_PERMISSIONS.get(g.role, ())]


def acts_for(item: ChecklistItem, *, user: Any, action: str) -> bool:
    """Whether the user holds `action` at the item's own organisation."""
    return any(org.pk == item.org_id for org in _grant_orgs(user, action))


def is_above(item: ChecklistItem, *, user: Any, action: str) -> bool:
    """Whether the user holds `action` at an organisation above the item's."""
    path = item.org.path
    return any(path.startswith(org.path) and org.path != path
               for org in _grant_orgs(user, action))


def worked_on(item: ChecklistItem) -> set[int]:
    """The accounts that rectified the problem or asked for its close-out."""
    return set(item.events.filter(step__in=WORK_STEPS, actor__isnull=False)
               .values_list("actor_id", flat=True))


def _responsible(action: str):
    def guard(user: Any, item: ChecklistItem) -> str | None:
        if user is not None and acts_for(item, user=user, action=action):
            return None
        return f"须由责任组织“{item.org.name}”办理。"
    return guard


def _checker(user: Any, item: ChecklistItem) -> str | None:
    if user is None or not is_above(item, user=user, action="check"):
        return f"须由“{item.org.name}”的上级组织验收。"
    return None


def _closer(user: Any, item: ChecklistItem) -> str | None:
    """销号 and 退回 by the level above only, never by whoever filed or fixed the problem."""
    if user is None or not is_above(item, user=user, action="check"):
        return f"须由“{item.org.name}”的上级组织销号。"
    if item.filed_by_id == user.pk:
        return "问题由您登记，不能由您本人销号，须由上级组织的其他人员审核。"
    if user.pk in worked_on(item):
        return "您参与了该问题的整改，不能由您本人销号，须由上级组织的其他人员审核。"
    return None


def _extender(user: Any, item: ChecklistItem) -> str | None:
    if user is None or not is_above(item, user=user, action="extend"):
        return f"延期须由“{item.org.name}”的上级组织批准。"
    return None


def _refusal(step: Step, item: ChecklistItem) -> str:
    return f"该{item.get_kind_display()}事项当前为“{item.get_state_display()}”，不能{step.label}。"


WORKFLOW = Workflow(ChecklistItem, [
    # 责任清单: 建单 → 领单 → 晒单 (进展) → 查单 (提交验收) → 验单
    Step("claim", "领单", [S.PUBLISHED], S.CLAIMED, action="claim",
         guard=_responsible("claim"), owner="责任组织", done="已领单。"),
    Step("progress", "报告进展", [S.CLAIMED, S.IN_PROGRESS, S.RECTIFYING], action="report",
         guard=_responsible("report"), owner="责任组织", fields=("evidence",),
         done="进展已报告。"),
    Step("submit", "提交验收", [S.CLAIMED, S.IN_PROGRESS], S.SUBMITTED, action="report",
         guard=_responsible("report"), owner="责任组织", fields=("evidence",),
         done="已提交验收。"),
    Step("accept", "验收通过", [S.SUBMITTED], S.DONE, action="check", guard=_checker,
         owner="上级组织", style="success", fields=("result",), done="已验收。"),
    Step("send_back", "退回", [S.SUBMITTED], S.IN_PROGRESS, action="check", guard=_checker,
         owner="上级组织", style="danger", fields=("reason",), done="已退回。"),
    # 问题清单: 已登记 → 整改中 → 申请销号 → 已销号, or 退回 to 整改中
    Step("rectify", "制定整改措施", [S.REGISTERED], S.RECTIFYING, action="report",
         guard=_responsible("report"), owner="责任组织", fields=("measures",),
         done="整改措施已登记。"),
    Step("apply_close", "申请销号", [S.RECTIFYING], S.APPLIED, action="report",
         guard=_responsible("report"), owner="责任组织", fields=("evidence",),
         done="已申请销号。"),
    Step("close_out", "销号", [S.APPLIED], S.CLOSED, action="check", guard=_closer,
         owner="上级组织（非登记人、非整改人）", style="success", fields=("result",),
         done="已销号。"),
    Step("reject", "退回整改", [S.APPLIED], S.RECTIFYING, action="check", guard=_closer,
         owner="上级组织（非登记人、非整改人）", style="danger", fields=("reason",),
         done="已退回整改。"),
    # Both lists: a new deadline, with its reason, granted by the level above.
    Step("extend", "延期", [S.PUBLISHED, S.CLAIMED, S.IN_PROGRESS, S.REGISTERED, S.RECTIFYING],
         action="extend", guard=_extender, owner="上级组织", style="outline-secondary",
         fields=("deadline", "reason")),
], refusal=_refusal)


# ---- reading the input ------------------------------------------------------------------------

def _text(value: str | None, label: str, field: str, max_length: int = 4000,
          required: bool = True) -> str:
    return posted_text(value, label, field, max_length, required)


def _future(value: datetime.date, label: str, field: str) -> datetime.date:
    if value < timezone.localdate():
        raise DomainError(f"{label}不能早于今天。", field=field, status=400)
    return value


# ---- telling people ---------------------------------------------------------------------------

def org_accounts(org: Organization) -> list[User]:
    """The responsible organisation's own accounts (its staff and branch committee)."""
    grants = RoleGrant.objects.filter(org=org, role__in=RESPONSIBLE_ROLES,
                                      user__is_active=True).select_related("user")
    return [g.user for g in grants]


def checker_accounts(org: Organization) -> list[User]:
    """The accounts of the levels above the organisation that check its items."""
    grants = RoleGrant.objects.filter(
        org__path__in=ancestor_paths(org.path, include_self=False), role__in=CHECKER_ROLES,
        user__is_active=True).select_related("user")
    return [g.user for g in grants]


def _tell(users: Iterable[User], item: ChecklistItem, actor: Any, title: str,
          body: str = "") -> None:
    notify([u for u in users if actor is None or u.pk != actor.pk], title,
           url=item.get_absolute_url(), body=body[:300], kind="checklist")


# ---- creating -----------------------------------------------------------------------------------

def publish(*, user: User, publisher: Organization, orgs: Iterable[Organization], title: str,
            category: str, deadline: datetime.date | str | None, content: str = "",
            target: str = "", measures: str = "", public: bool = False) -> list[ChecklistItem]:
    """建单: the publisher's 责任清单 item, one row for each organisation it goes to (each
    claims and reports on its own)."""
    targets = list(orgs)
    if not targets:
        raise DomainError("请选择至少一个责任组织。", field="orgs", status=400)
    due = _future(_date(deadline, "完成时限", "deadline"), "完成时限", "deadline")
    if not any(o.pk == publisher.pk for o in _grant_orgs(user, "add")):
        raise DomainError(f"您不能以“{publisher.name}”的名义发布责任清单。", field="publisher",
                          status=400)
    items = []
    with transaction.atomic():
        for org in targets:
            item = ChecklistItem(
                kind=Kind.RESPONSIBILITY, org=org, publisher=publisher,
                title=_text(title, "事项", "title", 150), category=category,
                content=_text(content, "内容", "content", required=False),
                target=_text(target, "目标", "target", 500, required=False),
                measures=_text(measures, "措施", "measures", required=False),
                deadline=due, original_deadline=due, public=bool(public),
                state=INITIAL_STATE[Kind.RESPONSIBILITY], filed_by=user)
            save_checked(user, item, "add")
            record_event(item, "publish", user, state_to=item.state,
                         note=f"{publisher.name}发布，完成时限 {due:%Y-%m-%d}")
            _tell(org_accounts(org), item, user, f"新的责任清单事项待认领：{item.title}",
                  f"{publisher.name}发布，完成时限 {due:%Y-%m-%d}。")
            items.append(item)
    return items


def register_problem(*, user: User, org: Organization, source: str, title: str,
                     deadline: datetime.date | str | None, content: str = "",
                     category: str = "") -> ChecklistItem:
    """登记问题: found by an inspection, in a 述职评议 or reported by residents, with the
    organisation that must rectify it and the deadline."""
    due = _future(_date(deadline, "整改时限", "deadline"), "整改时限", "deadline")
    item = ChecklistItem(
        kind=Kind.PROBLEM, org=org, title=_text(title, "问题", "title", 150), source=source,
        content=_text(content, "问题描述", "content"), category=category,
        deadline=due, original_deadline=due, state=INITIAL_STATE[Kind.PROBLEM], filed_by=user)
    # The level above the responsible organisation checks and closes the problem out.
    item.publisher = Organization.objects.filter(
        path=org.path[:-Organization.steplen]).first() if org.depth > 1 else None
    with transaction.atomic():
        save_checked(user, item, "add")
        record_event(item, "register", user, state_to=item.state,
                     note=f"{item.get_source_display()}发现，整改时限 {due:%Y-%m-%d}")
        _tell(org_accounts(org), item, user, f"问题清单新增问题：{item.title}",
              f"请制定整改措施，整改时限 {due:%Y-%m-%d}。")
    return item


def list_item(*, user: User, kind: str, org: Organization, title: str, content: str = "",
              starts_on: datetime.date | None = None, ends_on: datetime.date | None = None,
              period: str = "", place: str = "", public: bool = True) -> ChecklistItem:
    """A line of a community's 学习清单 or 活动清单."""
    if kind not in PUBLIC_LIST_KINDS:
        raise DomainError("只能在学习清单、活动清单中直接列入事项。", field="kind", status=400)
    item = ChecklistItem(kind=kind, org=org, publisher=org, title=_text(title, "名称", "title", 150),
                         content=_text(content, "内容", "content", required=False),
                         starts_on=starts_on, ends_on=ends_on,
                         period=_text(period, "时间安排", "period", 100, required=False),
                         place=_text(place, "地点", "place", 150, required=False),
                         public=bool(public), state=INITIAL_STATE[Kind(kind)], filed_by=user)
    with transaction.atomic():
        save_checked(user, item, "add")
        record_event(item, "list", user, state_to=item.state,
                     note="公示" if item.public else "不公示")
    return item


EDITABLE_STATES = (S.PUBLISHED, S.REGISTERED, S.LISTED)
EDIT_FIELDS = {
    Kind.RESPONSIBILITY: ("title", "category", "content", "target", "measures", "public"),
    Kind.PROBLEM: ("title", "source", "content", "category"),
    Kind.LEARNING: ("title", "content", "starts_on", "ends_on", "period", "place", "public"),
    Kind.ACTIVITY: ("title", "content", "starts_on", "ends_on", "period", "place", "public"),
}


def edit_refusal(item: ChecklistItem, *, user: User) -> str | None:
    """Why the user may not edit the item now (None: they may). A published or registered
    item is corrected by the level that issued it until it is claimed or rectified; a
    learning or activity line by its community at any time."""
    if item.state not in EDITABLE_STATES:
        return f"事项已“{item.get_state_display()}”，不能修改。"
    if item.kind in PUBLIC_LIST_KINDS:
        return None
    if not is_above(item, user=user, action="change") and item.filed_by_id != user.pk:
        return "只有发布（登记）事项的上级组织可以修改。"
    return None


def update_item(item: ChecklistItem, *, user: User, **values: Any) -> ChecklistItem:
    refusal = edit_refusal(item, user=user)
    if refusal:
        raise DomainError(refusal)
    allowed = EDIT_FIELDS[Kind(item.kind)]
    with transaction.atomic():
        locked = ChecklistItem.objects.select_for_update().get(pk=item.pk)
        changed = []
        for name, value in values.items():
            if name not in allowed:
                continue
            if isinstance(value, str):
                value = value.strip()
            if getattr(locked, name) != value:
                setattr(locked, name, value)
                field = ChecklistItem._meta.get_field(name)
                changed.append(str(getattr(field, "verbose_name", name)))
        save_checked(user, locked, "change")
        if changed:
            record_event(locked, "edit", user, state_from=locked.state, state_to=locked.state,
                         note="修改了" + "、".join(changed))
    return locked


# ---- the steps ------------------------------------------------------------------------------------

def _step(item: ChecklistItem, user: User, name: str) -> tuple[
        ChecklistItem, str]:
    locked = WORKFLOW.lock(user, item, name, related=["org"])
    before = WORKFLOW.move(locked, name)
    return locked, before


def _record(item: ChecklistItem, name: str, user: User, before: str, note: str = "") -> None:
    record_event(item, name, user, state_from=before, state_to=item.state, note=note)


def _take(item: ChecklistItem, user: User, name: str, *, field: str = "", value: str = "",
          tell: str = "", to_checkers: bool = False) -> ChecklistItem:
    """One step that writes one text (the evidence, the measures, a reason) and its history
    line, then tells the other side: the level above (`to_checkers`) or the organisation."""
    with transaction.atomic():
        item, before = _step(item, user, name)
        if item.state == S.CLAIMED and name == "progress":
            item.state = S.IN_PROGRESS  # the first report starts the work
        if field:
            setattr(item, field, value)
        item.save()
        _record(item, name, user, before, value or f"{item.org.name}认领")
        if tell:
            people = checker_accounts(item.org) if to_checkers else org_accounts(item.org)
            body = f"{item.org.name}：{value}" if to_checkers else value
            _tell(people, item, user, f"{tell}：{item.title}", body or item.org.name)
    return item


def claim(item: ChecklistItem, *, user: User) -> ChecklistItem:
    """领单: the responsible organisation takes the item on."""
    return _take(item, user, "claim", tell="责任清单事项已认领", to_checkers=True)


def progress(item: ChecklistItem, *, user: User, evidence: str = "") -> ChecklistItem:
    """晒单: what has been done so far (text; an attachment is never required)."""
    return _take(item, user, "progress", field="evidence",
                 value=_text(evidence, "进展情况", "evidence"))


def submit(item: ChecklistItem, *, user: User, evidence: str = "") -> ChecklistItem:
    """查单: the organisation reports the item done, with what shows it, for acceptance."""
    return _take(item, user, "submit", field="evidence",
                 value=_text(evidence, "完成情况与佐证", "evidence"),
                 tell="责任清单事项待验收", to_checkers=True)


def _finish(item: ChecklistItem, user: User, name: str, result: str, tell: str) -> ChecklistItem:
    with transaction.atomic():
        item, before = _step(item, user, name)
        item.result = result
        item.checked_by = user
        item.completed_on = timezone.localdate()
        item.save()
        late = ""
        if item.finished_late:
            late = f"（逾期 {(item.completed_on - item.deadline).days} 天完成）"  # type: ignore[operator]
        _record(item, name, user, before, f"{result}{late}".strip())
        _tell(org_accounts(item.org), item, user, f"{tell}：{item.title}", result)
    return item


def accept(item: ChecklistItem, *, user: User, result: str = "") -> ChecklistItem:
    """验单: the level above accepts the item as done."""
    result = _text(result, "验收意见", "result", 500, required=False) or "验收通过"
    return _finish(item, user, "accept", result, "责任清单事项已验收")


def send_back(item: ChecklistItem, *, user: User, reason: str = "") -> ChecklistItem:
    return _take(item, user, "send_back", field="result",
                 value=_text(reason, "退回理由", "reason", 500), tell="责任清单事项被退回")


def rectify(item: ChecklistItem, *, user: User, measures: str = "") -> ChecklistItem:
    """整改: the responsible organisation's measures; the problem is being rectified."""
    return _take(item, user, "rectify", field="measures",
                 value=_text(measures, "整改措施", "measures"))


def apply_close(item: ChecklistItem, *, user: User, evidence: str = "") -> ChecklistItem:
    """申请销号: the rectification is done; the level above is asked to close it out."""
    return _take(item, user, "apply_close", field="evidence",
                 value=_text(evidence, "整改结果与佐证", "evidence"), tell="问题申请销号",
                 to_checkers=True)


def close_out(item: ChecklistItem, *, user: User, result: str = "") -> ChecklistItem:
    """销号: by the level above, never by whoever filed or fixed the problem (the guard)."""
    result = _text(result, "销号意见", "result", 500, required=False) or "整改到位，同意销号"
    return _finish(item, user, "close_out", result, "问题已销号")


def reject(item: ChecklistItem, *, user: User, reason: str = "") -> ChecklistItem:
    """退回: the rectification is not enough; back to 整改中 with the reason."""
    return _take(item, user, "reject", field="result",
                 value=_text(reason, "退回理由", "reason", 500), tell="问题销号申请被退回")


def extend(item: ChecklistItem, *, user: User, deadline: datetime.date | str | None = None,
           reason: str = "") -> ChecklistItem:
    """延期: a new deadline with its reason; the first deadline is kept, and each extension
    is a line of the history."""
    new = _future(_date(deadline, "新的完成时限", "deadline"), "新的完成时限", "deadline")
    reason = _text(reason, "延期理由", "reason", 300)
    with transaction.atomic():
        item, before = _step(item, user, "extend")
        old = item.deadline
        if old is not None and new <= old:
            raise DomainError(f"新的完成时限须晚于原时限（{old:%Y-%m-%d}）。", field="deadline",
                              status=400)
        if item.original_deadline is None:
            item.original_deadline = old
        item.deadline, item.extension_reason = new, reason
        validate(item)
        item.save()
        text = f"延期：{old:%Y-%m-%d} → {new:%Y-%m-%d}" if old else f"延期至 {new:%Y-%m-%d}"
        record_event(item, "extend", user, state_from=before, state_to=item.state, text=text,
                     note=reason)
        _tell(org_accounts(item.org), item, user, f"清单事项已延期：{item.title}",
              f"{text}。{reason}")
    return item


__all__ = ["WORKFLOW", "accept", "acts_for", "apply_close", "checker_accounts", "claim",
           "close_out", "edit_refusal", "extend", "is_above", "list_item", "org_accounts",
           "progress", "publish", "register_problem", "reject", "rectify", "send_back",
           "submit", "update_item", "worked_on"]
