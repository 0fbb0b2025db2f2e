"""The synthetic city's volunteer service (demo/synth_volunteer.py): a year of activities,
sign-ups, check-ins and records that agree with the rules and with the figures, on SQLite and
PostgreSQL; the synth command adds it to a city built before it."""

import dataclasses
import datetime
import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, F, Q

from gongjian.demo import synth
from gongjian.demo.synth_members import build_members
from gongjian.demo.synth_volunteer import TABLES, build_volunteer, volunteer_present
from gongjian.orgs.models import Organization
from gongjian.volunteer import rules, stats
from gongjian.volunteer.models import (
    Activity,
    CheckIn,
    ServiceRecord,
    Signup,
    State,
    Team,
    TeamMember,
    Volunteer,
    volunteer_number,
)

TODAY = datetime.date(2026, 11, 4)
FIRST = TODAY - datetime.timedelta(days=364)


def quiet(line):
    pass


def fingerprint(root):
    activities = list(Activity.objects.filter(org__path__startswith=root.path)
                      .order_by("org__code", "starts_at", "title", "pk")
                      .values_list("org__code", "title", "state", "starts_at", "places",
                                   "counts_from", "beneficiaries_served"))
    records = sorted(ServiceRecord.objects.filter(org__path__startswith=root.path)
                     .values_list("volunteer__person__name", "activity__title", "date", "hours"))
    return activities, records, Team.objects.count(), TeamMember.objects.count()


def wipe():
    for model in reversed(TABLES):
        model.objects.all().delete()


def test_a_year_of_service_agrees_with_itself_and_the_figures(tree, make_user):
    build_members(tree.s, 400, seed=5, log=quiet)
    indexes = _indexes()
    summary = build_volunteer(tree.s, seed=5, today=TODAY, log=quiet,
                              rebuild_indexes=connection.vendor == "postgresql")
    assert _indexes() == indexes  # dropped for the load and made again
    people = summary["people"]
    assert 0.3 * people < summary["volunteers"] < 0.5 * people
    assert Volunteer.objects.count() == summary["volunteers"]
    assert not Volunteer.objects.exclude(number__startswith="ZY")
    v = Volunteer.objects.order_by("?").first()
    assert v.number == volunteer_number(v.pk) and v.person.name == v.name
    assert summary["cleanings"] == 36 and summary["checkins"] >= summary["records"] > 1000
    assert (Activity.objects.count(), CheckIn.objects.count(), ServiceRecord.objects.count(),
            Signup.objects.count()) == (summary["activities"], summary["checkins"],
                                        summary["records"], summary["signups"])
    # Held within the year, recruiting ahead; counted only once the publicity is over.
    held = Activity.objects.filter(state__in=stats.HELD)
    assert not held.filter(Q(starts_at__date__lt=FIRST - datetime.timedelta(days=7))
                           | Q(starts_at__date__gt=TODAY))
    assert not Activity.objects.filter(state=State.RECRUITING, starts_at__date__lte=TODAY)
    assert not ServiceRecord.objects.filter(counts_from__isnull=False).exclude(
        activity__state=State.PUBLISHED)
    assert not ServiceRecord.objects.filter(counts_from__isnull=False).exclude(
        counts_from=F("activity__counts_from"))
    assert not ServiceRecord.objects.filter(counts_from__isnull=True,
                                            activity__counts_from__isnull=False)
    assert not ServiceRecord.objects.exclude(org=F("activity__org"))
    assert not ServiceRecord.objects.filter(activity__state__in=(State.RECRUITING,
                                                                 State.CANCELLED))
    # A record per volunteer who came (an accepted sign-up); absent ones have none.
    assert ServiceRecord.objects.count() == Signup.objects.filter(
        activity__state__in=stats.HELD, state="accepted").count()
    assert not Signup.objects.filter(state="absent", volunteer__records__activity=F("activity"))
    for record in ServiceRecord.objects.order_by("?")[:100]:
        pairs = CheckIn.objects.filter(activity=record.activity_id,
                                       volunteer=record.volunteer_id)
        assert (record.raw_hours, record.hours, 0) == rules.record_hours(
            pairs.values_list("day", "in_at", "out_at"))
        assert pairs.count() <= rules.setting("max_pairs_per_day")
    # The figures count the same.
    cache.clear()
    street = make_user("street_staff", tree.s)
    figures = stats.figures(street, stats.Query(org=tree.s, start=FIRST - datetime.timedelta(
        days=7), end=TODAY), today=TODAY)
    assert figures["person_times"] == summary["records"]
    assert figures["activities"] == held.count()
    assert figures["people"] == ServiceRecord.objects.values("volunteer").distinct().count()
    counted = ServiceRecord.objects.filter(counts_from__lte=TODAY)
    assert figures["hours"] == sum(r.hours for r in counted) and figures["hours"] > 0
    # Team members are volunteers of the team's street, at most once at a time.
    assert not TeamMember.objects.values("team", "volunteer").annotate(n=Count("id")).filter(
        n__gt=1)
    # The same seed draws the same year.
    before = fingerprint(tree.s)
    wipe()
    build_volunteer(tree.s, seed=5, today=TODAY, log=quiet)
    assert fingerprint(tree.s) == before
    cache.clear()


def _indexes():
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename LIKE 'volunteer_%%' "
                       "ORDER BY 1")
        indexes = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid::regclass::text "
                       "LIKE 'volunteer_%%' ORDER BY 1")
        return indexes, [row[0] for row in cursor.fetchall()]


def test_no_street_no_service(tree):
    with pytest.raises(ValueError, match="还没有人员"):
        build_volunteer(tree.a2, today=TODAY, log=quiet)  # a company's branch: no street


@pytest.fixture
def tiny_city(monkeypatch):
    monkeypatch.setitem(synth.SCALES, "small",
                        dataclasses.replace(synth.SCALES["small"], members=1200))
    return synth.SCALES["small"]


def test_the_synth_command_adds_volunteer_service_to_a_city_built_before_it(db, tiny_city):
    call_command("synth", scale="small", no_orglife=True, no_volunteer=True,
                 stdout=io.StringIO(), stderr=io.StringIO())
    root = Organization.objects.get(code=tiny_city.code)
    assert not volunteer_present(root)
    out = io.StringIO()
    call_command("synth", scale="small", if_missing=True, no_orglife=True, stdout=out,
                 stderr=io.StringIO())
    assert "尚无志愿服务" in out.getvalue() and "签到" in out.getvalue()
    assert volunteer_present(root)
    streets = Organization.objects.filter(path__startswith=root.path, sector="street").count()
    assert Activity.objects.filter(title="全城清洁行动").count() == 36 * streets
    out = io.StringIO()
    call_command("synth", scale="small", if_missing=True, no_orglife=True, stdout=out,
                 stderr=io.StringIO())
    assert "跳过" in out.getvalue()
