"""HeldMonths, the held-months rollup compliance reads, agrees with the meetings after every
way a meeting is written: recorded (and re-dated by the record), cancelled, saved and deleted
directly, bulk-loaded then rebuilt, and moved by a merge of organisations; and a month cut
by `today` still counts only the meetings held up to it."""

import datetime

import pytest
from access_orglife import branch, keeper
from django.utils import timezone

from gongjian.orglife import compliance as C
from gongjian.orglife import rollup, services
from gongjian.orglife.models import HeldMonths, Meeting
from gongjian.orgs.models import Organization, OrgEvent

TODAY = timezone.localdate()
D = datetime.date
# A year well past: every date of it may be recorded as held.
YEAR = TODAY.year - 1
AFTER = D(YEAR + 1, 1, 15)


@pytest.fixture
def secretary(tree):
    branch(tree)
    return keeper(tree)


def present_all(meeting):
    return [{"membership": m.pk, "presence": "present"} for m in services.due_memberships(meeting)]


def held_by_meetings(org, year):
    """{kind: months mask} of the org's held meetings, worked out here from the rows."""
    masks: dict[str, int] = {}
    for kind, day in Meeting.objects.filter(org=org, state="held", date__year=year) \
            .values_list("kind", "date"):
        masks[kind] = masks.get(kind, 0) | 1 << (day.month - 1)
    return masks


def stored(org, year):
    """{kind: months mask} of the org's rows of the year (OR-ed: a merge may leave two)."""
    masks: dict[str, int] = {}
    for row in HeldMonths.objects.filter(org=org, year=year).values(*rollup.COLUMNS):
        for kind, months in row.items():
            if months:
                masks[kind] = masks.get(kind, 0) | months
    return masks


def assert_exact(*orgs):
    assert rollup.disagreements() == []
    for org in orgs:
        for year in (YEAR, YEAR + 1):
            assert stored(org, year) == held_by_meetings(org, year)


def test_record_cancel_save_and_delete_keep_it_exact(tree, secretary):
    plan = {"title": "主题党日", "kind": "theme_day"}
    may = services.plan(tree.a1, user=secretary, date=D(YEAR, 5, 20), **plan)
    june = services.plan(tree.a1, user=secretary, date=D(YEAR, 6, 20), **plan)
    assert not HeldMonths.objects.exists()  # planned meetings are not held
    # Recorded as held on another day than planned: the month it was held in counts.
    services.record(may, user=secretary, attendance=present_all(may), minutes="学习党章。",
                    date=D(YEAR, 4, 28))
    assert stored(tree.a1, YEAR) == {"theme_day": 1 << 3}
    services.cancel(june, user=secretary, reason="改期")
    lecture = services.plan(tree.a1, user=secretary, date=D(YEAR, 4, 3), kind="lecture",
                            title="党课")
    services.record(lecture, user=secretary, attendance=present_all(lecture), minutes="党课。")
    assert stored(tree.a1, YEAR) == {"theme_day": 1 << 3, "lecture": 1 << 3}
    assert_exact(tree.a1)
    # A correction saved directly (another year, another branch) moves both keys.
    may.refresh_from_db()
    may.date, may.org = D(YEAR + 1, 1, 5), tree.b1
    may.save()
    assert stored(tree.a1, YEAR) == {"lecture": 1 << 3}
    assert stored(tree.b1, YEAR + 1) == {"theme_day": 1}
    assert_exact(tree.a1, tree.b1)
    may.delete()
    assert stored(tree.b1, YEAR + 1) == {}
    # A save that leaves state, date and branch alone does not touch the rollup.
    lecture.refresh_from_db()
    lecture.title = "七一党课"
    lecture.save(update_fields=["title"])
    assert_exact(tree.a1, tree.b1)


def test_one_column_per_kind_of_the_rules():
    fields = {f.name for f in HeldMonths._meta.get_fields()} - {"id", "org", "year"}
    assert fields == set(rollup.COLUMNS) == {rule.code for rule in C.rules.KINDS}


def test_bulk_loads_are_rebuilt_set_based(tree):
    rows = [Meeting(org=org, kind=kind, title="x", state=state, date=D(YEAR, month, 9))
            for org in (tree.a1, tree.a2, tree.b1)
            for kind, state, month in (("theme_day", "held", 2), ("theme_day", "held", 2),
                                       ("committee", "held", 11), ("lecture", "planned", 3),
                                       ("talk", "cancelled", 4))]
    Meeting.objects.bulk_create(rows)
    assert rollup.disagreements()  # bulk_create passes save() by
    assert rollup.rebuild(Organization.objects.filter(pk__in=[tree.a1.pk, tree.a2.pk])) == 2
    assert rollup.disagreements() == [(tree.b1.pk, YEAR)]
    rollup.rebuild()
    assert_exact(tree.a1, tree.a2, tree.b1)
    assert stored(tree.a2, YEAR) == {"theme_day": 1 << 1, "committee": 1 << 10}
    assert HeldMonths.objects.count() == 3  # one row per branch and year


def test_a_merge_moves_the_rollup_with_the_meetings(tree, make_user):
    street = make_user("street_staff", tree.s)
    q1 = C.Period.of(YEAR, quarter=1)
    for org, kind, month in ((tree.a1, "theme_day", 1), (tree.a2, "theme_day", 2),
                             (tree.a2, "party_congress", 3), (tree.a2, "theme_day", 3)):
        Meeting.objects.create(org=org, kind=kind, title="x", state="held",
                               date=D(YEAR, month, 10))
    before = C.compliance(tree.a1, q1, today=AFTER).branches[0]
    assert [w.code for w in before.missing if w.kind == "theme_day"] == [
        f"{YEAR}-02", f"{YEAR}-03"]
    from gongjian.orgs.services import merge_organizations

    merge_organizations(tree.a2, user=street, survivor=tree.a1)
    # The rows moved with one UPDATE: the survivor has two rows of the year until its next
    # refresh, and readers OR them.
    assert HeldMonths.objects.filter(org=tree.a1, year=YEAR).count() == 2
    assert not HeldMonths.objects.filter(org=tree.a2).exists()
    assert_exact(tree.a1, tree.a2)
    [after] = C.compliance(tree.a, q1, today=AFTER).branches  # A2 is dissolved
    assert after.org_id == tree.a1.pk
    assert not any(w.kind in ("theme_day", "party_congress") for w in after.missing)
    line = OrgEvent.objects.get(org=tree.a1, step="absorbed").text
    assert line.endswith("3 次组织生活")  # the rollup's rows go untold
    # The next write of the survivor's year folds its rows back into one per kind.
    Meeting.objects.create(org=tree.a1, kind="lecture", title="党课", state="held",
                           date=D(YEAR, 3, 20))
    assert HeldMonths.objects.filter(org=tree.a1, year=YEAR).count() == 1
    assert_exact(tree.a1)


def test_a_month_cut_by_today_counts_only_meetings_held_up_to_it(tree):
    """Meetings are recorded as held on or before the day they are recorded; a meeting held
    later in the month than the `today` asked about is not counted, as before the rollup."""
    Meeting.objects.create(org=tree.a1, kind="theme_day", title="x", state="held",
                           date=D(YEAR, 3, 20))
    Meeting.objects.create(org=tree.b1, kind="theme_day", title="x", state="held",
                           date=D(YEAR, 3, 2))
    march = C.Period.of(YEAR, month=3)

    def theme_day(org, today):
        row = next(r for r in C.compliance(tree.s, march, today=today).branches
                   if r.org_id == org.pk)
        return "pending" if any(w.kind == "theme_day" for w in row.pending) else \
            "missing" if any(w.kind == "theme_day" for w in row.missing) else "held"

    assert theme_day(tree.a1, D(YEAR, 3, 10)) == "pending"
    assert theme_day(tree.b1, D(YEAR, 3, 10)) == "held"
    assert theme_day(tree.a1, D(YEAR, 3, 25)) == "held"
    # Cut at both ends of one month, and at the start only.
    assert C.held_masks(D(YEAR, 3, 5), D(YEAR, 3, 25), kinds=["theme_day"]) == {
        tree.a1.pk: {"": 1 << 2, "theme_day": 1 << 2}}
    assert C.held_masks(D(YEAR, 3, 21), D(YEAR, 4, 30), kinds=["theme_day"]) == {}
    every_kind = C.held_masks(D(YEAR, 1, 1), D(YEAR, 12, 31), org_ids=[tree.b1.pk])
    assert every_kind == {tree.b1.pk: {"": 1 << 2, **{
        rule.code: 1 << 2 if rule.code == "theme_day" else 0 for rule in C.rules.KINDS}}}
