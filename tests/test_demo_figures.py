"""The demo's teams and staff give the figures the seed reports quote, through the API, on
the date demo/people.py documents (FIGURES_AS_OF = 2018-06-30)."""

import pytest
from rest_framework.test import APIClient

from gongjian.demo.build import build_demo
from gongjian.demo.people import FIGURES_AS_OF

FIELDS = ("teams", "headcount", "average_age", "aged_35_and_under", "college_or_above",
          "college_or_above_share")


@pytest.fixture
def demo(db):
    build_demo()


def _get(username, url, **params):
    from gongjian.core.models import User

    client = APIClient()
    client.force_authenticate(User.objects.get(username=username))
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_seed_figures(demo):
    """Seeds 002 and 001, and the history and members around them."""
    body = _get("longhai", "/api/v1/stats/teams/", org="ZZ-LHML",
                as_of=FIGURES_AS_OF.isoformat())
    # 9个社区共选出书记、委员27名，平均年龄34.4岁，其中35岁及以下人员17名，
    # 大专及以上学历26人，占比96.3%
    assert {k: body[k] for k in FIELDS} == {
        "teams": 9, "headcount": 27, "average_age": 34.4, "aged_35_and_under": 17,
        "college_or_above": 26, "college_or_above_share": 96.3}
    assert body["by_post"] == {"书记": 9, "委员": 18}
    assert len(body["by_org"]) == 9 and {row["count"] for row in body["by_org"]} == {3}
    # 每个社区各配备2名党建专职工作人员；非公和社会组织党支部8个，配备党建指导员
    assert body["staff"]["full_time"] == 18
    assert body["staff"]["instructors"] == 8

    body = _get("jinshan", "/api/v1/stats/teams/", org="XM-JS",
                as_of=FIGURES_AS_OF.isoformat())
    # 9个社区党组织共选出党组织委员50人，均为大专以上学历，平均年龄38.3岁
    assert {k: body[k] for k in FIELDS} == {
        "teams": 9, "headcount": 50, "average_age": 38.3, "aged_35_and_under": 17,
        "college_or_above": 50, "college_or_above_share": 100.0}
    # 按1名党建分管领导、1名党建社工、1名党建协理员的标配，为9个社区配备党建专职人员27人
    assert body["staff"]["full_time"] == 27
    assert body["staff"]["by_role"] == {"党建分管领导": 9, "党建社工": 9, "党建协理员": 9,
                                        "专职党务工作者": 0, "党建指导员": 8}
    # Before the 2018 elections the previous teams (2015) were in office.
    before = _get("jinshan", "/api/v1/stats/teams/", org="XM-JS", as_of="2018-01-01")
    # 与上届相比，班子结构更优: older, and fewer with 大专及以上.
    assert before["teams"] == 9
    assert before["average_age"] > 45 and before["college_or_above_share"] < 80
    members = _get("huizhan", "/api/v1/stats/members/", org="CC-HZ",
                   as_of=FIGURES_AS_OF.isoformat())
    assert members["total"] > 50
    assert len([n for n in members["by_education"].values() if n]) >= 4
    assert len(members["by_ethnicity"]) >= 2


def test_demo_people_are_valid(demo):
    from gongjian.core.models import User
    from gongjian.members import stats
    from gongjian.members.models import Membership, Person
    from gongjian.orgs.models import Organization

    for person in Person.objects.all():
        person.full_clean()  # ID number agrees with birth date and sex; 11-digit phone
    for membership in Membership.objects.select_related("person", "org"):
        membership.full_clean()
    assert Person.objects.count() > 400
    short = stats.staffing_shortfall(User.objects.get(username="longhai"),
                                     Organization.objects.get(code="ZZ-LHML"))
    assert len(short) == 9  # two full-time staff each, no 分管领导
