"""Access-matrix entries of the alliance, meetings, tasks and agreements.

`world(t)` builds (once per test) the street's alliance with unit U-A as a member, a called
meeting and a held one whose decision is U-A's task, a draft and a signed agreement between
community A and U-A. Street staff manage all of it; community staff read the street's
alliance and manage their own agreements; U-A's liaison sees what concerns U-A.
"""

import datetime

from access_common import E
from django.utils import timezone

# The street's alliance, meetings and tasks: its street staff, its community staff (community B
# too: street_read) and the member unit's liaison; not U-B's liaison, nor another street.
STREET_READERS = {"street", "community_a", "community_b", "liaison_a"}
# Lists answer each of those with its own rows, and the twins with theirs (none of A's).
LIST_READERS = STREET_READERS | {"street_b", "liaison_b"}
CREATORS = {"street", "street_b", "community_a", "community_b"}
STREET_SHARED = {"community_b"}  # reads the street's alliance: U-A's membership and tasks
AGREEMENT_READERS = {"street", "community_a", "liaison_a"}
AGREEMENT_EDITORS = {"street", "community_a"}
OWNERS = {"street", "liaison_a"}


def world(t):
    if getattr(t, "alliance_world", None) is not None:
        return t.alliance_world
    from types import SimpleNamespace

    from gongjian.alliance.models import (
        Agreement,
        Alliance,
        AllianceMember,
        ChairTerm,
        MeetingState,
        Task,
    )
    from gongjian.core import audit

    today = timezone.localdate()
    with audit.acting_as(suppress=True):
        alliance = Alliance.objects.create(org=t.s, name="红盟同心", founded_on=datetime.date(
            2020, 1, 1))
        member = AllianceMember.objects.create(alliance=alliance, unit=t.unit_a,
                                               joined_on=datetime.date(2020, 1, 1))
        term = ChairTerm.objects.create(alliance=alliance, unit=t.unit_a, starts_on=today,
                                        ends_on=today + datetime.timedelta(days=180))
        start = timezone.now() + datetime.timedelta(days=7)
        called = _meeting(alliance, t.unit_a, start)
        held = _meeting(alliance, t.unit_a, start, title="第一次联席会议")
        held.state = MeetingState.HELD
        held.minutes = "纪要"
        held.save()
        task = Task.objects.create(meeting=held, alliance=alliance, title="开放活动室",
                                   owner_unit=t.unit_a, deadline=today + datetime.timedelta(
                                       days=30))
        common = dict(org=t.a, unit=t.unit_a, rights_obligations="甲方提供阵地。\n乙方提供服务。",
                      service_items="义诊\n法律咨询", starts_on=today,
                      ends_on=today + datetime.timedelta(days=365))
        draft = Agreement.objects.create(number="XY-1", title="共建协议（草拟）", **common)
        signed = Agreement.objects.create(number="XY-2", title="共建协议", state="signed",
                                          signed_on=today, **common)
    t.alliance_world = SimpleNamespace(alliance=alliance, member=member, term=term,
                                       called=called, held=held, task=task, draft=draft,
                                       signed=signed)
    return t.alliance_world


def _meeting(alliance, unit, start, title="联席会议"):
    from gongjian.alliance.models import Invitation, Meeting

    meeting = Meeting.objects.create(alliance=alliance, title=title, starts_at=start,
                                     place="党群服务中心", agenda="议程")
    Invitation.objects.create(meeting=meeting, unit=unit)
    return meeting


def built(t, u):
    """setup of the lists: the rows above exist, for the twins not to see."""
    world(t)


def W(attr):
    return lambda t, u: [getattr(world(t), attr).pk]


ENTRIES = [
    E("alliance_list", LIST_READERS, setup=built),
    E("alliance_create", CREATORS),
    E("alliance_detail", STREET_READERS, args=W("alliance"), sees_a=STREET_SHARED),
    E("alliance_edit", {"street"}, args=W("alliance")),
    E("alliance_member_add", {"street"}, args=W("alliance")),
    E("alliance_member_leave", {"street"}, args=W("member")),
    E("alliance_rotation", {"street"}, args=W("alliance")),
    E("alliance_chair_delete", {"street"}, method="POST", args=W("term"), ok={302}),
    E("meeting_create", {"street"}, args=W("alliance")),
    E("meeting_detail", STREET_READERS, args=W("called"), sees_a=STREET_SHARED),
    E("meeting_reply", OWNERS, method="POST", args=W("called"),
      data={"unit": "U-A", "reply": "attend"}, ok={302}),
    E("meeting_hold", {"street"}, args=W("called")),
    E("meeting_cancel", {"street"}, args=W("called")),
    E("task_list", LIST_READERS, setup=built, sees_a=STREET_SHARED),
    E("task_detail", STREET_READERS, args=W("task"), sees_a=STREET_SHARED),
    E("task_progress", OWNERS, method="POST", args=W("task"), data={"note": "已对接"},
      ok={302}),
    E("task_complete", OWNERS, method="POST", args=W("task"),
      data={"note": "已完成", "completed_on": "2025-01-01"}, ok={302}),
    E("agreement_list", LIST_READERS, setup=built),
    E("agreement_create", CREATORS),
    E("agreement_detail", AGREEMENT_READERS, args=W("draft")),
    E("agreement_edit", AGREEMENT_EDITORS, args=W("draft")),
    E("agreement_sign", AGREEMENT_EDITORS, args=W("draft")),
    E("agreement_terminate", AGREEMENT_EDITORS, args=W("signed")),
    E("agreement_docx", AGREEMENT_READERS, args=W("signed")),
    # -- API
    E("api-alliance-list", LIST_READERS, setup=built),
    E("api-alliance-detail", STREET_READERS, args=W("alliance"), sees_a=STREET_SHARED),
    E("api-alliance-members", {"street"}, method="POST", args=W("alliance"),
      data={"unit": "U-B"}, ok={201}),
    E("api-meeting-list", LIST_READERS, setup=built),
    E("api-meeting-detail", STREET_READERS, args=W("called"),
      sees_a=STREET_SHARED),
    E("api-meeting-hold", {"street"}, method="POST", args=W("called"),
      data={"minutes": "会议纪要", "attended": ["U-A"]}),
    E("api-meeting-cancel", {"street"}, method="POST", args=W("called"),
      data={"reason": "时间冲突"}),
    E("api-meeting-reply", OWNERS, method="POST", args=W("called"),
      data={"unit": "U-A", "reply": "attend"}),
    E("api-task-list", LIST_READERS, setup=built, sees_a=STREET_SHARED),
    E("api-task-detail", STREET_READERS, args=W("task"), sees_a=STREET_SHARED),
    E("api-task-progress", OWNERS, method="POST", args=W("task"), data={"note": "已对接"}),
    E("api-task-complete", OWNERS, method="POST", args=W("task"), data={"note": "已完成"}),
    E("api-agreement-list", LIST_READERS, setup=built),
    E("api-agreement-detail", AGREEMENT_READERS, args=W("draft")),
    E("api-agreement-sign", AGREEMENT_EDITORS, method="POST", args=W("draft")),
    E("api-agreement-terminate", AGREEMENT_EDITORS, method="POST", args=W("signed"),
      data={"reason": "单位搬迁"}),
]
