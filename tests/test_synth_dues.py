"""The synthetic city's dues (demo/synth_dues.py): accounts, payments and ledger rows that agree
with each other — "paid through" is the last month of the rows, months in order, one row per
member and month — and with the ledger the pages read."""

import datetime

from django.db import connection
from django.db.models import Count, Max, Sum

from gongjian.demo.synth_dues import build_dues, dues_present
from gongjian.demo.synth_members import build_members
from gongjian.dues import queries, rules
from gongjian.dues.models import Account, Month, Payment

TODAY = datetime.date(2026, 11, 4)


def quiet(line):
    pass


def test_a_year_of_dues_agrees_with_itself_and_the_ledger(tree, make_user):
    build_members(tree.s, 400, seed=5, log=quiet)
    assert not dues_present(tree.s)
    summary = build_dues(tree.s, seed=5, today=TODAY, log=quiet,
                         rebuild_indexes=connection.vendor == "postgresql")
    assert dues_present(tree.s)
    assert Account.objects.count() == summary["accounts"] >= 300
    assert Month.objects.count() == summary["rows"] > 8 * summary["accounts"]
    assert Payment.objects.count() == summary["payments"]
    assert summary["lapsed"] and summary["behind"]
    # Paid through = the last month of the account's rows; the rows have no gaps.
    last = dict(Month.objects.values("account").annotate(m=Max("month"))
                .values_list("account", "m"))
    counts = dict(Month.objects.values("account").annotate(n=Count("id"))
                  .values_list("account", "n"))
    for account in Account.objects.all():
        if account.pk in last:
            assert account.paid_through == last[account.pk]
            assert counts[account.pk] == rules.months_between(account.start_month,
                                                              account.paid_through)
        else:
            assert account.paid_through == rules.add_months(account.start_month, -1)
    for payment in Payment.objects.order_by("?")[:50]:
        rows = payment.rows.all()
        assert rows.count() == payment.months
        assert rows.aggregate(s=Sum("paid"))["s"] == payment.amount
    # The ledger counts the same rows.
    street = make_user("street_staff", tree.s)
    month = rules.add_months(rules.month_of(TODAY), -2)
    ledger = queries.ledger(street, tree.s, month)
    assert ledger["total"]["paid_count"] == Month.objects.filter(month=month).count()
    assert ledger["total"]["members"] == Account.objects.filter(start_month__lte=month).count()
