"""API of the checklists: each kind filter, creating each kind, each step of the 责任清单 and
问题清单, and bad input answered 400 (409 for a step refused) with a Chinese `detail` and
nothing written. Every answer is checked against the OpenAPI schema."""

import datetime

import pytest
from access_checklists import inspector, listed, problem, responsibility

from gongjian.checklists.models import ChecklistEvent, ChecklistItem

API = "/api/v1/checklist-items"
LATER = (datetime.date.today() + datetime.timedelta(days=60)).isoformat()


def _chinese(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _written():
    return (ChecklistItem.objects.count(), ChecklistEvent.objects.count(),
            list(ChecklistItem.objects.order_by("pk").values_list("state", "deadline")))


@pytest.mark.parametrize("kind,titles", [
    ("responsibility", ["规范开展主题党日"]),
    ("problem", ["党员活动室台账不全"]),
    ("learning", ["学习党章"]),
    ("activity", []),
    ("resource", ["党员义工理发"]),
])
def test_each_kind_filter(tree, users, api_as, kind, titles):
    listed(tree, users)
    response = api_as(users.community_a).get(f"{API}/", {"kind": kind})
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert [r["title"] for r in rows] == titles
    assert {r["kind"] for r in rows} <= {kind}
    if kind == "resource":
        assert rows[0]["unit_name"] == "鼎峰集团" and rows[0]["resource_url"].startswith(
            "/api/v1/resources/")


def test_filters_org_state_overdue_and_a_bad_kind(tree, users, api_as):
    listed(tree, users)
    street = api_as(users.street)
    assert street.get(f"{API}/", {"org": "JS-B"}).json()["count"] == 0
    assert street.get(f"{API}/", {"org": "JS-A"}).json()["count"] == 3
    assert street.get(f"{API}/", {"state": "registered"}).json()["count"] == 1
    ChecklistItem.objects.filter(kind="problem").update(deadline=datetime.date(2025, 6, 30))
    overdue = street.get(f"{API}/", {"overdue": "true"}).json()
    assert [r["title"] for r in overdue["results"]] == ["党员活动室台账不全"]
    assert overdue["results"][0]["overdue"] is True
    bad = street.get(f"{API}/", {"kind": "tasks"})
    assert bad.status_code == 400 and _chinese(str(bad.json()))


def test_create_each_kind(tree, users, api_as):
    street, community = api_as(users.street), api_as(users.community_a)
    published = street.post(f"{API}/", {
        "kind": "responsibility", "orgs": ["JS-A", "JS-B"], "title": "党员积分管理",
        "category": "organisation", "target": "全员建档", "deadline": LATER}, format="json")
    assert published.status_code == 201, published.content
    assert published.json()["state"] == "published"
    assert published.json()["publisher_code"] == "JS"
    assert ChecklistItem.objects.filter(title="党员积分管理").count() == 2
    filed = street.post(f"{API}/", {
        "kind": "problem", "org": "JS-A", "source": "appraisal", "title": "三会一课记录不全",
        "content": "述职评议中指出", "deadline": LATER}, format="json")
    assert filed.status_code == 201 and filed.json()["state"] == "registered"
    learned = community.post(f"{API}/", {
        "kind": "activity", "org": "JS-A", "title": "清洁家园", "starts_on": LATER,
        "place": "金安花园"}, format="json")
    assert learned.status_code == 201 and learned.json()["public"] is True


@pytest.mark.parametrize("body,field", [
    ({"kind": "resource", "org": "JS-A", "title": "x"}, "kind"),
    ({"kind": "tasks", "org": "JS-A", "title": "x"}, "kind"),
    ({"kind": "problem", "org": "JS-A", "title": "x", "source": "rumour", "content": "x",
      "deadline": LATER}, "source"),
    ({"kind": "problem", "org": "HZ-A", "title": "x", "source": "inspection", "content": "x",
      "deadline": LATER}, "org"),
    ({"kind": "problem", "org": "JS-A", "title": "x", "source": "inspection", "content": "x",
      "deadline": "2020-01-01"}, "deadline"),
    ({"kind": "problem", "org": "JS-A", "title": "x", "source": "inspection", "content": "x"},
     "deadline"),
    ({"kind": "responsibility", "orgs": [], "title": "x", "category": "org_life",
      "deadline": LATER}, "orgs"),
    ({"kind": "learning", "org": "JS-A", "title": "学习"}, "starts_on"),
    ({"kind": "problem", "org": "JS-A", "source": "inspection"}, "title"),
])
def test_bad_input_is_400_in_chinese_and_writes_nothing(tree, users, twins, api_as, body,
                                                        field):
    before = _written()
    response = api_as(users.street).post(f"{API}/", body, format="json")
    assert response.status_code == 400, response.content
    detail = response.json()
    assert _chinese(detail["detail"]) and detail.get("field") == field, detail
    assert _written() == before


def test_each_step_of_the_responsibility_list(tree, users, api_as):
    item = responsibility(tree, users)
    community, street = api_as(users.community_a), api_as(users.street)
    for step, client, body, state in [
            ("extend", street, {"deadline": LATER, "reason": "与换届错开"}, "published"),
            ("claim", community, {}, "claimed"),
            ("progress", community, {"evidence": "已开展一次"}, "in_progress"),
            ("submit", community, {"evidence": "全年计划落实"}, "submitted"),
            ("send_back", street, {"reason": "缺少记录"}, "in_progress"),
            ("submit", community, {"evidence": "已补记录"}, "submitted"),
            ("accept", street, {"result": "同意"}, "done")]:
        response = client.post(f"{API}/{item.pk}/{step}/", body, format="json")
        assert response.status_code == 200, (step, response.content)
        assert response.json()["state"] == state
    events = community.get(f"{API}/{item.pk}/").json()["events"]
    assert [e["step"] for e in events] == ["publish", "extend", "claim", "progress", "submit",
                                           "send_back", "submit", "accept"]


def test_each_step_of_the_problem_list_and_the_filer_refused(tree, users, api_as):
    item = problem(tree, users)
    community, street, filer = (api_as(users.community_a), api_as(users.street),
                                api_as(inspector(tree)))
    for step, client, body, state in [
            ("rectify", community, {"measures": "补齐台账"}, "rectifying"),
            ("apply_close", community, {"evidence": "已补齐"}, "applied"),
            ("reject", street, {"reason": "未见实效"}, "rectifying"),
            ("apply_close", community, {"evidence": "再次补齐"}, "applied")]:
        response = client.post(f"{API}/{item.pk}/{step}/", body, format="json")
        assert response.status_code == 200, (step, response.content)
        assert response.json()["state"] == state
    before = _written()
    refused = filer.post(f"{API}/{item.pk}/close_out/", {}, format="json")
    assert refused.status_code == 409
    assert "问题由您登记" in refused.json()["detail"]
    assert _written() == before
    closed = street.post(f"{API}/{item.pk}/close_out/", {"result": "同意销号"}, format="json")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"


@pytest.mark.parametrize("state,step,body,status,field", [
    ("published", "accept", {}, 409, None),
    ("claimed", "submit", {}, 400, "evidence"),
    ("claimed", "submit", {"evidence": " "}, 400, "evidence"),
    ("submitted", "send_back", {}, 400, "reason"),
    ("published", "extend", {"deadline": "2020-01-01", "reason": "x"}, 400, "deadline"),
    ("published", "extend", {"deadline": "明天", "reason": "x"}, 400, "deadline"),
])
def test_bad_steps_are_refused_in_chinese_and_write_nothing(tree, users, api_as, state, step,
                                                            body, status, field):
    item = responsibility(tree, users, state)
    client = api_as(users.community_a if step == "submit" else users.street)
    before = _written()
    response = client.post(f"{API}/{item.pk}/{step}/", body, format="json")
    assert response.status_code == status, response.content
    detail = response.json()
    assert _chinese(detail["detail"]) and detail.get("field") == field, detail
    assert _written() == before
