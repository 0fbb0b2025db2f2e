"""Demo of party dues: a year of dues in 陇海马路 (every member on its branches' rolls with a
base — in service, retired, students — paying month by month, quarterly or by proxy, a few in
arrears, two past six months, one 补交 and one approved reduction) and the branches'
remittances to their committees; the demo member account's branch pays as well, so 我的 shows
its dues. Past records are written directly (the services refuse nothing here but would take
a query per month); the figures the pages show are computed from these rows."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from gongjian.core.models import User
from gongjian.members.models import Membership
from gongjian.orgs.models import Organization

from . import rules
from .models import Account, Base, Kind, Method, Month, Payment, Remittance

STREET = "ZZ-LHML"
IN_SERVICE_BASES = (2500, 2800, 3600, 4200, 4800, 5600, 6500, 8000, 9200, 10000, 12000)


def _kind_and_base(rng, membership, today):
    birth = membership.person_birth_date or membership.person.birth_date
    age = today.year - birth.year
    if age >= 60:
        return Kind.RETIRED, Decimal(rng.choice((2800, 3600, 4500, 5000, 5400, 6200, 7000)))
    if age < 24:
        return Kind.STUDENT, None
    if rng.random() < 0.04:
        return Kind.OTHER, None
    return Kind.IN_SERVICE, Decimal(rng.choice(IN_SERVICE_BASES))


def build(builder):
    rng = builder.rng
    today = timezone.localdate()
    current = rules.month_of(today)
    first = rules.add_months(current, -11)
    street = Organization.objects.filter(code=STREET).first()
    if street is None:
        return
    member = User.objects.filter(username="member").select_related("person").first()
    condition = Membership.objects.filter(org__path__startswith=street.path, active=True)
    memberships = list(condition.select_related("person", "org").order_by("org__path", "id"))
    if member is not None and member.person_id:
        own = Membership.objects.filter(person=member.person, active=True).first()
        if own is not None:
            memberships += list(Membership.objects.filter(org=own.org, active=True)
                                .select_related("person", "org").order_by("id"))
    staff = User.objects.filter(grants__org=street, grants__role="street_staff").first()
    accounts, bases, plans = [], [], []
    for membership in memberships:
        kind, base = _kind_and_base(rng, membership, today)
        monthly = rules.monthly_dues(kind, base)
        start = max(first, rules.month_of(membership.joined_on))
        if start >= current:
            continue
        account = Account(membership=membership, org=membership.org, kind=kind, base=base,
                          monthly=monthly, start_month=start,
                          paid_through=rules.add_months(start, -1))
        accounts.append(account)
        bases.append((account, Base(year=start.year, kind=kind, base=base, monthly=monthly,
                                    applies_from=start, note="年度基数导入", recorded_by=staff)))
        plans.append(account)
    Account.objects.bulk_create(accounts)
    for account, base in bases:
        base.account = account
    Base.objects.bulk_create([b for _a, b in bases])

    # Who pays how: most monthly, some quarterly, retired members often by proxy; a few stop.
    last_month = rules.add_months(current, -1)
    rng.shuffle(plans)
    lapsed = {a.pk for a in plans[:2]} \
        if len(plans) > 10 else set()
    behind = {a.pk for a in plans[2:max(3, len(plans) // 14)]}
    makeup = plans[-1] if len(plans) > 20 else None
    reduced = plans[-2] if len(plans) > 20 else None
    own_account = next((a for a in plans if member is not None and member.person_id
                        and a.membership.person_id == member.person_id), None)
    lapsed.discard(own_account.pk if own_account else None)
    behind.discard(own_account.pk if own_account else None)
    payments, rows_of = [], []
    proxy_names = {}
    for account in plans:
        if account.pk in lapsed:
            stop = rules.add_months(current, -rng.randint(8, 10))
        elif account.pk in behind:
            stop = rules.add_months(current, -rng.randint(2, 4))
        elif account is makeup:
            stop = rules.add_months(current, -5)
        else:
            # Most have paid this month already; the rest pay later in the month.
            stop = current if account.pk % 3 else last_month
        quarterly = account.pk % 5 == 0
        proxy = account.kind == Kind.RETIRED and account.pk % 3 == 0
        if proxy:
            proxy_names[account.pk] = builder.person()
        groups = []
        month = account.start_month
        while month <= stop:
            if quarterly:
                end = min(stop, rules.add_months(month, 2 - (month.month - 1) % 3))
            else:
                end = month
            paid_month = rules.add_months(end, 1) if quarterly else end
            groups.append((month, end, paid_month))
            month = rules.add_months(end, 1)
        if account is makeup:
            # Four months unpaid, then made up (补交) in one payment last month.
            gap_start = rules.add_months(stop, 1)
            groups.append((gap_start, rules.add_months(gap_start, 3), last_month))
        for start, end, paid_month in groups:
            if paid_month > current:
                continue
            day = min(rng.randint(5, 25), 28)
            paid_on = paid_month.replace(day=day)
            if paid_on > today:
                paid_on = paid_month.replace(day=rng.randint(1, today.day))
            months = rules.month_range(start, end)
            cut = Decimal("0")
            if account is reduced and account.monthly >= Decimal("20"):
                cut = (account.monthly / 2).quantize(Decimal("0.01"))
            method = Method.PROXY if proxy else (Method.TRANSFER if account.pk % 4 == 0
                                                 else Method.CASH)
            payment = Payment(account=account, org=account.org, paid_on=paid_on, first_month=start,
                              last_month=end, months=len(months), method=method,
                              proxy_payer=proxy_names.get(account.pk, "") if proxy else "",
                              amount=(account.monthly - cut) * len(months), recorded_by=staff,
                              recorded_at=timezone.make_aware(datetime.datetime.combine(
                                  paid_on, datetime.time(10, 0))))
            payments.append(payment)
            rows_of.append([Month(account=account, org=account.org, month=m,
                                  paid_month=rules.month_of(paid_on), base=account.base,
                                  rate=rules.rate(account.kind, account.base),
                                  due=account.monthly, paid=account.monthly - cut,
                                  reduction=cut,
                                  reduction_reason="家庭生活困难" if cut else "",
                                  reduction_approved_by="支部委员会（会议决定）" if cut else "")
                            for m in months])
            account.paid_through = max(account.paid_through, end)
    Payment.objects.bulk_create(payments)
    rows = []
    for payment, months in zip(payments, rows_of, strict=True):
        for row in months:
            row.payment = payment
            rows.append(row)
    Month.objects.bulk_create(rows, batch_size=2000)
    Account.objects.bulk_update(plans, ["paid_through"], batch_size=1000)

    # Each branch hands up what it collected in a month by the 20th of the next.
    collected = defaultdict(Decimal)
    for row in rows:
        collected[(row.org_id, row.paid_month)] += row.paid
    orgs = {o.pk: o for o in Organization.objects.filter(pk__in={k[0] for k in collected})}
    remittances = []
    for (org_id, month), amount in sorted(collected.items(), key=lambda i: (i[0][0], i[0][1])):
        if month >= last_month:
            continue
        org = orgs[org_id]
        remittances.append(Remittance(org=org, to_org=Organization.objects.get_parent(org),
                                      month=month, amount=amount,
                                      remitted_on=rules.add_months(month, 1).replace(day=20),
                                      note="按月上缴", recorded_by=staff))
    Remittance.objects.bulk_create(remittances)
    builder.say(f"党费：账户 {len(accounts)} 个、交纳 {len(payments)} 笔、明细 {len(rows)} 行、"
                f"上缴 {len(remittances)} 笔（欠缴 {len(lapsed) + len(behind)} 人，补交 "
                f"{1 if makeup else 0} 笔）")
