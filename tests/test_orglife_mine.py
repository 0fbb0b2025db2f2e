"""我的 shows a member their organisational life: the branch's next meetings, this year's
attendance and their own open make-up studies — never another member's."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from gongjian.members.models import Person
from gongjian.orglife.models import Attendance, MakeUp, Meeting


@pytest.fixture
def member(users, tree):
    users.member.person = tree.person_a
    users.member.save(update_fields=["person"])
    return users.member


def meeting(org, title, date, state="held", kind="theme_day"):
    return Meeting.objects.create(org=org, kind=kind, title=title, date=date, state=state)


def test_member_sees_next_meetings_attendance_and_own_makeups(client, tree, member):
    today = timezone.localdate()
    past = today - datetime.timedelta(days=today.day)  # last day of last month
    held = meeting(tree.a1, "学习党章党规", past if past.year == today.year else today,
                   state="held")
    mine = Attendance.objects.create(meeting=held, membership=tree.membership_a,
                                     presence="sick", reason="住院")
    MakeUp.objects.create(attendance=mine, org=tree.a1)
    meeting(tree.a1, "垃圾分类志愿服务", today + datetime.timedelta(days=3), state="planned")
    meeting(tree.b1, "别的支部的会议", today + datetime.timedelta(days=3), state="planned")
    # Another member of the same branch, absent too: not shown to this member.
    other = Person.objects.create(name="李四", sex="男", birth_date=datetime.date(1980, 1, 1),
                                  org=tree.a1)
    theirs = Attendance.objects.create(
        meeting=held, presence="absent",
        membership=other.memberships.create(org=tree.a1, category="正式党员",
                                            joined_on=datetime.date(2005, 7, 1)))
    MakeUp.objects.create(attendance=theirs, org=tree.a1)

    page = client_page(client, member)
    assert "我的组织生活" in page
    assert "垃圾分类志愿服务" in page and "别的支部的会议" not in page
    assert "待补学" in page and page.count("学习党章党规") == 1
    assert "病假 1 次" in page


def test_resident_has_no_orglife_section(client, users):
    assert "我的组织生活" not in client_page(client, users.resident)


def client_page(client, user):
    client.force_login(user)
    response = client.get(reverse("my_page"))
    assert response.status_code == 200
    return response.content.decode()
