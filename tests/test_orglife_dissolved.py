"""A dissolved branch (orgs marks it with `dissolved_on`, and `merged_into` when it was merged)
is no longer judged: compliance leaves it out, the reminders do not chase it, and its
calendar charges nothing, offers nothing to plan and says why."""

import datetime

from django.urls import reverse

from gongjian.core.models import Notification
from gongjian.orglife import compliance as C
from gongjian.orglife import reminders
from gongjian.orgs import services as orgs

D = datetime.date
AFTER_Q1 = D(2025, 6, 1)


def test_a_dissolved_branch_is_not_judged_reminded_or_charged(tree, make_user, client):
    street = make_user("street_staff", tree.s)
    kept, gone = (orgs.create_organization(user=street, parent=tree.b, code=code, name=name,
                                           kind="branch", sector="residential")
                  for code, name in (("JS-B2", "留用小区党支部"), ("JS-B3", "撤销小区党支部")))
    committees = {org.pk: make_user("branch_committee", org) for org in (kept, gone)}
    q1 = C.Period.of(2025, quarter=1)
    before = {r.org_id: r for r in C.compliance(tree.b, q1, today=AFTER_Q1).branches}
    assert before[gone.pk].missing and "hollow" in before[gone.pk].flags  # judged while active

    gone = orgs.dissolve_organization(gone, user=street, on=D(2025, 5, 1), reason="小区拆迁")
    report = C.compliance(tree.b, q1, today=AFTER_Q1)
    assert [r.org_id for r in report.branches] == [tree.b1.pk, kept.pk]
    assert report.summary["branches"] == 2

    assert reminders.remind_missed(D(2025, 4, 2)) >= 1
    assert reminders.remind_due(D(2025, 4, 28)) >= 1
    assert Notification.objects.filter(user=committees[kept.pk]).count() == 2
    assert not Notification.objects.filter(user=committees[gone.pk]).exists()
    assert not Notification.objects.filter(title__contains=gone.name).exists()

    calendar = C.branch_calendar(gone, 2025, today=AFTER_Q1)
    assert calendar.dissolved_on == D(2025, 5, 1)
    assert {cell.status for row in calendar.rows for cell in row.cells} == {C.NOT_CHARGED}
    counts = calendar.counts
    assert counts[C.MISSING] == counts[C.PENDING] == counts[C.DUE] == counts[C.HELD] == 0
    client.force_login(street)
    page = client.get(reverse("orglife_calendar", args=[gone.code, 2025])).content.decode()
    assert "本支部已于 2025-05-01 撤销" in page and "补录" not in page and "安排" not in page
    page = client.get(reverse("orglife_calendar", args=[kept.code, 2025])).content.decode()
    assert "撤销" not in page and "补录" in page
