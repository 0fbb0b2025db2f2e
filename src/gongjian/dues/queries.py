"""Read-side questions of party dues: the monthly ledger of an organisation's branches, the
arrears list, and what the 我的 page shows a member. Every read goes through restrict(); the
ledger and the arrears read the accounts' "paid through" months and one month's ledger rows
(indexed), never a member's whole history."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from gongjian.core.access import SELF_ROLES, grants_of, restrict
from gongjian.orgs.models import Organization

from . import rules
from .models import Account, Month, Payment, Remittance

ZERO = Decimal("0.00")


def _money(value) -> Decimal:
    """A sum as yuan to the cent (SQLite sums decimals as floats)."""
    return ZERO if value is None else Decimal(str(value)).quantize(ZERO)


def arrears_condition(today: datetime.date | None = None) -> Q:
    """Accounts with a month unpaid before the current month."""
    current = rules.month_of(today or timezone.localdate())
    return Q(active=True, paid_through__lt=rules.add_months(current, -1))


def ledger(user: Any, org: Organization, month: datetime.date) -> dict[str, Any]:
    """One row per organisation holding dues accounts under `org`, for `month`: members who
    owe that month, how many paid and how much, the reductions, who has not paid and what
    they owe, how many are in arrears, what was collected in the month (any months covered)
    and the remittance recorded; with the totals."""
    month = rules.month_of(month)
    accounts = (restrict(user, "view", Account)
                .filter(org__path__startswith=org.path, active=True, start_month__lte=month)
                .values("org_id")
                .annotate(members=Count("id"),
                          unpaid=Count("id", filter=Q(paid_through__lt=month)),
                          unpaid_due=Sum("monthly", filter=Q(paid_through__lt=month)),
                          arrears=Count("id", filter=Q(paid_through__lt=rules.add_months(month,
                                                                                          -1)))))
    rows_of_month = (restrict(user, "view", Month).filter(org__path__startswith=org.path,
                                                          month=month)
                     .values("org_id").annotate(paid_count=Count("id"), due=Sum("due"),
                                                paid=Sum("paid"), reduction=Sum("reduction")))
    collected = (restrict(user, "view", Month).filter(org__path__startswith=org.path,
                                                      paid_month=month)
                 .values("org_id").annotate(collected=Sum("paid")))
    remitted = (restrict(user, "view", Remittance).filter(org__path__startswith=org.path,
                                                          month=month)
                .values("org_id").annotate(remitted=Sum("amount")))
    by_org: dict[int, dict[str, Any]] = {}

    def row(org_id):
        return by_org.setdefault(org_id, {
            "org_id": org_id, "members": 0, "unpaid": 0, "arrears": 0, "paid_count": 0,
            "due": ZERO, "paid": ZERO, "reduction": ZERO, "unpaid_due": ZERO,
            "collected": ZERO, "remitted": None})

    for item in accounts:
        r = row(item["org_id"])
        r.update(members=item["members"], unpaid=item["unpaid"], arrears=item["arrears"],
                 unpaid_due=_money(item["unpaid_due"]))
    for item in rows_of_month:
        r = row(item["org_id"])
        r.update(paid_count=item["paid_count"], paid=_money(item["paid"]),
                 reduction=_money(item["reduction"]), due=_money(item["due"]))
    for item in collected:
        row(item["org_id"])["collected"] = _money(item["collected"])
    for item in remitted:
        row(item["org_id"])["remitted"] = _money(item["remitted"])
    orgs = {o.pk: o for o in Organization.objects.filter(pk__in=list(by_org))
            .only("id", "code", "name", "path")}
    rows = []
    for org_id, r in by_org.items():
        r["org"] = orgs[org_id]
        r["due"] = r["due"] + r["unpaid_due"]
        rows.append(r)
    rows.sort(key=lambda r: r["org"].path)
    keys = ("members", "unpaid", "arrears", "paid_count", "due", "paid", "reduction",
            "unpaid_due", "collected")
    total = {k: sum((r[k] for r in rows), ZERO if isinstance(rows[0][k], Decimal) else 0)
             if rows else 0 for k in keys}
    total["remitted"] = sum((r["remitted"] for r in rows if r["remitted"] is not None), ZERO)
    return {"org": org, "month": month, "rows": rows, "total": total}


def account_view(user: Any, account: Account, today: datetime.date | None = None
                 ) -> dict[str, Any]:
    """A member's dues: their ledger rows (newest first), payments, bases and arrears."""
    today = today or timezone.localdate()
    rows = (restrict(user, "view", Month).filter(account=account)
            .select_related("payment").order_by("-month")[:36])
    payments = restrict(user, "view", Payment).filter(account=account).order_by("-paid_on",
                                                                                 "-id")[:24]
    return {"rows": list(rows), "payments": list(payments),
            "bases": list(account.bases.select_related("recorded_by")[:12]),
            "arrears": account.arrears_months(today),
            "arrears_since": account.first_unpaid if account.arrears_months(today) else None,
            "lapse": account.paid_through <= rules.lapse_threshold(today)}


def my_section(user: Any) -> dict[str, Any] | None:
    """The 我的 section: the member's own dues — monthly amount, paid through, arrears and the
    latest months paid; None for an account without a dues account."""
    if not any(g.role in SELF_ROLES for g in grants_of(user)):
        return None
    account = (restrict(user, "view", Account).filter(active=True)
               .select_related("membership__person", "org").first())
    if account is None:
        return None
    return {"account": account, **account_view(user, account)}
