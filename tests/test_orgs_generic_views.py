"""The organisation system's pages on the generic views: a list page and its API endpoint share
one FilterSet, forms refuse bad input in Chinese and write nothing, and every model choice
goes through restrict()."""

import pytest
from django import forms
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from gongjian.core.forms import ScopedChoices, scoped
from gongjian.orgs.forms import GridPostForm, MoveForm, UnitForm
from gongjian.orgs.models import Grid, GridRole, Organization, OrgEvent, Unit


@pytest.fixture
def more_rows(tree):
    """A few more grids and units, so each filter keeps some rows and drops others."""
    Grid.objects.create(code="G-A2", name="鼎峰网格", org=tree.a2)
    Grid.objects.create(code="G-B2", name="高林第二网格", org=tree.b)
    Unit.objects.create(code="U-C", name="金安社区卫生服务站", unit_type="public_institution",
                        org=tree.a1)
    Unit.objects.create(code="U-D", name="达嘉物业", unit_type="private_company", org=tree.a1,
                        party_org=tree.a1)


def page_codes(client, url, params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return [row.code for row in response.context["page"]]


def api_codes(user, url, params):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    response = api.get(url, params)
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


@pytest.mark.parametrize("who", ["street", "community_a"])
@pytest.mark.parametrize(("page", "api", "params"), [
    ("/grids/", "/api/v1/grids/", {}),
    ("/grids/", "/api/v1/grids/", {"within": "JS-A"}),
    ("/grids/", "/api/v1/grids/", {"within": "JS-B"}),
    ("/grids/", "/api/v1/grids/", {"q": "gaolin"}),
    ("/grids/", "/api/v1/grids/", {"q": "g-a2"}),  # a code, whatever its case
    ("/grids/", "/api/v1/grids/", {"q": "网格", "within": "JS-A"}),
    ("/units/", "/api/v1/units/", {}),
    ("/units/", "/api/v1/units/", {"unit_type": "private_company"}),
    ("/units/", "/api/v1/units/", {"non_public": "true"}),
    ("/units/", "/api/v1/units/", {"non_public": "1", "within": "JS-A"}),
    ("/units/", "/api/v1/units/", {"has_party_org": "false"}),
    ("/units/", "/api/v1/units/", {"has_party_org": "true", "non_public": "true"}),
    ("/units/", "/api/v1/units/", {"q": "jasq"}),
    ("/units/", "/api/v1/units/", {"q": "U-B"}),
    ("/units/", "/api/v1/units/", {"within": "JS-A1", "q": "物业"}),
])
def test_page_and_api_list_the_same_rows(client, users, more_rows, who, page, api, params):
    user = getattr(users, who)
    client.force_login(user)
    assert page_codes(client, page, params) == api_codes(user, api, params)


def test_the_shared_filters_narrow_as_documented(client, users, more_rows):
    client.force_login(users.street)
    assert page_codes(client, "/units/", {"non_public": "true"}) == ["U-A", "U-D"]
    assert page_codes(client, "/units/", {"has_party_org": "false", "non_public": "1"}) == []
    assert page_codes(client, "/units/", {"within": "JS-A1"}) == ["U-C", "U-D"]
    assert page_codes(client, "/grids/", {"q": "gaolin"}) == ["G-B", "G-B2"]
    # Out of reach is answered like missing: community A naming B lists nothing.
    client.force_login(users.community_a)
    assert page_codes(client, "/grids/", {"within": "JS-B"}) == []
    assert page_codes(client, "/grids/", {}) == ["G-A", "G-A2"]


def test_a_filter_the_filterset_refuses_lists_nothing_with_a_message(client, users):
    client.force_login(users.street)
    response = client.get("/units/", {"unit_type": "embassy"})
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    assert "单位类型：选择一个有效的选项。 embassy 不在可用的选项中。" in response.content.decode()


def test_list_filter_form_keeps_its_values(client, users, more_rows):
    client.force_login(users.street)
    html = client.get("/units/", {"unit_type": "school", "has_party_org": "false",
                                  "non_public": "true", "within": "JS-B", "q": "小学"}
                      ).content.decode()
    assert '<option value="school" selected>' in html
    assert '<option value="false" selected>未建党组织</option>' in html
    assert 'name="non_public" value="true" id="np" checked' in html
    assert '<input type="hidden" name="within" value="JS-B">' in html
    assert 'name="q" value="小学"' in html


def _state():
    return (list(Unit.objects.order_by("pk").values_list("code", "org_id", "party_org_id")),
            list(Grid.objects.order_by("pk").values_list("code", "org_id")),
            OrgEvent.objects.count())


@pytest.mark.parametrize(("url", "data", "field", "message"), [
    ("/units/new/", {"code": "U-N", "name": "某单位", "unit_type": "bank", "org": "NOPE"},
     "org", "组织编码“NOPE”不存在或不在您的管理范围内。"),
    # Community A naming community B's branch: the same answer as a missing code.
    ("/units/new/", {"code": "U-N", "name": "某单位", "unit_type": "bank", "org": "JS-A",
                     "party_org": "JS-B1"},
     "party_org", "组织编码“JS-B1”不存在或不在您的管理范围内。"),
    ("/units/new/", {"code": "U-N", "name": "某单位", "unit_type": "bank", "org": "JS-A",
                     "lng": "118.1"}, "lng", "经度和纬度须同时填写。"),
    ("/units/new/", {"code": "U-A", "name": "重复", "unit_type": "bank", "org": "JS-A"},
     "code", "单位编码已被使用。"),
    ("/grids/new/", {"code": "G-N", "name": "某网格", "org": "JS-B1"},
     "org", "组织编码“JS-B1”不存在或不在您的管理范围内。"),
    ("/grids/new/", {"code": "G-N", "name": "小组网格", "org": "JS-A1G"},
     "org", "网格不能挂在党小组“一号楼党小组”上，须属于社区党委、党总支或党支部。"),
])
def test_create_with_bad_input_writes_nothing(client, users, url, data, field, message):
    client.force_login(users.community_a)
    before = _state()
    response = client.post(url, data)
    assert response.status_code == 400
    assert message in response.context["form"].errors[field]
    assert message in response.content.decode()
    assert _state() == before


def test_create_and_edit_through_the_pages(client, users, tree):
    client.force_login(users.community_a)
    form = client.get("/units/new/", {"org": "JS-A"})
    assert 'value="JS-A"' in form.content.decode()
    response = client.post("/units/new/", {"code": "U-N", "name": "金安书店",
                                           "unit_type": "private_company", "org": "JS-A",
                                           "party_org": " JS-A2 "})
    assert response.status_code == 302 and response["Location"] == "/units/U-N/"
    unit = Unit.objects.get(code="U-N")
    assert (unit.org, unit.party_org) == (tree.a, tree.a2)
    # The edit form shows the codes, not the keys; clearing the party organisation saves.
    html = client.get("/units/U-N/edit/").content.decode()
    assert 'value="JS-A2"' in html and 'name="code"' not in html
    response = client.post("/units/U-N/edit/", {"name": "金安书店", "unit_type": "private_company",
                                               "org": "JS-A", "party_org": ""})
    assert response.status_code == 302
    assert Unit.objects.get(code="U-N").party_org is None


def test_a_refused_edit_keeps_the_stored_title(client, users, tree):
    client.force_login(users.street)
    response = client.post("/grids/G-A/edit/", {"name": "新名字", "org": "JS-A1G"})
    assert response.status_code == 400
    assert response.context["title"] == "修改网格：金安第一网格"
    assert Grid.objects.get(code="G-A").name == "金安第一网格"


def test_liaison_keeps_its_units_street_it_cannot_reach(client, users, tree):
    """Keeping a relation as it is needs no reach over its target."""
    client.force_login(users.liaison_a)
    response = client.post("/units/U-A/edit/", {"name": "鼎峰集团有限公司",
                                                "unit_type": "private_company", "org": "JS-A",
                                                "party_org": "JS-A2",
                                                "contact_phone": "0592-5551234"})
    assert response.status_code == 302, response.context["form"].errors
    unit = Unit.objects.get(code="U-A")
    assert (unit.name, unit.org, unit.contact_phone) == ("鼎峰集团有限公司", tree.a,
                                                         "0592-5551234")
    # ... but it cannot move its unit anywhere else.
    response = client.post("/units/U-A/edit/", {"name": "鼎峰集团", "unit_type": "private_company",
                                                "org": "JS-B", "party_org": "JS-A2"})
    assert response.status_code == 400
    assert response.context["form"].errors["org"] == [
        "组织编码“JS-B”不存在或不在您的管理范围内。"]
    assert Unit.objects.get(code="U-A").org == tree.a


class _PickOrg(ScopedChoices, forms.Form):
    org = forms.ModelChoiceField(Organization.objects.all())
    target = scoped(forms.ModelChoiceField(Organization.objects.all()), "move")


def test_scoped_choices_narrow_a_choice_to_the_users_reach(users, tree):
    form = _PickOrg(user=users.community_a)
    assert set(form.fields["org"].queryset.values_list("code", flat=True)) == {
        "JS-A", "JS-A1", "JS-A1G", "JS-A2"}
    # Grid staff see their branch but may move nothing.
    form = _PickOrg(user=users.grid_a)
    assert set(form.fields["org"].queryset.values_list("code", flat=True)) == {
        "JS-A1", "JS-A1G"}
    assert not form.fields["target"].queryset.exists()
    form = _PickOrg({"org": tree.b.pk, "target": tree.a1.pk}, user=users.grid_a)
    assert not form.is_valid() and set(form.errors) == {"org", "target"}
    # The same applies to the pages' forms: a code picker and a select.
    unit_form = UnitForm(user=users.community_b)
    assert set(unit_form.fields["org"].queryset.values_list("code", flat=True)) == {
        "JS-B", "JS-B1"}
    move = MoveForm({"parent": "JS-B"}, user=users.community_a)
    assert not move.is_valid()
    assert move.errors["parent"] == ["组织编码“JS-B”不存在或不在您的管理范围内。"]
    assert list(GridPostForm(user=users.community_a).fields["role"].queryset) == list(
        GridRole.objects.filter(active=True))
    assert not GridPostForm(user=users.member).fields["role"].queryset.exists()


def test_move_page_names_an_unreachable_code_like_a_missing_one(client, users, tree):
    client.force_login(users.community_a)
    before = _state()
    response = client.post("/orgs/JS-A1/move/", {"parent": "JS-B"})
    assert response.status_code == 400
    assert "组织编码“JS-B”不存在或不在您的管理范围内。" in response.context["form"].errors["parent"]
    assert _state() == before
    response = client.post("/orgs/JS-A1G/move/", {"parent": "JS-A2"})
    assert response.status_code == 302
    assert Organization.objects.get_parent(Organization.objects.get(code="JS-A1G")) == tree.a2
