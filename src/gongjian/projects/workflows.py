"""The two workflows of the three lists, each one table: a demand's (受理 → 转为项目, or 不予受理,
撤回) and a project's (申报 → 立项 → 认领 → 对接 → 执行 → 验收 → 结项, or 驳回, 撤回).

The same table refuses a step out of order (409, in Chinese), offers the buttons a user may
press, says whose turn it is ("下一步：验收（责任方：…）"), and routes the page and API steps.
"""

from __future__ import annotations

from typing import Any

from gongjian.core.workflow import Step, Workflow

from .models import Demand, DemandState, Project, ProjectEvent, ProjectState
from .queries import liaison_unit

S = ProjectState
D = DemandState

_BEFORE_EXECUTION = {S.DECLARED, S.APPROVED, S.CLAIMED, S.DOCKED}
FINISHED = {S.REJECTED, S.WITHDRAWN, S.CLOSED}
SHARES_FULL = "项目已认领 100%，没有可认领的份额（认领份额合计不能超过 100%）。"


def _claim_guard(user: Any, project: Project) -> str | None:
    """A claim needs a share left; a liaison's unit claims a project once. (Without a user,
    only the share is asked: whether the project still waits for claims at all.)"""
    if project.claimed_share >= 100:
        return SHARES_FULL
    unit = liaison_unit(user) if user is not None else None
    if unit is not None and project.claims.filter(unit=unit).exists():
        return f"“{unit.name}”已认领本项目。"
    return None


def _project_refusal(step: Step, project: Project) -> str:
    """Why `step` cannot be taken from the project's current state, as its owner reads it."""
    state = project.state
    if state in FINISHED:
        return f"项目已{project.get_state_display()}，不能再{step.label}。"
    before = state in _BEFORE_EXECUTION
    return {
        "approve": "项目已立项，不能重复立项。",
        "reject": "项目已立项，不能再驳回；如需终止请撤回。",
        "claim": "项目尚未立项，不能认领。" if state == S.DECLARED
        else "项目已完成对接，不再接受认领。",
        "dock": "项目尚未立项，不能对接。" if state == S.DECLARED
        else "项目还没有单位认领，不能对接。" if state == S.APPROVED
        else "项目已完成对接。",
        "start": "项目尚未完成对接，不能开始执行。" if before else "项目已开始执行。",
        "progress": "项目尚未开始执行，不能填报进展。" if before else "项目已验收，不能再填报进展。",
        "accept": "项目尚未执行，不能验收。" if before else "项目已验收，不能重复验收。",
        "close": "项目尚未验收，不能结项。",
        "withdraw": "项目已开始执行，不能撤回。",
    }[step.name]


PROJECT_WORKFLOW = Workflow(Project, [
    Step("approve", "立项", {S.DECLARED}, S.APPROVED, action="approve", style="party",
         done="已批准立项。"),
    Step("reject", "驳回", {S.DECLARED}, S.REJECTED, action="approve", style="outline-danger",
         done="已驳回。"),
    Step("claim", "认领", {S.APPROVED, S.CLAIMED}, S.CLAIMED, action="claim",
         guard=_claim_guard, style="party", done="已认领项目。"),
    Step("dock", "对接", {S.CLAIMED}, S.DOCKED, action="dock", style="party",
         done="已记录对接。"),
    Step("start", "开始执行", {S.DOCKED}, S.EXECUTING, action="start", style="party"),
    Step("progress", "填报进展", {S.EXECUTING}, S.EXECUTING, action="progress",
         style="outline-primary"),
    Step("accept", "验收", {S.EXECUTING}, S.ACCEPTED, action="accept", style="party",
         done="已组织验收。"),
    Step("close", "结项", {S.ACCEPTED}, S.CLOSED, action="close", style="party"),
    Step("withdraw", "撤回", {S.DECLARED, S.APPROVED, S.CLAIMED, S.DOCKED}, S.WITHDRAWN,
         action="withdraw", style="outline-danger", done="已撤回项目。"),
], refusal=_project_refusal)

# The history names its rows by the table's labels (and the declaration, which is no step).
ProjectEvent.step_labels = {"declare": "申报", **{s.name: s.label for s in PROJECT_WORKFLOW}}

# Steps that are never "the next step" of a project: ending it, and reporting along the way.
_NOT_NEXT = {"reject", "withdraw", "progress"}


def waiting_steps(project: Project) -> list[Step]:
    """The steps the project waits for in its state (by anyone), those a guard does not shut
    whoever asks (a fully claimed project waits for no claim)."""
    return [s for s in PROJECT_WORKFLOW.next_steps(project)
            if s.guard is None or not s.guard(None, project)]


def next_line(project: Project) -> list[tuple[Step, str]]:
    """(step, whose) of the project's "下一步" line, from the table that grants the steps.
    While claimed, the step due is the meeting (对接); further claims are welcome but not due."""
    skip = set(_NOT_NEXT)
    if project.state == S.CLAIMED:
        skip.add("claim")
    return PROJECT_WORKFLOW.next_line(project, exclude=skip)


def _demand_refusal(step: Step, demand: Demand) -> str:
    return f"需求当前为“{demand.get_state_display()}”，不能{step.label}。"


DEMAND_WORKFLOW = Workflow(Demand, [
    Step("accept", "受理", {D.OPEN}, D.ACCEPTED, action="change", style="outline-primary",
         done="需求已受理。"),
    Step("decline", "不予受理", {D.OPEN, D.ACCEPTED}, D.DECLINED, action="change",
         style="outline-danger", fields=("reason",), done="已标记为不予受理。"),
    Step("withdraw", "撤回", {D.OPEN, D.ACCEPTED}, D.WITHDRAWN, action="withdraw",
         style="outline-secondary", fields=("reason",), done="需求已撤回。"),
    # Taken inside services.create_project, which checks each demand's change scope itself;
    # not a step of its own on a page or in the API.
    Step("project", "转为项目", {D.OPEN, D.ACCEPTED}, D.PROJECT, action=None),
    # The system's: a project rejected or withdrawn gives its source demands back.
    Step("reopen", "重新受理", {D.PROJECT}, D.OPEN, action=None),
], refusal=_demand_refusal)


def as_rows(workflow: Workflow) -> dict[str, tuple[frozenset[str], str | None, str | None, str]]:
    """The table as step → (sources, target, action, label) rows."""
    return {s.name: (s.sources, s.target, s.action, s.label) for s in workflow}
