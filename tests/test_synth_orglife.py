"""The synthetic city's organisational life (demo/synth_orglife.py): a year of meetings per
branch whose records agree with themselves and with the rules, on SQLite and PostgreSQL."""

import dataclasses
import datetime
import io
from collections import Counter, defaultdict
from fractions import Fraction

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from gongjian.demo import synth
from gongjian.demo.synth_members import build_members
from gongjian.demo.synth_orglife import TABLES, build_orglife, orglife_present
from gongjian.members.models import Membership, Team, TeamSeat
from gongjian.orglife import rollup, rules
from gongjian.orglife.models import (
    ATTENDING,
    Appraisal,
    Attendance,
    HeldMonths,
    MakeUp,
    Meeting,
    State,
    Vote,
)
from gongjian.orgs.models import Organization

TODAY = datetime.date(2026, 11, 4)  # every theme day of November (5th–25th) still planned


def quiet(line):
    pass


def fingerprint():
    """Everything drawn, without the ids (which depend on what the tables held before)."""
    meetings = list(Meeting.objects.order_by("org__code", "date", "kind", "title", "pk")
                    .values_list("org__code", "kind", "state", "date", "title", "due_count",
                                 "present_count", "group__code"))
    attendance = Counter(Attendance.objects.values_list("meeting__kind", "presence"))
    return meetings, attendance, MakeUp.objects.count(), Appraisal.objects.count(), \
        Vote.objects.count()


def wipe():
    for model in (Vote, Appraisal, MakeUp, Attendance, Meeting):
        model.objects.all().delete()
    Team.objects.filter(note__startswith="合成数据：支部").delete()


def check_records(root, today):
    """The invariants every synthetic year keeps."""
    meetings = Meeting.objects.filter(org__path__startswith=root.path)
    assert meetings.exists()
    first, last = datetime.date(today.year, 1, 1), datetime.date(today.year, today.month, 28)
    assert not meetings.filter(Q(date__lt=first) | Q(date__gt=last + datetime.timedelta(days=3)))
    assert not meetings.filter(state=State.HELD, date__gt=today)
    assert not meetings.exclude(state=State.PLANNED).filter(date__gt=today)
    # Counts kept on the meeting agree with its attendance rows.
    counts = {m["pk"]: m for m in meetings.filter(state=State.HELD).annotate(
        n=Count("attendance"), present=Count("attendance", filter=Q(
            attendance__presence__in=ATTENDING))).values("pk", "n", "present", "due_count",
                                                         "present_count")}
    assert counts and all(m["n"] == m["due_count"] > 0 and m["present"] == m["present_count"]
                          for m in counts.values())
    assert not Attendance.objects.filter(meeting__state__in=(State.PLANNED, State.CANCELLED))
    # Attendance: members of the meeting's branch, due, voting as their category says.
    rows = Attendance.objects.filter(meeting__org__path__startswith=root.path)
    assert not rows.exclude(membership__org=models_f("meeting__org"))
    assert not rows.filter(membership__standing__in=("停止党籍", "失联"))
    assert not rows.filter(membership__category="预备党员", voting=True)
    assert not rows.filter(membership__category="正式党员", voting=False)
    # Every member not attending owes a make-up, kept on the branch; nobody else does.
    assert rows.exclude(presence__in=ATTENDING).count() == MakeUp.objects.filter(
        attendance__meeting__org__path__startswith=root.path).count()
    assert not MakeUp.objects.filter(attendance__presence__in=ATTENDING)
    assert not MakeUp.objects.exclude(org=models_f("attendance__meeting__org"))
    assert not MakeUp.objects.filter(state="done", done_on__isnull=True)
    assert not MakeUp.objects.filter(done_on__gt=today)
    # Kept on the make-up: its meeting and that meeting's date.
    assert not MakeUp.objects.exclude(meeting=models_f("attendance__meeting"))
    assert not MakeUp.objects.exclude(meeting_date=models_f("attendance__meeting__date"))
    # 支委会: the branch's committee only (the Team the services read), 3–7 seats.
    committees = {}
    for team in Team.objects.filter(org__path__startswith=root.path,
                                    note__startswith="合成数据：支部").annotate(n=Count("seats")):
        assert 3 <= team.n <= 7
        committees[team.org_id] = set(team.seats.values_list("person_id", flat=True))
    assert committees
    for org_id, person_id in rows.filter(meeting__kind="committee").values_list(
            "meeting__org_id", "membership__person_id"):
        assert person_id in committees[org_id]
    assert not meetings.filter(kind="committee").exclude(org_id__in=committees)
    # 党小组会: a group of the branch, its share of the members.
    for org_path, group_path in meetings.filter(kind="group").values_list(
            "org__path", "group__path").distinct():
        assert group_path[:-4] == org_path
    # 民主评议: full members graded, 优秀 within its share.
    for meeting in meetings.filter(kind="appraisal", state=State.HELD):
        grades = list(meeting.appraisals.values_list("grade", "membership__category"))
        assert {c for _, c in grades} <= {"正式党员"}
        excellent = sum(g == "excellent" for g, _ in grades)
        assert Fraction(excellent, max(1, len(grades))) <= rules.setting("excellent_share")
    for vote in Vote.objects.filter(meeting__org__path__startswith=root.path):
        assert vote.quorate == rules.has_quorum(vote.present, vote.entitled)
        assert vote.passed == (vote.quorate and rules.motion_passes(vote.in_favour,
                                                                    vote.entitled))
        assert vote.in_favour + vote.against + vote.abstain == vote.present
    return counts


def models_f(name):
    from django.db.models import F
    return F(name)


def test_a_year_of_meetings_agrees_with_itself_and_is_repeatable(tree):
    build_members(tree.s, 150, seed=5, log=quiet)
    # Several branches, one with two party groups.
    summary = build_orglife(tree.s, seed=5, today=TODAY, log=quiet)
    assert summary["branches"] == 3
    assert summary["meetings"] == Meeting.objects.count() > 3 * 30
    assert summary["attendance"] == Attendance.objects.count()
    assert summary["held"] + summary["planned"] + summary["cancelled"] == summary["meetings"]
    check_records(tree.s, TODAY)
    # The required kinds, each in its window, for a branch that kept everything.
    kinds = Counter(Meeting.objects.filter(state=State.HELD).values_list("kind", flat=True))
    assert {k.code for k in rules.required_kinds()} - {"committee", "group"} <= set(kinds)
    # Planned ones run to the end of the month, none after.
    assert Meeting.objects.filter(state=State.PLANNED, date__gt=TODAY).exists()
    assert orglife_present(tree.s)
    # The held-months rollup, filled set-based after the load, agrees with the meetings.
    assert 0 < summary["held_months"] == HeldMonths.objects.count() <= summary["branches"]
    assert rollup.disagreements() == []

    before = fingerprint()
    wipe()
    again = build_orglife(tree.s, seed=5, today=TODAY, log=quiet)
    assert fingerprint() == before
    assert {k: v for k, v in again.items() if k not in ("timings", "seconds", "sizes")} == \
        {k: v for k, v in summary.items() if k not in ("timings", "seconds", "sizes")}
    wipe()
    build_orglife(tree.s, seed=6, today=TODAY, log=quiet)
    assert fingerprint() != before


def test_no_members_no_orglife(tree):
    with pytest.raises(ValueError, match="还没有党员"):
        build_orglife(tree.a2, today=TODAY, log=quiet)  # a branch without members


@pytest.fixture
def tiny_city(monkeypatch):
    """The small synthetic city with fewer members, so the whole command runs in seconds."""
    monkeypatch.setitem(synth.SCALES, "small",
                        dataclasses.replace(synth.SCALES["small"], members=1800))
    return synth.SCALES["small"]


def _mix_and_lights(root, today):
    """Branches with every required item of a finished quarter held, and those silent in it."""
    quarters = [q for q in range(1, 5) if datetime.date(today.year, 3 * q, 28) < today]
    held = Meeting.objects.filter(org__path__startswith=root.path, state=State.HELD)
    by_branch = defaultdict(set)
    for org_id, kind, date in held.values_list("org_id", "kind", "date"):
        by_branch[org_id].add((kind, (date.month - 1) // 3 + 1))
    return by_branch, quarters


def test_the_synth_command_adds_orglife_to_a_city_built_before_it(db, tiny_city):
    out = io.StringIO()
    call_command("synth", scale="small", no_orglife=True, stdout=out, stderr=io.StringIO())
    root = Organization.objects.get(code=tiny_city.code)
    assert Membership.objects.filter(org__path__startswith=root.path).count() == 1800
    assert not orglife_present(root)
    teams_before = Team.objects.count()

    out = io.StringIO()
    call_command("synth", scale="small", if_missing=True, stdout=out, stderr=io.StringIO())
    assert "尚无组织生活" in out.getvalue() and "出席记录" in out.getvalue()
    assert orglife_present(root)
    assert Membership.objects.filter(org__path__startswith=root.path).count() == 1800
    today = timezone.localdate()  # the build's today
    counts = check_records(root, today)
    branches = Organization.objects.filter(path__startswith=root.path,
                                           kind__in=("branch", "temporary_branch"))
    assert set(Meeting.objects.values_list("org_id", flat=True).distinct()) == set(
        branches.values_list("pk", flat=True))
    assert Team.objects.count() > teams_before
    # A realistic mix: most branches hold every required item of a finished quarter.
    by_branch, quarters = _mix_and_lights(root, today)
    if quarters:
        q = quarters[-1]
        kinds = {k.code for k in rules.required_kinds()
                 if rules.every(k.code) in ("month", "quarter")} - {"committee", "group"}
        complete = sum(1 for held in by_branch.values()
                       if all((kind, q) in held for kind in kinds))
        assert complete > 0.6 * branches.count()
    assert counts

    # Run again: nothing added.
    meetings = Meeting.objects.count()
    out = io.StringIO()
    call_command("synth", scale="small", if_missing=True, stdout=out, stderr=io.StringIO())
    assert "跳过" in out.getvalue()
    assert Meeting.objects.count() == meetings


# --- PostgreSQL: COPY, and the indexes dropped for the load and built again ----------------------

def _schema(tables):
    with connection.cursor() as cursor:
        cursor.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                       "FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
                       [tables])
        constraints = cursor.fetchall()
        cursor.execute("SELECT tablename, indexname, indexdef FROM pg_indexes "
                       "WHERE tablename = ANY(%s) ORDER BY 1, 2", [tables])
        return constraints, cursor.fetchall()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY and index rebuilds")
@pytest.mark.parametrize("rebuild", [False, True])
def test_postgres_copy_keeps_the_schema_and_the_sequences(tree, rebuild):
    build_members(tree.s, 150, seed=5, log=quiet)
    tables = [model._meta.db_table for model in TABLES]
    schema = _schema(tables)
    summary = build_orglife(tree.s, seed=5, today=TODAY, rebuild_indexes=rebuild, log=quiet)
    assert summary["rebuilt_indexes"] is rebuild
    assert _schema(tables) == schema
    assert set(summary["sizes"]) == set(tables)
    check_records(tree.s, TODAY)
    # The sequences were moved past the ids written: the next row gets a fresh id.
    meeting = Meeting.objects.order_by("pk").last()
    copy = Meeting.objects.create(org=meeting.org, kind="theme_day", title="新增", date=TODAY)
    assert copy.pk > meeting.pk
    attendance = Attendance.objects.order_by("pk").last()
    member = Membership.objects.filter(org=meeting.org).exclude(
        attendance__meeting=copy).first()
    assert Attendance.objects.create(meeting=copy, membership=member,
                                     presence="present").pk > attendance.pk
    # The unique constraint is enforced again after the rebuild.
    from django.db import IntegrityError, transaction
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(meeting=attendance.meeting, membership=attendance.membership,
                                  presence="present")
    assert TeamSeat.objects.filter(team__note__startswith="合成数据：支部").exists()
