"""The three lists through the API: a demand becomes a project and goes to acceptance; refused
steps answer 409 and invalid data 400, in Chinese, writing nothing."""

import pytest

from gongjian.orgs.models import Unit
from gongjian.projects.models import Demand, Project, ProjectClaim, ProjectEvent, Resource

API = "/api/v1"


def state():
    return (list(Project.objects.order_by("pk").values_list("state", "claimed_share", "rating")),
            ProjectClaim.objects.count(), ProjectEvent.objects.count(),
            list(Resource.objects.order_by("pk").values_list("capacity", "committed")),
            list(Demand.objects.order_by("pk").values_list("state")))


@pytest.fixture
def clients(api_as, users):
    return {name: api_as(getattr(users, name)) for name in (
        "street", "community_a", "community_b", "liaison_a", "resident", "grid_a")}


def test_demand_to_accepted_project(clients, users, tree):
    c = clients
    made = c["resident"].post(f"{API}/demands/", {
        "category": "elderly", "title": "高龄老人上门理发", "place": "金安花园",
        "description": "二十多位行动不便的高龄老人需要上门理发", "beneficiaries": 25},
        format="json")
    assert made.status_code == 201, made.json()
    demand = made.json()
    assert demand["org_code"] == "JS-A" and demand["state"] == "open"
    assert c["resident"].post(f"{API}/demands/{demand['id']}/accept/").status_code == 403
    assert c["community_b"].post(f"{API}/demands/{demand['id']}/accept/").status_code == 404
    accepted = c["community_a"].post(f"{API}/demands/{demand['id']}/accept/")
    assert accepted.status_code == 200 and accepted.json()["state_label"] == "已受理"

    resource = c["liaison_a"].post(f"{API}/resources/", {
        "category": "elderly", "title": "党员义工上门理发", "capacity": 60,
        "description": "每月第三个周六为高龄老人上门理发"}, format="json")
    assert resource.status_code == 201, resource.json()
    assert resource.json()["unit_code"] == "U-A"
    matches = c["community_a"].get(f"{API}/demands/{demand['id']}/matches/").json()
    assert matches[0]["id"] == resource.json()["id"]
    assert "同类服务" in matches[0]["reasons"]
    assert any(r.startswith("共同关键词：") for r in matches[0]["reasons"])
    back = c["liaison_a"].get(f"{API}/resources/{resource.json()['id']}/matches/").json()
    assert [m["id"] for m in back] == [demand["id"]]

    created = c["community_a"].post(f"{API}/projects/", {
        "title": "金安花园为老理发", "category": "elderly", "description": "每月上门理发",
        "demands": [demand["id"]]}, format="json")
    assert created.status_code == 201, created.json()
    project = created.json()
    pid = project["id"]
    assert (project["state"], project["org_code"], project["target_beneficiaries"]) == (
        "declared", "JS-A", 25)

    before = state()
    early = c["street"].post(f"{API}/projects/{pid}/claim/", {"share": 30, "unit": "U-A"},
                             format="json")
    assert early.status_code == 409 and early.json()["detail"] == "项目尚未立项，不能认领。"
    assert c["community_a"].post(f"{API}/projects/{pid}/approve/").status_code == 403
    assert state() == before
    assert c["street"].post(f"{API}/projects/{pid}/approve/", {"note": "同意"},
                            format="json").status_code == 200

    over = c["liaison_a"].post(f"{API}/projects/{pid}/claim/", {"share": 120}, format="json")
    assert over.status_code == 400 and "1–100%" in over.json()["detail"]
    claimed = c["liaison_a"].post(f"{API}/projects/{pid}/claim/", {
        "share": 70, "resource": resource.json()["id"], "uses": 25}, format="json")
    assert claimed.status_code == 200, claimed.json()
    assert claimed.json()["claims"][0]["unit_code"] == "U-A"
    liaison_b = _liaison_b(users, tree)
    before = state()
    too_much = liaison_b.post(f"{API}/projects/{pid}/claim/", {"share": 40}, format="json")
    assert too_much.status_code == 409
    assert too_much.json()["detail"] == "认领份额合计不能超过 100%（已认领 70%，本次 40%）。"
    assert state() == before
    assert liaison_b.post(f"{API}/projects/{pid}/claim/", {"share": 30},
                          format="json").status_code == 200

    before = state()
    not_yet = c["community_a"].post(f"{API}/projects/{pid}/accept/",
                                    {"rating": 5, "beneficiary_count": 20}, format="json")
    assert not_yet.status_code == 409 and not_yet.json()["detail"] == "项目尚未执行，不能验收。"
    bad_dock = c["community_a"].post(f"{API}/projects/{pid}/dock/", {"place": "社区"},
                                     format="json")
    assert bad_dock.status_code == 400
    assert state() == before
    assert c["community_a"].post(f"{API}/projects/{pid}/dock/", {
        "date": "2026-03-01", "place": "金安社区党群服务中心", "plan": "每月第三个周六上门"},
        format="json").status_code == 200
    assert c["liaison_a"].post(f"{API}/projects/{pid}/start/").status_code == 200
    assert c["liaison_a"].post(f"{API}/projects/{pid}/progress/", {"text": "已上门两次"},
                               format="json").status_code == 200
    assert c["liaison_a"].post(f"{API}/projects/{pid}/accept/",
                               {"rating": 5, "beneficiary_count": 20},
                               format="json").status_code == 403
    bad_rating = c["community_a"].post(f"{API}/projects/{pid}/accept/",
                                       {"rating": 7, "beneficiary_count": 20}, format="json")
    assert bad_rating.status_code == 400
    assert bad_rating.json() == {"detail": "群众评分须为 1–5 分。", "field": "rating"}
    done = c["community_a"].post(f"{API}/projects/{pid}/accept/",
                                 {"rating": 5, "beneficiary_count": 23, "comment": "满意"},
                                 format="json")
    assert done.status_code == 200 and done.json()["rating"] == 5
    closed = c["community_a"].post(f"{API}/projects/{pid}/close/")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    steps = [e["step"] for e in closed.json()["events"]]
    assert steps == ["declare", "approve", "claim", "claim", "dock", "start", "progress",
                     "accept", "close"]
    again = c["community_a"].post(f"{API}/projects/{pid}/withdraw/", {"reason": "晚了"},
                                  format="json")
    assert again.status_code == 409 and "已结项" in again.json()["detail"]


def _liaison_b(users, tree):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from gongjian.core.models import RoleGrant, User

    user = User.objects.create_user("liaison_b", password="Test@2026pw")
    RoleGrant.objects.create(user=user, role="unit_liaison", unit=tree.unit_b)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_resource_validation_and_scope(clients, tree):
    c = clients
    before = state()
    negative = c["liaison_a"].post(f"{API}/resources/", {
        "category": "health", "title": "义诊", "description": "测血压", "capacity": -1},
        format="json")
    assert negative.status_code == 400
    assert negative.json() == {"detail": "服务容量不能为负数。", "field": "capacity"}
    assert state() == before
    made = c["street"].post(f"{API}/resources/", {
        "unit": "U-B", "category": "children", "title": "四点钟学校",
        "description": "放学后作业辅导", "capacity": 30}, format="json")
    assert made.status_code == 201
    rid = made.json()["id"]
    assert c["liaison_a"].patch(f"{API}/resources/{rid}/", {"capacity": 10},
                                format="json").status_code == 404
    patched = c["street"].patch(f"{API}/resources/{rid}/", {"active": False}, format="json")
    assert patched.status_code == 200 and patched.json()["active"] is False
    listed = c["liaison_a"].get(f"{API}/resources/").json()
    assert listed["count"] == 0
    bad_unit = c["community_a"].post(f"{API}/resources/", {
        "unit": "U-B", "category": "children", "title": "x", "description": "y",
        "capacity": 3}, format="json")
    assert bad_unit.status_code == 400 and bad_unit.json()["field"] == "unit"
    assert Unit.objects.count() == 2


def test_resident_sees_only_own_demands(clients, users, make_user, api_as):
    c = clients
    c["resident"].post(f"{API}/demands/", {
        "category": "legal", "title": "邻里纠纷调解", "place": "2号楼",
        "description": "楼上漏水纠纷", "beneficiaries": 2}, format="json")
    neighbour = api_as(make_user("resident", users.resident.grants.get().org))
    assert neighbour.get(f"{API}/demands/").json()["count"] == 0
    assert c["resident"].get(f"{API}/demands/").json()["count"] == 1
    assert c["community_b"].get(f"{API}/demands/").json()["count"] == 0
    invalid = c["resident"].post(f"{API}/demands/", {
        "category": "legal", "title": "x", "place": "y", "description": "z",
        "beneficiaries": 0}, format="json")
    assert invalid.status_code == 400 and invalid.json()["field"] == "beneficiaries"
    assert "受益人数至少为 1" in invalid.json()["detail"]


def test_project_list_filters(clients, users, tree):
    c = clients
    for title in ("甲", "乙"):
        c["community_a"].post(f"{API}/projects/", {
            "title": title, "category": "culture", "description": "文艺演出",
            "target_beneficiaries": 100}, format="json")
    pid = Project.objects.get(title="甲").pk
    c["street"].post(f"{API}/projects/{pid}/approve/")
    approved = c["street"].get(f"{API}/projects/", {"state": "approved"}).json()
    assert [p["title"] for p in approved["results"]] == ["甲"]
    assert c["street"].get(f"{API}/projects/", {"org": "JS-B"}).json()["count"] == 0
    assert c["street"].get(f"{API}/projects/", {"overdue": "true"}).json()["count"] == 0
    assert c["liaison_a"].get(f"{API}/projects/").json()["count"] == 1  # open to claim


def test_unit_gets_the_outline_of_open_demands_only(clients, users, tree):
    made = clients["resident"].post(f"{API}/demands/", {
        "category": "elderly", "title": "高龄老人上门理发", "place": "金安花园3号楼",
        "description": "王大爷家住3号楼502，行动不便", "beneficiaries": 25}, format="json")
    assert made.status_code == 201
    pk = made.json()["id"]
    hidden = ("description", "place", "posted_by", "grid_code", "reason", "handled_at")
    outline = clients["liaison_a"].get(f"{API}/demands/{pk}/").json()
    assert outline["title"] == "高龄老人上门理发" and outline["beneficiaries"] == 25
    assert outline["org_name"] == "金安社区党委" and outline["state"] == "open"
    assert all(outline[name] is None for name in hidden)
    listed = clients["liaison_a"].get(f"{API}/demands/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["id"] for r in rows] == [pk] and rows[0]["description"] is None
    assert "3号楼502" not in str(listed)
    for name in ("resident", "community_a", "street"):
        full = clients[name].get(f"{API}/demands/{pk}/").json()
        assert full["place"] == "金安花园3号楼" and full["posted_by"], name
        rows = clients[name].get(f"{API}/demands/").json()
        rows = rows["results"] if isinstance(rows, dict) else rows
        assert rows[0]["description"] == "王大爷家住3号楼502，行动不便", name
