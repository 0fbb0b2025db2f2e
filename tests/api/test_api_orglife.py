"""The branch meetings API: every response validated against the schema; steps as POSTs;
refusals are JSON {"detail": 中文} and write nothing."""

import datetime
import io

import pytest
from access_orglife import branch, keeper, world
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gongjian.orglife import services
from gongjian.orglife.models import Attendance, MakeUp, Meeting, MeetingEvent

API = "/api/v1"
TODAY = timezone.localdate()


@pytest.fixture
def people(tree):
    return branch(tree)


@pytest.fixture
def sec(tree, people, api_as):
    return api_as(keeper(tree))


def _create(client, **changes):
    data = {"org": "JS-A1", "kind": "theme_day", "title": "主题党日",
            "date": (TODAY - datetime.timedelta(days=1)).isoformat(), "place": "活动室",
            "x_item": "清理楼道"}
    data.update(changes)
    return client.post(f"{API}/branch-meetings/", data, format="json")


def test_create_list_filters_and_retrieve(sec, people, tree):
    created = _create(sec, host=people["李明"].person.pk)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "planned" and body["host"] == "李明" and body["org"] == "JS-A1"
    _create(sec, kind="lecture", title="一月党课", date="2025-01-10", x_item="")
    listed = sec.get(f"{API}/branch-meetings/", {"kind": "lecture"}).json()
    assert [r["title"] for r in listed["results"]] == ["一月党课"]
    listed = sec.get(f"{API}/branch-meetings/", {"from": "2025-01-01", "to": "2025-01-31",
                                                 "org": "JS-A1"}).json()
    assert [r["title"] for r in listed["results"]] == ["一月党课"]
    assert sec.get(f"{API}/branch-meetings/", {"org": "JS-B1"}).json()["count"] == 0
    refused = sec.get(f"{API}/branch-meetings/", {"kind": "nope"})
    assert refused.status_code == 400 and "没有类型“nope”" in refused.json()["detail"]
    assert sec.get(f"{API}/branch-meetings/{body['id']}/").json()["x_item"] == "清理楼道"


def test_create_refusals_are_chinese_and_write_nothing(sec, people, tree):
    count = Meeting.objects.count()
    for changes, field, message in [
        ({"org": "JS-A1G"}, "org", "不是党支部"),
        ({"org": "HZ-X"}, "org", "党支部编码“HZ-X”不存在或不在您的管理范围内"),
        ({"host": tree.person_b.pk}, "host", "主持人"),
        ({"kind": "lecture"}, "x_item", "只有主题党日填写自选动作"),
        ({"kind": "party"}, "kind", "没有类型“party”"),
    ]:
        response = _create(sec, **changes)
        assert response.status_code == 400, (changes, response.content)
        assert message in response.json()["detail"] and response.json().get("field") == field
    assert Meeting.objects.count() == count


def test_record_with_attendance_then_vote_and_makeup_confirm(sec, people, tree, api_as, users):
    pk = _create(sec).json()["id"]
    meeting = Meeting.objects.get(pk=pk)
    rows = [{"membership": m.pk, "presence": "present"}
            for m in services.due_memberships(meeting)]
    rows[1] = {**rows[1], "presence": "sick", "reason": "住院"}
    future = sec.post(f"{API}/branch-meetings/{pk}/record/", {
        "attendance": rows, "minutes": "x", "date": (TODAY + datetime.timedelta(days=1))
        .isoformat()}, format="json")
    assert future.status_code == 400 and "还未到" in future.json()["detail"]
    foreign = sec.post(f"{API}/branch-meetings/{pk}/record/", {
        "attendance": [*rows, {"membership": tree.membership_b.pk, "presence": "present"}],
        "minutes": "x"}, format="json")
    assert foreign.status_code == 400 and "不是本次会议的应到党员" in foreign.json()["detail"]
    shape = sec.post(f"{API}/branch-meetings/{pk}/record/", {"attendance": "x", "minutes": "x"},
                     format="json")
    assert shape.status_code == 400 and "出席情况须为" in shape.json()["detail"]
    assert not Attendance.objects.filter(meeting_id=pk).exists()
    assert MeetingEvent.objects.filter(meeting_id=pk).count() == 1
    held = sec.post(f"{API}/branch-meetings/{pk}/record/", {"attendance": rows,
                                                            "minutes": "学习。"}, format="json")
    assert held.status_code == 200, held.content
    body = held.json()
    assert (body["state"], body["due_count"], body["present_count"]) == ("held", 6, 5)
    sick = next(r for r in body["attendance"] if r["presence"] == "sick")
    assert sick["reason"] == "住院"
    again = sec.post(f"{API}/branch-meetings/{pk}/record/", {"attendance": rows, "minutes": "x"},
                     format="json")
    assert again.status_code == 409 and "不能登记召开情况" in again.json()["detail"]
    too_many = sec.post(f"{API}/branch-meetings/{pk}/vote/", {"subject": "x", "in_favour": 9},
                        format="json")
    assert too_many.status_code == 400 and "超过有表决权的实到人数" in too_many.json()["detail"]
    voted = sec.post(f"{API}/branch-meetings/{pk}/vote/", {"subject": "志愿服务",
                                                           "in_favour": 4}, format="json")
    assert voted.json()["votes"][0]["passed"] is True
    makeups = sec.get(f"{API}/branch-makeups/", {"state": "open", "org": "JS-A1"}).json()
    assert makeups["count"] == 1
    mk = makeups["results"][0]["id"]
    done = sec.post(f"{API}/branch-makeups/{mk}/confirm/", {"content": "自学",
                                                           "done_on": TODAY.isoformat()},
                    format="json")
    assert done.status_code == 200 and done.json()["state"] == "done"
    twice = sec.post(f"{API}/branch-makeups/{mk}/confirm/", {"content": "自学",
                                                            "done_on": TODAY.isoformat()},
                     format="json")
    assert twice.status_code == 409 and twice.json()["detail"] == "补学当前为“已补学”，不能确认补学。"
    # A member of another branch reaches none of it.
    outsider = api_as(users.community_b)
    assert outsider.get(f"{API}/branch-meetings/{pk}/").status_code == 404
    assert MakeUp.objects.get(pk=mk).confirmed_by is not None


def test_record_with_a_scan_in_multipart(sec, people):
    pk = _create(sec).json()["id"]
    meeting = Meeting.objects.get(pk=pk)
    import json

    rows = [{"membership": m.pk, "presence": "present"}
            for m in services.due_memberships(meeting)]
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, format="PNG")
    scan = SimpleUploadedFile("scan.png", buffer.getvalue(), content_type="image/png")
    sec.validate = False  # openapi-core does not check multipart bodies against the schema
    response = sec.post(f"{API}/branch-meetings/{pk}/record/",
                        {"attendance": json.dumps(rows), "minutes_scan": scan},
                        format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["has_scan"] is True and response.json()["minutes"] == ""


def test_member_reads_their_own_attendance_without_reasons(tree, people, api_as):
    from gongjian.core.models import RoleGrant, User

    w = world(tree)
    user = User.objects.create_user("lm2", password="Test@2026pw")
    user.person = people["李明"].person
    user.save()
    RoleGrant.objects.create(user=user, role="member", org=tree.a1)
    body = api_as(user).get(f"{API}/branch-meetings/{w.held.pk}/").json()
    assert [(r["name"], r["reason"]) for r in body["attendance"]] == [("李明", None)]
    assert body["events"] == [] and body["votes"] == []
    assert api_as(user).post(f"{API}/branch-meetings/{w.held.pk}/vote/", {
        "subject": "x", "in_favour": 1}, format="json").status_code == 403
