"""A year of party dues for the synthetic city: about 6.5 million ledger rows.

Every active membership under the root gets a dues account with a base for the year (in
service on its brackets, retired members from 60, students under 24, a few of the others at
0.20) applying from twelve months before the current month (or the month admitted), and pays
the months up to now: most monthly, many quarterly, some retired members once a year ahead;
about one in fourteen stopped paying some months ago (a few past six months, the 党章第九条
warning) and one in forty made up (补交) a gap. "Paid through" on each account follows the
rows, as the services keep it. Written with the organisational life's machinery
(demo/synth_orglife.py): ids reserved, binary COPY on PostgreSQL (bulk_create on SQLite), the
dues tables' secondary indexes and foreign keys dropped for the load at the city's size and
made again after, then ANALYZE.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import Counter
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from gongjian.core import audit
from gongjian.demo.synth_orglife import _Table, bulk_load
from gongjian.dues import rules
from gongjian.dues.models import Account, Base, Kind, Method, Month, Payment
from gongjian.members.models import Membership

TABLES = (Account, Base, Payment, Month)
PER_BATCH = 20_000
REBUILD_ABOVE = 100_000
IN_SERVICE = [Decimal(b) for b in (2500, 2800, 3600, 4200, 4800, 5600, 6500, 8000, 9200,
                                   10000, 12000, 15000)]
RETIRED = [Decimal(b) for b in (2800, 3600, 4500, 5000, 5400, 6200, 7000)]


def dues_present(root) -> bool:
    return Account.objects.filter(org__path__startswith=root.path).exists()


class _Year:
    def __init__(self, today, rng, tables, postgres):
        self.today, self.rng, self.t = today, rng, tables
        self.current = rules.month_of(today)
        self.first = rules.add_months(self.current, -11)
        self.now = timezone.now()
        self.tally: Counter = Counter()
        self.monthly_cache: dict = {}

    def monthly(self, kind, base):
        key = (kind, base)
        if key not in self.monthly_cache:
            self.monthly_cache[key] = (rules.monthly_dues(kind, base), rules.rate(kind, base))
        return self.monthly_cache[key]

    def member(self, item):
        membership_id, org_id, joined_on, birth = item
        rng, t, today = self.rng, self.t, self.today
        age = today.year - birth.year if birth else 45
        if age >= 60:
            kind, base = Kind.RETIRED, rng.choice(RETIRED)
        elif age < 24:
            kind, base = Kind.STUDENT, None
        elif rng.random() < 0.03:
            kind, base = Kind.OTHER, None
        else:
            kind, base = Kind.IN_SERVICE, rng.choice(IN_SERVICE)
        monthly, rate = self.monthly(kind, base)
        start = max(self.first, rules.month_of(joined_on))
        if start > self.current:
            return
        # How this member pays, and up to when.
        roll = rng.random()
        if roll < 0.02:
            stop = rules.add_months(self.current, -rng.randint(7, 11))   # the warning
            self.tally["lapsed"] += 1
        elif roll < 0.07:
            stop = rules.add_months(self.current, -rng.randint(1, 5))
            self.tally["behind"] += 1
        else:
            stop = self.current if rng.random() < 0.6 else rules.add_months(self.current, -1)
        style = rng.random()
        makeup = stop >= rules.add_months(start, 5) and rng.random() < 0.025
        account = t["account"].add(membership_id=membership_id, org_id=org_id, kind=kind,
                                   base=base, monthly=monthly, start_month=start,
                                   paid_through=rules.add_months(start, -1), active=True,
                                   updated_at=self.now)
        t["base"].add(account_id=account, year=start.year, kind=kind, base=base,
                      monthly=monthly, applies_from=start, note="年度基数导入",
                      recorded_by_id=None, recorded_at=self.now)
        groups = []
        month = start
        while month <= stop:
            if kind == Kind.RETIRED and style < 0.2:
                end = stop        # paid ahead in one go at the start of the year
            elif style < 0.55:
                end = min(stop, rules.add_months(month, 2 - (month.month - 1) % 3))
            else:
                end = month
            groups.append([month, end, end])
            month = rules.add_months(end, 1)
        if makeup and len(groups) > 4:
            # Two to four payments missed, then made up (补交) in one the month after.
            k = rng.randint(2, 4)
            merged = [groups[1][0], groups[k][1], rules.add_months(groups[k][1], 1)]
            groups = [groups[0], merged, *groups[k + 1:]]
            self.tally["makeups"] += 1
        paid_through = rules.add_months(start, -1)
        for first, last, paid_month in groups:
            if paid_month > self.current:
                paid_month = self.current
            day = rng.randint(1, 28)
            paid_on = paid_month.replace(day=day)
            if paid_on > today:
                paid_on = paid_month.replace(day=rng.randint(1, today.day))
            n = rules.months_between(first, last)
            method = Method.PROXY if kind == Kind.RETIRED and day % 4 == 0 else (
                Method.TRANSFER if day % 3 == 0 else Method.CASH)
            payment = t["payment"].add(account_id=account, org_id=org_id, paid_on=paid_on,
                                       first_month=first, last_month=last, months=n,
                                       method=method,
                                       proxy_payer="家属代交" if method == Method.PROXY else "",
                                       amount=monthly * n, makeup_approved_by="",
                                       recorded_by_id=None, recorded_at=self.now)
            paid_in = rules.month_of(paid_on)
            for m in rules.month_range(first, last):
                t["month"].add(payment_id=payment, account_id=account, org_id=org_id, month=m,
                               paid_month=paid_in, base=base, rate=rate, due=monthly,
                               paid=monthly, reduction=Decimal("0.00"), reduction_reason="",
                               reduction_approved_by="")
            paid_through = max(paid_through, last)
        # The account row is still in the batch: set its paid-through month in place.
        rows = t["account"].rows
        index = t["account"].attnames.index("paid_through")
        row = list(rows[-1])
        row[index] = paid_through
        rows[-1] = tuple(row)


def build_dues(root, *, seed: int = 2026, today: datetime.date | None = None,
               rebuild_indexes: bool | None = None, log=print) -> dict[str, Any]:
    started = time.perf_counter()
    today = today or timezone.localdate()
    rng = random.Random(f"{seed}:{root.code}:dues")
    postgres = connection.vendor == "postgresql"
    timings: Counter = Counter()

    def clock(step, mark):
        now = time.perf_counter()
        timings[step] += now - mark
        return now

    items = list(Membership.objects.filter(org__path__startswith=root.path, active=True)
                 .order_by("id").values_list("id", "org_id", "joined_on", "person_birth_date"))
    if not items:
        raise ValueError(f"{root.name} 下还没有党员，无法生成党费。")
    if rebuild_indexes is None:
        rebuild_indexes = postgres and len(items) > REBUILD_ABOVE
    mark = clock("load_s", started)
    tables = {name: _Table(model, postgres) for name, model in (
        ("account", Account), ("base", Base), ("payment", Payment), ("month", Month))}
    year = _Year(today, rng, tables, postgres)
    with transaction.atomic(), audit.acting_as(suppress=True), connection.cursor() as cursor:
        def progress(done):
            log(f"  {done:,} / {len(items):,} members: {tables['month'].written:,} ledger rows "
                f"({time.perf_counter() - started:.1f}s)")

        mark = bulk_load(cursor, list(tables.values()), items, year.member, postgres=postgres,
                         rebuild_indexes=rebuild_indexes, per_batch=PER_BATCH, clock=clock,
                         mark=mark, progress=progress, log=log, work_mem="512MB")
    mark = clock("commit_s", mark)
    if postgres:
        with connection.cursor() as cursor:
            for model in TABLES:
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')
        clock("analyze_s", mark)
    return {"accounts": tables["account"].written, "payments": tables["payment"].written,
            "rows": tables["month"].written, "lapsed": year.tally["lapsed"],
            "behind": year.tally["behind"], "makeups": year.tally["makeups"],
            "today": today.isoformat(),
            "timings": {step: round(seconds, 1) for step, seconds in timings.items()},
            "seconds": round(time.perf_counter() - started, 1)}
