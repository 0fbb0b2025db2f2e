"""Who sees and touches what through the API.

The refusal rule (gongjian.core.api_views): a role that lacks the action on that kind of
object everywhere gets 403, decided before any lookup (so it reveals nothing about which
codes exist); an object outside the user's scope for the action is 404, exactly as a missing
one; a code in the request body outside the user's reach is 400 naming the code.
"""

import pytest

NOT_FOUND = {"detail": "对象不存在或不在您的管理范围内。"}
FORBIDDEN = {"detail": "您没有执行该操作的权限。"}


@pytest.mark.parametrize("path", ["/api/v1/orgs/JS-B/", "/api/v1/orgs/JS-B1/",
                                  "/api/v1/grids/G-B/", "/api/v1/units/U-B/",
                                  "/api/v1/orgs/NO-SUCH/"])
def test_community_a_gets_404_for_community_b(users, api_as, path):
    response = api_as(users.community_a).get(path)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_community_a_gets_404_for_a_building_of_b(tree, users, api_as):
    from gongjian.orgs.models import Building

    building = Building.objects.create(grid=tree.grid_b, name="2号楼", households=10)
    assert api_as(users.community_a).get(f"/api/v1/buildings/{building.pk}/").status_code == 404
    assert api_as(users.community_b).get(f"/api/v1/buildings/{building.pk}/").status_code == 200


def test_lists_hold_only_the_scope(users, api_as, codes):
    client = api_as(users.community_a)
    assert codes(client.get("/api/v1/orgs/")) == ["JS-A", "JS-A1", "JS-A1G", "JS-A2"]
    assert codes(client.get("/api/v1/grids/")) == ["G-A"]
    assert codes(client.get("/api/v1/units/")) == ["U-A"]
    assert len(codes(client.get("/api/v1/buildings/"))) == 1
    # Naming an organisation outside the scope in a filter gives nothing, like a missing one.
    assert codes(client.get("/api/v1/orgs/", {"within": "JS-B"})) == []
    assert codes(client.get("/api/v1/orgs/", {"within": "JS"})) == []
    grid_staff = api_as(users.grid_a)
    assert codes(grid_staff.get("/api/v1/orgs/")) == ["JS-A1", "JS-A1G"]
    assert codes(grid_staff.get("/api/v1/units/")) == []


def test_street_sees_everything(users, api_as, codes):
    client = api_as(users.street)
    assert codes(client.get("/api/v1/orgs/")) == [
        "JS", "JS-A", "JS-A1", "JS-A1G", "JS-A2", "JS-B", "JS-B1"]
    assert codes(client.get("/api/v1/grids/")) == ["G-A", "G-B"]
    assert codes(client.get("/api/v1/units/")) == ["U-A", "U-B"]
    for path in ["/api/v1/orgs/JS-B1/", "/api/v1/grids/G-B/", "/api/v1/units/U-B/"]:
        assert client.get(path).status_code == 200


def test_unit_liaison_sees_and_edits_only_its_unit(users, api_as, codes, snapshot):
    client = api_as(users.liaison_a)
    assert codes(client.get("/api/v1/units/")) == ["U-A"]
    assert client.get("/api/v1/units/U-B/").status_code == 404
    response = client.patch("/api/v1/units/U-A/", {"contact_name": "李联络",
                                                   "contact_phone": "13912345678"},
                            format="json")
    assert response.status_code == 200, response.content
    assert response.json()["contact_name"] == "李联络"
    # Repeating the unit's own organisations needs no reach over them...
    same = client.patch("/api/v1/units/U-A/", {"org": "JS-A", "party_org": "JS-A2"},
                        format="json")
    assert same.status_code == 200, same.content
    # ...but naming another one does.
    before = snapshot()
    moved = client.patch("/api/v1/units/U-A/", {"org": "JS-B"}, format="json")
    assert moved.status_code == 400
    assert moved.json() == {"org": ["所在组织编码“JS-B”不存在或不在您的管理范围内。"]}
    assert client.patch("/api/v1/units/U-B/", {"note": "x"}, format="json").status_code == 404
    assert snapshot() == before


def test_403_when_the_role_lacks_the_action_everywhere(users, api_as, snapshot):
    before = snapshot()
    community = api_as(users.community_a)
    # Community staff may not merge at all: 403 whether or not the code exists or is theirs.
    for code in ["JS-A1", "JS-B1", "NO-SUCH"]:
        response = community.post(f"/api/v1/orgs/{code}/merge/", {"into": "JS-A2"},
                                  format="json")
        assert response.status_code == 403
        assert response.json() == FORBIDDEN
    # Nor dissolve organisations or delete units.
    assert community.delete("/api/v1/orgs/JS-A1G/").status_code == 403
    assert community.delete("/api/v1/units/U-A/").status_code == 403
    liaison = api_as(users.liaison_a)
    assert liaison.get("/api/v1/orgs/").status_code == 403
    assert liaison.post("/api/v1/units/", {"code": "U-X", "name": "某单位", "unit_type": "bank",
                                           "org": "JS-A"}, format="json").status_code == 403
    assert liaison.delete("/api/v1/units/U-A/").status_code == 403
    grid_staff = api_as(users.grid_a)
    assert grid_staff.post("/api/v1/orgs/", {"code": "JS-A1X", "name": "某小组", "kind": "group",
                                             "parent": "JS-A1"}, format="json").status_code == 403
    assert grid_staff.delete("/api/v1/buildings/1/").status_code == 403
    for account in [users.member, users.resident, users.sysadmin, users.auditadmin]:
        response = api_as(account).get("/api/v1/orgs/")
        assert response.status_code == 403
        assert response.json() == FORBIDDEN
    assert snapshot() == before


def test_404_when_the_object_is_out_of_scope_for_the_action(users, api_as, snapshot):
    before = snapshot()
    client = api_as(users.community_a)
    assert client.patch("/api/v1/orgs/JS-B/", {"name": "改名"}, format="json").status_code == 404
    assert client.post("/api/v1/orgs/JS-B1/move/", {"parent": "JS-A"},
                       format="json").status_code == 404
    assert client.delete("/api/v1/grids/G-B/").status_code == 404
    assert client.patch("/api/v1/units/U-B/", {"note": "x"}, format="json").status_code == 404
    # The street may merge, but not what does not exist.
    response = api_as(users.street).post("/api/v1/orgs/NO-SUCH/merge/", {"into": "JS-A"},
                                         format="json")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert snapshot() == before


def test_400_when_a_code_in_the_body_is_out_of_reach(users, api_as, snapshot):
    before = snapshot()
    client = api_as(users.community_a)
    response = client.post("/api/v1/orgs/", {"code": "JS-B2", "name": "某支部", "kind": "branch",
                                             "parent": "JS-B"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"parent": ["上级组织编码“JS-B”不存在或不在您的管理范围内。"]}
    response = client.post("/api/v1/orgs/JS-A1/move/", {"parent": "JS-B"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"parent": ["新上级组织编码“JS-B”不存在或不在您的管理范围内。"]}
    response = client.post("/api/v1/grids/", {"code": "G-X", "name": "某网格", "org": "JS-B1"},
                           format="json")
    assert response.status_code == 400
    assert response.json() == {"org": ["党组织编码“JS-B1”不存在或不在您的管理范围内。"]}
    response = client.post("/api/v1/buildings/", {"grid": "G-B", "name": "9号楼"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"grid": ["网格编码“G-B”不存在或不在您的管理范围内。"]}
    assert snapshot() == before
