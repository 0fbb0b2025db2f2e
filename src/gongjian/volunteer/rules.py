"""Volunteer service as data: how hours are counted from the check-in pairs, the star levels,
publicity and the reminders (RULES.md §10).

Sources: 《志愿服务条例》(国务院令第685号, 2017) and 《志愿服务记录与证明出具办法（试行）》
(民政部令第67号, 2021-02-01) — records 真实、准确、完整, hours are the actual service time
(travel excluded), "谁组织谁记录，谁记录谁证明". The figures below are *local practice* and
read through `setting()`, so a district overrides them in settings
(`GONGJIAN_VOLUNTEER = {"star_levels": (100, 200, 500, 800, 1000), ...}`) without a code
change; the defaults are the values RULES gives.

Hours of one record: the complete pairs of each day are summed (actual time between sign-in
and sign-out), capped at `daily_cap_hours` — a person's cap for the day, so the hours already
counted that day at the volunteer's other activities come off it — then rounded (default down
to half hours); the days are added. An open pair (no sign-out) earns nothing until the organiser closes it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings

SOURCE = "《志愿服务记录与证明出具办法（试行）》（民政部令第67号）"

DEFAULTS: dict[str, Any] = {
    # Rounding of a day's hours: "down" to the unit (default: half hours), "nearest", or
    # "none" (two decimals).
    "rounding": "down",
    "rounding_unit": Decimal("0.5"),
    # At most this many hours a day count (local practice: 8).
    "daily_cap_hours": Decimal("8"),
    # Check-in/check-out pairs per person, activity and day (local practice: 3).
    "max_pairs_per_day": 3,
    # Cumulative counted hours for 一星 … 五星 (Fujian/Guangdong; Beijing 100/200/500/800/1000).
    "star_levels": (100, 300, 600, 1000, 1500),
    # Days an activity's hours are publicised before they count (some places: 5 working days).
    "publicity_days": 5,
    # The rotating check-in code: a new one every `code_seconds`; the current and the previous
    # one are accepted.
    "code_seconds": 10,
    # After a valid scan, the volunteer confirms (and may first log in) within this time.
    "scan_ticket_seconds": 180,
    # An activity may be started this long before its start time.
    "start_early_minutes": 60,
    # The organiser is reminded to review the hours this many days after the end.
    "review_remind_days": 3,
    # Volunteers are reminded of an activity starting within this many hours.
    "upcoming_remind_hours": 24,
}

STAR_LABELS = ("", "一星", "二星", "三星", "四星", "五星")


def setting(name: str) -> Any:
    overrides = getattr(settings, "GONGJIAN_VOLUNTEER", {}) or {}
    return overrides.get(name, DEFAULTS[name])


# ---- hours -------------------------------------------------------------------------------------

HUNDREDTH = Decimal("0.01")


def raw_hours(start: datetime.datetime, end: datetime.datetime) -> Decimal:
    """Actual time between sign-in and sign-out in hours, to the hundredth (09:00–11:40 →
    2.67); nothing for a pair that ends before it starts."""
    seconds = max(0, int((end - start).total_seconds()))
    return (Decimal(seconds) / Decimal(3600)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def round_hours(hours: Decimal) -> Decimal:
    """A day's hours after the rounding rule (default down to half hours: 2.67 → 2.5)."""
    mode, unit = setting("rounding"), Decimal(str(setting("rounding_unit")))
    if mode == "none" or unit <= 0:
        return hours.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
    steps = (hours / unit).quantize(Decimal(1),
                                    rounding=ROUND_DOWN if mode == "down" else ROUND_HALF_UP)
    return (steps * unit).quantize(HUNDREDTH)


def day_hours(pairs: Iterable[tuple[datetime.datetime, datetime.datetime | None]],
              already: Decimal = Decimal("0")) -> Decimal:
    """The hours one day's pairs earn: complete pairs summed on the exact seconds, capped at
    the daily cap less the hours `already` counted that day at other activities (the cap is
    the person's, not the activity's), rounded."""
    seconds = sum(max(0, int((out - start).total_seconds()))
                  for start, out in pairs if out is not None)
    exact = Decimal(seconds) / Decimal(3600)
    room = max(Decimal("0"), Decimal(str(setting("daily_cap_hours"))) - already)
    return round_hours(min(exact, room))


def record_hours(pairs: Iterable[tuple[datetime.date, datetime.datetime,
                                       datetime.datetime | None]],
                 already: dict[datetime.date, Decimal] | None = None
                 ) -> tuple[Decimal, Decimal, int]:
    """(raw, counted, open) of one volunteer's pairs at one activity: the actual time of the
    complete pairs, the hours they earn day by day under the rules (less, per day, what
    `already` holds for that day at the volunteer's other activities), and how many are open."""
    already = already or {}
    by_day: dict[datetime.date, list[tuple[datetime.datetime, datetime.datetime | None]]] = {}
    raw_seconds, open_pairs = 0, 0
    for day, start, out in pairs:
        by_day.setdefault(day, []).append((start, out))
        if out is None:
            open_pairs += 1
        else:
            raw_seconds += max(0, int((out - start).total_seconds()))
    raw = (Decimal(raw_seconds) / Decimal(3600)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
    counted = sum((day_hours(p, already.get(day, Decimal("0"))) for day, p in by_day.items()),
                  Decimal("0")).quantize(HUNDREDTH)
    return raw, counted, open_pairs


def may_add_pair(pairs_today: int) -> bool:
    """A fourth pair in one day is refused (default: at most 3)."""
    return pairs_today < int(setting("max_pairs_per_day"))


# ---- star levels -------------------------------------------------------------------------------

def star_level(hours: Decimal | float | int) -> int:
    """0–5 by cumulative counted hours (defaults: 299.5 h → 1, 300 h → 2)."""
    level = 0
    for bound in setting("star_levels"):
        if Decimal(str(hours)) >= Decimal(str(bound)):
            level += 1
    return level


def star_label(hours: Decimal | float | int) -> str:
    level = star_level(hours)
    return f"{STAR_LABELS[level]}志愿者" if level else ""


def next_star(hours: Decimal | float | int) -> tuple[str, Decimal] | None:
    """(the next level's label, hours still to serve), or None at the top."""
    level = star_level(hours)
    bounds = setting("star_levels")
    if level >= len(bounds):
        return None
    return STAR_LABELS[level + 1], Decimal(str(bounds[level])) - Decimal(str(hours))


def counts_from(publicised_on: datetime.date, days: int | None = None) -> datetime.date:
    """The day an activity's hours start to count: after `days` days of publicity."""
    days = setting("publicity_days") if days is None else days
    return publicised_on + datetime.timedelta(days=int(days))
