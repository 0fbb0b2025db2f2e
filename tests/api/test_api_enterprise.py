"""API of services for companies: cases and their steps, cadre links; every answer is checked
against the OpenAPI schema by the validating client."""

import pytest
from access_enterprise import setup_enterprise

from gongjian.enterprise.models import CadreLink, Case, CaseEvent

API = "/api/v1"


@pytest.fixture
def ent(tree, users):
    return setup_enterprise(tree, users)


def _chinese(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_case_journey(ent, users, api_as, tree):
    liaison, street = api_as(users.liaison_a), api_as(users.street)
    created = liaison.post(f"{API}/cases/", {
        "company": "U-A", "category": "labour", "title": "招聘一线员工",
        "description": "急需 30 人", "raised_on": "2025-05-01"}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    pk = body["id"]
    assert body["state"] == "submitted" and body["source"] == "company"
    assert [e["kind"] for e in body["events"]] == ["submitted"]

    steps = [
        ("assign", street, {"assignee": ent.cadre_a.pk, "deadline": "2025-06-01"}, "assigned"),
        ("visit", street, {"visited_on": "2025-05-03", "visitor": ent.cadre_a.pk,
                           "done": "上门了解", "next_step": "联系招聘会"}, "following"),
        ("resolve", street, {"resolution": "招聘会到岗 32 人", "resolved_on": "2025-05-20"},
         "resolved"),
        ("rate", liaison, {"satisfaction": "unsatisfied", "comment": "仍缺技术工"},
         "resolved"),
        ("reopen", street, {"note": "继续对接技校"}, "following"),
        ("resolve", street, {"resolution": "技校推荐 5 人"}, "resolved"),
        ("rate", liaison, {"satisfaction": "satisfied"}, "resolved"),
    ]
    for step, client, data, state in steps:
        response = client.post(f"{API}/cases/{pk}/{step}/", data, format="json")
        assert response.status_code == 200, (step, response.content)
        assert response.json()["state"] == state
    detail = liaison.get(f"{API}/cases/{pk}/").json()
    assert detail["satisfaction"] == "satisfied"
    assert len(detail["visits"]) == 1 and detail["visits"][0]["visitor_name"] == "干部甲"
    assert [e["kind"] for e in detail["events"]] == [
        "submitted", "assigned", "visit", "resolved", "rated", "reopened", "resolved", "rated"]


def test_refused_step_is_409_in_chinese(ent, users, api_as):
    street = api_as(users.street)
    events = CaseEvent.objects.count()
    for step, data in [("rate", {"satisfaction": "satisfied"}),
                       ("resolve", {"resolution": "x"}),
                       ("visit", {"visitor_name": "王", "done": "x"}),
                       ("reopen", {"note": "x"})]:
        response = street.post(f"{API}/cases/{ent.case.pk}/{step}/", data, format="json")
        assert response.status_code == 409, (step, response.content)
        assert "已提交" in response.json()["detail"]
    closed = street.post(f"{API}/cases/{ent.case.pk}/close/", {"reason": "企业撤回"},
                         format="json")
    assert closed.status_code == 200
    again = street.post(f"{API}/cases/{ent.case.pk}/visit/", {"visitor_name": "王", "done": "x"},
                        format="json")
    assert again.status_code == 409 and "已关闭" in again.json()["detail"]
    assert CaseEvent.objects.count() == events + 1


def test_invalid_data_is_400_in_chinese(ent, users, api_as, tree):
    street, liaison = api_as(users.street), api_as(users.liaison_a)
    count = Case.objects.count()
    bad = street.post(f"{API}/cases/", {"company": "U-B", "category": "finance", "title": "x",
                                        "description": "y"}, format="json")
    assert bad.status_code == 400 and "不是企业" in bad.json()["detail"]
    assert bad.json()["field"] == "company"
    bad = liaison.post(f"{API}/cases/", {"company": "U-BC", "category": "finance", "title": "x",
                                         "description": "y"}, format="json")
    assert bad.status_code == 400 and "不在您的管理范围内" in bad.json()["detail"]
    bad = street.post(f"{API}/cases/", {"company": "U-A", "category": "借钱", "title": "x",
                                        "description": "y"}, format="json")
    assert bad.status_code == 400 and "category" in bad.json()
    assert Case.objects.count() == count
    bad = street.post(f"{API}/cases/{ent.case.pk}/assign/", {"deadline": "2025-04-01"},
                      format="json")
    assert bad.status_code == 400 and bad.json()["detail"] == "请选择承办干部或承办组织。"
    bad = street.post(f"{API}/cases/{ent.case.pk}/assign/",
                      {"assignee_org": "NOPE", "deadline": "2025-04-01"}, format="json")
    assert bad.status_code == 400 and _chinese(bad.json()["detail"])
    assert Case.objects.get(pk=ent.case.pk).state == "submitted"


def test_scope_and_roles(ent, users, api_as, codes):
    case_b = api_as(users.street).post(f"{API}/cases/", {
        "company": "U-BC", "category": "policy", "title": "政策咨询", "description": "y"},
        format="json").json()["id"]
    assert set(codes(api_as(users.street).get(f"{API}/cases/"))) == {ent.case.pk, case_b}
    assert codes(api_as(users.community_a).get(f"{API}/cases/")) == [ent.case.pk]
    assert codes(api_as(users.community_b).get(f"{API}/cases/")) == [case_b]
    assert codes(api_as(users.liaison_a).get(f"{API}/cases/")) == [ent.case.pk]
    assert api_as(users.liaison_a).get(f"{API}/cases/{case_b}/").status_code == 404
    assert api_as(users.community_b).get(f"{API}/cases/{ent.case.pk}/").status_code == 404
    for name in ("member", "resident", "sysadmin", "grid_a"):
        assert api_as(getattr(users, name)).get(f"{API}/cases/").status_code == 403
    refused = api_as(users.liaison_a).post(f"{API}/cases/{ent.case.pk}/close/",
                                           {"reason": "x"}, format="json")
    assert refused.status_code == 403


def test_list_filters(ent, users, api_as, codes):
    street = api_as(users.street)
    assert codes(street.get(f"{API}/cases/?state=open")) == [ent.case.pk]
    assert codes(street.get(f"{API}/cases/?category=labour")) == []
    assert codes(street.get(f"{API}/cases/?area={ent.area.pk}")) == [ent.case.pk]
    assert codes(street.get(f"{API}/cases/?area={ent.area_b.pk}")) == []
    assert codes(street.get(f"{API}/cases/?overdue=true")) == []
    street.post(f"{API}/cases/{ent.case.pk}/assign/",
                {"assignee": ent.cadre_a.pk, "deadline": "2025-04-01"}, format="json")
    assert codes(street.get(f"{API}/cases/?overdue=true")) == [ent.case.pk]
    assert codes(street.get(f"{API}/cases/?q=鼎峰")) == [ent.case.pk]
    bad = street.get(f"{API}/cases/?state=whatever")
    assert bad.status_code == 400


def test_cadre_links(ent, users, api_as, codes):
    street = api_as(users.street)
    assert codes(street.get(f"{API}/cadre-links/")) == [ent.link_a.pk]
    created = street.post(f"{API}/cadre-links/", {"cadre": ent.cadre_b.pk, "company": "U-BC",
                                                  "started_on": "2025-01-01"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["cadre_name"] == "干部乙" and created.json()["area"] == "第二片区"
    again = street.post(f"{API}/cadre-links/", {"cadre": ent.cadre_b.pk, "company": "U-BC"},
                        format="json")
    assert again.status_code == 400 and "已在挂钩" in again.json()["detail"]
    school = street.post(f"{API}/cadre-links/", {"cadre": ent.cadre_b.pk, "company": "U-B"},
                         format="json")
    assert school.status_code == 400 and "不是企业" in school.json()["detail"]
    assert CadreLink.objects.count() == 2
    assert codes(api_as(users.community_b).get(f"{API}/cadre-links/")) == [created.json()["id"]]
    denied = api_as(users.community_a).post(f"{API}/cadre-links/",
                                            {"cadre": ent.cadre_a.pk, "company": "U-A"},
                                            format="json")
    assert denied.status_code == 403
    assert api_as(users.liaison_a).get(f"{API}/cadre-links/").status_code == 403
