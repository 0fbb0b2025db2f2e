"""Every write of party dues, and the rules it applies (RULES.md §2, §13).

A member's months are paid in order from the account's start month (the month admitted, or
the month the first base applies), so one "paid through" month on the account tells which
months are paid and which are in arrears; the ledger rows (`Month`, one per member per month
covered, unique) carry each month's base, rate, due, reduction and payment. A payment locks
the account row, checks the months against it and the rules, writes its rows and moves
"paid through" in one transaction: two payments for the same month at once give one row and
one refusal.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from gongjian.core.access import restrict
from gongjian.core.services import DomainError, OutOfScope, validate
from gongjian.members.models import Membership
from gongjian.orgs.models import Organization

from . import rules
from .models import Account, Base, Kind, Method, Month, Payment, Remittance

_CENT = Decimal("0.01")


def _money(value: Any, field: str, noun: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(_CENT)
    except (InvalidOperation, ValueError, TypeError) as error:
        raise DomainError(f"{noun}须为数字。", field=field, status=400) from error
    if amount < 0:
        raise DomainError(f"{noun}不能为负数。", field=field, status=400)
    return amount


def check_base(kind: str, base: Any, *, user: Any = None) -> Decimal | None:
    """The base as a Decimal (None for a kind paying a fixed amount), or a Chinese refusal."""
    if kind not in Kind.values:
        raise DomainError(f"没有党员类别“{kind}”（可选：{'、'.join(Kind.values)}）。",
                          field="kind", status=400)
    if base in (None, ""):
        if rules.needs_base(kind):
            raise DomainError(f"{Kind(kind).label}党员须填写月收入基数。", field="base",
                              status=400)
        return None
    amount = _money(base, "base", "月收入基数")
    if amount > Decimal("10000000"):
        raise DomainError("月收入基数过大，请核对。", field="base", status=400)
    return amount if rules.needs_base(kind) else None


def calc(kind: str, base: Any, *, user: Any = None) -> dict[str, Any]:
    """The monthly dues of a member of `kind` on `base`, with the rate applied."""
    amount = check_base(kind, base)
    return {"kind": kind, "kind_label": Kind(kind).label, "base": amount,
            "rate": rules.rate(kind, amount), "monthly": rules.monthly_dues(kind, amount),
            "source": rules.SOURCE}


def _reachable_account(user: Any, account: Account, action: str = "pay") -> Account:
    locked = (restrict(user, action, Account).select_for_update(of=("self",))
              .filter(pk=account.pk).first())
    if locked is None:
        raise OutOfScope()
    return locked


def set_base(membership: Membership, *, user: Any, year: int, kind: str, base: Any = None,
             note: str = "", today: datetime.date | None = None) -> Base:
    """Record a member's base for `year` (opening their dues account with the first one).
    The first base applies from January of its year (not before the month admitted); a
    changed one as the setting `changed_base_applies` says."""
    today = today or timezone.localdate()
    amount = check_base(kind, base)
    if not 2000 <= int(year) <= today.year + 1:
        raise DomainError(f"年度 {year} 不在有效范围内。", field="year", status=400)
    if not membership.active:
        raise DomainError("该党员已离册，不能登记党费基数。", status=409)
    if not restrict(user, "view", Membership).filter(pk=membership.pk).exists():
        raise OutOfScope()
    monthly = rules.monthly_dues(kind, amount)
    admitted = rules.month_of(membership.joined_on)
    with transaction.atomic():
        account = Account.objects.select_for_update().filter(membership=membership).first()
        if account is None:
            start = max(admitted, datetime.date(int(year), 1, 1))
            account = Account(membership=membership, org=membership.org, kind=kind,
                              base=amount, monthly=monthly, start_month=start,
                              paid_through=rules.add_months(start, -1))
            validate(account, exclude=["membership"])
            account.save()
            applies = start
        else:
            if not restrict(user, "change", Account).filter(pk=account.pk).exists():
                raise OutOfScope()
            applies = max(admitted, rules.applies_from(int(year), today, account.first_unpaid,
                                                       first_base=False))
        record = Base(account=account, year=int(year), kind=kind, base=amount, monthly=monthly,
                      applies_from=applies, note=note[:100], recorded_by=user)
        validate(record, exclude=["account", "recorded_by"])
        if Base.objects.filter(account=account, applies_from=applies).exists():
            Base.objects.filter(account=account, applies_from=applies).delete()
        record.save()
        # The account shows the base in force now (or at the first month still unpaid).
        reference = max(rules.month_of(today), account.first_unpaid)
        latest = (account.bases.filter(applies_from__lte=reference)
                  .order_by("-applies_from", "-id").first() or record)
        account.kind, account.base, account.monthly = latest.kind, latest.base, latest.monthly
        account.org = membership.org
        account.save(update_fields=["kind", "base", "monthly", "org", "updated_at"])
        if not restrict(user, "change", Account).filter(pk=account.pk).exists():
            raise OutOfScope()
    return record


def _base_for(bases: list[Base], month: datetime.date) -> Base | None:
    for base in bases:  # newest first
        if base.applies_from <= month:
            return base
    return None


def due_rows(account: Account, months: list[datetime.date], *,
             user: Any = None) -> list[tuple[datetime.date, Base | None]]:
    """Each month with the base that applies to it (None: no base recorded for it)."""
    bases = list(account.bases.order_by("-applies_from", "-id"))
    return [(month, _base_for(bases, month)) for month in months]


def record_payment(account: Account, *, user: Any, first_month: datetime.date,
                   last_month: datetime.date | None = None, paid_on: datetime.date | None = None,
                   method: str = Method.CASH, proxy_payer: str = "",
                   reduction: Any = 0, reduction_reason: str = "",
                   reduction_approved_by: str = "", makeup_approved_by: str = "") -> Payment:
    """Record a payment covering `first_month`..`last_month` (one ledger row each), paid on
    `paid_on`, by `method` (a proxy payer named), with an approved `reduction` a month.
    Refused, nothing written: a month already paid, a month skipped, a month before the
    member was admitted or before their first base, more than `max_makeup_months` months of
    arrears without the approver recorded, a reduction without reason and approval."""
    today = timezone.localdate()
    paid_on = paid_on or today
    first = rules.month_of(first_month)
    last = rules.month_of(last_month or first_month)
    paid_month = rules.month_of(paid_on)
    if paid_on > today:
        raise DomainError("交纳日期不能晚于今天。", field="paid_on", status=400)
    if last < first:
        raise DomainError("截止月份不能早于起始月份。", field="last_month", status=400)
    if method not in Method.values:
        raise DomainError(f"没有交纳方式“{method}”。", field="method", status=400)
    proxy_payer = (proxy_payer or "").strip()
    if method == Method.PROXY and not proxy_payer:
        raise DomainError("委托代交须填写代交人姓名。", field="proxy_payer", status=400)
    if method != Method.PROXY:
        proxy_payer = ""
    cut = _money(reduction or 0, "reduction", "减免金额")
    reduction_reason = (reduction_reason or "").strip()
    reduction_approved_by = (reduction_approved_by or "").strip()
    if cut and not (reduction_reason and reduction_approved_by):
        raise DomainError("减免党费须写明原因和批准人。", field="reduction_reason", status=400)
    makeup_approved_by = (makeup_approved_by or "").strip()
    ahead = int(rules.setting("max_advance_months"))
    if last > rules.add_months(paid_month, ahead):
        raise DomainError(f"预交党费最多交到{rules.label(rules.add_months(paid_month, ahead))}。",
                          field="last_month", status=400)
    with transaction.atomic():
        locked = _reachable_account(user, account)
        membership = locked.membership
        admitted = rules.month_of(membership.joined_on)
        if not membership.active:
            raise DomainError("该党员已离册，不能登记党费。")
        if first < admitted:
            raise DomainError(f"{rules.label(first)}早于{membership.person.name}入党（接收为预备党员）"
                              f"的月份{rules.label(admitted)}，不能交纳该月党费。",
                              field="first_month", status=400)
        if first < locked.start_month:
            raise DomainError(f"{rules.label(first)}没有核定的党费基数（自{rules.label(locked.start_month)}"
                              "起缴），不能交纳该月党费。", field="first_month", status=400)
        if first <= locked.paid_through:
            raise DomainError(f"{rules.label(first)}党费已交纳（已缴至{rules.label(locked.paid_through)}），"
                              "不能重复登记。", field="first_month")
        if first > locked.first_unpaid:
            raise DomainError(f"请先补交{rules.label(locked.first_unpaid)}起的党费，"
                              "党费按月份顺序交纳。", field="first_month")
        months = rules.month_range(first, last)
        makeup = sum(1 for m in months if m < paid_month)
        limit = int(rules.setting("max_makeup_months"))
        if makeup > limit and not makeup_approved_by:
            raise DomainError(f"补交 {makeup} 个月党费，超过 {limit} 个月，须经党委批准并登记批准人。",
                              field="makeup_approved_by")
        rows = []
        for month, base in due_rows(locked, months):
            if base is None:
                raise DomainError(f"{rules.label(month)}没有核定的党费基数。", field="first_month",
                                  status=400)
            due = base.monthly
            if cut > due:
                raise DomainError(f"减免金额 {cut} 元超过{rules.label(month)}应缴的 {due} 元。",
                                  field="reduction", status=400)
            rows.append(Month(account=locked, org=locked.org, month=month, paid_month=paid_month,
                              base=base.base, rate=rules.rate(base.kind, base.base), due=due,
                              paid=due - cut, reduction=cut,
                              reduction_reason=reduction_reason if cut else "",
                              reduction_approved_by=reduction_approved_by if cut else ""))
        payment = Payment(account=locked, org=locked.org, paid_on=paid_on, first_month=first,
                          last_month=last, months=len(rows), method=method,
                          proxy_payer=proxy_payer[:50], amount=sum((r.paid for r in rows), _CENT * 0),
                          makeup_approved_by=makeup_approved_by[:50] if makeup > limit else "",
                          recorded_by=user)
        validate(payment, exclude=["account", "org", "recorded_by"])
        payment.save()
        for row in rows:
            row.payment = payment
        try:
            with transaction.atomic():
                Month.objects.bulk_create(rows)
        except IntegrityError as error:
            raise DomainError("该月党费已交纳，不能重复登记。", field="first_month") from error
        locked.paid_through = last
        locked.save(update_fields=["paid_through", "updated_at"])
        if not restrict(user, "view", Payment).filter(pk=payment.pk).exists():
            raise OutOfScope()
    return payment


def record_remittance(org: Organization, *, user: Any, month: datetime.date, amount: Any,
                      remitted_on: datetime.date | None = None, note: str = "") -> Remittance:
    """Record that `org` handed its dues of `month` up to its higher committee."""
    today = timezone.localdate()
    remitted_on = remitted_on or today
    month = rules.month_of(month)
    value = _money(amount, "amount", "上缴金额")
    if remitted_on > today:
        raise DomainError("上缴日期不能晚于今天。", field="remitted_on", status=400)
    if month > rules.month_of(today):
        raise DomainError("不能登记以后月份的上缴。", field="month", status=400)
    with transaction.atomic():
        if not restrict(user, "view", Organization).filter(pk=org.pk).exists():
            raise OutOfScope()
        locked = Organization.objects.select_for_update().get(pk=org.pk)
        if Remittance.objects.filter(org=locked, month=month).exists():
            raise DomainError(f"{locked.name}{rules.label(month)}的党费已登记上缴，不能重复登记。",
                              field="month")
        parent = Organization.objects.get_parent(locked)
        remittance = Remittance(org=locked, to_org=parent, month=month, amount=value,
                                remitted_on=remitted_on, note=(note or "")[:100],
                                recorded_by=user)
        validate(remittance, exclude=["org", "to_org", "recorded_by"])
        remittance.save()
        if not restrict(user, "add", Remittance).filter(pk=remittance.pk).exists():
            raise OutOfScope()
    return remittance
