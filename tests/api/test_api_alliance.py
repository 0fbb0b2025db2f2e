"""Alliance, meeting, task and agreement API: every response is validated against the
OpenAPI schema; refused steps answer 409 and invalid data 400, in Chinese, writing nothing."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongjian.alliance.models import Agreement, AllianceMember, Event, Meeting, Task

API = "/api/v1"
TODAY = timezone.localdate()
D = datetime.timedelta


@pytest.fixture
def street(users, api_as):
    return api_as(users.street)


@pytest.fixture
def comm_a(users, api_as):
    return api_as(users.community_a)


@pytest.fixture
def alliance_id(street, tree):
    response = street.post(f"{API}/alliances/", {"org": "JS", "name": "红盟同心",
                                                  "founded_on": "2020-05-01",
                                                  "description": "街道大党委共建联盟"},
                           format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    added = street.post(f"{API}/alliances/{pk}/members/",
                        {"unit": "U-A", "liaison": tree.person_a.pk,
                         "joined_on": "2020-05-01"}, format="json")
    assert added.status_code == 201, added.content
    assert added.json()["liaison_phone"] == "138****8000"
    return pk


def agreement_payload(**changes):
    data = {"number": "GJXY-2026-001", "title": "共驻共建协议", "org": "JS-A", "unit": "U-A",
            "rights_obligations": "甲方提供党建指导。\n乙方开放场地。",
            "service_items": "义诊\n法律咨询", "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY + D(days=365)).isoformat()}
    data.update(changes)
    return data


def test_alliance_create_members_and_duplicates(street, alliance_id, users, api_as):
    again = street.post(f"{API}/alliances/{alliance_id}/members/", {"unit": "U-A"},
                        format="json")
    assert again.status_code == 400
    assert "已是本联盟的在册成员单位" in again.json()["detail"]
    concurrent = street.post(f"{API}/alliances/{alliance_id}/members/",
                             {"unit": "U-B", "role": "concurrent"}, format="json")
    assert concurrent.status_code == 400 and concurrent.json()["field"] == "committee_person"
    assert AllianceMember.objects.count() == 1
    detail = street.get(f"{API}/alliances/{alliance_id}/").json()
    assert detail["n_members"] == 1 and detail["members"][0]["unit"] == "U-A"
    assert [e["kind"] for e in detail["events"]] == ["joined", "created"]
    # The liaison reads the alliance and only its own membership; a resident is refused.
    liaison = api_as(users.liaison_a).get(f"{API}/alliances/{alliance_id}/")
    assert liaison.status_code == 200 and len(liaison.json()["members"]) == 1
    assert api_as(users.resident).get(f"{API}/alliances/").status_code == 403
    bad = street.post(f"{API}/alliances/", {"org": "NOPE", "name": "x",
                                            "founded_on": "2020-01-01"}, format="json")
    assert bad.status_code == 400


def test_meeting_steps_and_refusals(street, alliance_id, users, api_as, tree):
    liaison = api_as(users.liaison_a)
    called = street.post(f"{API}/meetings/", {
        "alliance": alliance_id, "title": "第一次联席会议",
        "starts_at": (timezone.now() + D(days=3)).isoformat(), "place": "党群服务中心",
        "agenda": "研究共建项目"}, format="json")
    assert called.status_code == 201, called.content
    pk = called.json()["id"]
    assert [i["unit"] for i in called.json()["invitations"]] == ["U-A"]
    reply = liaison.post(f"{API}/meetings/{pk}/reply/", {"unit": "U-A", "reply": "leave"},
                         format="json")
    assert reply.status_code == 400 and reply.json()["detail"] == "请假须说明原因。"
    reply = liaison.post(f"{API}/meetings/{pk}/reply/", {"unit": "U-A", "reply": "attend"},
                         format="json")
    assert reply.status_code == 200 and reply.json()["invitations"][0]["reply"] == "attend"
    bad = street.post(f"{API}/meetings/{pk}/hold/", {
        "minutes": "纪要", "attended": ["U-A"],
        "decisions": [{"title": "开放活动室", "owner_unit": "U-B",
                       "deadline": (TODAY + D(days=10)).isoformat()}]}, format="json")
    assert bad.status_code == 400 and "不是本联盟在册成员单位" in bad.json()["detail"]
    assert Meeting.objects.get(pk=pk).state == "called" and not Task.objects.exists()
    held = street.post(f"{API}/meetings/{pk}/hold/", {
        "minutes": "会议研究了下半年共建计划。", "attended": ["U-A"],
        "decisions": [{"title": "开放活动室", "owner_unit": "U-A",
                       "deadline": (TODAY + D(days=10)).isoformat()},
                      {"title": "组织义诊", "owner_org": "JS-A",
                       "deadline": (TODAY + D(days=20)).isoformat()}]}, format="json")
    assert held.status_code == 200, held.content
    assert held.json()["state"] == "held" and len(held.json()["tasks"]) == 2
    for step, body in (("hold", {"minutes": "再开"}), ("cancel", {"reason": "改期"})):
        refused = street.post(f"{API}/meetings/{pk}/{step}/", body, format="json")
        assert refused.status_code == 409
        assert refused.json()["detail"].startswith("当前状态为“已召开”")
    refused = liaison.post(f"{API}/meetings/{pk}/reply/", {"unit": "U-A", "reply": "attend"},
                           format="json")
    assert refused.status_code == 409


def test_task_steps(street, alliance_id, users, api_as, tree):
    from gongjian.alliance import services

    meeting = Meeting.objects.create(alliance_id=alliance_id, title="会议", place="中心",
                                     agenda="议程", starts_at=timezone.now() - D(days=5))
    meeting.invitations.create(unit=tree.unit_a)
    services.hold(meeting, user=users.street, minutes="纪要", attended_units=[],
                          decisions=[{"title": "开放活动室", "owner_unit": tree.unit_a,
                                      "deadline": TODAY - D(days=1)}])
    task = Task.objects.get()
    liaison = api_as(users.liaison_a)
    listed = liaison.get(f"{API}/tasks/?state=overdue").json()
    assert [t["id"] for t in listed["results"]] == [task.pk] and listed["results"][0]["overdue"]
    empty = liaison.post(f"{API}/tasks/{task.pk}/progress/", {"note": ""}, format="json")
    assert empty.status_code == 400
    progress = liaison.post(f"{API}/tasks/{task.pk}/progress/", {"note": "已对接场地"},
                            format="json")
    assert progress.status_code == 200 and progress.json()["events"][0]["note"] == "已对接场地"
    done = liaison.post(f"{API}/tasks/{task.pk}/complete/", {"note": "已开放"}, format="json")
    assert done.status_code == 200 and done.json()["state"] == "done"
    again = liaison.post(f"{API}/tasks/{task.pk}/complete/", {"note": "再办结"}, format="json")
    assert again.status_code == 409 and again.json()["detail"] == "当前状态为“已完成”，不能办结。"
    assert api_as(users.community_b).get(f"{API}/tasks/{task.pk}/").status_code == 200
    assert api_as(users.community_b).post(f"{API}/tasks/{task.pk}/progress/",
                                          {"note": "x"}, format="json").status_code == 404


def test_agreement_lifecycle(comm_a, users, api_as):
    events = Event.objects.count()
    bad = comm_a.post(f"{API}/agreements/", agreement_payload(
        ends_on=(TODAY - D(days=1)).isoformat()), format="json")
    assert bad.status_code == 400
    assert bad.json() == {"detail": "结束日期不能早于开始日期。", "field": "ends_on"}
    assert not Agreement.objects.exists() and Event.objects.count() == events
    out = comm_a.post(f"{API}/agreements/", agreement_payload(unit="U-B"), format="json")
    assert out.status_code == 400  # U-B is outside community A's reach
    created = comm_a.post(f"{API}/agreements/", agreement_payload(), format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    patched = comm_a.patch(f"{API}/agreements/{pk}/", {"title": "金安社区共建协议"},
                           format="json")
    assert patched.status_code == 200 and patched.json()["title"] == "金安社区共建协议"
    assert comm_a.post(f"{API}/agreements/{pk}/terminate/", {"reason": "x"},
                       format="json").status_code == 409
    signed = comm_a.post(f"{API}/agreements/{pk}/sign/", {}, format="json")
    assert signed.status_code == 200 and signed.json()["state"] == "signed"
    refused = comm_a.patch(f"{API}/agreements/{pk}/", {"title": "再改"}, format="json")
    assert refused.status_code == 409 and refused.json()["detail"] == "当前状态为“已签订”，不能修改。"
    assert comm_a.post(f"{API}/agreements/{pk}/sign/", {}, format="json").status_code == 409
    ended = comm_a.post(f"{API}/agreements/{pk}/terminate/", {"reason": "单位迁出"},
                        format="json")
    assert ended.status_code == 200 and ended.json()["state"] == "terminated"
    assert comm_a.post(f"{API}/agreements/{pk}/sign/", {}, format="json").status_code == 409
    assert [e["kind"] for e in ended.json()["events"]] == ["terminated", "signed", "edited",
                                                           "drafted"]
    liaison = api_as(users.liaison_a)
    assert liaison.get(f"{API}/agreements/{pk}/").status_code == 200
    assert liaison.post(f"{API}/agreements/{pk}/sign/", {}, format="json").status_code == 403
    assert api_as(users.community_b).get(f"{API}/agreements/{pk}/").status_code == 404


def test_agreement_filters_and_list_queries(comm_a, street):
    for n, (days, sign) in enumerate([(20, True), (200, True), (10, False)]):
        pk = comm_a.post(f"{API}/agreements/", agreement_payload(
            number=f"GJXY-{n}", ends_on=(TODAY + D(days=days)).isoformat()),
            format="json").json()["id"]
        if sign:
            comm_a.post(f"{API}/agreements/{pk}/sign/", {}, format="json")

    def numbers(query):
        response = street.get(f"{API}/agreements/{query}")
        assert response.status_code == 200, response.content
        return sorted(row["number"] for row in response.json()["results"])

    assert numbers("?expiry=expiring") == ["GJXY-0"]
    assert numbers("?state=draft") == ["GJXY-2"]
    assert numbers("?unit=U-A&org=JS") == ["GJXY-0", "GJXY-1", "GJXY-2"]
    assert numbers("?org=JS-B") == []
    assert street.get(f"{API}/agreements/?state=bogus").status_code == 400
    with CaptureQueriesContext(connection) as queries:
        street.get(f"{API}/agreements/")
    assert len(queries) <= 5
