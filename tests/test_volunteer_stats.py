"""Volunteer-service figures (volunteer/stats.py): what is counted, for whom, and the pages.

People: 甲 serves at three activities of community A (3 人次, 1 person), 乙 at one of them
and at one of community B's; one of A's activities is still in publicity (its hours do not
count yet), one is still recruiting (not held), one was cancelled."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gongjian.members.models import Person
from gongjian.volunteer import stats
from gongjian.volunteer.models import (
    Activity,
    ActivityEvent,
    ServiceRecord,
    State,
    Team,
    Volunteer,
    volunteer_number,
)

D = datetime.date
TODAY = timezone.localdate()
YEAR_AGO = TODAY - datetime.timedelta(days=360)


def aware(day, hour=9):
    return datetime.datetime.combine(day, datetime.time(hour), timezone.get_current_timezone())


def volunteer(name, org, unit=None):
    person = Person.objects.create(name=name, sex="女", birth_date=D(1980, 1, 1), org=org)
    v = Volunteer.objects.create(person=person, name=name, org=org, unit=unit)
    v.number = volunteer_number(v.pk)
    v.save(update_fields=["number"])
    return v


def held(org, title, day, people, *, team=None, hours="2.50", counts=True, served=10,
         state=State.PUBLISHED):
    """An activity as the services leave it once over (records of `people`)."""
    counts_from = (day + datetime.timedelta(days=8) if counts else TODAY + datetime.timedelta(
        days=3)) if state == State.PUBLISHED else None
    activity = Activity.objects.create(
        org=org, team=team, title=title, content="清扫楼道。", place="社区广场",
        starts_at=aware(day), ends_at=aware(day, 11), places=20, state=state,
        beneficiaries_served=served if state != State.ENDED else None,
        counts_from=counts_from, publicity_days=5 if counts_from else None,
        publicised_on=counts_from - datetime.timedelta(days=5) if counts_from else None)
    for v in people:
        ServiceRecord.objects.create(activity=activity, volunteer=v, org=org, date=day,
                                     counts_from=counts_from, raw_hours=Decimal(hours),
                                     computed_hours=Decimal(hours), hours=Decimal(hours))
    return activity


@pytest.fixture
def world(tree, users):
    cache.clear()
    jia, yi = volunteer("甲志愿", tree.a1), volunteer("乙志愿", tree.a)
    bing = volunteer("丙志愿", tree.b)
    team = Team.objects.create(name="金安助老志愿服务队", org=tree.a, speciality="elderly")
    unit_team = Team.objects.create(name="鼎峰集团党员志愿服务队", org=tree.a, unit=tree.unit_a)
    first = TODAY - datetime.timedelta(days=40)
    a1 = held(tree.a, "独居老人探访", first, [jia, yi], team=team, served=12)
    a2 = held(tree.a, "楼道清理", first + datetime.timedelta(days=7), [jia], team=unit_team,
              served=30)
    a3 = held(tree.a, "垃圾分类督导", TODAY - datetime.timedelta(days=6), [jia], counts=False,
              served=5)
    b1 = held(tree.b, "文明交通劝导", first, [yi, bing], served=40)
    Activity.objects.create(org=tree.a, title="下周义诊", content="义诊。", place="广场",
                            starts_at=aware(TODAY + datetime.timedelta(days=7)),
                            ends_at=aware(TODAY + datetime.timedelta(days=7), 11), places=5,
                            state=State.RECRUITING)
    Activity.objects.create(org=tree.a, title="取消的活动", content="因雨取消。", place="广场",
                            starts_at=aware(first), ends_at=aware(first, 11), places=5,
                            state=State.CANCELLED)
    yield {"jia": jia, "yi": yi, "bing": bing, "team": team, "unit_team": unit_team,
           "a1": a1, "a2": a2, "a3": a3, "b1": b1}
    cache.clear()


def query(org, **kw):
    return stats.Query(org=org, start=kw.pop("start", YEAR_AGO), end=kw.pop("end", TODAY), **kw)


def test_counts_person_times_people_hours_after_publicity(world, tree, users):
    street = stats.figures(users.street, query(tree.s))
    # 甲 ×3 + 乙 ×1 in A, 乙 + 丙 in B: 6 人次, 3 people; 乙 counted once.
    assert (street["person_times"], street["people"]) == (6, 3)
    # Hours: a3 is still in publicity (2.5 h of 甲 not counted): 5 records × 2.5.
    assert street["hours"] == Decimal("12.50")
    # Held activities only (not the recruiting or cancelled ones); beneficiaries as reviewed.
    assert (street["activities"], street["beneficiaries"]) == (4, 12 + 30 + 5 + 40)
    by_org = {row["code"]: row for row in street["by_org"]}
    assert set(by_org) == {"JS-A", "JS-B"}
    assert (by_org["JS-A"]["person_times"], by_org["JS-A"]["people"]) == (4, 2)
    assert by_org["JS-A"]["hours"] == Decimal("7.50")
    assert (by_org["JS-B"]["activities"], by_org["JS-B"]["people"]) == (1, 2)
    # The children add up to the totals (people excepted: 乙 served in both).
    for key in ("activities", "person_times", "hours", "beneficiaries"):
        assert sum(row[key] for row in street["by_org"]) == street[key]
    months = {row["month"]: row for row in street["by_month"]}
    assert sum(row["person_times"] for row in months.values()) == 6
    assert months[f"{TODAY:%Y-%m}"]["person_times"] >= 0
    assert len(street["by_month"]) == len(stats.months_between(YEAR_AGO, TODAY))


def test_one_person_at_three_activities(world, tree, users):
    only_jia = stats.figures(users.community_a, query(tree.a1))  # no record org is A1 itself
    assert only_jia["person_times"] == 0
    records = ServiceRecord.objects.filter(volunteer=world["jia"])
    assert records.count() == 3
    a = stats.figures(users.community_a, query(tree.a, team=world["team"]))
    assert (a["activities"], a["person_times"], a["people"]) == (1, 2, 2)


def test_period_and_counting_day(world, tree, users):
    before = stats.figures(users.street, query(tree.s, end=TODAY - datetime.timedelta(days=30)))
    assert before["person_times"] == 5 and before["activities"] == 3
    # Seen on the day its publicity is over, a3's hours count too.
    later = stats.figures(users.street, query(tree.s), today=TODAY + datetime.timedelta(days=3))
    assert later["hours"] == Decimal("15.00")


def test_scope_community_and_liaison(world, tree, users, twins):
    b = stats.figures(users.community_b, query(tree.b))
    assert (b["person_times"], b["people"]) == (2, 2)
    assert stats.find_org(users.community_b, "JS-A") is None
    assert stats.find_org(users.community_a, "JS") is None
    # The liaison of U-A reads its unit's team only (a2), without an organisation.
    liaison = stats.figures(users.liaison_a, stats.Query(org=None, start=YEAR_AGO, end=TODAY))
    assert (liaison["activities"], liaison["person_times"]) == (1, 1)
    assert [row["code"] for row in liaison["by_org"]] == ["JS-A"]
    other = stats.figures(twins.liaison_b, stats.Query(org=None, start=YEAR_AGO, end=TODAY))
    assert other["person_times"] == 0 and other["by_org"] == []
    assert not stats.may_read(users.member) and not stats.may_read(users.resident)
    assert not stats.may_read(users.grid_a)
    assert stats.find_team(users.community_b, tree.b, world["team"].pk) is None
    assert stats.find_unit(users.community_a, tree.a, tree.unit_a.code) == tree.unit_a


def test_figures_follow_a_change(world, tree, users):
    first = stats.figures(users.street, query(tree.s))
    held(tree.b, "新的活动", TODAY - datetime.timedelta(days=20), [world["jia"]], served=3)
    ActivityEvent.objects.create(activity=world["b1"], step="review", text="审核")
    again = stats.figures(users.street, query(tree.s))
    assert again["person_times"] == first["person_times"] + 1
    assert again["people"] == first["people"]


def test_parse_period():
    assert stats.parse_period("", "") == stats.default_period()
    assert stats.parse_period("2025-01-01", "2025-03-31") == (D(2025, 1, 1), D(2025, 3, 31))
    with pytest.raises(ValueError, match="截止日期不能早于起始日期"):
        stats.parse_period("2025-03-01", "2025-01-01")
    with pytest.raises(ValueError, match="起始日期须为"):
        stats.parse_period("2025-02-30", "")
    with pytest.raises(ValueError, match="十年"):
        stats.parse_period("2001-01-01", "2025-01-01")


def test_volunteer_record(world, tree, users, twins):
    record = stats.volunteer_record(users.street, world["jia"])
    assert record["person_times"] == 3
    assert record["hours"] == Decimal("5.00") and record["hours_pending"] == Decimal("2.50")
    assert [r["counts"] for r in record["records"]] == [False, True, True]
    assert stats.find_volunteer(users.community_a, world["jia"].number) == world["jia"]
    # 乙 is homed in A but served in B too: B's staff read the record of their own service.
    assert stats.find_volunteer(users.community_b, world["yi"].number) == world["yi"]
    assert stats.volunteer_record(users.community_b, world["yi"])["person_times"] == 1
    assert stats.find_volunteer(users.community_b, world["jia"].number) is None
    assert stats.find_volunteer(twins.street_b, world["jia"].number) is None
    assert stats.find_volunteer(users.member, world["jia"].number) is None


def test_page_export_and_record_page(world, tree, users, client):
    client.force_login(users.street)
    url = reverse("volunteer_stats")
    page = client.get(url, {"org": "JS", "from": YEAR_AGO.isoformat(), "to": TODAY.isoformat()})
    assert page.status_code == 200
    text = page.content.decode()
    assert "志愿服务统计" in text and "金安社区党委" in text and "chart-data" in text
    assert page.context["result"]["person_times"] == 6
    # Narrowed to a team of the subtree.
    team = client.get(url, {"org": "JS", "team": world["team"].pk})
    assert team.context["result"]["person_times"] == 2
    bad = client.get(url, {"from": "2025-13-01"})
    assert bad.status_code == 400 and "起始日期须为" in bad.content.decode()
    xlsx = client.get(reverse("volunteer_stats_export"), {"org": "JS-A"})
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("分组", "名称", "活动（次）", "人次")
    assert rows[1][0] == "合计" and rows[1][3] == 4
    assert client.get(reverse("volunteer_stats_export"), {"to": "x"}).status_code == 400
    record = client.get(reverse("volunteer_stats_volunteer", args=[world["jia"].number]))
    assert record.status_code == 200 and "甲志愿" in record.content.decode()
    lookup = client.get(reverse("volunteer_stats_lookup"), {"number": world["jia"].number})
    assert lookup.status_code == 302 and world["jia"].number in lookup["Location"]
    missing = client.get(reverse("volunteer_stats_lookup"), {"number": "ZY99999999"})
    assert missing.status_code == 302 and missing["Location"] == url
    client.force_login(users.member)
    assert client.get(url).status_code == 403
