"""在职党员到社区报到 (双报到) as data (RULES.md §13, seed 003 "在职党员进社区").

Sources: RULES §13 — a report form with a receipt (回执) back to the member's own unit, the
member's service record, feedback to the unit each quarter; the yearly expectation is
*local* (e.g. ≥ 50 hours: 48 h at year end → flagged) — and seed 003 (会展街道 "在职党员进社区",
the community's opinion heard when the unit assesses its members).

Every figure here is read through `setting()`, so a district overrides it in settings
(`GONGJIAN_COMMUNITY_REPORTS = {"yearly_hours": 40, ...}`) without a code change.

Hours: a member's hours in a year are the counted volunteer service records
(volunteer.services.counted_records: publicity over) dated in that year, of activities
organised by the community the member reported to or an organisation inside it — service
the community itself recorded and can vouch for (谁组织谁记录), not service elsewhere.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_UP, Decimal
from typing import Any

from django.conf import settings

SOURCE = "在职党员到社区报到（RULES §13，地方做法；种子 003“在职党员进社区”）"

DEFAULTS: dict[str, Any] = {
    # Hours of counted service a reported member is expected to give in a year (local: 50).
    "yearly_hours": Decimal("50"),
    # A member received during the year is expected a share of it, by whole months reported
    # (received in July → 6/12); False: the full figure whatever the month.
    "prorate": True,
    # The year-end evaluation of year Y opens on this (month, day) of Y (述职评议 Nov–Dec).
    "evaluate_from": (11, 1),
    # A member short of the expectation cannot be graded 优秀 (local practice).
    "excellent_needs_hours": True,
}


def setting(name: str) -> Any:
    overrides = getattr(settings, "GONGJIAN_COMMUNITY_REPORTS", {}) or {}
    return overrides.get(name, DEFAULTS[name])


def yearly_hours() -> Decimal:
    return Decimal(str(setting("yearly_hours")))


HALF = Decimal("0.5")


def expected_hours(year: int, received_on: datetime.date | None,
                   ended_on: datetime.date | None = None) -> Decimal:
    """The hours expected of a member in `year`: the yearly figure, or with `prorate` its
    share for the whole months the report was active in the year (the month of receipt and
    of ending count), rounded up to half hours. Nothing for a year it was not active in."""
    full = yearly_hours()
    if received_on is None or received_on.year > year or (ended_on and ended_on.year < year):
        return Decimal("0")
    if not setting("prorate"):
        return full
    first = 1 if received_on.year < year else received_on.month
    last = 12 if ended_on is None or ended_on.year > year else ended_on.month
    months = max(0, last - first + 1)
    share = full * months / 12
    return ((share / HALF).quantize(Decimal(1), rounding=ROUND_UP) * HALF).quantize(
        Decimal("0.01"))


def is_short(hours: Decimal, expected: Decimal) -> bool:
    """Short of the expectation at year end (48 of 50 → flagged; 50 of 50 → not)."""
    return Decimal(str(hours)) < Decimal(str(expected))


def evaluation_opens(year: int) -> datetime.date:
    month, day = setting("evaluate_from")
    return datetime.date(year, int(month), int(day))


def evaluation_year(today: datetime.date) -> int:
    """The year a year-end evaluation made today is about: this year once its evaluation
    has opened, else the year before (an evaluation in January is last year's)."""
    return today.year if today >= evaluation_opens(today.year) else today.year - 1


def quarter_of(day: datetime.date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of a quarter."""
    first = datetime.date(year, 3 * quarter - 2, 1)
    following = datetime.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return first, following - datetime.timedelta(days=1)


def previous_quarter(day: datetime.date) -> tuple[int, int]:
    quarter = quarter_of(day)
    return (day.year - 1, 4) if quarter == 1 else (day.year, quarter - 1)
