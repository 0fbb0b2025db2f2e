"""The demo's teams and staff give the figures the seed reports quote, through the API, on
the date demo/people.py documents (FIGURES_AS_OF = 2018-06-30)."""

from rest_framework.test import APIClient

from gongjian.demo.people import FIGURES_AS_OF

FIELDS = ("teams", "headcount", "average_age", "aged_35_and_under", "college_or_above",
          "college_or_above_share")


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


def test_seed_counts_of_the_organisation_system(demo):
    """The counts the four reports give, as the demo builds them."""
    from django.db.models import Sum

    from gongjian.orgs.choices import NON_PUBLIC_UNIT_TYPES
    from gongjian.orgs.models import Building, Organization, Unit

    def org(code):
        return Organization.objects.get(code=code)

    def under(code):
        return Organization.objects.filter(path__startswith=org(code).path).exclude(code=code)

    # 金山桥: "24个党组织为主体" beneath the street's committee.
    assert under("XZ-JSQ").count() == 24
    # 金山: 9 community 大党委/大党总支, 73 member units, 5 shell branches dissolved.
    jinshan = org("XM-JS")
    communities = Organization.objects.filter(path__startswith=jinshan.path,
                                              depth=jinshan.depth + 1, sector="community")
    assert communities.count() == 9
    assert Unit.objects.filter(org__path__startswith=jinshan.path).count() == 73
    assert under("XM-JS").filter(dissolved_on__isnull=False).count() == 5
    assert under("XM-JS").filter(kind="temporary_branch").exists()
    # 陇海马路: 9 communities and 8 non-public / social-organisation branches.
    longhai = org("ZZ-LHML")
    children = Organization.objects.filter(path__startswith=longhai.path,
                                           depth=longhai.depth + 1)
    assert children.filter(sector="community").count() == 9
    assert children.filter(sector__in=["non_public_enterprise", "social_organization"]
                           ).count() == 8
    # 会展: 46 units in the street, 15,000 households.
    huizhan = org("CC-HZ")
    assert Unit.objects.filter(org__path__startswith=huizhan.path).count() == 46
    assert Building.objects.filter(grid__org__path__startswith=huizhan.path).aggregate(
        n=Sum("households"))["n"] == 15000
    # Coverage of non-public units is a real ratio, not all or nothing.
    non_public = Unit.objects.filter(unit_type__in=NON_PUBLIC_UNIT_TYPES)
    assert 0 < non_public.filter(party_org__isnull=False).count() < non_public.count()
