"""A branch's meetings on the workflow kit: who is due, the steps in order (a step out of order
refused with its message and nothing written), make-ups for absentees, votes and grades by the
rules, bad input refused in Chinese with nothing written, the pages, the Word minutes and the
attendance spreadsheet."""

import datetime
import io
import zipfile

import pytest
from access_orglife import add_member, branch, keeper, world
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook
from PIL import Image

from gongjian.core.models import Notification, User
from gongjian.core.services import DomainError
from gongjian.members.models import Team, TeamSeat
from gongjian.orglife import services
from gongjian.orglife.models import (
    Appraisal,
    Attendance,
    MakeUp,
    Meeting,
    MeetingEvent,
    Vote,
)

TODAY = timezone.localdate()
D = datetime.timedelta


@pytest.fixture
def people(tree):
    return branch(tree)


@pytest.fixture
def secretary(tree, people):
    return keeper(tree)


def plan(tree, secretary, **fields):
    values = {"kind": "theme_day", "title": "主题党日", "date": TODAY - D(days=1)}
    values.update(fields)
    return services.plan(tree.a1, user=secretary, **values)


def present_all(meeting):
    return [{"membership": m.pk, "presence": "present"} for m in services.due_memberships(meeting)]


def written(meeting):
    """What a refused step must leave as it was."""
    meeting = Meeting.objects.get(pk=meeting.pk)
    return (meeting.state, meeting.minutes, meeting.due_count, meeting.present_count,
            Attendance.objects.filter(meeting=meeting).count(),
            MakeUp.objects.filter(attendance__meeting=meeting).count(),
            Vote.objects.filter(meeting=meeting).count(),
            Appraisal.objects.filter(meeting=meeting).count(),
            MeetingEvent.objects.filter(meeting=meeting).count())


def refused(meeting, call, message):
    before = written(meeting)
    with pytest.raises(DomainError) as error:
        call()
    assert message in error.value.message, error.value.message
    assert written(meeting) == before
    return error.value


# ---- who is due ----------------------------------------------------------------------------

def test_due_are_full_probationary_and_mobile_not_suspended_lost_or_gone(tree, people, secretary):
    meeting = plan(tree, secretary)
    due = {m.person.name for m in services.due_memberships(meeting)}
    assert due == {"张华娟", "李明", "王芳", "赵强", "陈预备", "周流动"}
    # Another branch's member is never due.
    assert tree.membership_b.pk not in {m.pk for m in services.due_memberships(meeting)}


def test_committee_meetings_are_for_the_current_committee(tree, people, secretary):
    with pytest.raises(DomainError, match="没有登记在任的支部委员会"):
        plan(tree, secretary, kind="committee")
    old = Team.objects.create(org=tree.a1, elected_on=datetime.date(2018, 1, 1),
                              ended_on=datetime.date(2021, 1, 1))
    TeamSeat.objects.create(team=old, person=people["赵强"].person, post="书记",
                            started_on=datetime.date(2018, 1, 1))
    team = Team.objects.create(org=tree.a1, elected_on=datetime.date(2021, 1, 1))
    for name, post in (("张华娟", "书记"), ("李明", "委员")):
        TeamSeat.objects.create(team=team, person=people[name].person, post=post,
                                started_on=datetime.date(2021, 1, 1))
    TeamSeat.objects.create(team=team, person=people["王芳"].person, post="委员",
                            started_on=datetime.date(2021, 1, 1),
                            ended_on=datetime.date(2023, 1, 1))
    meeting = plan(tree, secretary, kind="committee")
    assert {m.person.name for m in services.due_memberships(meeting)} == {"张华娟", "李明"}


def test_group_meetings_take_the_groups_members_where_they_are_kept(tree, people, secretary):
    meeting = plan(tree, secretary, kind="group", group=tree.a1g)
    # Rosters sit at the branch: the whole branch is due.
    assert len(services.due_memberships(meeting)) == 6
    add_member(tree.a1g, "孙小组")
    assert [m.person.name for m in services.due_memberships(meeting)] == ["孙小组"]
    # A branch meeting counts its groups' members too.
    assert "孙小组" in {m.person.name for m in services.due_memberships(plan(tree, secretary))}


# ---- planning ------------------------------------------------------------------------------

def test_plan_refuses_a_non_branch_a_foreign_host_and_a_stray_x_item(tree, people, secretary,
                                                                      make_user):
    street = make_user("street_staff", tree.s)
    count = Meeting.objects.count()
    with pytest.raises(DomainError, match="不是党支部"):
        services.plan(tree.a, user=street, kind="theme_day", title="x", date=TODAY)
    with pytest.raises(DomainError, match="不在“达嘉馨园小区党支部”的党员名册中"):
        plan(tree, secretary, host=tree.person_b)
    with pytest.raises(DomainError, match="只有主题党日填写自选动作"):
        plan(tree, secretary, kind="lecture", x_item="义诊")
    with pytest.raises(DomainError, match="不是“达嘉馨园小区党支部”的党小组"):
        plan(tree, street, kind="group", group=tree.a1g.__class__.objects.get(code="JS-A"))
    assert Meeting.objects.count() == count
    meeting = plan(tree, secretary, host=people["李明"].person, x_item="清理楼道")
    assert meeting.events.get().step == "plan"


def test_a_branch_committee_cannot_plan_for_another_branch(tree, people, secretary):
    from gongjian.core.services import OutOfScope

    with pytest.raises(OutOfScope):
        services.plan(tree.b1, user=secretary, kind="theme_day", title="x", date=TODAY)
    assert not Meeting.objects.filter(org=tree.b1).exists()


# ---- the steps in order --------------------------------------------------------------------

def test_steps_out_of_order_are_refused_and_write_nothing(tree, people, secretary):
    meeting = plan(tree, secretary)
    refused(meeting, lambda: services.vote(meeting, user=secretary, subject="x", in_favour=1),
            "会议当前为“已计划”，不能登记表决。")
    refused(meeting, lambda: services.minutes(meeting, user=secretary, minutes="x"),
            "会议当前为“已计划”，不能修改会议记录。")
    held = services.record(meeting, user=secretary, attendance=present_all(meeting),
                           minutes="学习。")
    refused(held, lambda: services.record(held, user=secretary, attendance=[], minutes="x"),
            "会议当前为“已召开”，不能登记召开情况。")
    refused(held, lambda: services.cancel(held, user=secretary, reason="x"),
            "会议当前为“已召开”，不能取消会议。")
    refused(held, lambda: services.notify(held, user=secretary), "不能通知参会")
    refused(held, lambda: services.edit(held, user=secretary, title="新"), "不能修改计划")
    other = services.cancel(plan(tree, secretary), user=secretary, reason="台风")
    refused(other, lambda: services.record(other, user=secretary,
                                           attendance=present_all(other), minutes="x"),
            "会议当前为“已取消”，不能登记召开情况。")
    assert [e.step for e in MeetingEvent.objects.filter(meeting=other)] == ["plan", "cancel"]


def test_offered_steps_follow_the_table(tree, people, secretary, users):
    meeting = plan(tree, secretary)
    assert [s.name for s in services.WORKFLOW.available_steps(secretary, meeting)] == [
        "edit", "notify", "record", "cancel"]
    assert services.WORKFLOW.available_steps(users.member, meeting) == []
    held = services.record(meeting, user=secretary, attendance=present_all(meeting), minutes="x")
    # grade only at a 民主评议 (its guard).
    assert [s.name for s in services.WORKFLOW.available_steps(secretary, held)] == [
        "minutes", "vote"]


def test_notify_tells_the_accounts_of_those_due(tree, people, secretary):
    account = User.objects.create_user("lm", password="Test@2026pw", display_name="李明")
    account.person = people["李明"].person
    account.save()
    outsider = User.objects.create_user("ww", password="Test@2026pw")
    outsider.person = people["吴失联"].person  # lost contact: not due
    outsider.save()
    meeting = services.notify(plan(tree, secretary, place="活动室"), user=secretary)
    assert meeting.notified_at is not None and meeting.state == "planned"
    assert Notification.objects.filter(user=account, title__contains="主题党日通知").exists()
    assert not Notification.objects.filter(user=outsider).exists()
    assert "应到 6 人" in meeting.events.last().text


# ---- the record ----------------------------------------------------------------------------

def test_record_counts_and_makeups_for_everyone_not_attending(tree, people, secretary):
    meeting = plan(tree, secretary)
    absent = {people["李明"].pk: ("sick", "住院"), people["王芳"].pk: ("late", "堵车"),
              people["周流动"].pk: ("official", "外出务工"), people["陈预备"].pk: ("absent", "")}
    held = services.record(meeting, user=secretary, attendance=_with(meeting, absent),
        minutes="学习党章。", resolutions="开展志愿服务。", observers="社区书记 张三")
    assert (held.state, held.due_count, held.present_count) == ("held", 6, 3)
    rows = {a.membership.person.name: a for a in Attendance.objects.filter(meeting=held)}
    assert rows["王芳"].reason == ""  # late: attending, no reason kept
    assert rows["李明"].reason == "住院" and rows["陈预备"].voting is False
    makeups = MakeUp.objects.filter(attendance__meeting=held)
    assert {m.attendance.membership.person.name for m in makeups} == {"李明", "周流动", "陈预备"}
    assert {m.org_id for m in makeups} == {tree.a1.pk}
    # The meeting and its date are copied on each make-up (compliance counts them by date).
    assert {(m.meeting_id, m.meeting_date) for m in makeups} == {(held.pk, held.date)}
    assert "3 人列入补学" in held.events.last().text


def _with(meeting, absent):
    """Everyone due present, but those in `absent` {membership pk: (presence, reason)}."""
    return [{"membership": m.pk, "presence": absent.get(m.pk, ("present", ""))[0],
             "reason": absent.get(m.pk, ("present", ""))[1]}
            for m in services.due_memberships(meeting)]


def test_record_refuses_bad_input_and_writes_nothing(tree, people, secretary):
    meeting = plan(tree, secretary, date=TODAY + D(days=3))
    rows = present_all(meeting)
    refused(meeting, lambda: services.record(meeting, user=secretary, attendance=rows,
                                             minutes="x"), "还未到，不能登记为已召开")
    meeting = plan(tree, secretary)
    rows = present_all(meeting)
    refused(meeting, lambda: services.record(meeting, user=secretary, attendance=rows,
                                             minutes="x", date=TODAY + D(days=1)),
            "还未到，不能登记为已召开")
    outsider = [*rows, {"membership": tree.membership_b.pk, "presence": "present"}]
    refused(meeting, lambda: services.record(meeting, user=secretary, attendance=outsider,
                                             minutes="x"),
            "“林急”不是本次会议的应到党员")
    lost = [*rows, {"membership": people["吴失联"].pk, "presence": "absent"}]
    refused(meeting, lambda: services.record(meeting, user=secretary, attendance=lost,
                                             minutes="x"), "“吴失联”不是本次会议的应到党员")
    refused(meeting, lambda: services.record(meeting, user=secretary, attendance=rows[1:],
                                             minutes="x"), "还有应到党员未登记出席情况")
    refused(meeting, lambda: services.record(meeting, user=secretary, attendance=rows + rows[:1],
                                             minutes="x"), "重复登记")
    bad = [dict(rows[0], presence="away"), *rows[1:]]
    refused(meeting, lambda: services.record(meeting, user=secretary, attendance=bad,
                                             minutes="x"), "出席情况“away”无效")
    error = refused(meeting, lambda: services.record(meeting, user=secretary, attendance=rows),
                    "请填写会议记录，或上传纸质记录的扫描件")
    assert error.status == 400 and error.field == "minutes"


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, format="PNG")
    return SimpleUploadedFile("记录.png", buffer.getvalue(), content_type="image/png")


def test_a_scan_is_enough_without_typed_minutes(tree, people, secretary):
    meeting = plan(tree, secretary)
    held = services.record(meeting, user=secretary, attendance=present_all(meeting),
                           minutes_scan=_png())
    assert held.minutes == "" and held.minutes_scan.name.endswith(".jpg")
    assert services.scan_bytes(held)[:2] == b"\xff\xd8"  # re-encoded, metadata dropped
    not_a_scan = SimpleUploadedFile("a.txt", b"hello")
    other = plan(tree, secretary)
    refused(other, lambda: services.record(other, user=secretary, attendance=present_all(other),
                                           minutes_scan=not_a_scan), "不是有效的图片")


# ---- make-ups ------------------------------------------------------------------------------

def test_makeup_confirmed_by_the_committee_once(tree, people, secretary, users):
    meeting = plan(tree, secretary, date=TODAY - D(days=5))
    held = services.record(meeting, user=secretary, minutes="x", attendance=_with(
        meeting, {people["李明"].pk: ("personal", "出差")}))
    makeup = MakeUp.objects.get(attendance__meeting=held)
    with pytest.raises(DomainError, match="不能早于会议日期"):
        services.confirm(makeup, user=secretary, content="自学", done_on=TODAY - D(days=6))
    with pytest.raises(DomainError, match="请填写补学内容"):
        services.confirm(makeup, user=secretary, content=" ", done_on=TODAY)
    assert MakeUp.objects.get(pk=makeup.pk).state == "open"
    from gongjian.core.services import OutOfScope

    with pytest.raises(OutOfScope):
        services.confirm(makeup, user=users.member, content="自学", done_on=TODAY)
    done = services.confirm(makeup, user=secretary, content="自学会议精神", done_on=TODAY)
    assert (done.state, done.confirmed_by, done.done_on) == ("done", secretary, TODAY)
    with pytest.raises(DomainError, match="补学当前为“已补学”，不能确认补学。"):
        services.confirm(done, user=secretary, content="again", done_on=TODAY)
    assert held.events.last().step == "makeup" and "李明" in held.events.last().text


# ---- votes ---------------------------------------------------------------------------------

def test_vote_counts_full_members_only_and_follows_the_rules(tree, people, secretary):
    meeting = plan(tree, secretary, kind="party_congress", title="党员大会")
    held = services.record(meeting, user=secretary, minutes="x", attendance=_with(meeting, {
        people["李明"].pk: ("sick", ""), people["王芳"].pk: ("absent", "")}))
    # Full members due: 张华娟 李明 王芳 赵强 周流动 (5); present 张华娟 赵强 周流动 (3).
    assert services.vote_counts(held) == (5, 3)
    refused(held, lambda: services.vote(held, user=secretary, subject="x", in_favour=3,
                                        against=1), "合计 4 票，超过有表决权的实到人数 3")
    passed = services.vote(held, user=secretary, subject="接收预备党员", in_favour=3)
    assert (passed.entitled, passed.present, passed.quorate, passed.passed) == (5, 3, True, True)
    failed = services.vote(held, user=secretary, subject="调整活动日", in_favour=2, against=1)
    assert failed.quorate and not failed.passed
    election = services.vote(held, user=secretary, subject="补选委员", election=True, in_favour=3)
    assert not election.quorate and not election.passed  # 3/5 is not more than 4/5
    assert "未达到法定人数" in held.events.last().text


# ---- grades --------------------------------------------------------------------------------

def _appraisal(tree, secretary):
    meeting = plan(tree, secretary, kind="appraisal", title="民主评议党员")
    return services.record(meeting, user=secretary, attendance=present_all(meeting), minutes="x")


def test_grades_refuse_probationary_and_excess_without_confirmation(tree, people, secretary):
    held = _appraisal(tree, secretary)
    refused(held, lambda: services.grade(held, user=secretary,
                                         grades={people["陈预备"].pk: "qualified"}),
            "“陈预备”是预备党员，参加评议但不评定等次")
    refused(held, lambda: services.grade(held, user=secretary,
                                         grades={tree.membership_b.pk: "qualified"}),
            "不是本次民主评议的应到党员")
    five = [people[n].pk for n in ("张华娟", "李明", "王芳", "赵强", "周流动")]
    excess = {five[0]: "excellent", five[1]: "excellent", five[2]: "qualified",
              five[3]: "qualified", five[4]: "basically"}
    error = refused(held, lambda: services.grade(held, user=secretary, grades=excess),
                    "评为优秀 2 人，占评定人数 5 人的 40.0%")
    assert error.field == "confirm_excess"
    services.grade(held, user=secretary, grades=excess, confirm_excess=True)
    assert Appraisal.objects.filter(meeting=held, grade="excellent").count() == 2
    assert "经确认后登记" in held.events.last().note
    # One third is within the share: no confirmation needed when re-graded.
    services.grade(held, user=secretary, grades={five[1]: "qualified"})
    assert Appraisal.objects.filter(meeting=held).count() == 5


def test_grading_probationary_members_is_a_setting(tree, people, secretary):
    held = _appraisal(tree, secretary)
    with override_settings(GONGJIAN_ORGLIFE={"grade_probationary": True}):
        services.grade(held, user=secretary, grades={people["陈预备"].pk: "qualified"})
    assert Appraisal.objects.filter(meeting=held).count() == 1


def test_grades_only_at_an_appraisal(tree, people, secretary):
    meeting = plan(tree, secretary)
    held = services.record(meeting, user=secretary, attendance=present_all(meeting), minutes="x")
    refused(held, lambda: services.grade(held, user=secretary,
                                         grades={people["李明"].pk: "qualified"}),
            "只有“民主评议党员”会议登记评议等次")


# ---- pages ---------------------------------------------------------------------------------

@pytest.fixture
def member_of_a1(tree, people):
    user = User.objects.create_user("wangfang", password="Test@2026pw", display_name="王芳")
    user.person = people["王芳"].person
    user.save()
    from gongjian.core.models import RoleGrant

    RoleGrant.objects.create(user=user, role="member", org=tree.a1)
    return user


def test_detail_shows_reasons_to_the_committee_only_and_a_member_their_own_line(
        tree, people, secretary, member_of_a1, client):
    w = world(tree)
    url = reverse("branch_meeting_detail", args=[w.held.pk])
    client.force_login(secretary)
    page = client.get(url).content.decode()
    assert "住院" in page and "李明" in page and "确认补学" in page
    client.force_login(member_of_a1)
    page = client.get(url).content.decode()
    assert "王芳" in page and "住院" not in page and "李明" not in page
    assert "确认补学" not in page and "登记表决" not in page


def test_create_page_takes_the_calendars_initial_values(tree, people, secretary, client):
    client.force_login(secretary)
    page = client.get(reverse("branch_meeting_create"),
                      {"org": "JS-A1", "kind": "lecture", "date": "2025-06-01"}).content.decode()
    assert 'value="2025-06-01"' in page
    assert '<option value="lecture" selected>' in page
    assert '<option value="JS-A1" selected>' in page
    assert "李明" in page  # the branch's roster offered as host and recorder
    response = client.post(reverse("branch_meeting_create"), {
        "org": "JS-A1", "kind": "lecture", "title": "七一党课", "date": "2025-06-01",
        "host": people["李明"].person.pk, "lecturer": "张华娟"})
    meeting = Meeting.objects.get(title="七一党课")
    assert response.status_code == 302 and meeting.host == people["李明"].person


def test_create_page_choices_follow_the_branch_chosen(tree, people, make_user, client):
    """Opened without a branch (staff over several), host and recorder have nothing to offer
    yet; choosing a branch asks the page again with the values typed so far (htmx), and the
    form that comes back offers that branch's roster and keeps the values."""
    import re

    client.force_login(make_user("street_staff", tree.s))
    url = reverse("branch_meeting_create")
    page = client.get(url).content.decode()
    assert 'id="meeting-plan"' in page
    select = re.search(r'<select name="org"[^>]*>', page).group(0)
    for attribute in (f'hx-get="{url}"', 'hx-trigger="change"', 'hx-select="#meeting-plan"',
                      'hx-target="#meeting-plan"', 'hx-include="closest form"'):
        assert attribute in select
    host = re.search(r'<select name="host".*?</select>', page, re.S).group(0)
    assert "李明" not in host and "先选择党支部" in page
    page = client.get(url, {"org": "JS-A1", "kind": "lecture", "title": "七一党课",
                            "date": "2025-06-01", "place": "党群服务中心"},
                      headers={"HX-Request": "true"}).content.decode()
    host = re.search(r'<select name="host".*?</select>', page, re.S).group(0)
    recorder = re.search(r'<select name="recorder".*?</select>', page, re.S).group(0)
    assert "李明" in host and "张华娟" in recorder and tree.person_b.name not in host
    assert 'value="七一党课"' in page and 'value="党群服务中心"' in page
    assert '<option value="lecture" selected>' in page
    # Another branch's roster, not the first one's.
    page = client.get(url, {"org": "JS-B1"}).content.decode()
    host = re.search(r'<select name="host".*?</select>', page, re.S).group(0)
    assert tree.person_b.name in host and "李明" not in host


def test_record_page_one_row_per_due_member_and_refusal_keeps_nothing(tree, people, secretary,
                                                                      client):
    meeting = plan(tree, secretary)
    client.force_login(secretary)
    url = reverse("branch_meeting_step", args=[meeting.pk, "record"])
    page = client.get(url).content.decode()
    for name in ("张华娟", "李明", "陈预备", "周流动"):
        assert name in page
    assert "吴失联" not in page and "流动党员（仍为应到）" in page
    data = {"date": TODAY.isoformat(), "minutes": ""}
    for m in services.due_memberships(meeting):
        data[f"presence_{m.pk}"] = "present"
        data[f"reason_{m.pk}"] = ""
    data[f"presence_{people['赵强'].pk}"] = "personal"
    data[f"reason_{people['赵强'].pk}"] = "陪护家人"
    response = client.post(url, data)
    assert response.status_code == 400 and "请填写会议记录" in response.content.decode()
    # The outline offered for the kind, left as it was, is no record either.
    from gongjian.orglife.forms import template_for

    response = client.post(url, {**data, "minutes": template_for(meeting)})
    assert response.status_code == 400 and "请填写会议记录" in response.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).state == "planned"
    data["minutes"] = "学习二十大精神。"
    response = client.post(url, data)
    assert response.status_code == 302
    held = Meeting.objects.get(pk=meeting.pk)
    assert (held.state, held.present_count) == ("held", 5)
    assert MakeUp.objects.get(attendance__meeting=held).attendance.reason == "陪护家人"


def test_a_step_out_of_order_on_a_page_answers_with_the_reason(tree, people, secretary, client):
    meeting = plan(tree, secretary)
    client.force_login(secretary)
    response = client.post(reverse("branch_meeting_step", args=[meeting.pk, "vote"]),
                           {"subject": "x", "in_favour": 1, "against": 0, "abstain": 0})
    assert response.status_code == 409
    assert "会议当前为“已计划”，不能登记表决。" in response.content.decode()
    response = client.get(reverse("branch_meeting_step", args=[meeting.pk, "vote"]), follow=True)
    assert "不能登记表决" in response.content.decode()


# ---- exports -------------------------------------------------------------------------------

def test_minutes_docx_has_the_record_and_reasons_for_the_committee(tree, people, secretary,
                                                                   client):
    w = world(tree)
    services.vote(w.held, user=secretary, subject="开展志愿服务", in_favour=4)
    client.force_login(secretary)
    response = client.get(reverse("branch_meeting_minutes_docx", args=[w.held.pk]))
    assert response.status_code == 200
    text = "\n".join(cell.text for table in Document(io.BytesIO(response.content)).tables
                     for row in table.rows for cell in row.cells)
    for label in ("时间", "地点", "主持人", "记录人", "应到", "实到", "缺席及原因", "列席", "议题",
                  "会议内容", "决议", "表决结果"):
        assert label in text
    assert "6 人" in text and "5 人" in text and "李明（病假：住院）" in text
    assert "学习了党章" in text and "开展志愿服务" in text and "赞成 4" in text


def test_attendance_xlsx_rows_and_reasons_only_where_allowed(tree, people, secretary,
                                                            member_of_a1, client):
    w = world(tree)
    client.force_login(secretary)
    response = client.get(reverse("branch_meeting_attendance_xlsx"), {"org": "JS-A1",
                                                                       "state": "held"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("日期", "党支部", "类型", "主题", "党员", "出席情况", "原因")
    assert len(rows) == 1 + 6
    assert ("李明", "病假", "住院") in {r[4:] for r in rows}
    assert rows[1][0].date() == w.held.date
    client.force_login(member_of_a1)
    response = client.get(reverse("branch_meeting_attendance_xlsx"))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][-1] == "出席情况" and [r[4] for r in rows[1:]] == ["王芳"]
    assert zipfile.is_zipfile(io.BytesIO(response.content))


def test_list_filters_by_org_kind_dates_and_state(tree, people, secretary, client):
    plan(tree, secretary, title="一月党课", kind="lecture", date=datetime.date(2025, 1, 10))
    plan(tree, secretary, title="三月主题党日", date=datetime.date(2025, 3, 10))
    client.force_login(secretary)
    url = reverse("branch_meeting_list")
    page = client.get(url, {"kind": "lecture"}).content.decode()
    assert "一月党课" in page and "三月主题党日" not in page
    page = client.get(url, {"from": "2025-02-01", "to": "2025-03-31"}).content.decode()
    assert "三月主题党日" in page and "一月党课" not in page
    page = client.get(url, {"org": "JS-B1"}).content.decode()
    assert "一月党课" not in page
    page = client.get(url, {"kind": "nope"}).content.decode()
    assert "没有类型“nope”" in page


@pytest.mark.django_db(transaction=True)
def test_the_migration_copies_the_meeting_onto_existing_make_ups(tree):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("orglife", "0001_initial")])
    old = executor.loader.project_state([("orglife", "0001_initial")]).apps
    meeting = old.get_model("orglife", "Meeting").objects.create(
        org_id=tree.a1.pk, kind="theme_day", state="held", title="三月主题党日",
        date=datetime.date(2025, 3, 5))
    attendance = old.get_model("orglife", "Attendance").objects.create(
        meeting=meeting, membership_id=tree.membership_a.pk, presence="absent")
    old.get_model("orglife", "MakeUp").objects.create(attendance=attendance, org_id=tree.a1.pk)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    makeup = MakeUp.objects.get()
    assert (makeup.meeting_id, makeup.meeting_date) == (meeting.pk, datetime.date(2025, 3, 5))
