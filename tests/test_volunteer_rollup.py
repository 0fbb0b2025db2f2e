"""The rollup the figures read (RecordTally, ServiceDays, the people bitmaps) agrees with the
service records after every path that writes them: the activity's steps, hand-made sign-outs,
the ledger import, the demos, a deletion, a merge and a move of organisations; and the figures
read from it are those counted from the records, for periods that start and end inside a month,
for a user who reaches the whole subtree (bitmaps) and one who reaches part of it (days)."""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from access_volunteer import make_activity
from django.db.models import Count, Sum
from django.utils import timezone
from pyroaring import BitMap
from test_volunteer_import import LEDGER_SPEC, ledger_row, workbook
from test_volunteer_stats import held, volunteer
from test_volunteer_workflow import local, scan_in, scan_out

from gongjian.orgs.models import Organization
from gongjian.orgs.services import merge_organizations, move_organization
from gongjian.volunteer import services, stats
from gongjian.volunteer.imports import LedgerImporter
from gongjian.volunteer.models import (
    CheckIn,
    PeopleBits,
    RecordTally,
    ServiceDays,
    ServiceRecord,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
MONTHS = [f"m{m:02d}" for m in range(1, 13)]


def expected():
    tallies = defaultdict(lambda: [0, Decimal("0")])
    for g in (ServiceRecord.objects.order_by().values("activity_id", "org_id", "date",
                                                      "counts_from")
              .annotate(n=Count("id"), h=Sum("hours"))):
        key = (g["activity_id"], g["org_id"], g["date"], g["counts_from"])
        tallies[key][0] += g["n"]
        tallies[key][1] += g["h"]
    days: dict = defaultdict(lambda: [0] * 12)
    for v, org, day in ServiceRecord.objects.values_list("volunteer_id", "org_id", "date"):
        days[v, org, day.year][day.month - 1] |= 1 << (day.day - 1)
    bits: dict = defaultdict(set)
    paths = dict(Organization.objects.values_list("pk", "path"))
    ids = {path: pk for pk, path in paths.items()}
    for v, org, day in ServiceRecord.objects.values_list("volunteer_id", "org_id", "date"):
        path = paths[org]
        for end in range(Organization.steplen, len(path) + 1, Organization.steplen):
            root = ids[path[:end]]
            bits[root, day.year, day.month, 0].add(v)
            bits[root, day.year, day.month, day.day].add(v)
    return ({k: tuple(v) for k, v in tallies.items()}, {k: tuple(v) for k, v in days.items()},
            dict(bits))


def kept():
    tallies = defaultdict(lambda: [0, Decimal("0")])
    for t in RecordTally.objects.all():
        key = (t.activity_id, t.org_id, t.date, t.counts_from)
        tallies[key][0] += t.records
        tallies[key][1] += t.hours
    days: dict = defaultdict(lambda: [0] * 12)
    for row in ServiceDays.objects.all():  # a merge may leave two rows for one key: OR them
        masks = days[row.volunteer_id, row.org_id, row.year]
        for i, name in enumerate(MONTHS):
            masks[i] |= getattr(row, name)
    bits = {(b.org_id, b.year, b.month, b.day): set(BitMap.deserialize(bytes(b.bits)))
            for b in PeopleBits.objects.all()}
    return ({k: tuple(v) for k, v in tallies.items()}, {k: tuple(v) for k, v in days.items()},
            bits)


def assert_agrees():
    assert kept() == expected()


def test_the_activity_steps_keep_the_rollup(tree, users, make_user):
    staff, member, late = users.community_a, users.member, make_user("member", tree.a1)
    activity = make_activity(tree, users, "清洁", state="in_progress")
    services.signup(activity, user=member)
    services.signup(activity, user=late)
    scan_in(activity, member, local(9, days=1))
    scan_out(activity, member, local(11, 40, days=1))
    scan_in(activity, late, local(9, days=1))
    activity = services.finish(activity, user=staff)
    assert RecordTally.objects.get(activity=activity).records == 2
    assert_agrees()
    pair = CheckIn.objects.get(activity=activity, volunteer__account=late)
    services.close_pair(pair, user=staff, out_at=local(10, 10, days=1), reason="忘记签退")
    assert_agrees()
    record = ServiceRecord.objects.get(activity=activity, volunteer__account=member)
    services.adjust(record, user=staff, hours="3", reason="提前到场布置")
    assert RecordTally.objects.get(activity=activity).hours == Decimal("4.00")
    assert_agrees()
    activity = services.review(activity, user=staff, beneficiaries_served=5)
    activity = services.publicize(activity, user=staff)
    assert RecordTally.objects.get(activity=activity).counts_from == activity.counts_from
    assert_agrees()
    activity.delete()  # the records go with their activity, and so does the rollup
    assert not RecordTally.objects.exists() and not ServiceDays.objects.exists()
    assert not PeopleBits.objects.exists()


def test_the_ledger_import_keeps_the_rollup(tree, users):
    data = workbook(LEDGER_SPEC, [
        ledger_row("楼院环境整治", "张华娟", "3", phone="13800138000"),
        ledger_row("为老助餐", "张华娟", 4, phone="13800138000",
                   day=datetime.date(2025, 6, 15)),
    ])
    result = LedgerImporter(users.community_a, "台账.xlsx").run(data, filename="台账.xlsx")
    assert result.ok, [str(e) for e in result.errors]
    assert ServiceDays.objects.get().m06 == (1 << 13) | (1 << 14)
    assert_agrees()


def test_the_demo_keeps_the_rollup(demo):
    assert RecordTally.objects.exists()
    assert_agrees()


def test_figures_from_the_rollup_are_those_of_the_records(tree, users):
    jia, yi = volunteer("甲志愿", tree.a1), volunteer("乙志愿", tree.a)
    first = TODAY - datetime.timedelta(days=70)
    held(tree.a, "独居老人探访", first, [jia, yi])
    held(tree.a1, "楼道清理", first + datetime.timedelta(days=1), [jia], hours="1.50")
    held(tree.b1, "文明交通劝导", first + datetime.timedelta(days=33), [yi, jia], counts=False)
    held(tree.a, "垃圾分类督导", TODAY - datetime.timedelta(days=2), [yi])
    # Two rows for one (volunteer, org, year) once tree.a1 is merged into tree.b1.
    merge_organizations(Organization.objects.get(pk=tree.a1.pk), user=users.street,
                        survivor=Organization.objects.get(pk=tree.b1.pk))
    assert ServiceDays.objects.filter(volunteer=jia, org=tree.b1).count() == 2
    assert_agrees()
    # And the branch moves to the other community: its days leave B's bitmaps for A's.
    move_organization(Organization.objects.get(pk=tree.b1.pk), user=users.street,
                      new_parent=Organization.objects.get(pk=tree.a.pk))
    assert_agrees()
    for start, end in ((first, TODAY), (first + datetime.timedelta(days=1), TODAY),
                       (first + datetime.timedelta(days=2), TODAY - datetime.timedelta(days=3)),
                       (TODAY - datetime.timedelta(days=400), TODAY)):
        for org in (tree.s, tree.a, tree.b):
            org = Organization.objects.get(pk=org.pk)  # paths as they are after the merge
            query = stats.Query(org=org, start=start, end=end)
            # The street's staff reach every subtree whole (bitmaps); a community's staff,
            # asking for the street, reach part of it (days).
            for user in (users.street, users.community_a):
                rolled = stats._rolled_up(user, query, TODAY)
                counted = stats._counted(user, query, TODAY)
                assert rolled[2] == counted[2]
                assert rolled[1] == counted[1]
                assert rolled[0] == counted[0]
