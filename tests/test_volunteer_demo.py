"""The demo's volunteer service (volunteer/demo.py): the seed reports' figures counted from
the records through volunteer/stats.py, and records that agree with the rules."""

import datetime
import re

import pytest
from django.db.models import Count
from django.utils import timezone

from gongjian.core.models import User
from gongjian.orgs.models import Organization
from gongjian.volunteer import rules, stats
from gongjian.volunteer.models import (
    Activity,
    Certificate,
    CheckIn,
    ServiceRecord,
    Signup,
    State,
    Team,
    TeamMember,
    Volunteer,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
YEAR = stats.Query(org=None, start=TODAY - datetime.timedelta(days=400), end=TODAY)


def figures(username, code, **kw):
    user = User.objects.get(username=username)
    org = Organization.objects.get(code=code)
    return stats.figures(user, stats.Query(org=org, start=YEAR.start, end=YEAR.end, **kw))


def test_longhai_city_cleanings(demo):
    """Seed 002: 36 全城清洁 with 3,500 and more person-times; 90 and more activities."""
    team = Team.objects.get(org__code="ZZ-LHML", name__contains="全城清洁")
    cleaning = figures("longhai", "ZZ-LHML", team=team)
    assert cleaning["activities"] == 36
    assert cleaning["person_times"] >= 3500
    assert cleaning["people"] < cleaning["person_times"]  # the same people came again
    street = figures("longhai", "ZZ-LHML")
    assert street["activities"] >= 90
    assert street["person_times"] > cleaning["person_times"]
    # Each community served under its own team; the street's own activities are its own row.
    rows = {row["code"]: row for row in street["by_org"]}
    assert rows["ZZ-LHML"]["activities"] == 36
    assert all(rows[f"ZZ-LHML-0{n}"]["activities"] >= 5 for n in range(1, 10))
    assert Team.objects.filter(name="郑新里社区党员志愿者服务队", org__code="ZZ-LHML-09").exists()


def test_jinshan_sixteen_teams_with_wanke(demo):
    """Seed 001: 金安社区's 16 professional teams, 万科's among them, its members joining."""
    teams = Team.objects.filter(org__path__startswith=Organization.objects.get(
        code="XM-JS").path)
    assert teams.count() == 16
    assert set(teams.values_list("org__code", flat=True)) == {"XM-JS-01"}
    wanke = teams.get(unit__name="厦门万科企业有限公司")
    members = TeamMember.objects.filter(team=wanke, left_on__isnull=True)
    assert members.count() >= 3
    assert not members.exclude(volunteer__unit=wanke.unit)
    assert not members.filter(joined_on__lt=datetime.date(2018, 7, 16))
    # 万科's members join the other teams too.
    assert TeamMember.objects.filter(team__in=teams.exclude(pk=wanke.pk),
                                     volunteer__unit=wanke.unit).exists()
    jinshan = figures("jinshan", "XM-JS")
    assert jinshan["activities"] >= 32 and jinshan["people"] > 0


def test_huizhan_twelve_company_teams(demo):
    """Seed 003: 12 party-member volunteer teams of non-public companies, kept by the units."""
    street = Organization.objects.get(code="CC-HZ")
    company = Team.objects.filter(org__path__startswith=street.path, unit__isnull=False)
    assert company.count() == 12
    assert not company.exclude(unit__unit_type="private_company").exclude(
        unit__name="长春骨伤医院")
    assert len(set(company.values_list("unit", flat=True))) == 12
    # The demo liaison keeps 博文物业's team and reads its figures, and no other's.
    liaison = User.objects.get(username="liaison")
    mine = stats.figures(liaison, YEAR)
    assert mine["activities"] >= 3 and mine["person_times"] > 0
    bowen = company.get(unit__name="长春博文物业服务有限公司")
    assert mine["activities"] == Activity.objects.filter(
        team=bowen, state__in=stats.HELD).count()


def test_demo_accounts_volunteer(demo):
    member = Volunteer.objects.get(account__username="member")
    resident = Volunteer.objects.get(account__username="resident")
    for v in (member, resident):
        assert v.number and v.org.code == "CC-HZ-01"
        assert ServiceRecord.objects.filter(volunteer=v).count() >= 2
        assert Signup.objects.filter(volunteer=v, activity__state=State.RECRUITING).exists() \
            or Signup.objects.filter(volunteer=v, activity__state=State.IN_PROGRESS).exists()
    assert member.person is not None and member.person.account.username == "member"
    assert Certificate.objects.filter(volunteer=member).exists()
    assert Certificate.objects.values("volunteer").distinct().count() >= 5
    # One under way with the member signed in (a pair open), recruiting ones in every street.
    under_way = Activity.objects.get(state=State.IN_PROGRESS, org__code="CC-HZ-01")
    assert CheckIn.objects.filter(activity=under_way, volunteer=member, out_at__isnull=True)
    for code in ("XZ-JSQ", "XM-JS", "ZZ-LHML", "CC-HZ"):
        assert Activity.objects.filter(org__code__startswith=code, state=State.RECRUITING,
                                       starts_at__gt=timezone.now()).exists(), code


def ours():
    """The activities of this demo (every one of them a team's)."""
    return Activity.objects.filter(team__isnull=False)


def test_records_agree_with_the_rules(demo):
    now = timezone.now()
    held = ours().filter(state__in=stats.HELD)
    assert not held.filter(ends_at__gt=now)
    assert not CheckIn.objects.filter(in_at__gt=now) and not CheckIn.objects.filter(
        out_at__gt=now)
    assert not ServiceRecord.objects.filter(date__gt=TODAY)
    # Hours as the rules give them from each record's pairs; counted only once published.
    for record in ServiceRecord.objects.filter(activity__in=held).order_by("?")[:200]:
        pairs = CheckIn.objects.filter(activity=record.activity_id, volunteer=record.volunteer_id)
        raw, counted, open_pairs = rules.record_hours(pairs.values_list("day", "in_at",
                                                                        "out_at"))
        assert (record.raw_hours, record.hours, record.open_pairs) == (raw, counted, open_pairs)
        assert record.org_id == record.activity.org_id
        assert record.counts_from == record.activity.counts_from
    assert not ServiceRecord.objects.filter(counts_from__isnull=False).exclude(
        activity__state=State.PUBLISHED)
    assert not held.exclude(state=State.ENDED).filter(beneficiaries_served__isnull=True)
    # One record per volunteer who came; a sign-up for every record.
    assert not ServiceRecord.objects.values("activity", "volunteer").annotate(
        n=Count("id")).filter(n__gt=1)
    assert ServiceRecord.objects.filter(activity__in=held).count() == Signup.objects.filter(
        activity__in=held, state="accepted").count()
    # The history ends in the activity's state.
    for activity in ours().order_by("?")[:30]:
        assert activity.events.order_by("at", "id").last().state_to == activity.state


def test_demo_text(demo):
    """What every visitor reads first: Chinese, no nested quotes, no leftovers."""
    texts = list(ours().values_list("title", "content", "place")) + list(
        Team.objects.values_list("name", "description"))
    for row in texts:
        for text in row:
            assert text and re.search(r"[\u4e00-\u9fff]", text), row
            assert not re.search(r"“[^”]*“", text), row
            assert "{" not in text and "None" not in text, row
    assert Activity.objects.filter(title="全城清洁行动").count() == 36


def test_certificates_match_their_records(demo):
    mine = Certificate.objects.filter(records__activity__team__isnull=False).distinct()
    assert mine.count() >= 5
    for cert in mine.prefetch_related("records"):
        records = list(cert.records.all())
        assert records and cert.activity_count == len(records)
        assert cert.hours == sum(r.hours for r in records)
        assert all(r.volunteer_id == cert.volunteer_id and r.counts_from <= cert.issued_on
                   for r in records)
        assert {r.org_id for r in records} == {cert.issuer_id}
