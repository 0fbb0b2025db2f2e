"""HeldMonths, the months each branch held each kind of meeting in, per year: how it is worked
out from the meetings (one branch and year after a save, or set-based after a bulk load) and
checked against them."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import connection
from django.db.models import Aggregate, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.expressions import Combinable, CombinedExpression
from django.db.models.functions import Cast, Coalesce, ExtractMonth, ExtractYear

from .models import HeldMonths, Meeting, State
from .rules import KINDS

# The rollup's columns: one per kind, named by its code.
COLUMNS = tuple(rule.code for rule in KINDS)


class BitOr(Aggregate):
    function = "BIT_OR"
    output_field = IntegerField()


def month_bits(condition: Q | None = None):
    """OR of 1 << (month - 1) over the meetings: the months with at least one. PostgreSQL has
    bit_or; elsewhere the sum of the distinct powers of two is the same number."""
    bit = CombinedExpression(Value(1), Combinable.BITLEFTSHIFT,
                             Cast(ExtractMonth("date"), IntegerField()) - 1,
                             output_field=IntegerField())
    if connection.vendor == "postgresql":
        return BitOr(bit, filter=condition)
    return Sum(bit, distinct=True, filter=condition)


def _held_by_year(meetings: QuerySet) -> QuerySet:
    """(org id, year, each kind's months) of the HELD meetings among `meetings`."""
    masks = {f"m_{code}": Coalesce(month_bits(Q(kind=code)), 0) for code in COLUMNS}
    return (meetings.filter(state=State.HELD)
            .annotate(held_year=Cast(ExtractYear("date"), IntegerField()))
            .values("org_id", "held_year").annotate(**masks)
            .values_list("org_id", "held_year", *masks).order_by())


def refresh(keys: Iterable[tuple[int, int]]) -> None:
    """Work the row of each (branch id, year) out again from its held meetings (an index range
    over (org, date)). Called inside the writer's transaction."""
    for org_id, year in sorted(set(keys)):
        HeldMonths.objects.filter(org_id=org_id, year=year).delete()
        meetings = Meeting.objects.filter(org_id=org_id, date__gte=datetime.date(year, 1, 1),
                                          date__lte=datetime.date(year, 12, 31))
        HeldMonths.objects.bulk_create([
            HeldMonths(org_id=org, year=held_year, **dict(zip(COLUMNS, masks, strict=True)))
            for org, held_year, *masks in _held_by_year(meetings)])


def rebuild(orgs: QuerySet | None = None) -> int:
    """Replace the rows of the organisations `orgs` (default: all) with what their held
    meetings say: one DELETE and one INSERT … SELECT, for bulk loads (the demo, the synthetic
    city, fixtures) and repairs. Returns the number of rows written."""
    table = connection.ops.quote_name(HeldMonths._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(code) for code in COLUMNS)
    meetings = Meeting.objects.all()
    with connection.cursor() as cursor:
        if orgs is None:
            cursor.execute(f"DELETE FROM {table}")
        else:
            ids = orgs.values("pk").order_by()
            ids_sql, ids_params = ids.query.sql_with_params()
            cursor.execute(f"DELETE FROM {table} WHERE org_id IN ({ids_sql})", ids_params)
            meetings = meetings.filter(org__in=ids)
        sql, params = _held_by_year(meetings).query.sql_with_params()
        cursor.execute(f"INSERT INTO {table} (org_id, year, {columns}) {sql}", params)
        return cursor.rowcount


def disagreements() -> list[tuple[int, int]]:
    """The (branch id, year) whose rows disagree with the held meetings (none when the rollup
    is exact): a check for tests and after repairs."""
    truth = {(org, year): tuple(masks)
             for org, year, *masks in _held_by_year(Meeting.objects.all())}
    stored: dict[tuple[int, int], tuple[int, ...]] = {}
    for org, year, *masks in HeldMonths.objects.values_list("org_id", "year", *COLUMNS):
        before = stored.get((org, year), (0,) * len(COLUMNS))
        stored[(org, year)] = tuple(a | b for a, b in zip(before, masks, strict=True))
    nothing = (0,) * len(COLUMNS)
    return sorted(key for key in truth.keys() | stored.keys()
                  if truth.get(key, nothing) != stored.get(key, nothing))
