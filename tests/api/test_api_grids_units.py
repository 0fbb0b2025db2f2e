"""Grids with their posts, buildings, units."""

import pytest

from gongjian.orgs.models import Building, GridPost, Unit

GRIDS = "/api/v1/grids/"
BUILDINGS = "/api/v1/buildings/"
UNITS = "/api/v1/units/"


@pytest.fixture
def street(users, api_as):
    return api_as(users.street)


@pytest.fixture
def community(users, api_as):
    return api_as(users.community_a)


# ---- grids ---------------------------------------------------------------------------------

def test_grid_detail_with_totals(tree, street):
    Building.objects.create(grid=tree.grid_a, name="2号楼", households=30)
    body = street.get(f"{GRIDS}G-A/").json()
    assert body == {"code": "G-A", "name": "金安第一网格", "org": "JS-A1", "note": "",
                    "posts": [], "building_count": 2, "household_total": 78}


def test_grid_create_update_delete(community, codes):
    response = community.post(GRIDS, {"code": "G-A2", "name": "金安第二网格", "org": "JS-A2"},
                              format="json")
    assert response.status_code == 201, response.content
    assert response.json()["building_count"] == 0
    assert response.json()["household_total"] == 0
    response = community.patch(f"{GRIDS}G-A2/", {"name": "鼎峰网格", "org": "JS-A1"},
                               format="json")
    assert response.status_code == 200, response.content
    assert response.json()["org"] == "JS-A1"
    assert codes(community.get(GRIDS, {"q": "dfwg"})) == ["G-A2"]
    assert codes(community.get(GRIDS, {"within": "JS-A1"})) == ["G-A", "G-A2"]
    assert community.delete(f"{GRIDS}G-A2/").status_code == 204
    assert community.get(f"{GRIDS}G-A2/").status_code == 404


@pytest.mark.parametrize(("method", "path", "payload", "status", "expected"), [
    ("post", GRIDS, {"code": "G-X", "name": "小组网格", "org": "JS-A1G"}, 400,
     {"detail": "网格不能挂在党小组“一号楼党小组”上，须属于社区党委、党总支或党支部。",
      "field": "org"}),
    ("post", GRIDS, {"code": "G-A", "name": "重复网格", "org": "JS-A1"}, 400,
     {"code": ["网格编码已被使用。"]}),
    ("post", GRIDS, {"code": "G-X", "name": "某网格", "org": "XYZ"}, 400,
     {"org": ["党组织编码“XYZ”不存在或不在您的管理范围内。"]}),
    ("patch", f"{GRIDS}G-A/", {"code": "G-Z"}, 400, {"code": ["编码创建后不可修改。"]}),
    ("patch", f"{GRIDS}G-A/", {"org": "JS-A1G"}, 400,
     {"detail": "网格不能挂在党小组“一号楼党小组”上，须属于社区党委、党总支或党支部。",
      "field": "org"}),
    ("delete", f"{GRIDS}G-A/", None, 409, {"detail": "网格“金安第一网格”还有 1 栋楼，请先移除。"}),
])
def test_grid_refused(community, snapshot, method, path, payload, status, expected):
    before = snapshot()
    response = getattr(community, method)(path, payload, format="json")
    assert response.status_code == status, response.content
    assert response.json() == expected
    assert snapshot() == before


def test_grid_posts(users, community, api_as, snapshot):
    response = community.post(f"{GRIDS}G-A/posts/", {"role": "网格长", "holder_name": " 张三 ",
                                                     "since": "2025-01-01"}, format="json")
    assert response.status_code == 201, response.content
    post = response.json()
    assert post == {"id": post["id"], "role": "网格长", "holder_name": "张三",
                    "since": "2025-01-01"}
    community.post(f"{GRIDS}G-A/posts/", {"role": "专职网格员", "holder_name": "李四"},
                   format="json")
    posts = community.get(f"{GRIDS}G-A/").json()["posts"]
    assert [(p["role"], p["holder_name"]) for p in posts] == [("网格长", "张三"),
                                                              ("专职网格员", "李四")]
    before = snapshot()
    duplicate = community.post(f"{GRIDS}G-A/posts/", {"role": "网格长", "holder_name": "张三"},
                               format="json")
    assert duplicate.status_code == 400
    assert duplicate.json() == {"detail": "张三 已担任该网格的网格长。"}
    unknown = community.post(f"{GRIDS}G-A/posts/", {"role": "楼长", "holder_name": "王五"},
                             format="json")
    assert unknown.status_code == 400
    assert unknown.json() == {"detail": "岗位“楼长”不存在。", "field": "role"}
    # Another community's account cannot see the grid, hence not its posts either.
    other = api_as(users.community_b)
    assert other.post(f"{GRIDS}G-A/posts/", {"role": "网格长", "holder_name": "赵六"},
                      format="json").status_code == 404
    assert other.delete(f"{GRIDS}G-A/posts/{post['id']}/").status_code == 404
    # A post id of another grid is not found under this one.
    assert community.delete(f"{GRIDS}G-B/posts/{post['id']}/").status_code == 404
    assert snapshot() == before
    assert community.delete(f"{GRIDS}G-A/posts/{post['id']}/").status_code == 204
    assert not GridPost.objects.filter(pk=post["id"]).exists()


def test_grid_staff_appoints_posts_in_its_grid_only(users, api_as):
    client = api_as(users.grid_a)
    response = client.post(f"{GRIDS}G-A/posts/", {"role": "网格长", "holder_name": "张三"},
                           format="json")
    assert response.status_code == 201, response.content
    assert client.delete(f"{GRIDS}G-A/posts/{response.json()['id']}/").status_code == 204
    assert client.post(f"{GRIDS}G-B/posts/", {"role": "网格长", "holder_name": "张三"},
                       format="json").status_code == 404


# ---- buildings --------------------------------------------------------------------------------

def test_buildings(tree, community, codes):
    response = community.post(BUILDINGS, {"grid": "G-A", "name": "2号楼", "address": "达嘉路2号",
                                          "floors": 18, "households": 72}, format="json")
    assert response.status_code == 201, response.content
    building = response.json()
    assert building["grid"] == "G-A" and building["households"] == 72
    assert codes(community.get(BUILDINGS, {"grid": "G-A"})) == [tree.building.pk, building["id"]]
    assert codes(community.get(BUILDINGS, {"within": "JS-A1"})) == [tree.building.pk,
                                                                    building["id"]]
    assert codes(community.get(BUILDINGS, {"grid": "G-B"})) == []
    response = community.patch(f"{BUILDINGS}{building['id']}/", {"households": 70},
                               format="json")
    assert response.status_code == 200
    assert community.get(f"{GRIDS}G-A/").json()["household_total"] == 48 + 70
    assert community.delete(f"{BUILDINGS}{building['id']}/").status_code == 204
    assert community.get(f"{BUILDINGS}{building['id']}/").status_code == 404


@pytest.mark.parametrize(("payload", "expected"), [
    ({"grid": "G-A", "name": "3号楼", "households": -1}, {"households": ["户数不能为负数。"]}),
    ({"grid": "G-A", "name": "1号楼"}, {"detail": "该网格内已有同名楼栋。"}),
    ({"grid": "G-A", "name": "3号楼", "floors": "十八"}, {"floors": ["请填写合法的整数值。"]}),
])
def test_building_refused(community, snapshot, payload, expected):
    before = snapshot()
    response = community.post(BUILDINGS, payload, format="json")
    assert response.status_code == 400
    assert response.json() == expected
    assert snapshot() == before


def test_building_negative_households_on_update(tree, community, snapshot):
    before = snapshot()
    response = community.patch(f"{BUILDINGS}{tree.building.pk}/", {"households": -5},
                               format="json")
    assert response.status_code == 400
    assert response.json() == {"households": ["户数不能为负数。"]}
    assert snapshot() == before


# ---- units ----------------------------------------------------------------------------------

def test_unit_create_with_coordinates(street):
    response = street.post(UNITS, {
        "code": "U-C", "name": "金山社区卫生服务中心", "unit_type": "hospital", "org": "JS-B",
        "address": "金山路 1 号", "lng": 118.1234567, "lat": "24.4876543",
        "contact_name": "王主任", "contact_phone": "0592-5551234"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["lng"] == 118.123457 and body["lat"] == 24.487654  # rounded to 6 places
    assert body["party_org"] is None and body["is_non_public"] is False
    unit = Unit.objects.get(code="U-C")
    assert str(unit.lng) == "118.123457"


@pytest.mark.parametrize(("payload", "expected"), [
    ({"lng": 2.35, "lat": 48.85},
     {"detail": "坐标（2.350000, 48.850000）不在中国境内（经度 73.4–135.1，纬度 3.8–53.6）。",
      "field": "lng"}),
    ({"lng": 118.1}, {"detail": "经度和纬度须同时填写。", "field": "lng"}),
    ({"contact_phone": "12345"},
     {"contact_phone": ["电话须为 11 位手机号或带区号的固定电话（如 0592-5551234）。"]}),
    ({"unit_type": "embassy"}, {"unit_type": ["“embassy” 不是合法选项。"]}),
    ({"code": "U-A"}, {"code": ["单位编码已被使用。"]}),
    ({"party_org": "JS-B1", "org": "NOPE"},
     {"org": ["所在组织编码“NOPE”不存在或不在您的管理范围内。"]}),
    ({"lng": "东经118度", "lat": 24.5}, {"lng": ["请填写合法的数字。"]}),
])
def test_unit_refused(street, snapshot, payload, expected):
    before = snapshot()
    data = {"code": "U-C", "name": "某单位", "unit_type": "bank", "org": "JS-B", **payload}
    response = street.post(UNITS, data, format="json")
    assert response.status_code == 400, response.content
    assert response.json() == expected
    assert snapshot() == before


@pytest.mark.parametrize(("params", "expected"), [
    ({"non_public": "true"}, ["U-A"]),
    ({"non_public": "false"}, ["U-B"]),
    ({"has_party_org": "true"}, ["U-A"]),
    ({"has_party_org": "false"}, ["U-B"]),
    ({"unit_type": "school"}, ["U-B"]),
    ({"within": "JS-A"}, ["U-A"]),
    ({"within": "JS-A1"}, []),
    ({"q": "dfjt"}, ["U-A"]),
    ({"q": "xiaoxue"}, ["U-B"]),
    ({"q": "金山"}, ["U-B"]),
])
def test_unit_filters(street, codes, params, expected):
    assert codes(street.get(UNITS, params)) == expected


def test_unit_update_and_delete(street, snapshot):
    response = street.patch(f"{UNITS}U-B/", {"party_org": "JS-B1", "lng": 118.07,
                                             "lat": 24.45}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["party_org"] == "JS-B1"
    cleared = street.patch(f"{UNITS}U-B/", {"party_org": None}, format="json")
    assert cleared.json()["party_org"] is None
    before = snapshot()
    refused = street.delete(f"{UNITS}U-A/")  # its liaison still holds a grant
    assert refused.status_code == 409
    assert refused.json() == {"detail": "该单位还有联络员账户，请先由安全管理员收回授权。"}
    assert snapshot() == before
    assert street.delete(f"{UNITS}U-B/").status_code == 204
    assert not Unit.objects.filter(code="U-B").exists()
