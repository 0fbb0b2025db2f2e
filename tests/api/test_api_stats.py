"""GET /api/v1/stats/teams/ and /api/v1/stats/members/: figures, scope and refusals. Every
answer is checked against the OpenAPI schema by the validating client."""

import datetime

import pytest
from django.utils import timezone

from gongjian.members import services
from gongjian.members.models import Membership, Person, StaffAssignment

TEAMS = "/api/v1/stats/teams/"
MEMBERS = "/api/v1/stats/members/"
D = datetime.date


@pytest.fixture
def team_a(tree, users):
    """JS-A's team elected 2019-05-01: 书记 aged 44 and two 委员 aged 30 and 35 on
    2019-06-30, one of them without 大专及以上."""
    def person(name, birth, education):
        return Person.objects.create(name=name, sex="女", birth_date=birth,
                                     education=education, org=tree.a)

    seats = [(person("书记甲", D(1975, 1, 1), "大学本科"), "书记"),
             (person("委员乙", D(1988, 7, 1), "大学专科"), "委员"),
             (person("委员丙", D(1984, 3, 1), "高中"), "委员")]
    for p, _post in seats:
        Membership.objects.create(person=p, org=tree.a, category="正式党员",
                                  joined_on=D(2010, 1, 1), confirmed_on=D(2011, 1, 1))
    StaffAssignment.objects.create(person=seats[0][0], org=tree.a, role="党建社工",
                                   started_on=D(2018, 1, 1))
    return services.record_election(user=users.street, org=tree.a, elected_on=D(2019, 5, 1),
                                    seats=seats)


def test_team_figures(team_a, users, api_as):
    response = api_as(users.street).get(TEAMS, {"org": "JS", "as_of": "2019-06-30"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert {k: body[k] for k in ("org", "as_of", "teams", "headcount", "average_age",
                                 "aged_35_and_under", "college_or_above",
                                 "college_or_above_share", "by_post")} == {
        "org": "JS", "as_of": "2019-06-30", "teams": 1, "headcount": 3,
        "average_age": 36.3,  # 44, 30, 35
        "aged_35_and_under": 2, "college_or_above": 2, "college_or_above_share": 66.7,
        "by_post": {"书记": 1, "委员": 2}}
    assert body["by_sex"] == {"男": 0, "女": 3}
    assert body["by_org"] == [{"code": "JS-A", "name": "金安社区党委", "count": 3}]
    assert body["staff"] == {"full_time": 1, "instructors": 0, "by_role": {
        "党建分管领导": 0, "党建社工": 1, "党建协理员": 0, "专职党务工作者": 0, "党建指导员": 0}}
    # Before the election there was no team.
    before = api_as(users.street).get(TEAMS, {"org": "JS", "as_of": "2019-04-30"}).json()
    assert (before["headcount"], before["average_age"], before["college_or_above_share"]) == (
        0, None, None)


def test_member_figures(team_a, users, api_as):
    response = api_as(users.community_a).get(MEMBERS, {"org": "JS-A", "as_of": "2019-06-30"})
    assert response.status_code == 200, response.content
    body = response.json()
    # The three cadres and the fixture's 张华娟 (JS-A1, born 1949-12-31, 大学本科: aged 69).
    assert {k: body[k] for k in ("total", "average_age", "aged_35_and_under",
                                 "college_or_above", "college_or_above_share")} == {
        "total": 4, "average_age": 44.5, "aged_35_and_under": 2, "college_or_above": 3,
        "college_or_above_share": 75.0}
    assert body["by_category"] == {"正式党员": 4, "预备党员": 0}
    assert body["by_sex"] == {"男": 0, "女": 4}
    assert body["by_education"] == {"研究生": 0, "大学本科": 2, "大学专科": 1, "中专/中职": 0,
                                    "高中": 1, "初中及以下": 0}
    assert body["by_age_band"]["61岁及以上"] == 1
    assert body["by_ethnicity"] == {"汉族": 4}
    assert body["by_org"] == [{"code": "JS-A", "name": "金安社区党委", "count": 3},
                              {"code": "JS-A1", "name": "达嘉馨园小区党支部", "count": 1}]


def test_defaults_to_own_organisation_and_today(team_a, users, api_as):
    body = api_as(users.community_a).get(MEMBERS).json()
    assert body["org"] == "JS-A"
    assert body["as_of"] == timezone.localdate().isoformat()
    assert api_as(users.grid_a).get(MEMBERS).json()["org"] == "JS-A1"


def test_scope(team_a, users, api_as):
    """Community B cannot read A's figures: the same answer as for a code that does not
    exist. Reading its own street gives only its own subtree."""
    client = api_as(users.community_b)
    for code in ("JS-A", "NOPE"):
        response = client.get(TEAMS, {"org": code, "as_of": "2019-06-30"})
        assert response.status_code == 400
        assert response.json() == {"org": [f"党组织编码“{code}”不存在或不在您的管理范围内。"]}
        response = client.get(MEMBERS, {"org": code})
        assert response.status_code == 400
    # The street node is outside B's reach too (its grant is at JS-B).
    assert client.get(MEMBERS, {"org": "JS"}).status_code == 400
    assert client.get(TEAMS, {"org": "JS-B", "as_of": "2019-06-30"}).json()["headcount"] == 0


@pytest.mark.parametrize("value", ["2019-13-01", "20190630", "2019-02-29", "明天"])
def test_bad_date(users, api_as, value):
    response = api_as(users.street).get(MEMBERS, {"org": "JS", "as_of": value})
    assert response.status_code == 400
    assert response.json() == {
        "as_of": ["统计日期须为 YYYY-MM-DD 格式的有效日期（如 2019-06-30）。"]}


def test_refusals_by_role(users, api_as, anon):
    assert anon.get(TEAMS).status_code == 401
    # A grid account reads the roster of its grid but not teams or staff.
    assert api_as(users.grid_a).get(TEAMS).status_code == 403
    assert api_as(users.grid_a).get(MEMBERS).status_code == 200
    for user in (users.member, users.liaison_a, users.resident, users.sysadmin):
        for url in (TEAMS, MEMBERS):
            response = api_as(user).get(url, {"org": "JS-A"})
            assert response.status_code == 403, (user, url)
            assert response.json() == {"detail": "您没有执行该操作的权限。"}
