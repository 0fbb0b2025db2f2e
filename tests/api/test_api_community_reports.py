"""API of 双报到: a member reports (POST), the community receives and evaluates, the unit's
liaison reads its members' reports; bad input 400 and a step out of order 409, each with a
Chinese `detail` and nothing written. Every answer is checked against the OpenAPI schema."""

from access_community_reports import in_service, report

from gongjian.community_reports.models import Report, ReportEvent

API = "/api/v1/community-reports"


def _written():
    return (Report.objects.count(), ReportEvent.objects.count(),
            list(Report.objects.order_by("pk").values_list("state", flat=True)))


def test_a_member_reports_and_the_community_receives(tree, users, api_as):
    in_service(tree, users)
    created = api_as(users.member).post(f"{API}/", {
        "community": "JS-A", "address": "达嘉馨园 3 号楼", "fields": ["legal", "health"],
        "availability": "weekend", "skills": "法律咨询"}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "submitted" and body["unit_code"] == "U-A"
    assert body["figures"]["expected"] is not None
    received = api_as(users.community_a).post(f"{API}/{body['id']}/receive/",
                                              {"grid": "G-A"}, format="json")
    assert received.status_code == 200, received.content
    assert received.json()["state"] == "received" and received.json()["grid_code"] == "G-A"
    rows = api_as(users.liaison_a).get(f"{API}/").json()["results"]
    assert [r["id"] for r in rows] == [body["id"]]
    assert api_as(users.community_b).get(f"{API}/").json()["results"] == []


def test_refusals_are_chinese_and_write_nothing(tree, users, api_as):
    r = report(tree, users, "received")
    before = _written()
    again = api_as(users.member).post(f"{API}/", {"community": "JS-A", "address": "x",
                                                  "fields": ["legal"]}, format="json")
    assert again.status_code == 409 and "不能重复报到" in again.json()["detail"]
    bad = api_as(users.community_a).post(f"{API}/{r.pk}/evaluate/", {"grade": "best"},
                                         format="json")
    assert bad.status_code == 400 and "评价等次" in bad.json()["detail"]
    twice = api_as(users.community_a).post(f"{API}/{r.pk}/receive/", {}, format="json")
    assert twice.status_code == 409 and "已报到" in twice.json()["detail"]
    nowhere = api_as(users.community_a).post(f"{API}/{r.pk}/receive/", {"grid": "G-B"},
                                             format="json")
    assert nowhere.status_code in (400, 409)
    assert _written() == before
