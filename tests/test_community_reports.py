"""双报到 (RULES §13): the member's report, the community's receipt with the 回执 to the unit and
the branch, the steps refused out of order with nothing written, one active report per
community, the hours counted from the volunteer records (48 of 50 h → flagged), the quarterly
summary sent once per unit and quarter, and who reads what."""

import datetime
from decimal import Decimal

import pytest
from access_community_reports import in_service, report
from django.utils import timezone

from gongjian.community_reports import queries, reminders, rules, services
from gongjian.community_reports.models import Report, ReportEvaluation, ReportEvent, State
from gongjian.core.access import restrict
from gongjian.core.models import Notification
from gongjian.core.services import DomainError

YEAR = 2025


def _record(report_row, hours, day, *, org=None, counts_from=None):
    """A counted volunteer record of the member (the volunteer app's tables)."""
    from gongjian.volunteer.models import Activity, ServiceRecord, Volunteer

    volunteer = Volunteer.objects.filter(person=report_row.person).first() or \
        Volunteer.objects.create(person=report_row.person, org=report_row.community,
                                 name=report_row.person.name)
    org = org or report_row.community
    starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    activity = Activity.objects.create(
        org=org, title=f"楼院清洁 {day}", content="清理楼道", place="小区", starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=8), places=10, state="published",
        counts_from=counts_from or day + datetime.timedelta(days=5))
    return ServiceRecord.objects.create(
        activity=activity, volunteer=volunteer, org=org, date=day,
        counts_from=activity.counts_from, raw_hours=hours, computed_hours=hours, hours=hours)


def _received_before(report_row, year):
    Report.objects.filter(pk=report_row.pk).update(received_on=datetime.date(year - 1, 9, 1))
    report_row.refresh_from_db()
    return report_row


# ---- reporting --------------------------------------------------------------------------------

def test_report_names_the_unit_and_tells_the_community(tree, users):
    r = report(tree, users)
    assert r.state == State.SUBMITTED
    assert r.unit == tree.unit_a and r.branch.code == "JS-X"
    assert list(r.events.values_list("step", flat=True)) == ["submit"]
    assert Notification.objects.filter(user=users.community_a,
                                       title__contains="在职党员报到待接收").exists()


def test_reporting_twice_to_one_community_is_refused(tree, users):
    report(tree, users)
    with pytest.raises(DomainError) as refused:
        services.submit(user=users.member, community=tree.a, address="另一个地址",
                        fields=["legal"])
    assert "不能重复报到" in refused.value.message
    assert Report.objects.count() == 1
    # Another community is another report.
    services.submit(user=users.member, community=tree.b, address="高林小区", fields=["health"])
    assert Report.objects.count() == 2


def test_a_member_whose_branch_is_in_the_community_need_not_report(tree, users, make_user):
    account = make_user("member", tree.a1)
    account.person = tree.person_a  # 张华娟, on the roster of JS-A1 inside community A
    account.save(update_fields=["person"])
    with pytest.raises(DomainError) as refused:
        services.submit(user=account, community=tree.a, address="达嘉馨园", fields=["legal"])
    assert "无需再到本社区报到" in refused.value.message
    assert not Report.objects.exists()


def test_bad_input_is_refused_naming_the_field(tree, users):
    in_service(tree, users)
    with pytest.raises(DomainError) as refused:
        services.submit(user=users.member, community=tree.a, address=" ", fields=["legal"])
    assert refused.value.field == "address" and refused.value.status == 400
    with pytest.raises(DomainError) as refused:
        services.submit(user=users.member, community=tree.a, address="x", fields=["nope"])
    assert refused.value.field == "fields"
    with pytest.raises(DomainError) as refused:
        services.submit(user=users.member, community=tree.a1, address="x", fields=["legal"])
    assert refused.value.field == "community"
    assert not Report.objects.exists()


# ---- the steps --------------------------------------------------------------------------------

def test_receiving_sends_the_receipt_to_the_unit_and_the_branch(tree, users, make_user):
    in_service(tree, users)
    secretary = make_user("branch_committee", tree.cr_branch)
    r = report(tree, users)
    r = services.receive(r, user=users.community_a, grid=tree.grid_a)
    assert r.state == State.RECEIVED and r.received_on == timezone.localdate()
    assert r.grid == tree.grid_a
    for account in (users.liaison_a, secretary):
        assert Notification.objects.filter(user=account, title__contains="回执").exists()
    assert Notification.objects.filter(user=users.member, title__contains="已接收").exists()
    assert not Notification.objects.filter(user=users.community_a,
                                           title__contains="回执").exists()


@pytest.mark.parametrize(("state", "step", "params"), [
    ("received", "withdraw", {}),
    ("received", "receive", {}),
    ("ended", "end", {"end_kind": "moved", "reason": "又搬走"}),
    ("submitted", "end", {"end_kind": "moved", "reason": "搬走"}),
    ("submitted", "evaluate", {"grade": "competent"}),
])
def test_a_step_in_the_wrong_state_is_refused_and_writes_nothing(tree, users, state, step,
                                                                  params):
    r = report(tree, users, state)
    events = ReportEvent.objects.count()
    actor = users.member if step == "withdraw" else users.community_a
    with pytest.raises(DomainError) as refused:
        getattr(services, step)(r, user=actor, **params)
    assert refused.value.status == 409
    assert f"报到当前为“{r.get_state_display()}”" in refused.value.message
    fresh = Report.objects.get(pk=r.pk)
    assert fresh.state == state and ReportEvent.objects.count() == events
    assert not ReportEvaluation.objects.exists()


def test_only_the_member_withdraws_and_the_steps_offered_are_the_steps_allowed(tree, users):
    r = report(tree, users)
    assert services.WORKFLOW.available(users.member, r) == {"withdraw"}
    assert services.WORKFLOW.available(users.community_a, r) == {"receive"}
    assert services.WORKFLOW.available(users.liaison_a, r) == set()
    services.withdraw(r, user=users.member)
    assert Report.objects.get(pk=r.pk).state == State.WITHDRAWN
    # Withdrawn, the member may report again.
    services.submit(user=users.member, community=tree.a, address="达嘉馨园", fields=["legal"])


def test_ending_needs_a_reason(tree, users):
    r = report(tree, users, "received")
    with pytest.raises(DomainError) as refused:
        services.end(r, user=users.community_a, end_kind="moved", reason="")
    assert refused.value.field == "reason"
    assert Report.objects.get(pk=r.pk).state == State.RECEIVED
    services.end(r, user=users.community_a, end_kind="retired", reason="退休，关系转入社区")
    assert Report.objects.get(pk=r.pk).ended_on == timezone.localdate()


# ---- hours ------------------------------------------------------------------------------------

def test_48_hours_of_50_at_year_end_is_flagged(tree, users):
    r = _received_before(report(tree, users, "received"), YEAR)
    for day, hours in ((datetime.date(YEAR, 3, 2), "8"), (datetime.date(YEAR, 5, 9), "8"),
                       (datetime.date(YEAR, 7, 1), "8"), (datetime.date(YEAR, 9, 3), "8"),
                       (datetime.date(YEAR, 10, 8), "8"), (datetime.date(YEAR, 11, 20), "8")):
        _record(r, Decimal(hours), day)
    # Not counted: the year before, another community's activity, one still publicised.
    _record(r, Decimal("6"), datetime.date(YEAR - 1, 12, 30))
    _record(r, Decimal("6"), datetime.date(YEAR, 6, 6), org=tree.b)
    _record(r, Decimal("6"), datetime.date(YEAR, 12, 30),
            counts_from=timezone.localdate() + datetime.timedelta(days=3))
    figures = services.year_figures(r, YEAR)
    assert figures["hours"] == Decimal("48") and figures["expected"] == Decimal("50")
    assert figures["short"] and figures["missing"] == Decimal("2")
    listed = queries.year_end_rows(users.community_a, YEAR)
    assert [row["report"].pk for row in listed] == [r.pk]
    _record(r, Decimal("2"), datetime.date(YEAR, 12, 1))
    assert not services.year_figures(r, YEAR)["short"]
    assert queries.year_end_rows(users.community_a, YEAR) == []


def test_the_expectation_is_prorated_by_months_reported():
    assert rules.expected_hours(YEAR, datetime.date(YEAR - 1, 3, 1)) == Decimal("50")
    assert rules.expected_hours(YEAR, datetime.date(YEAR, 7, 15)) == Decimal("25")
    assert rules.expected_hours(YEAR, datetime.date(YEAR, 12, 1)) == Decimal("4.5")
    assert rules.expected_hours(YEAR, datetime.date(YEAR + 1, 1, 1)) == Decimal("0")
    assert rules.is_short(Decimal("48"), Decimal("50"))
    assert not rules.is_short(Decimal("50"), Decimal("50"))


def test_a_member_short_of_the_hours_is_not_graded_excellent(tree, users):
    r = report(tree, users, "received")
    with pytest.raises(DomainError) as refused:
        services.evaluate(r, user=users.community_a, grade="excellent")
    assert "不能评为优秀" in refused.value.message
    assert not ReportEvaluation.objects.exists()
    services.evaluate(r, user=users.community_a, grade="basic", note="服务时长不足")
    evaluation = ReportEvaluation.objects.get()
    assert evaluation.year == rules.evaluation_year(timezone.localdate())
    assert evaluation.expected == rules.expected_hours(evaluation.year, r.received_on)
    assert evaluation.short
    assert Notification.objects.filter(user=users.liaison_a, title__contains="年度评价").exists()
    # Graded again: replaced, both kept in the history.
    services.evaluate(r, user=users.community_a, grade="competent")
    assert ReportEvaluation.objects.get().grade == "competent"
    assert r.events.filter(step="evaluate").count() == 2


# ---- the quarterly summary --------------------------------------------------------------------

def test_the_quarterly_summary_goes_once_per_unit_and_quarter(tree, users, twins, make_user):
    in_service(tree, users)
    secretary = make_user("branch_committee", tree.cr_branch)
    r = report(tree, users, "received")
    Report.objects.filter(pk=r.pk).update(received_on=datetime.date(YEAR, 2, 10))
    day = datetime.date(YEAR, 7, 3)  # Q3: the summary of Q2
    sent = reminders.send_quarterly(day)
    assert sent == 2  # the liaison and the branch's secretary
    again = reminders.send_quarterly(day + datetime.timedelta(days=20))
    assert again == 0
    note = Notification.objects.get(user=users.liaison_a, key__startswith="community-report")
    assert note.key == f"community-report-quarter:{tree.unit_a.pk}:{YEAR}Q2"
    assert note.url.endswith(f"?year={YEAR}&quarter=2")
    assert not Notification.objects.filter(user=twins.liaison_b).exists()
    assert Notification.objects.filter(user=secretary, key=note.key).exists()
    # The next quarter is another summary.
    assert reminders.send_quarterly(datetime.date(YEAR, 10, 1)) == 2
    # A report received after the quarter is not in it.
    assert reminders.send_quarterly(datetime.date(YEAR, 2, 15)) == 0


def test_the_unit_summary_counts_the_quarter(tree, users, twins):
    r = _received_before(report(tree, users, "received"), YEAR)
    _record(r, Decimal("3"), datetime.date(YEAR, 4, 10))
    _record(r, Decimal("2.5"), datetime.date(YEAR, 8, 1))
    summary = queries.unit_summary(users.liaison_a, tree.unit_a, YEAR, 2)
    [row] = summary["rows"]
    assert row["quarter_hours"] == Decimal("3") and row["hours"] == Decimal("5.5")
    assert queries.unit_summary(twins.liaison_b, tree.unit_a, YEAR, 2)["rows"] == []


# ---- who reads what ---------------------------------------------------------------------------

def test_scope(tree, users, twins, make_user):
    in_service(tree, users)
    secretary = make_user("branch_committee", tree.cr_branch)
    r = report(tree, users, "received")
    seen = {name: restrict(account, "view", Report).filter(pk=r.pk).exists()
            for name, account in [("street", users.street), ("community_a", users.community_a),
                                  ("community_b", users.community_b),
                                  ("liaison_a", users.liaison_a), ("liaison_b", twins.liaison_b),
                                  ("secretary", secretary), ("branch_a", twins.branch_a),
                                  ("member", users.member), ("member_b", twins.member_b),
                                  ("street_b", twins.street_b), ("resident", users.resident)]}
    assert {name for name, yes in seen.items() if yes} == {
        "street", "community_a", "liaison_a", "secretary", "member"}


def test_my_section_shows_the_hours_against_the_expectation(tree, users):
    r = report(tree, users, "received")
    today = timezone.localdate()
    day = max(today - datetime.timedelta(days=10), datetime.date(today.year, 1, 1))
    _record(r, Decimal("4"), day, counts_from=day)
    section = queries.my_section(users.member)
    [row] = section["rows"]
    assert row["report"].pk == r.pk and row["figures"]["hours"] == Decimal("4")
    assert not section["can_report"]
    assert queries.my_section(users.resident) is None
