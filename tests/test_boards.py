"""Public boards: anyone reads a community's lists; nobody reads a person there."""

import datetime

import pytest
from django.urls import reverse

from gongjian.projects.models import Demand, Resource
from gongjian.wishes.models import Wish


@pytest.fixture
def posted(tree, users):
    """An open demand and a withdrawn one, a resource, a published wish and one under review."""
    common = {"org": tree.a, "posted_by": users.resident, "category": "助老助残",
              "place": "金安里3号楼 王大爷家", "beneficiaries": 1}
    Demand.objects.create(title="独居老人上门理发", description="王大爷行动不便，电话13800138000",
                          **common)
    Demand.objects.create(title="已撤回的需求", description="不再需要", state="withdrawn",
                          **common)
    Resource.objects.create(unit=tree.unit_a, category="助老助残", title="义务理发",
                            description="每月一次上门理发", capacity=20)
    Wish.objects.create(title="一个新书包", group="youth", recipient_name="李小明",
                        recipient_phone="13912345678", org=tree.a1, state="published",
                        posted_by=users.resident, description="给李小明同学")
    Wish.objects.create(title="待审核的心愿", group="elderly", recipient_name="赵奶奶",
                        org=tree.a1, posted_by=users.resident)


@pytest.mark.django_db
def test_anyone_reads_a_community_board_without_personal_data(client, tree, posted):
    page = client.get(reverse("board_detail", args=[tree.a.code]))
    assert page.status_code == 200
    html = page.content.decode()
    for shown in ("独居老人上门理发", "义务理发", "一个新书包", reverse("board_qr", args=["JS-A"])):
        assert shown in html, shown
    for hidden in ("已撤回的需求", "待审核的心愿", "王大爷", "13800138000", "李小明",
                   "13912345678", "赵奶奶", "金安里3号楼"):
        assert hidden not in html, hidden


@pytest.mark.django_db
def test_another_community_board_shows_none_of_it(client, tree, posted):
    html = client.get(reverse("board_detail", args=[tree.b.code])).content.decode()
    assert "独居老人上门理发" not in html and "一个新书包" not in html


@pytest.mark.django_db
def test_branches_and_dissolved_communities_have_no_board(client, tree):
    assert client.get(reverse("board_detail", args=[tree.a1.code])).status_code == 404
    from gongjian.orgs.models import Organization

    Organization.objects.filter(pk=tree.b.pk).update(dissolved_on=datetime.date(2024, 1, 1))
    assert client.get(reverse("board_detail", args=[tree.b.code])).status_code == 404
    assert client.get(reverse("board_detail", args=["NOPE"])).status_code == 404


@pytest.mark.django_db
def test_index_lists_streets_with_their_communities_and_finds_by_name(client, tree):
    html = client.get(reverse("board_index")).content.decode()
    assert tree.s.name in html and tree.a.name in html and tree.b.name in html
    found = client.get(reverse("board_index"), {"q": tree.b.name}).content.decode()
    assert tree.s.name in found
    nothing = client.get(reverse("board_index"), {"q": "不存在的社区"}).content.decode()
    assert tree.s.name not in nothing


@pytest.mark.django_db
def test_qr_code_is_an_svg_of_the_board_address(client, tree):
    response = client.get(reverse("board_qr", args=[tree.a.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.lstrip().startswith(b"<?xml") or b"<svg" in response.content[:200]
