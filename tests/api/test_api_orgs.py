"""Organisations: list filters, detail, create, update, move, merge, dissolve."""

import pytest
from django.utils import timezone

from gongjian.core.models import AuditEntry
from gongjian.orgs.models import Organization, OrgEvent, Unit

ORGS = "/api/v1/orgs/"


def placement(message):
    """A placement refusal with its list of allowed parent kinds as a set (the model builds
    that list from a set, so its order is not fixed)."""
    head, _, allowed = message.partition("（上级须为")
    return head, set(allowed.removesuffix("）。").split("、"))


@pytest.fixture
def street(users, api_as):
    return api_as(users.street)


# ---- reading ------------------------------------------------------------------------------

@pytest.mark.parametrize(("params", "expected"), [
    ({"within": "JS-A"}, ["JS-A", "JS-A1", "JS-A1G", "JS-A2"]),
    ({"within": "JS-A1"}, ["JS-A1", "JS-A1G"]),
    ({"parent": "JS-A"}, ["JS-A1", "JS-A2"]),
    ({"parent": "JS"}, ["JS-A", "JS-B"]),
    ({"parent": "NO-SUCH"}, []),
    ({"kind": "branch"}, ["JS-A1", "JS-A2", "JS-B1"]),
    ({"kind": "branch", "within": "JS-B"}, ["JS-B1"]),
    ({"sector": "residential"}, ["JS-A1", "JS-B1"]),
    ({"active": "true"}, ["JS", "JS-A", "JS-A1", "JS-A1G", "JS-A2", "JS-B", "JS-B1"]),
    ({"active": "false"}, []),
    ({"q": "金安"}, ["JS-A"]),
    ({"q": "jinan"}, ["JS-A"]),
    ({"q": "jasq"}, ["JS-A"]),
    ({"q": "jaq"}, ["JS-A"]),  # ordered initials with gaps
    ({"q": "xq"}, ["JS-A1", "JS-B1"]),
])
def test_list_filters(street, codes, params, expected):
    assert codes(street.get(ORGS, params)) == expected


def test_search_ranks_then_tree_order(street, codes):
    created = street.post(ORGS, {"code": "JS-B2", "name": "林园小区党支部", "kind": "branch",
                                 "parent": "JS-B"}, format="json")
    assert created.status_code == 201, created.content
    # 林园… starts with "lin" and ranks first although it comes last in the tree; 高林社区 and
    # 金林湾 only contain it and keep tree order.
    assert codes(street.get(ORGS, {"q": "lin"})) == ["JS-B2", "JS-B", "JS-B1"]
    assert codes(street.get(ORGS, {"q": "林"})) == ["JS-B2", "JS-B", "JS-B1"]
    assert codes(street.get(ORGS, {"q": "jin"})) == ["JS", "JS-A", "JS-B1"]


def test_active_filter_after_dissolving(street, codes):
    assert street.delete(f"{ORGS}JS-A1G/").status_code == 204
    assert codes(street.get(ORGS, {"active": "false"})) == ["JS-A1G"]
    assert "JS-A1G" not in codes(street.get(ORGS, {"active": "true"}))
    assert "JS-A1G" in codes(street.get(ORGS))  # default: all


def test_bad_filter_value_is_400_in_chinese(street):
    response = street.get(ORGS, {"kind": "platoon"})
    assert response.status_code == 400
    message = response.json()["kind"][0]
    assert "platoon" in message and "选" in message


def test_pagination(street):
    page = street.get(ORGS, {"page_size": 3, "page": 2}).json()
    assert page["count"] == 7
    assert [row["code"] for row in page["results"]] == ["JS-A1G", "JS-A2", "JS-B"]
    assert page["next"] and page["previous"]


def test_detail(street):
    response = street.get(f"{ORGS}JS-A/")
    assert response.status_code == 200
    body = response.json()
    assert body["parent"] == "JS"
    assert body["depth"] == 2
    assert body["children_count"] == 2
    assert body["active"] is True and body["dissolved_on"] is None
    assert body["merged_into"] is None
    assert [e["text"] for e in body["events"]] == ["在“金山街道党工委”之下设立党委"]
    assert street.get(f"{ORGS}JS/").json()["parent"] is None


# ---- create ---------------------------------------------------------------------------------

def test_create(users, street):
    response = street.post(ORGS, {"code": "JS-A3", "name": "金安第三支部", "kind": "branch",
                                  "parent": "JS-A", "established_on": "2024-07-01"},
                           format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "JS-A3"
    assert body["parent"] == "JS-A"
    assert body["sector"] == "residential"  # default for a branch
    assert body["depth"] == 3
    assert body["events"][0]["text"] == "在“金安社区党委”之下设立党支部"
    assert body["events"][0]["actor"] == "street"
    org = Organization.objects.get(code="JS-A3")
    assert Organization.objects.get_parent(org).code == "JS-A"
    # The token-authenticated request is recorded as the street account's change.
    entry = AuditEntry.objects.get(event="create", object_type="orgs.organization",
                                   object_id=str(org.pk))
    assert entry.actor == users.street
    assert entry.ip == "127.0.0.1"


def test_community_creates_within_its_subtree(users, api_as):
    response = api_as(users.community_a).post(
        ORGS, {"code": "JS-A1H", "name": "二号楼党小组", "kind": "group", "parent": "JS-A1",
               "sector": "building"}, format="json")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(("payload", "status", "expected"), [
    ({"code": "JS-A1", "name": "重复", "kind": "branch", "parent": "JS-A"}, 400,
     {"code": ["组织编码已被使用。"]}),
    ({"code": "JS-X", "name": "某支部", "kind": "branch", "parent": "XYZ"}, 400,
     {"parent": ["上级组织编码“XYZ”不存在或不在您的管理范围内。"]}),
    ({"code": "JS-X", "name": "某支部", "kind": "branch"}, 400,
     {"parent": ["该字段是必填项。"]}),
    ({"code": "中文编码", "name": "某支部", "kind": "branch", "parent": "JS-A"}, 400,
     {"code": ["编码须为 2–40 位字母、数字、下划线或连字符，且以字母或数字开头。"]}),
    ({"code": "JS-X", "name": "某支部", "kind": "platoon", "parent": "JS-A"}, 400,
     {"kind": ["“platoon” 不是合法选项。"]}),
    ({"code": "JS-X", "name": "某党委", "kind": "committee", "parent": "JS-A1"}, 400,
     {"detail": ("党委不能设在党支部“达嘉馨园小区党支部”之下", {"党工委", "党委"}),
      "field": "parent"}),
    ({"code": "JS-X", "name": "返迁临时党支部", "kind": "temporary_branch", "parent": "JS-A"},
     400, {"detail": "临时党支部须注明所建在的项目。", "field": "project_name"}),
    ({"code": "JS-X", "name": "某支部", "kind": "branch", "parent": "JS-A",
      "established_on": "2999-01-01"}, 400,
     {"detail": "成立日期不能晚于今天。", "field": "established_on"}),
])
def test_create_refused(street, snapshot, payload, status, expected):
    before = snapshot()
    response = street.post(ORGS, payload, format="json")
    assert response.status_code == status
    body = response.json()
    if isinstance(expected.get("detail"), tuple):
        body["detail"] = placement(body["detail"])
    assert body == expected
    assert snapshot() == before


def test_create_rejects_non_json(street, snapshot):
    before = snapshot()
    response = street.post(ORGS, "code=JS-X", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert snapshot() == before


# ---- update ---------------------------------------------------------------------------------

def test_update(street):
    response = street.patch(f"{ORGS}JS-A/", {"name": "金安社区大党委", "is_regional": True},
                            format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "金安社区大党委" and body["is_regional"] is True
    assert body["events"][0]["text"] == "名称由“金安社区党委”改为“金安社区大党委”"
    put = street.put(f"{ORGS}JS-A2/", {"code": "JS-A2", "name": "鼎峰集团党支部",
                                       "kind": "branch", "sector": "non_public_enterprise",
                                       "note": "两新组织"}, format="json")
    assert put.status_code == 200, put.content
    assert put.json()["note"] == "两新组织"


@pytest.mark.parametrize(("code", "payload", "status", "expected"), [
    ("JS-A", {"code": "JS-AA"}, 400, {"code": ["编码创建后不可修改。"]}),
    ("JS-A", {"name": ""}, 400, {"name": ["该字段不能为空。"]}),
    ("JS-A", {"kind": "group"}, 400,
     {"detail": ("党小组不能设在党工委“金山街道党工委”之下", {"党支部", "临时党支部", "党总支"}),
      "field": "parent"}),
    ("JS-A", {"kind": "branch"}, 409,
     {"detail": "改为党支部后，下级组织“达嘉馨园小区党支部”将无法保留（党支部不能设在党支部之下）。"}),
])
def test_update_refused(street, snapshot, code, payload, status, expected):
    before = snapshot()
    response = street.patch(f"{ORGS}{code}/", payload, format="json")
    assert response.status_code == status, response.content
    body = response.json()
    if isinstance(expected.get("detail"), tuple):
        body["detail"] = placement(body["detail"])
    assert body == expected
    assert snapshot() == before


def test_put_requires_the_full_representation(street, snapshot):
    before = snapshot()
    response = street.put(f"{ORGS}JS-A/", {"name": "只改名"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"kind": ["该字段是必填项。"]}
    assert snapshot() == before


# ---- move ------------------------------------------------------------------------------------

def test_move(street, fresh, tree):
    response = street.post(f"{ORGS}JS-A1/move/", {"parent": "JS-B"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["parent"] == "JS-B" and body["depth"] == 3
    assert body["events"][0]["text"] == "由“金安社区党委”移至“高林社区党委”之下"
    assert fresh(tree.a1g).path.startswith(fresh(tree.b).path)
    assert street.get(f"{ORGS}JS-B/").json()["children_count"] == 2
    assert street.get(f"{ORGS}JS-A/").json()["children_count"] == 1


@pytest.mark.parametrize(("code", "parent", "expected"), [
    ("JS-A", "JS-A1", {"detail": "不能把“金安社区党委”移到它自己或它的下级组织“达嘉馨园小区党支部”之下。",
                       "field": "parent"}),
    ("JS-A", "JS-A", {"detail": "不能把“金安社区党委”移到它自己或它的下级组织“金安社区党委”之下。",
                      "field": "parent"}),
    ("JS-A1", "JS-A", {"detail": "“达嘉馨园小区党支部”已在“金安社区党委”之下。", "field": "parent"}),
    ("JS-A1", "NOPE", {"parent": ["新上级组织编码“NOPE”不存在或不在您的管理范围内。"]}),
    ("JS-A1G", "JS-B", {"detail": ("党小组不能设在党委“高林社区党委”之下",
                                   {"党支部", "临时党支部", "党总支"}), "field": "parent"}),
])
def test_move_refused(street, snapshot, code, parent, expected):
    before = snapshot()
    response = street.post(f"{ORGS}{code}/move/", {"parent": parent}, format="json")
    assert response.status_code == 400
    body = response.json()
    if isinstance(expected.get("detail"), tuple):
        body["detail"] = placement(body["detail"])
    assert body == expected
    assert snapshot() == before


# ---- merge -------------------------------------------------------------------------------------

def test_merge(street, tree, codes):
    response = street.post(f"{ORGS}JS-B/merge/", {"into": "JS-A", "reason": "社区合并"},
                           format="json")
    assert response.status_code == 200, response.content
    survivor = response.json()
    assert survivor["code"] == "JS-A"
    assert survivor["children_count"] == 3
    assert survivor["events"][0]["text"].startswith("吸收合并“高林社区党委”")
    absorbed = street.get(f"{ORGS}JS-B/").json()
    assert absorbed["active"] is False
    assert absorbed["merged_into"] == "JS-A"
    assert absorbed["dissolved_on"] == timezone.localdate().isoformat()
    assert absorbed["dissolution_reason"] == "社区合并"
    assert street.get(f"{ORGS}JS-B1/").json()["parent"] == "JS-A"
    assert Unit.objects.get(code="U-B").org.code == "JS-A"
    assert codes(street.get(ORGS, {"parent": "JS-A"})) == ["JS-A1", "JS-A2", "JS-B1"]


@pytest.mark.parametrize(("code", "into", "status", "expected"), [
    ("JS-A", "JS-A", 400, {"detail": "不能把组织并入它自己。", "field": "survivor"}),
    ("JS-A", "JS-A1", 400, {"detail": "不能把“金安社区党委”并入它的下级组织“达嘉馨园小区党支部”。",
                            "field": "survivor"}),
    ("JS-B", "NOPE", 400, {"into": ["目标组织编码“NOPE”不存在或不在您的管理范围内。"]}),
    ("JS-A1", "JS-A2", 400, None),  # placeholder replaced below
])
def test_merge_refused(street, snapshot, code, into, status, expected):
    if expected is None:
        # A branch with a group under it merged into the street's working committee: the
        # group cannot stand there.
        into, status = "JS", 409
        expected = {"detail": "“达嘉馨园小区党支部”的下级组织“一号楼党小组”（党小组）"
                              "不能设在党工委“金山街道党工委”之下，请先调整。"}
    before = snapshot()
    response = street.post(f"{ORGS}{code}/merge/", {"into": into}, format="json")
    assert response.status_code == status, response.content
    assert response.json() == expected
    assert snapshot() == before


# ---- dissolve -----------------------------------------------------------------------------------

def test_dissolve_with_reason_in_query_or_body(street):
    response = street.delete(f"{ORGS}JS-A1G/?reason=支部调整")
    assert response.status_code == 204
    body = street.get(f"{ORGS}JS-A1G/").json()
    assert body["active"] is False
    assert body["dissolution_reason"] == "支部调整"
    assert body["events"][0]["text"] == "撤销：支部调整"
    assert street.delete(f"{ORGS}JS-A2/", {"reason": "企业迁出"}, format="json").status_code == 204
    assert street.get(f"{ORGS}JS-A2/").json()["dissolution_reason"] == "企业迁出"
    assert OrgEvent.objects.filter(step="dissolved").count() == 2


@pytest.mark.parametrize(("code", "expected"), [
    ("JS-A", "“金安社区党委”还有2 个下级组织，请先转移或撤销后再撤销本组织。"),
    ("JS-A1", "“达嘉馨园小区党支部”还有1 个下级组织、1 个网格、1 名党员，请先转移或撤销后再撤销本组织。"),
])
def test_dissolve_refused_with_counts(street, snapshot, code, expected):
    before = snapshot()
    response = street.delete(f"{ORGS}{code}/")
    assert response.status_code == 409
    assert response.json() == {"detail": expected}
    assert snapshot() == before


def test_dissolve_twice_is_refused(street, snapshot):
    assert street.delete(f"{ORGS}JS-A1G/").status_code == 204
    before = snapshot()
    response = street.delete(f"{ORGS}JS-A1G/")
    assert response.status_code == 409
    assert "已于" in response.json()["detail"]
    assert street.patch(f"{ORGS}JS-A1G/", {"name": "复活"}, format="json").json() == {
        "detail": "已撤销的组织不能修改。"}
    assert snapshot() == before
