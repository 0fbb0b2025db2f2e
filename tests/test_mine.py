"""我的 (/me/): a member's and a resident's own page — own record, own wishes, claims and
demands only; staff are refused; the menu gives members and residents 我的 instead of the
staff roster."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from gongjian.core.navigation import menu_for
from gongjian.projects.models import Demand, DemandState, Project
from gongjian.wishes.models import Round, State, Wish


@pytest.fixture
def round_(tree):
    today = timezone.localdate()
    return Round.objects.create(name="第一期微心愿", org=tree.s, starts_on=today,
                                ends_on=today + datetime.timedelta(days=30))


@pytest.fixture
def wish(tree, round_):
    """`wish(title, poster, state=..., claimer=None)`: a wish of community A as the workflow
    leaves it (the page only reads them)."""

    def make(title, poster, state=State.PUBLISHED, claimer=None):
        now = timezone.now()
        held = claimer is not None
        return Wish.objects.create(
            title=title, group="elderly", recipient_name="王小明", org=tree.a, round=round_,
            posted_by=poster, state=state, published_at=now,
            claimed_by=claimer, claimer_person=claimer.person if held else None,
            claimed_at=now if held else None,
            fulfilled_at=now if state in (State.FULFILLED, State.CONFIRMED) else None)

    return make


def demand(tree, poster, title, state=DemandState.OPEN, project=None):
    return Demand.objects.create(org=tree.a, posted_by=poster, category="elderly", title=title,
                                 description="希望每月有人上门理发。", place="金安花园",
                                 beneficiaries=20, state=state, project=project)


def labels(menu):
    return [child["label"] for item in menu for child in item.get("children", [item])]


@pytest.fixture
def member(users, tree):
    """The member account is 张华娟 of the roster (membership_a)."""
    users.member.person = tree.person_a
    users.member.save(update_fields=["person"])
    return users.member


def test_member_sees_own_record_and_own_wishes_only(client, users, tree, member, wish,
                                                    make_user):
    other_member = make_user("member", tree.a1)
    wish("一个新书包", users.resident, State.CLAIMED, claimer=member)
    wish("一副老花镜", users.resident, State.CONFIRMED, claimer=member)
    wish("修好轮椅", users.resident, State.CLAIMED, claimer=other_member)
    wish("上门陪老人聊天", member, State.SUBMITTED)
    wish("一套数学辅导书", other_member, State.SUBMITTED)

    client.force_login(member)
    response = client.get(reverse("my_page"))
    assert response.status_code == 200
    body = response.content.decode()
    # Own record: name, branch, membership, numbers masked (the full ones never on the page).
    assert "张华娟" in body and "达嘉馨园小区党支部" in body and "正式党员" in body
    assert "1975-07-01" in body
    assert "110105********002X" in body and "11010519491231002X" not in body
    assert "138****8000" in body and "13800138000" not in body
    assert reverse("member_reveal", args=[tree.membership_a.pk]) in body
    # Nothing of the other member's record.
    assert "林急" not in body
    # Own claims and posts, with their states, linking to where the steps are taken.
    claimed = [w.title for w in response.context["claimed"]]
    posted = [w.title for w in response.context["posted"]]
    assert sorted(claimed) == ["一个新书包", "一副老花镜"]
    assert posted == ["上门陪老人聊天"]
    assert "修好轮椅" not in body and "一套数学辅导书" not in body
    for w in Wish.objects.filter(title__in=[*claimed, *posted]):
        assert reverse("wish_detail", args=[w.pk]) in body
    assert "待您实现" in body and "已确认" in body and "待审核" in body
    assert response.context["counts"] == {"posted": 1, "claimed": 2, "fulfilled": 1,
                                          "demands": 0}
    # The steps open to a member: post a wish, claim on the wall; not post a demand.
    assert reverse("wish_create") in body and reverse("wish_home") in body
    assert reverse("demand_create") not in body


def test_member_reveals_own_phone_from_the_page(client, tree, member):
    client.force_login(member)
    assert "显示" in client.get(reverse("my_page")).content.decode()
    response = client.post(reverse("member_reveal", args=[tree.membership_a.pk]),
                           {"field": "phone"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "13800138000" in response.content.decode()


def test_resident_sees_own_demands_and_the_project(client, users, tree, wish, make_user):
    neighbour = make_user("resident", tree.a)
    project = Project.objects.create(title="为老理发服务队", category="elderly",
                                     description="每月上门理发", org=tree.a,
                                     target_beneficiaries=20, state="approved")
    demand(tree, users.resident, "高龄老人上门理发", DemandState.PROJECT, project)
    demand(tree, users.resident, "楼道灯坏了")
    demand(tree, neighbour, "邻居的需求")
    wish("一个新书包", users.resident, State.FULFILLED, claimer=users.member)
    wish("邻居的心愿", neighbour, State.SUBMITTED)

    client.force_login(users.resident)
    response = client.get(reverse("my_page"))
    assert response.status_code == 200
    body = response.content.decode()
    assert [d.title for d in response.context["demands"]] == ["楼道灯坏了", "高龄老人上门理发"]
    assert "邻居的需求" not in body and "邻居的心愿" not in body
    assert "转为项目" in body and "为老理发服务队" in body and "立项" in body
    for d in response.context["demands"]:
        assert reverse("demand_detail", args=[d.pk]) in body
    # The project is linked only where the account may open it (never a link to a 404).
    may_open = Project.objects.restrict(users.resident, "view").filter(pk=project.pk).exists()
    assert (reverse("project_detail", args=[project.pk]) in body) == may_open
    assert "待您确认" in body  # the fulfilled wish waits for the poster
    assert response.context["counts"] == {"posted": 1, "claimed": 0, "fulfilled": 1,
                                          "demands": 2}
    assert reverse("wish_create") in body and reverse("demand_create") in body
    # No record linked to the account: its name and community instead, no numbers.
    assert response.context["record"] is None and "金安社区党委" in body
    assert "认领心愿" not in body  # a resident cannot claim


def test_project_link_where_the_account_may_open_it(client, users, tree, make_user):
    from gongjian.core.models import RoleGrant

    project = Project.objects.create(title="为老理发服务队", category="elderly",
                                     description="每月上门理发", org=tree.a,
                                     target_beneficiaries=20, state="approved")
    demand(tree, users.resident, "高龄老人上门理发", DemandState.PROJECT, project)
    # The same account also works for community A, whose projects it opens.
    RoleGrant.objects.create(user=users.resident, role="community_staff", org=tree.a)
    staff_demand = demand(tree, users.community_a, "社区提的需求")

    client.force_login(users.resident)
    body = client.get(reverse("my_page")).content.decode()
    assert reverse("project_detail", args=[project.pk]) in body
    # Its staff reach does not bring other people's rows onto its own page.
    assert reverse("demand_detail", args=[staff_demand.pk]) not in body


@pytest.mark.parametrize("actor", ["street", "community_a", "community_b", "grid_a",
                                   "liaison_a", "sysadmin", "secadmin", "auditadmin"])
def test_other_roles_are_refused(client, users, actor):
    client.force_login(getattr(users, actor))
    assert client.get(reverse("my_page")).status_code == 403


def test_anonymous_goes_to_login(client, db):
    response = client.get(reverse("my_page"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_member_menu_has_mine_not_the_roster(client, users, member):
    assert "我的" in labels(menu_for(member))
    assert "党员" not in labels(menu_for(member))
    client.force_login(member)
    body = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("my_page")}"' in body
    assert f'href="{reverse("member_list")}"' not in body


def test_resident_menu_has_mine(users):
    menu = labels(menu_for(users.resident))
    assert "我的" in menu and "党员" not in menu


@pytest.mark.parametrize("actor", ["street", "community_a", "grid_a"])
def test_staff_menu_keeps_the_roster_without_mine(client, users, actor):
    user = getattr(users, actor)
    menu = labels(menu_for(user))
    assert "党员" in menu and "我的" not in menu
    client.force_login(user)
    body = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("member_list")}"' in body
    assert f'href="{reverse("my_page")}"' not in body


def test_staff_who_is_also_a_member_has_both(users, tree, member):
    from gongjian.core.models import RoleGrant

    RoleGrant.objects.create(user=member, role="community_staff", org=tree.a)
    member._grants_cache = None
    menu = labels(menu_for(member))
    assert "我的" in menu and "党员" in menu


def test_menu_entry_needs_a_model_or_roles():
    from gongjian.core.navigation import register

    with pytest.raises(ValueError):
        register("无效", "home")
