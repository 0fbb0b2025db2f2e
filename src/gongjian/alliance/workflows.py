"""The steps of joint meetings, decision tasks and co-building agreements, each declared once
as a table (gongjian.core.workflow): the services refuse a step out of order with the state
the object is in, pages offer exactly the steps the services would take, and the page step
view and the API step actions are built from the same rows."""

from gongjian.core.access import restrict
from gongjian.core.workflow import Step, Workflow

from .models import Agreement, AgreementState, Invitation, Meeting, MeetingState, Task, TaskState


def answers_for_a_unit(user, meeting):
    """Replying is for those who answer for an invited unit: its liaison, or the staff."""
    mine = restrict(user, "change", Invitation).filter(meeting_id=meeting.pk)
    return None if mine.exists() else "您不能代任何受邀单位回复本次会议。"


MEETING = Workflow(Meeting, [
    Step("hold", "记录召开", [MeetingState.CALLED], MeetingState.HELD, style="party",
         done="会议已记录召开，决议已转为任务。"),
    Step("cancel", "取消会议", [MeetingState.CALLED], MeetingState.CANCELLED, style="danger",
         done="会议已取消。", fields=("reason",)),
    # Invited units read the meeting; the guard narrows replying to those answering for one.
    Step("reply", "回复参会", [MeetingState.CALLED], MeetingState.CALLED, action="view",
         guard=answers_for_a_unit, owner="受邀成员单位", done="已回复。",
         fields=("unit", "reply", "note")),
])

TASK = Workflow(Task, [
    Step("progress", "填报进展", [TaskState.OPEN], TaskState.OPEN, owner="责任单位或责任组织",
         done="进展已填报。", fields=("note",)),
    Step("complete", "办结", [TaskState.OPEN], TaskState.DONE, owner="责任单位或责任组织",
         style="party", done="任务已办结。", fields=("note", "completed_on")),
])

AGREEMENT = Workflow(Agreement, [
    Step("edit", "修改", [AgreementState.DRAFT], AgreementState.DRAFT,
         style="outline-secondary", done="已保存。"),
    Step("sign", "签订", [AgreementState.DRAFT], AgreementState.SIGNED, style="party",
         done="协议已签订。", fields=("signed_on",)),
    Step("terminate", "终止", [AgreementState.SIGNED], AgreementState.TERMINATED,
         style="danger", done="协议已终止。", fields=("reason", "terminated_on")),
])


def transitions(workflow):
    """step → (states it may start from, state it leads to, label), read from the table."""
    return {step.name: (step.sources, step.target, step.label) for step in workflow}
