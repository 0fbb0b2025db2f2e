"""Access-matrix entries of a branch's meetings and make-ups, and the branch the orglife tests
build on.

`world(t)` makes (once per test) branch JS-A1's roster — 张华娟 (tree's), three more full
members, a probationary, a mobile, a lost-contact and a suspended member — a planned 主题党日
(yesterday) and a held one where one member was absent (a make-up) with a scanned record.
The branch's committee, its community's and its street's staff keep them; its members read
them (their own attendance line only); the twins see none of them.
"""

import datetime

from access_common import E
from django.utils import timezone

KEEPERS = {"street", "community_a", "branch_a"}
READERS = KEEPERS | {"member"}
ADDERS = KEEPERS | {"street_b", "community_b", "branch_b"}
# Lists answer every account holding the right, each with its own rows.
LIST_READERS = ADDERS | {"member", "member_b"}


def add_member(org, name, *, birth=datetime.date(1980, 5, 1), category="正式党员",
               standing="正常", active=True, sex="男"):
    from gongjian.members.models import Membership, Person

    person = Person.objects.create(name=name, sex=sex, birth_date=birth, org=org)
    joined = datetime.date(2010, 7, 1)
    membership = Membership.objects.create(
        person=person, org=org, category=category, joined_on=joined,
        confirmed_on=None if category == "预备党员" else datetime.date(2011, 7, 1),
        standing=standing, active=active, ended_on=None if active else datetime.date(2024, 1, 1))
    return membership


def branch(t):
    """JS-A1's roster (memoised on the tree): name → membership."""
    if getattr(t, "orglife_branch", None) is not None:
        return t.orglife_branch
    from gongjian.core import audit

    with audit.acting_as(suppress=True):
        people = {"张华娟": t.membership_a}
        for name in ("李明", "王芳", "赵强"):
            people[name] = add_member(t.a1, name)
        people["陈预备"] = add_member(t.a1, "陈预备", birth=datetime.date(2000, 3, 1),
                                   category="预备党员")
        people["周流动"] = add_member(t.a1, "周流动", standing="流动")
        people["吴失联"] = add_member(t.a1, "吴失联", standing="失联")
        people["郑停止"] = add_member(t.a1, "郑停止", standing="停止党籍")
        people["钱转出"] = add_member(t.a1, "钱转出", standing="已转出", active=False)
    t.orglife_branch = people
    return people


def keeper(t):
    """The branch committee's secretary of JS-A1 (an account of the world's own)."""
    if getattr(t, "orglife_keeper", None) is None:
        from gongjian.core.models import RoleGrant, User

        user = User.objects.create_user("orglife_secretary", password="Test@2026pw",
                                        display_name="支部书记")
        RoleGrant.objects.create(user=user, role="branch_committee", org=t.a1)
        t.orglife_keeper = user
    return t.orglife_keeper


def world(t):
    if getattr(t, "orglife_world", None) is not None:
        return t.orglife_world
    from types import SimpleNamespace

    from django.core.files.base import ContentFile

    from gongjian.core import audit
    from gongjian.orglife import services
    from gongjian.orglife.models import MakeUp

    people = branch(t)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with audit.acting_as(suppress=True):
        user = keeper(t)
        planned = services.plan(t.a1, user=user, kind="theme_day", title="六月主题党日",
                                date=yesterday, place="党群服务中心", x_item="清理楼道")
        held = services.plan(t.a1, user=user, kind="theme_day", title="五月主题党日",
                             date=yesterday - datetime.timedelta(days=30))
        attendance = [{"membership": m.pk, "presence": "present"}
                      for m in services.due_memberships(held)]
        for row in attendance:
            if row["membership"] == people["李明"].pk:
                row.update(presence="sick", reason="住院")
        held = services.record(held, user=user, attendance=attendance, minutes="学习了党章。")
        held.minutes_scan.save("minutes.pdf", ContentFile(b"%PDF-1.4 scan"), save=True)
        makeup = MakeUp.objects.get(attendance__meeting=held)
    t.orglife_world = SimpleNamespace(planned=planned, held=held, makeup=makeup)
    return t.orglife_world


def built(t, u):
    world(t)


def W(attr, *rest):
    return lambda t, u: [getattr(world(t), attr).pk, *rest]


ENTRIES = [
    E("branch_meeting_list", LIST_READERS, setup=built),
    E("branch_meeting_create", ADDERS, query="org=JS-A1&kind=theme_day&date=2025-06-01"),
    E("branch_meeting_attendance_xlsx", LIST_READERS, setup=built),
    E("branch_meeting_detail", READERS, args=W("held")),
    E("branch_meeting_edit", KEEPERS, args=W("planned")),
    E("branch_meeting_minutes_docx", KEEPERS, args=W("held")),
    E("branch_meeting_scan", KEEPERS, args=W("held")),
    E("branch_meeting_step", KEEPERS, args=W("planned", "record")),
    E("branch_makeup_step", KEEPERS, args=W("makeup", "confirm")),
    # -- API
    E("api-branch-meeting-list", LIST_READERS, setup=built),
    E("api-branch-meeting-detail", READERS, args=W("held")),
    E("api-branch-meeting-notify", KEEPERS, method="POST", args=W("planned")),
    E("api-branch-meeting-record", KEEPERS, method="POST", args=W("planned"),
      data={"attendance": []}, ok={400}),
    E("api-branch-meeting-minutes", KEEPERS, method="POST", args=W("held"),
      data={"minutes": "补充记录"}),
    E("api-branch-meeting-vote", KEEPERS, method="POST", args=W("held"),
      data={"subject": "发展对象", "in_favour": 1}),
    # A 主题党日 is not graded: the table's guard refuses (409) those who reach it.
    E("api-branch-meeting-grade", KEEPERS, method="POST", args=W("held"),
      data={"grades": []}, ok={409}),
    E("api-branch-meeting-cancel", KEEPERS, method="POST", args=W("planned"),
      data={"reason": "台风"}),
    E("api-branch-makeup-list", LIST_READERS, setup=built),
    E("api-branch-makeup-detail", KEEPERS, args=W("makeup")),
    E("api-branch-makeup-confirm", KEEPERS, method="POST", args=W("makeup"),
      data={"content": "自学党章", "done_on": timezone.localdate().isoformat()}),
]
