"""Compliance of organisational life on hand-built branches whose answer is known (RULES §9),
the calendar, the pages, the API and the reminders."""

import datetime

import pytest
from django.urls import reverse

from gongjian.orglife import compliance as C
from gongjian.orglife.compliance import Period

D = datetime.date
# RULES §9: Q1 2025 with 支委会 Jan–Mar, 党小组会 Jan and Mar, 党员大会 Feb, 党课 Mar.
VECTOR = [("committee", D(2025, 1, 9)), ("committee", D(2025, 2, 13)),
          ("committee", D(2025, 3, 13)), ("group", D(2025, 1, 20)), ("group", D(2025, 3, 20)),
          ("party_congress", D(2025, 2, 25)), ("lecture", D(2025, 3, 28))]
THEME_DAYS = [("theme_day", D(2025, m, 5)) for m in (1, 2, 3)]
AFTER_Q1 = D(2025, 6, 1)


@pytest.fixture(autouse=True)
def committees(db, request):
    """The branches of `tree` have a committee in office (so a 支委会 is due each month)."""
    if "tree" not in request.fixturenames:
        return
    from gongjian.members.models import Team

    tree = request.getfixturevalue("tree")
    for branch in (tree.a1, tree.a2, tree.b1):
        Team.objects.create(org=branch, elected_on=D(2024, 1, 1))


def hold(org, kind, day, state="held", title=None):
    from gongjian.orglife.models import Meeting

    return Meeting.objects.create(org=org, kind=kind, state=state, date=day,
                                  title=title or f"{day:%m月}{kind}")


def missing(row):
    return [(w.kind, w.code) for w in row.missing]


def row_of(report, org):
    return next(r for r in report.branches if r.org_id == org.pk)


def test_rules_vector_q1_february_group_missing(tree):
    assert C.has_groups(tree.a1)  # A1 is divided into party groups (one: A1G)
    for kind, day in VECTOR + THEME_DAYS:
        hold(tree.a1, kind, day)
    row = row_of(C.compliance(tree.a1, Period.of(2025, quarter=1), today=AFTER_Q1), tree.a1)
    assert missing(row) == [("group", "2025-02")]
    assert row.required == 3 * 3 + 2 and row.held == 10 and not row.pending
    assert row.light == "green"  # one missing item: under the default bounds (0–2 green)


def test_rules_vector_without_theme_days(tree):
    for kind, day in VECTOR:
        hold(tree.a1, kind, day)
    row = row_of(C.compliance(tree.a1, Period.of(2025, quarter=1), today=AFTER_Q1), tree.a1)
    assert missing(row) == [("group", "2025-02"), ("theme_day", "2025-01"),
                            ("theme_day", "2025-02"), ("theme_day", "2025-03")]
    assert row.light == "yellow"


def test_any_meeting_is_not_compliance(tree):
    """A peer system's defect (RULES §9): counting meetings regardless of the required mix."""
    for month in (1, 2, 3):
        for _ in range(4):
            hold(tree.a1, "committee", D(2025, month, 10))
    row = row_of(C.compliance(tree.a1, Period.of(2025, quarter=1), today=AFTER_Q1), tree.a1)
    assert row.held == 3 and len(row.missing) == 8 and row.light == "red"


def test_planned_and_cancelled_meetings_do_not_count(tree):
    hold(tree.a1, "committee", D(2025, 1, 9), state="planned")
    hold(tree.a1, "committee", D(2025, 2, 9), state="cancelled")
    row = row_of(C.compliance(tree.a1, Period.of(2025, month=2), today=AFTER_Q1), tree.a1)
    assert ("committee", "2025-02") in missing(row)


def test_quarter_boundary_march_31_april_1(tree):
    hold(tree.a1, "party_congress", D(2025, 4, 1))
    q1 = row_of(C.compliance(tree.a1, Period.of(2025, quarter=1), today=AFTER_Q1), tree.a1)
    q2 = row_of(C.compliance(tree.a1, Period.of(2025, quarter=2), today=D(2025, 7, 1)),
                tree.a1)
    assert ("party_congress", "2025Q1") in missing(q1)
    assert ("party_congress", "2025Q2") not in missing(q2)
    hold(tree.a1, "party_congress", D(2025, 3, 31))
    q1 = row_of(C.compliance(tree.a1, Period.of(2025, quarter=1), today=AFTER_Q1), tree.a1)
    assert ("party_congress", "2025Q1") not in missing(q1)


def test_year_boundary_december_31_january_1(tree):
    hold(tree.a1, "life_meeting", D(2026, 1, 1))
    year = C.compliance(tree.a1, Period.of(2025), today=D(2026, 2, 1))
    assert ("life_meeting", "2025") in missing(row_of(year, tree.a1))
    hold(tree.a1, "life_meeting", D(2025, 12, 31))
    q4 = C.compliance(tree.a1, Period.of(2025, quarter=4), today=D(2026, 2, 1))
    assert ("life_meeting", "2025") not in missing(row_of(q4, tree.a1))
    assert ("appraisal", "2025") in missing(row_of(q4, tree.a1))


def test_yearly_kinds_charged_only_in_a_period_with_december(tree):
    codes = {w.code for w in C.charged_windows(Period.of(2025, quarter=3), today=AFTER_Q1.replace(
        year=2026))}
    assert "2025" not in codes and "2025Q3" in codes and "2025-09" in codes
    q4 = {(w.kind, w.code) for w in C.charged_windows(Period.of(2025, quarter=4),
                                                       today=D(2026, 1, 5))}
    assert ("talk", "2025") in q4 and ("appraisal", "2025") in q4


def test_month_view_charges_quarterly_kinds_in_the_quarters_last_month(tree):
    hold(tree.a1, "lecture", D(2025, 1, 15))  # the quarter's 党课, judged over the quarter
    feb = {w.kind for w in C.charged_windows(Period.of(2025, month=2), today=AFTER_Q1)}
    assert "lecture" not in feb and "party_congress" not in feb
    march = row_of(C.compliance(tree.a1, Period.of(2025, month=3), today=AFTER_Q1), tree.a1)
    assert ("lecture", "2025Q1") not in missing(march)
    assert ("party_congress", "2025Q1") in missing(march)


def test_pending_not_missing_until_the_window_is_over(tree):
    hold(tree.a1, "committee", D(2025, 1, 9))
    today = D(2025, 2, 10)
    row = row_of(C.compliance(tree.a1, Period.of(2025, quarter=1), today=today), tree.a1)
    pending = {(w.kind, w.code) for w in row.pending}
    # January is over: missing; February is open: pending; March has not started: not shown.
    assert ("group", "2025-01") in missing(row)
    assert ("group", "2025-02") in pending and ("party_congress", "2025Q1") in pending
    assert not any(w.code == "2025-03" for w in row.missing + row.pending)
    assert row.required == row.held + len(row.missing) + len(row.pending)
    # The last day of a window is still inside it.
    row = row_of(C.compliance(tree.a1, Period.of(2025, month=1), today=D(2025, 1, 31)), tree.a1)
    assert not row.missing and ("group", "2025-01") in {(w.kind, w.code) for w in row.pending}


def test_open_makeups_count_one_per_meeting(tree):
    from gongjian.members.models import Membership
    from gongjian.orglife.models import Attendance, MakeUp

    meeting = hold(tree.a1, "theme_day", D(2025, 1, 5))
    other = hold(tree.a1, "theme_day", D(2025, 2, 5))
    second = Membership.objects.create(person=tree.person_b, org=tree.a1, category="正式党员",
                                       joined_on=D(2000, 1, 1), active=False)
    for m in (tree.membership_a, second):
        attendance = Attendance.objects.create(meeting=meeting, membership=m, presence="absent")
        MakeUp.objects.create(attendance=attendance, org=tree.a1)
    done = Attendance.objects.create(meeting=other, membership=tree.membership_a,
                                     presence="sick")
    MakeUp.objects.create(attendance=done, org=tree.a1, state="done")
    row = row_of(C.compliance(tree.a1, Period.of(2025, quarter=1), today=AFTER_Q1), tree.a1)
    assert row.open_makeups == 1


def test_light_bounds_follow_the_settings(tree, settings):
    for kind, day in VECTOR:
        hold(tree.a1, kind, day)
    settings.GONGJIAN_ORGLIFE = {"light_green_max": 0, "light_yellow_max": 3}
    row = row_of(C.compliance(tree.a1, Period.of(2025, quarter=1), today=AFTER_Q1), tree.a1)
    assert len(row.missing) == 4 and row.light == "red"


def test_hollow_a_whole_quarter_without_any_meeting(tree):
    hold(tree.a2, "talk", D(2025, 2, 1))  # any kind keeps a branch from looking hollow
    report = C.compliance(tree.s, Period.of(2025), today=D(2025, 5, 1))
    assert "hollow" in row_of(report, tree.a1).flags
    assert "hollow" not in row_of(report, tree.a2).flags  # Q2 is not over yet
    # Before the quarter is over, nobody is called hollow.
    report = C.compliance(tree.s, Period.of(2025, quarter=1), today=D(2025, 3, 31))
    assert "hollow" not in row_of(report, tree.a1).flags


def test_hollow_window_is_a_setting(tree, settings):
    hold(tree.a1, "talk", D(2025, 2, 1))
    settings.GONGJIAN_ORGLIFE = {"hollow_months": 1}
    report = C.compliance(tree.a1, Period.of(2025, quarter=1), today=AFTER_Q1)
    assert "hollow" in row_of(report, tree.a1).flags  # January had nothing
    settings.GONGJIAN_ORGLIFE = {"hollow_months": 5}
    with pytest.raises(Exception, match="整除"):
        C.compliance(tree.a1, Period.of(2025, quarter=1), today=AFTER_Q1)


def test_joint_branch_needed_below_three_full_members(tree):
    from gongjian.members.models import Membership, Person

    def member(name, category="正式党员", standing="正常"):
        person = Person.objects.create(name=name, sex="男", birth_date=D(1980, 1, 1),
                                       org=tree.a1)
        Membership.objects.create(person=person, org=tree.a1, category=category,
                                  joined_on=D(2005, 1, 1), standing=standing)

    member("甲")  # with tree's 张华娟: two full members
    member("乙", category="预备党员")
    member("丙", standing="已转出")
    flags = row_of(C.compliance(tree.a1, Period.of(2025, quarter=1), today=AFTER_Q1),
                   tree.a1).flags
    assert "joint_branch_needed" in flags
    member("丁", standing="流动")
    flags = row_of(C.compliance(tree.a1, Period.of(2025, quarter=1), today=AFTER_Q1),
                   tree.a1).flags
    assert "joint_branch_needed" not in flags


def test_term_due_after_three_years(tree):
    from gongjian.members.models import Team

    Team.objects.all().delete()
    Team.objects.create(org=tree.a1, elected_on=D(2019, 3, 1), ended_on=D(2022, 3, 1))
    Team.objects.create(org=tree.a1, elected_on=D(2022, 3, 1))
    Team.objects.create(org=tree.a2, elected_on=D(2023, 3, 1))

    def flags(org, today):
        return row_of(C.compliance(tree.s, Period.of(2025, quarter=1), today=today), org).flags

    assert "term_due" not in flags(tree.a1, D(2025, 3, 1))   # exactly three years
    assert "term_due" in flags(tree.a1, D(2025, 3, 2))
    assert "term_due" not in flags(tree.a2, D(2025, 3, 2))


def test_committee_meetings_due_only_where_a_committee_is_in_office(tree):
    from gongjian.members.models import Team

    Team.objects.filter(org=tree.a2).delete()  # fewer than 7 full members: a secretary only
    report = C.compliance(tree.s, Period.of(2025, quarter=1), today=AFTER_Q1)
    assert not any(w.kind == "committee" for w in row_of(report, tree.a2).missing)
    # Neither 支委会 nor 党小组会 (A2 has no party groups): 主题党日 ×3, 党员大会, 党课.
    assert row_of(report, tree.a2).required == 5
    assert ("committee", "2025-01") in missing(row_of(report, tree.a1))
    calendar = C.branch_calendar(tree.a2, 2025, today=AFTER_Q1)
    committee = next(r for r in calendar.rows if r.kind == "committee")
    assert not calendar.has_committee and {c.status for c in committee.cells} == {"not_charged"}


def test_group_meetings_due_only_where_the_branch_has_party_groups(tree):
    """条例第十三条: a branch is divided into party groups or not; 党小组会 are charged only
    where it is (A1 has the group A1G; A2 and B1 have none)."""
    from gongjian.orgs.models import Organization

    report = C.compliance(tree.s, Period.of(2025, quarter=1), today=AFTER_Q1)
    assert [w.code for w in row_of(report, tree.a1).missing if w.kind == "group"] == [
        "2025-01", "2025-02", "2025-03"]
    for branch in (tree.a2, tree.b1):
        assert not any(w.kind == "group" for w in row_of(report, branch).missing)
        assert row_of(report, branch).required == 3 * 2 + 2  # 支委会, 主题党日; 大会, 党课
    calendar = C.branch_calendar(tree.b1, 2025, today=AFTER_Q1)
    group = next(r for r in calendar.rows if r.kind == "group")
    assert not calendar.has_groups and group.note == "未划分党小组"
    assert {c.status for c in group.cells} == {"not_charged"}
    assert C.branch_calendar(tree.a1, 2025, today=AFTER_Q1).has_groups
    # A dissolved group divides nothing: A1 is no longer charged either.
    Organization.objects.filter(pk=tree.a1g.pk).update(dissolved_on=D(2024, 12, 31))
    report = C.compliance(tree.s, Period.of(2025, quarter=1), today=AFTER_Q1)
    assert not any(w.kind == "group" for w in row_of(report, tree.a1).missing)
    assert not C.has_groups(tree.a1)


def test_large_subtree_reads_every_branch_and_keeps_its_own(tree, monkeypatch):
    """Above BY_ID_UPTO branches the queries are not narrowed by id: the rows of branches
    outside the subtree are dropped in Python, with the same answer."""
    from gongjian.orglife.models import Attendance, MakeUp

    for branch in (tree.a1, tree.b1):
        meeting = hold(branch, "theme_day", D(2025, 2, 5))
        attendance = Attendance.objects.create(meeting=meeting, membership=tree.membership_a,
                                               presence="absent")
        MakeUp.objects.create(attendance=attendance, org=branch)
    narrow = C.compliance(tree.a, Period.of(2025, quarter=1), today=AFTER_Q1)
    monkeypatch.setattr(C, "BY_ID_UPTO", 0)
    wide = C.compliance(tree.a, Period.of(2025, quarter=1), today=AFTER_Q1)
    assert [r.code for r in wide.branches] == [r.code for r in narrow.branches] == [
        "JS-A1", "JS-A2"]
    assert [(r.held, missing(r), r.open_makeups) for r in wide.branches] == [
        (r.held, missing(r), r.open_makeups) for r in narrow.branches]
    assert row_of(wide, tree.a1).open_makeups == 1 and row_of(wide, tree.a1).held == 1


def test_subtree_active_branches_and_group_meetings(tree):
    from gongjian.orgs.models import Organization

    hold(tree.a1, "group", D(2025, 2, 3), title="一号楼党小组会")
    report = C.compliance(tree.s, Period.of(2025, month=2), today=AFTER_Q1)
    codes = [r.code for r in report.branches]
    assert codes == ["JS-A1", "JS-A2", "JS-B1"]  # no committees, no party groups
    assert ("group", "2025-02") not in missing(row_of(report, tree.a1))
    C.name_communities(tree.s, report.branches)
    assert row_of(report, tree.a1).community == tree.a.name
    Organization.objects.filter(pk=tree.a2.pk).update(dissolved_on=D(2025, 1, 1))
    report = C.compliance(tree.a, Period.of(2025, month=2), today=AFTER_Q1)
    assert [r.code for r in report.branches] == ["JS-A1"]


def test_community_names(tree):
    from gongjian.orgs import services

    direct = services.create_organization(user=None, parent=tree.s, code="JS-JG",
                                          name="街道机关党支部", kind="branch",
                                          sector="government")
    own = services.create_organization(user=None, parent=tree.s, code="JS-C",
                                       name="金山社区党支部", kind="branch", sector="community")
    report = C.compliance(tree.s, Period.of(2025, month=2), today=AFTER_Q1)
    C.name_communities(tree.s, report.branches)
    assert row_of(report, direct).community == "街道直属"
    assert row_of(report, own).community == own.name
    assert row_of(report, tree.b1).community == tree.b.name


def test_windows_before_the_branch_was_set_up_are_not_charged(tree):
    from gongjian.orgs.models import Organization

    Organization.objects.filter(pk=tree.a1.pk).update(established_on=D(2025, 2, 10))
    row = row_of(C.compliance(tree.s, Period.of(2025, quarter=1), today=AFTER_Q1), tree.a1)
    assert not any(w.code == "2025-01" for w in row.missing)
    assert any(w.code == "2025-02" for w in row.missing)
    assert "hollow" not in row.flags


def test_summary_counts(tree):
    for kind, day in VECTOR + THEME_DAYS:
        hold(tree.a1, kind, day)
    report = C.compliance(tree.s, Period.of(2025, quarter=1), today=AFTER_Q1)
    summary = report.summary
    assert summary["branches"] == 3 and summary["green"] == 1 and summary["red"] == 2
    assert summary["hollow"] == 2


def test_period_validation():
    with pytest.raises(ValueError, match="季度"):
        Period.of(2025, quarter=5)
    with pytest.raises(ValueError, match="只能选一个"):
        Period.of(2025, quarter=1, month=2)
    assert Period.of(2025, quarter=1).code == "2025Q1"
    assert Period.of(2025, month=12).next() == Period.of(2026, month=1)
    assert Period.current_quarter(D(2026, 4, 1)) == Period.of(2026, quarter=2)


# ---- the calendar ---------------------------------------------------------------------------------

def test_branch_calendar(tree):
    held = hold(tree.a1, "committee", D(2025, 1, 9))
    planned = hold(tree.a1, "committee", D(2025, 2, 20), state="planned")
    calendar = C.branch_calendar(tree.a1, 2025, today=D(2025, 2, 10))
    committee = next(r for r in calendar.rows if r.kind == "committee")
    assert [c.status for c in committee.cells[:3]] == ["held", "pending", "due"]
    assert committee.cells[0].held[0]["id"] == held.pk
    assert committee.cells[1].planned[0]["id"] == planned.pk
    congress = next(r for r in calendar.rows if r.kind == "party_congress")
    assert len(congress.cells) == 4 and congress.cells[0].span == 3
    assert next(r for r in calendar.rows if r.kind == "talk").cells[0].span == 12
    group = next(r for r in calendar.rows if r.kind == "group")
    assert group.cells[0].status == "missing"
    assert [m["id"] for m in calendar.planned] == [planned.pk]


def test_calendar_kind_not_required_by_the_district(tree, settings):
    settings.GONGJIAN_ORGLIFE = {"every": {"lecture": None}}
    calendar = C.branch_calendar(tree.a1, 2025, today=AFTER_Q1)
    lecture = next(r for r in calendar.rows if r.kind == "lecture")
    assert {c.status for c in lecture.cells} == {"not_charged"}
    assert "lecture" not in {w.kind for w in C.charged_windows(Period.of(2025), today=AFTER_Q1)}


# ---- pages, export and API -------------------------------------------------------------------------

@pytest.fixture
def street_api(tree, make_user):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    user = make_user("street_staff", tree.s)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_api_answers_the_vector(tree, street_api):
    for kind, day in VECTOR + THEME_DAYS:
        hold(tree.a1, kind, day)
    response = street_api.get(reverse("api-orglife-compliance"),
                              {"org": "JS-A1", "year": 2025, "quarter": 1})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["period"]["code"] == "2025Q1" and data["summary"]["branches"] == 1
    [branch] = data["branches"]
    assert branch["org"] == "JS-A1" and branch["missing"] == [{"kind": "group",
                                                                "window": "2025-02"}]
    assert branch["required"] == 11 and branch["held"] == 10 and branch["light"] == "green"
    assert data["kinds"]["group"] == "党小组会"


def test_api_subtree_filters_and_month(tree, street_api):
    response = street_api.get(reverse("api-orglife-compliance"),
                              {"org": "JS", "year": 2025, "month": 2, "light": "yellow"})
    data = response.json()  # three monthly items missing: yellow (A1, with a party group)
    assert data["period"]["code"] == "2025-02"
    assert [b["org"] for b in data["branches"]] == ["JS-A1"]
    assert data["branches"][0]["missing"] == [{"kind": "committee", "window": "2025-02"},
                                              {"kind": "group", "window": "2025-02"},
                                              {"kind": "theme_day", "window": "2025-02"}]
    assert "open_makeups" not in data["branches"][0] and "pending" not in data["branches"][0]
    response = street_api.get(reverse("api-orglife-compliance"),
                              {"org": "JS", "year": 2025, "month": 2, "light": "green"})
    # Two monthly items (支委会, 主题党日) where there are no party groups: green.
    assert [b["org"] for b in response.json()["branches"]] == ["JS-A2", "JS-B1"]


@pytest.mark.parametrize("params, message", [
    ({"org": "JS", "year": 2025, "quarter": 5}, "季度须为 1–4"),
    ({"org": "JS", "year": 2025, "quarter": 1, "month": 2}, "只能选一个"),
    ({"org": "JS", "year": "abc"}, "年份须为数字"),
    ({"org": "JS", "quarter": 1}, "请同时填写年份"),
    ({"org": "JS", "year": 1800}, "2000–2100"),
    ({"org": "JS", "year": 2025, "light": "blue"}, "提示灯"),
])
def test_api_bad_parameters(tree, street_api, params, message):
    response = street_api.get(reverse("api-orglife-compliance"), params)
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_api_org_out_of_reach_is_404(tree, twins, street_api):
    for code in ("HZ", "NOPE"):
        response = street_api.get(reverse("api-orglife-compliance"), {"org": code})
        assert response.status_code == 404
        assert "不在您的管理范围内" in response.json()["detail"]


def test_api_defaults_to_the_users_org_and_this_quarter(tree, street_api):
    from django.utils import timezone

    data = street_api.get(reverse("api-orglife-compliance")).json()
    assert data["org"] == "JS"
    assert data["period"]["code"] == Period.current_quarter(timezone.localdate()).code


def test_page_table_and_export(tree, make_user, client):
    for kind, day in VECTOR:
        hold(tree.a1, kind, day)
    client.force_login(make_user("community_staff", tree.a))
    response = client.get(reverse("orglife_compliance"), {"org": "JS-A", "year": 2025,
                                                          "quarter": 1})
    assert response.status_code == 200
    text = response.content.decode()
    assert tree.a1.name in text and tree.a2.name in text and tree.b1.name not in text
    assert "党小组会<span class=\"text-muted\">（2月）" in text
    assert "主题党日<span class=\"text-muted\">（1、2、3月）" in text
    assert "黄灯" in text and "不作排名" in text
    assert reverse("orglife_calendar", args=["JS-A1", 2025]) in text
    response = client.get(reverse("orglife_compliance"), {"org": "JS-A", "year": 2025,
                                                          "quarter": 9})
    assert response.status_code == 400 and "季度须为 1–4" in response.content.decode()
    response = client.get(reverse("orglife_compliance"), {"org": "JS-B"})
    assert response.status_code == 404
    export = client.get(reverse("orglife_compliance_xlsx"), {"org": "JS-A", "year": 2025,
                                                             "quarter": 1})
    assert export.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "党支部" and len(rows) == 3
    a1 = next(r for r in rows if r[1] == "JS-A1")
    assert "党小组会（2025年2月）" in a1[6] and a1[9] == "黄灯"
    bad = client.get(reverse("orglife_compliance_xlsx"), {"org": "JS-A", "month": 13})
    assert bad.status_code == 400 and "月份须为 1–12" in bad.content.decode()


def test_calendar_page_links(tree, make_user, client):
    held = hold(tree.a1, "committee", D(2025, 1, 9))
    client.force_login(make_user("branch_committee", tree.a1))
    response = client.get(reverse("orglife_calendar", args=["JS-A1", 2025]))
    assert response.status_code == 200
    text = response.content.decode()
    assert reverse("branch_meeting_detail", args=[held.pk]) in text
    create = reverse("branch_meeting_create")
    assert f"{create}?org=JS-A1&amp;kind=group&amp;date=2025-01-31" in text
    assert client.get(reverse("orglife_calendar", args=["JS-B1", 2025])).status_code == 404
    assert client.get(reverse("orglife_calendar", args=["JS-A", 2025])).status_code == 404


# ---- reminders -------------------------------------------------------------------------------------

def test_reminder_before_a_window_closes(tree, make_user):
    from gongjian.core.models import Notification
    from gongjian.orglife import reminders

    committee = make_user("branch_committee", tree.a1)
    other = make_user("branch_committee", tree.b1)
    for kind, day in VECTOR + THEME_DAYS:  # everything of March held but nothing else
        if day.month == 3:
            hold(tree.a1, kind, day)
    assert reminders.remind_due(D(2025, 3, 23)) == 0  # eight days before the end
    assert reminders.remind_due(D(2025, 3, 24)) >= 2
    mine = Notification.objects.get(user=committee)
    assert "2025-03-31" in mine.body and "支部党员大会（2025年第1季度）" in mine.body
    assert "党小组会" not in mine.body and "党课" not in mine.body  # held in March
    assert Notification.objects.filter(user=other).count() == 1
    assert reminders.remind_due(D(2025, 3, 25)) == 0  # once


def test_reminder_after_a_window_is_missed(tree, make_user):
    from gongjian.core.models import Notification
    from gongjian.orglife import reminders

    committee = make_user("branch_committee", tree.a1)
    staff_a = make_user("community_staff", tree.a)
    staff_b = make_user("community_staff", tree.b)
    street = make_user("street_staff", tree.s)
    for kind, day in VECTOR + THEME_DAYS:
        hold(tree.a1, kind, day)
    for code in ("committee", "group", "theme_day", "party_congress"):  # no 党课 in Q1
        hold(tree.a2, code, D(2025, 3, 3))
    assert reminders.remind_missed(D(2025, 4, 2)) == 2
    assert not Notification.objects.filter(user=committee).exists()  # A1 held all of March
    [told] = Notification.objects.filter(user=staff_a)  # of A2 only, not of B1
    assert tree.a2.name in told.title and told.body.endswith("请支部补上，社区帮助落实。")
    assert "未开展：党课（2025年第1季度）。" in told.body
    [told] = Notification.objects.filter(user=staff_b)
    assert tree.b1.name in told.title and "主题党日（2025年3月）" in told.body
    assert "党小组会" not in told.body  # B1 has no party groups
    assert not Notification.objects.filter(user=street).exists()
    assert reminders.remind_missed(D(2025, 4, 20)) == 0  # once
