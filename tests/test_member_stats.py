"""Figures of teams and members on a date (RULES.md §7), on hand-built data whose expected
figures are written out here."""

import datetime

import pytest

from gongjian.core import audit
from gongjian.members import services, stats
from gongjian.members.models import Membership, Person
from gongjian.orgs import services as org_services

D = datetime.date
DAY = D(2019, 6, 30)


def born(age, on=DAY, after=True):
    """A birth date of someone exactly `age` full years old on `on`, whose birthday is the
    day after `on` (after=True) or `on` itself (after=False)."""
    if after:
        next_day = on + datetime.timedelta(days=1)
        return next_day.replace(year=next_day.year - age - 1)
    return on.replace(year=on.year - age)


@pytest.fixture
def branch(tree):
    """A fresh branch JS-C under the street, so counts start from zero."""
    with audit.acting_as(suppress=True):
        return org_services.create_organization(
            user=None, parent=tree.s, code="JS-C", name="金湖社区党委", kind="committee",
            sector="community")


def person(org, name, birth, sex="男", education="大学本科", ethnicity="汉族"):
    return Person.objects.create(name=name, sex=sex, birth_date=birth, education=education,
                                 ethnicity=ethnicity, org=org)


JOINED = D(2000, 7, 1)


def member(org, name, birth, joined=JOINED, confirmed="a year later",
           category="正式党员", standing="正常", active=True, ended_on=None, **person_fields):
    """A person and their membership; a full member is confirmed a year after joining unless
    `confirmed` says otherwise (None: the date is unknown)."""
    if confirmed == "a year later":
        confirmed = joined.replace(year=joined.year + 1) if category == "正式党员" else None
    return Membership.objects.create(
        person=person(org, name, birth, **person_fields), org=org, category=category,
        joined_on=joined, confirmed_on=confirmed, standing=standing, active=active,
        ended_on=ended_on)


# ---- numbers ---------------------------------------------------------------------------------

def test_share_and_average_round_half_up():
    assert stats.percent(26, 27) == 96.3
    assert stats.percent(1, 16) == 6.3          # 6.25 → 6.3 as printed reports round
    assert stats.percent(27, 27) == 100.0
    assert stats.percent(0, 0) is None
    assert stats.one_decimal(929, 27) == 34.4
    assert stats.one_decimal(1915, 50) == 38.3
    assert stats.one_decimal(61, 2) == 30.5


def test_years_before_and_birth_ranges():
    assert stats.years_before(D(2020, 2, 29), 1) == D(2019, 2, 28)
    assert stats.born_between(D(2019, 6, 30), 31, 35) == (D(1983, 7, 1), D(1988, 6, 30))
    assert stats.born_between(D(2019, 6, 30), 0, 30) == (D(1988, 7, 1), D(2019, 6, 30))


@pytest.mark.parametrize(("value", "ok"), [
    ("2019-06-30", True), ("2020-02-29", True), ("2019-02-29", False), ("2019-13-01", False),
    ("20190630", False), ("昨天", False), ("2019-6-30", False),
])
def test_parse_day(value, ok):
    if ok:
        assert stats.parse_day(value) == D.fromisoformat(value)
    else:
        with pytest.raises(ValueError, match="统计日期须为 YYYY-MM-DD"):
            stats.parse_day(value)


# ---- teams -------------------------------------------------------------------------------------

def test_rules_check_26_of_27(tree, users):
    """27 书记、委员 across three communities' teams: 9 aged 36–44 and 17 aged 26–35 (ages sum
    to 929 → 34.4), one without 大专及以上 → 26/27 = 96.3%."""
    ages = [44, 42, 42, 41, 40, 39, 38, 37, 36, 36, 26, 27, 28, 29, 29, 30, 31, 31, 32, 32,
            33, 33, 34, 34, 35, 35, 35]
    assert sum(ages) == 929
    orgs = [tree.a, tree.b, tree.a1]
    for n, org in enumerate(orgs):
        seats = []
        for i, age in enumerate(ages[n * 9:(n + 1) * 9]):
            education = "高中" if (n, i) == (1, 0) else "大学专科"
            seats.append((person(org, f"委员{n}{i}", born(age), education=education),
                          "书记" if i == 0 else "委员"))
        services.record_election(user=users.street, org=org, elected_on=D(2019, 5, 1), seats=seats)
    figures = stats.team_figures(users.street, tree.s, DAY)
    assert {k: figures[k] for k in ("teams", "headcount", "average_age", "aged_35_and_under",
                                    "college_or_above", "college_or_above_share",
                                    "by_post")} == {
        "teams": 3, "headcount": 27, "average_age": 34.4, "aged_35_and_under": 17,
        "college_or_above": 26, "college_or_above_share": 96.3,
        "by_post": {"书记": 3, "委员": 24},
    }
    assert figures["by_age_band"] == {"30岁及以下": 6, "31-35岁": 11, "36-40岁": 6,
                                      "41-45岁": 4, "46-50岁": 0, "51-55岁": 0, "56-60岁": 0,
                                      "61岁及以上": 0}
    assert figures["by_org"] == [{"code": "JS-A", "name": "金安社区党委", "count": 18},
                                 {"code": "JS-B", "name": "高林社区党委", "count": 9}]
    assert stats.team_sentence(figures) == (
        "3个班子共有书记、委员27名，平均年龄34.4岁，其中35岁及以下人员17名，"
        "大专及以上学历26人，占比96.3%。")
    # Community A's own reader sees only A's subtree: 18 people.
    assert stats.team_figures(users.community_a, tree.s, DAY)["headcount"] == 18


def test_as_of_before_and_after_an_election(tree, users):
    old = [(person(tree.a, "老书记", D(1960, 1, 1)), "书记"),
           (person(tree.a, "老委员", D(1965, 1, 1), education="高中"), "委员"),
           (person(tree.a, "连任委员", D(1980, 1, 1)), "委员")]
    services.record_election(user=users.street, org=tree.a, elected_on=D(2015, 5, 1), seats=old)
    new = [(person(tree.a, "新书记", D(1985, 1, 1)), "书记"), (old[2][0], "委员")]
    services.record_election(user=users.street, org=tree.a, elected_on=D(2018, 5, 10), seats=new)

    def figures(day):
        f = stats.team_figures(users.street, tree.a, day)
        return f["headcount"], f["by_post"], f["college_or_above"]

    assert figures(D(2015, 4, 30)) == (0, {}, 0)
    assert figures(D(2015, 5, 1)) == (3, {"书记": 1, "委员": 2}, 2)
    assert figures(D(2018, 5, 9)) == (3, {"书记": 1, "委员": 2}, 2)
    assert figures(D(2018, 5, 10)) == (2, {"书记": 1, "委员": 1}, 2)
    assert figures(D(2026, 1, 1)) == (2, {"书记": 1, "委员": 1}, 2)
    # Ages on the day: 2018-05-09 → 58, 53, 38 → 49.7; 2018-05-10 → 33, 38 → 35.5.
    assert stats.team_figures(users.street, tree.a, D(2018, 5, 9))["average_age"] == 49.7
    assert stats.team_figures(users.street, tree.a, D(2018, 5, 10))["average_age"] == 35.5


def test_one_person_in_two_teams_counts_once(tree, users):
    both = person(tree.a, "兼职书记", D(1980, 3, 3))
    services.record_election(user=users.street, org=tree.a, elected_on=D(2019, 1, 1),
                             seats=[(both, "书记")])
    services.record_election(user=users.street, org=tree.a1, elected_on=D(2019, 1, 1),
                             seats=[(both, "书记"), (person(tree.a1, "委员甲", D(1990, 1, 1)),
                                                     "委员")])
    figures = stats.team_figures(users.street, tree.a, DAY)
    assert (figures["headcount"], figures["teams"], figures["by_post"]) == (
        2, 2, {"书记": 2, "委员": 1})


# ---- members -----------------------------------------------------------------------------------

def test_full_years_on_the_date(branch, users):
    member(branch, "甲", D(1990, 7, 1))
    assert stats.member_figures(users.street, branch, D(2020, 6, 30))["average_age"] == 29.0
    assert stats.member_figures(users.street, branch, D(2020, 7, 1))["average_age"] == 30.0
    member(branch, "乙", D(2000, 2, 29), joined=D(2018, 3, 1))

    def average(day):
        return stats.member_figures(users.street, branch, day)["average_age"]

    # 乙, born on 29 February, turns a year older on 1 March in common years.
    assert average(D(2018, 3, 1)) == 22.5   # 甲 27, 乙 18
    assert average(D(2019, 2, 28)) == 23.0  # 甲 28, 乙 18
    assert average(D(2019, 3, 1)) == 23.5   # 甲 28, 乙 19
    assert average(D(2020, 2, 28)) == 24.0  # 甲 29, 乙 19
    assert average(D(2020, 2, 29)) == 24.5  # 甲 29, 乙 20


def test_age_band_boundaries(branch, users):
    """Ages 30, 31, 35, 36, 60, 61 on the date; 31 reached on the day itself counts as 31."""
    for name, age, after in [("三十", 30, True), ("三十一", 31, False), ("三十五", 35, True),
                             ("三十六", 36, False), ("六十", 60, True), ("六十一", 61, False)]:
        member(branch, name, born(age, after=after), joined=D(1990, 1, 1) if age > 40
               else D(2010, 1, 1))
    figures = stats.member_figures(users.street, branch, DAY)
    assert figures["by_age_band"] == {"30岁及以下": 1, "31-35岁": 2, "36-40岁": 1,
                                      "41-45岁": 0, "46-50岁": 0, "51-55岁": 0, "56-60岁": 1,
                                      "61岁及以上": 1}
    assert figures["aged_35_and_under"] == 3
    assert figures["aged_35_and_under_share"] == 50.0
    assert figures["average_age"] == 42.2  # (30+31+35+36+60+61)/6 = 42.17
    # One day later the one aged 30 has turned 31 and the one aged 35 is 36.
    later = stats.member_figures(users.street, branch, DAY + datetime.timedelta(days=1))
    assert later["by_age_band"]["30岁及以下"] == 0
    assert later["by_age_band"]["31-35岁"] == 2
    assert later["by_age_band"]["36-40岁"] == 2
    assert later["aged_35_and_under"] == 2


def test_probationary_and_full_on_a_date(branch, users):
    member(branch, "已转正", D(1995, 1, 1), joined=D(2019, 3, 1), confirmed=D(2020, 3, 1))
    member(branch, "预备", D(1998, 1, 1), joined=D(2019, 9, 1), category="预备党员")
    member(branch, "老党员", D(1940, 1, 1), joined=D(1965, 1, 1), confirmed=None)

    def category(day):
        return stats.member_figures(users.street, branch, day)["by_category"]

    assert category(D(2019, 2, 28)) == {"正式党员": 1, "预备党员": 0}
    assert category(D(2019, 12, 31)) == {"正式党员": 1, "预备党员": 2}
    assert category(D(2020, 2, 29)) == {"正式党员": 1, "预备党员": 2}
    assert category(D(2020, 3, 1)) == {"正式党员": 2, "预备党员": 1}
    years = stats.member_figures(users.street, branch, D(2020, 3, 1))["by_standing_years"]
    assert years["不满5年"] == 1
    assert years["预备党员（未计党龄）"] == 1
    assert years["转正日期未填"] == 1


def test_party_standing_years_from_confirmation(branch, users):
    member(branch, "十年", D(1980, 1, 1), joined=D(2009, 3, 1), confirmed=D(2010, 3, 1))
    member(branch, "五十年", D(1940, 1, 1), joined=D(1969, 3, 1), confirmed=D(1970, 3, 1))

    def years(day):
        f = stats.member_figures(users.street, branch, day)["by_standing_years"]
        return {k: v for k, v in f.items() if v}

    assert years(D(2020, 2, 29)) == {"5-9年": 1, "40-49年": 1}
    assert years(D(2020, 3, 1)) == {"10-19年": 1, "50年及以上": 1}


def test_memberships_on_a_date_and_breakdowns(branch, users):
    member(branch, "张", D(1980, 1, 1), sex="女", education="研究生", ethnicity="回族")
    member(branch, "王", D(1970, 1, 1), education="高中", standing="流动")
    member(branch, "李", D(1975, 1, 1), education="", joined=D(2005, 1, 1))
    member(branch, "转出", D(1985, 1, 1), standing="已转出", active=False,
           ended_on=D(2020, 1, 1))
    member(branch, "新", D(1999, 1, 1), joined=D(2020, 6, 1), category="预备党员")
    on = D(2019, 12, 31)
    figures = stats.member_figures(users.street, branch, on)
    assert figures["total"] == 4
    assert figures["by_sex"] == {"男": 3, "女": 1}
    assert figures["by_ethnicity"] == {"汉族": 3, "回族": 1}
    assert figures["by_education"] == {"研究生": 1, "大学本科": 1, "大学专科": 0,
                                       "中专/中职": 0, "高中": 1, "初中及以下": 0, "未填": 1}
    assert figures["college_or_above"] == 2
    assert figures["college_or_above_share"] == 50.0
    # The one transferred out in 2020 was on the roster on the date; their standing then is
    # not recorded, so they are counted apart.
    assert figures["by_standing"] == {"正常": 2, "流动党员": 1, "失联": 0, "停止党籍": 0,
                                      "统计日后已离册": 1}
    assert figures["average_age"] == 41.5  # 39, 49, 44 and 34 on 2019-12-31
    assert stats.member_figures(users.street, branch, D(2020, 1, 1))["total"] == 3
    assert stats.member_figures(users.street, branch, D(2020, 6, 1))["total"] == 4


def test_reach_of_the_reader(tree, users):
    """The fixture's members: 张华娟 in JS-A1, 林急 in JS-B1. Each community sees its own."""
    day = D(2026, 1, 1)
    assert stats.member_figures(users.street, tree.s, day)["total"] == 2
    assert stats.member_figures(users.community_a, tree.s, day)["total"] == 1
    assert stats.member_figures(users.community_b, tree.s, day)["by_education"]["高中"] == 1
    assert stats.member_figures(users.street, tree.s, day)["by_org"] == [
        {"code": "JS-A", "name": "金安社区党委", "count": 1},
        {"code": "JS-B", "name": "高林社区党委", "count": 1}]


def test_queries_do_not_grow_with_rows(branch, users, django_assert_max_num_queries):
    for i in range(30):
        member(branch, f"党员{i}", D(1950 + i, 1 + i % 12, 1 + i % 28))
    stats.member_figures(users.street, branch, DAY)  # loads the reader's grants once
    with django_assert_max_num_queries(4):
        stats.member_figures(users.street, branch, DAY)
    with django_assert_max_num_queries(5):
        stats.team_figures(users.street, branch, DAY)


# ---- the page and its export ----------------------------------------------------------------

def test_stats_page_and_xlsx_export(tree, users, client):
    from io import BytesIO

    from django.urls import reverse
    from openpyxl import load_workbook

    seats = [(person(tree.a, "书记甲", born(44)), "书记"),
             (person(tree.a, "委员乙", born(30), education="高中"), "委员")]
    services.record_election(user=users.street, org=tree.a, elected_on=D(2019, 5, 1), seats=seats)
    client.force_login(users.street)
    page = client.get(reverse("stats"), {"org": "JS", "as_of": "2019-06-30"})
    assert page.status_code == 200
    content = page.content.decode()
    assert "1个班子共有书记、委员2名，平均年龄37.0岁，其中35岁及以下人员1名，" \
           "大专及以上学历1人，占比50.0%。" in content
    assert '<script id="chart-data" type="application/json">' in content
    assert "vendor/echarts/echarts.min.js" in content and "gongjian/charts.js" in content
    assert set(page.context["charts"]) >= {"teams-post", "teams-age", "members-age"}

    # Opening without parameters shows the user's own organisation today.
    page = client.get(reverse("stats"))
    assert page.context["form"]["org"].value() == "JS"
    # A bad date or an organisation out of reach is said in Chinese.
    page = client.get(reverse("stats"), {"org": "JS", "as_of": "2019-02-30"})
    assert page.status_code == 400
    assert "统计日期须为 YYYY-MM-DD 格式的有效日期" in page.content.decode()
    client.force_login(users.community_b)
    page = client.get(reverse("stats"), {"org": "JS-A"})
    assert "组织编码“JS-A”不存在或不在您的管理范围内。" in page.content.decode()

    client.force_login(users.street)
    response = client.get(reverse("stats_export"), {"org": "JS", "as_of": "2019-06-30"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["概况", "党员", "班子", "专职队伍"]
    summary = {row[0]: row[1] for row in book["概况"].iter_rows(values_only=True) if row[0]}
    assert summary["统计日期"] == "2019-06-30"
    assert summary["班子成员（人）"] == 2
    assert summary["平均年龄（周岁）"] == 37.0
    assert summary["大专及以上占比（%）"] == 50.0
    assert summary["党员总数（人）"] == 2  # the fixture's two; the cadres are not on the roster
    teams = [row for row in book["班子"].iter_rows(values_only=True)]
    assert ("书记", 1, 50.0) in teams and ("委员", 1, 50.0) in teams
