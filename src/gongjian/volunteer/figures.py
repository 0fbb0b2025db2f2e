"""Counting volunteers the way the reports do (RULES §10): 人次 (person-times) are distinct
(person, activity) pairs — 3,500 pairs at 36 activities are 3,500 人次 — and people are
distinct persons: one person at three activities is 3 人次 but 1 person. Pure functions over
pairs, and the same counts over a queryset of ServiceRecord (one row per pair), so the pages,
the statistics and the reports count alike."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum


@dataclass(frozen=True)
class Turnout:
    person_times: int  # 人次
    people: int        # 人数


def turnout(pairs: Iterable[tuple[Hashable, Hashable]]) -> Turnout:
    """人次 and 人数 of (person, activity) pairs; a pair given twice is one 人次."""
    distinct = set(pairs)
    return Turnout(person_times=len(distinct), people=len({person for person, _ in distinct}))


def person_times(pairs: Iterable[tuple[Hashable, Hashable]]) -> int:
    return turnout(pairs).person_times


def turnout_of(records: Any) -> Turnout:
    """The same counts over ServiceRecord rows (unique per activity and volunteer)."""
    row = records.aggregate(n=Count("id"), people=Count("volunteer_id", distinct=True))
    return Turnout(person_times=row["n"] or 0, people=row["people"] or 0)


def hours_of(records: Any) -> Decimal:
    """Total hours of ServiceRecord rows."""
    return records.aggregate(h=Sum("hours"))["h"] or Decimal("0")
