"""Leadership teams (elections keep the history) and full-time staff against the standard."""

import datetime

import pytest
from django.urls import reverse

from gongjian.core.services import DomainError
from gongjian.members import services, stats
from gongjian.members.models import Person, StaffAssignment, StaffingStandard, Team, TeamSeat

D = datetime.date
BORN = D(1985, 1, 1)
STARTED = D(2020, 1, 1)


def person(org, name, birth=BORN, education="大学本科"):
    return Person.objects.create(name=name, sex="男", birth_date=birth, education=education,
                                 org=org)


# ---- elections -------------------------------------------------------------------------------

def test_record_election_replaces_the_team_and_keeps_history(tree, users):
    a, b, c = (person(tree.a, n) for n in ("甲", "乙", "丙"))
    first = services.record_election(user=users.community_a, org=tree.a, elected_on=D(2015, 5, 1),
                                     seats=[(a, "书记"), (b, "委员")])
    second = services.record_election(user=users.community_a, org=tree.a, elected_on=D(2018, 5, 1),
                                      seats=[(b, "书记"), (c, "委员")], note="第二届")
    first.refresh_from_db()
    assert first.ended_on == D(2018, 5, 1)
    assert second.ended_on is None
    assert list(Team.objects.filter(org=tree.a).order_by("elected_on")
                .values_list("elected_on", "ended_on")) == [
        (D(2015, 5, 1), D(2018, 5, 1)), (D(2018, 5, 1), None)]
    assert sorted(first.seats.values_list("person__name", "post", "ended_on")) == [
        ("乙", "委员", D(2018, 5, 1)), ("甲", "书记", D(2018, 5, 1))]
    assert sorted(second.seats.values_list("person__name", "post", "ended_on")) == [
        ("丙", "委员", None), ("乙", "书记", None)]
    with pytest.raises(DomainError, match="须晚于现任班子的选举日期"):
        services.record_election(user=users.community_a, org=tree.a, elected_on=D(2018, 5, 1),
                                 seats=[(a, "书记")])
    assert Team.objects.filter(org=tree.a).count() == 2


def test_election_page_records_a_team(tree, users, client):
    client.force_login(users.community_a)
    old = person(tree.a, "老书记", D(1960, 1, 1))
    services.record_election(user=users.community_a, org=tree.a, elected_on=D(2015, 5, 1),
                             seats=[(old, "书记")])
    new, other = person(tree.a1, "新书记"), person(tree.a, "新委员")
    url = reverse("team_elect", args=["JS-A"])
    page = client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert "老书记" in content and "新书记" in content
    assert "张华娟" in content           # the fixture's member of JS-A1
    assert "林急" not in content         # JS-B1's member is outside the subtree

    # Searching keeps the choices made so far.
    page = client.post(url, {"op": "search", "q": "新委员", "elected_on": "2021-04-01",
                             f"post_{new.pk}": "书记"})
    assert page.status_code == 200
    assert page.context["chosen_count"] == 1
    assert [p.name for p in page.context["rows"]] == ["新书记", "新委员"]

    # Two secretaries: refused; a person outside the subtree is ignored.
    outsider = person(tree.b, "外人")
    page = client.post(url, {"op": "save", "elected_on": "2021-04-01", f"post_{new.pk}": "书记",
                             f"post_{other.pk}": "书记"})
    assert page.status_code == 400
    assert "一届班子只能有一名书记。" in page.content.decode()
    response = client.post(url, {"op": "save", "elected_on": "2021-04-01", "note": "第二届",
                                 f"post_{new.pk}": "书记", f"post_{other.pk}": "组织委员",
                                 f"post_{outsider.pk}": "委员"})
    assert response.status_code == 302, response.content.decode()
    current = Team.objects.get(org=tree.a, ended_on__isnull=True)
    assert sorted(current.seats.values_list("person__name", "post")) == [
        ("新书记", "书记"), ("新委员", "组织委员")]
    detail = client.get(reverse("team_detail", args=["JS-A"])).content.decode()
    assert "2021-04-01 选举产生" in detail and "2015-05-01 选举产生" in detail
    assert "至 2021-04-01 换届" in detail


def test_election_page_refuses_bad_input(tree, users, client):
    client.force_login(users.community_a)
    url = reverse("team_elect", args=["JS-A"])
    page = client.post(url, {"op": "save", "elected_on": "2099-01-01"})
    assert page.status_code == 400
    assert "选举日期不能晚于今天。" in page.content.decode()
    page = client.post(url, {"op": "save", "elected_on": "2021-01-01"})
    assert "请至少为一人选择职务。" in page.content.decode()
    # Another community's organisation is out of reach.
    assert client.get(reverse("team_elect", args=["JS-B"])).status_code == 404
    assert TeamSeat.objects.count() == 0


def test_team_index_lists_communities_and_teams(tree, users, client):
    services.record_election(user=users.street, org=tree.a1, elected_on=D(2020, 1, 1),
                             seats=[(person(tree.a1, "支部书记"), "书记")])
    client.force_login(users.street)
    page = client.get(reverse("team_index"))
    rows = {o.code: (o.team_size, o.secretary) for o in page.context["page"]}
    assert rows == {"JS-A": (0, None), "JS-A1": (1, "支部书记"), "JS-B": (0, None)}


# ---- staff -------------------------------------------------------------------------------------

def staff(org, name, role, started=STARTED, ended=None, unit=None):
    return StaffAssignment.objects.create(person=person(org, name), org=org, role=role,
                                          started_on=started, ended_on=ended, unit=unit)


def test_communities_are_the_community_nodes(tree, users):
    from gongjian.orgs import services as org_services

    org_services.create_organization(user=None, parent=tree.a, code="JS-A9", name="金安社区离退休支部",
                                     kind="branch", sector="community")
    assert [o.code for o in stats.communities(users.street, tree.s)] == ["JS-A", "JS-B"]
    assert [o.code for o in stats.communities(users.community_a, tree.s)] == ["JS-A"]


def test_staffing_shortfall(tree, users):
    for role in ("分管领导", "党建社工", "党建协理员"):
        staff(tree.a, f"A{role}", role)
    staff(tree.b, "B社工", "党建社工")
    staff(tree.b, "B协理员已离岗", "党建协理员", ended=D(2021, 1, 1))
    staff(tree.b, "B专职", "专职党务工作者")
    short = stats.staffing_shortfall(users.street, tree.s)
    assert [(r["org"].code, r["lacking"], r["others"]) for r in short] == [
        ("JS-B", [("党建分管领导", 1), ("党建协理员", 1)], 1)]
    # The standard is configurable: two assistants per community.
    StaffingStandard.objects.filter(role="党建协理员").update(count=2)
    short = stats.staffing_shortfall(users.street, tree.s)
    assert [(r["org"].code, r["lacking"]) for r in short] == [
        ("JS-A", [("党建协理员", 1)]),
        ("JS-B", [("党建分管领导", 1), ("党建协理员", 2)])]
    # Community A's reader sees only A.
    assert [r["org"].code for r in stats.staffing_shortfall(users.community_a, tree.s)] == [
        "JS-A"]
    figures = stats.staff_figures(users.street, tree.s, D(2020, 6, 1))
    assert (figures["full_time"], figures["instructors"]) == (6, 0)
    assert stats.staff_figures(users.street, tree.s, D(2021, 6, 1))["full_time"] == 5


def test_standard_edit_by_street_only(tree, users, client):
    url = reverse("staffing_standard")
    client.force_login(users.community_a)
    assert client.get(url).status_code == 200
    assert client.post(url, {"分管领导": 2, "党建社工": 1, "党建协理员": 1,
                             "专职党务工作者": 0}).status_code == 403
    client.force_login(users.street)
    page = client.post(url, {"分管领导": -1, "党建社工": 1, "党建协理员": 1, "专职党务工作者": 0})
    assert page.status_code == 400
    assert "人数不能为负数。" in page.content.decode()
    response = client.post(url, {"分管领导": 1, "党建社工": 2, "党建协理员": 1, "专职党务工作者": 1})
    assert response.status_code == 302
    assert dict(StaffingStandard.objects.values_list("role", "count")) == {
        "分管领导": 1, "党建社工": 2, "党建协理员": 1, "专职党务工作者": 1}
    assert [label for _r, label, _c in stats.standard()] == [
        "党建分管领导", "党建社工", "党建协理员", "专职党务工作者"]


def test_staff_page_adds_and_ends(tree, users, client):
    client.force_login(users.community_a)
    worker = person(tree.a1, "社工甲")
    url = reverse("staff_org", args=["JS-A"])
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, {"person": worker.pk, "role": "党建社工",
                                 "started_on": "2022-03-01"})
    assert response.status_code == 302
    assignment = StaffAssignment.objects.get(person=worker)
    assert (assignment.org, assignment.role, assignment.unit) == (tree.a, "党建社工", None)
    page = client.post(url, {"person": worker.pk, "role": "党建社工", "started_on": "2022-03-01"})
    assert "社工甲 已在该岗位。" in page.content.decode()
    page = client.post(url, {"person": worker.pk, "role": "党建指导员", "started_on": "2022-03-01"})
    assert "党建指导员须选择所指导的单位。" in page.content.decode()
    response = client.post(url, {"person": worker.pk, "role": "党建指导员",
                                 "unit": tree.unit_a.pk, "started_on": "2022-03-01"})
    assert response.status_code == 302
    assert StaffAssignment.objects.get(person=worker, role="党建指导员").unit == tree.unit_a
    # JS-B's people are not offered; posting one is refused.
    page = client.post(url, {"person": tree.person_b.pk, "role": "党建社工",
                             "started_on": "2022-03-01"})
    assert "请从列表中选择人员。" in page.content.decode()

    end = reverse("staff_end", args=[assignment.pk])
    response = client.post(end, {"ended_on": "2020-01-01"}, follow=True)
    assert "离岗日期不能早于到岗日期。" in response.content.decode()
    response = client.post(end, {"ended_on": "2024-06-30"}, follow=True)
    assert "社工甲 已于 2024-06-30 离开党建社工岗位。" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.ended_on == D(2024, 6, 30)
    client.force_login(users.community_b)
    assert client.post(end, {"ended_on": "2024-06-30"}).status_code == 404
