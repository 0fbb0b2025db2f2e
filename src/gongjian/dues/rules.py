"""Party dues as data (RULES.md §2 and §13): the 2008 brackets, the rounding, when a changed
base applies, how many months of arrears may be made up without approval, and when the
党章第九条 warning is raised.

Source: 《关于中国共产党党费收缴、使用和管理的规定》(中组发〔2008〕3号). In-service members pay
on their monthly regular wage income after tax, the whole amount at one rate (≤3000 0.5%,
≤5000 1%, ≤10000 1.5%, above 2%); retired members ≤5000 0.5%, above 1%; students, the
unemployed and those on relief pay 0.20 yuan a month. The figures RULES marks as local or
uncertain are read through `setting()`, so a district overrides them in settings
(`GONGJIAN_DUES = {"rounding": "half_up", ...}`) without a code change.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings

SOURCE = "《关于中国共产党党费收缴、使用和管理的规定》（中组发〔2008〕3号）"

IN_SERVICE, RETIRED, STUDENT, OTHER = "in_service", "retired", "student", "other"
KIND_LABELS = {IN_SERVICE: "在职党员", RETIRED: "离退休党员", STUDENT: "学生党员",
               OTHER: "下岗失业、领取救济金或最低生活保障金党员"}

DEFAULTS: dict[str, Any] = {
    # (upper bound inclusive or None, rate) per kind that pays a share of its base.
    "brackets": {
        IN_SERVICE: ((Decimal("3000"), Decimal("0.005")), (Decimal("5000"), Decimal("0.01")),
                     (Decimal("10000"), Decimal("0.015")), (None, Decimal("0.02"))),
        RETIRED: ((Decimal("5000"), Decimal("0.005")), (None, Decimal("0.01"))),
    },
    # A fixed monthly amount for the kinds that pay one.
    "fixed": {STUDENT: Decimal("0.20"), OTHER: Decimal("0.20")},
    # Rounding is not specified by the rules: half-up at 0.01 yuan by default ("half_up" or
    # "down"), to `rounding_unit`.
    "rounding": "half_up",
    "rounding_unit": Decimal("0.01"),
    # When a changed base applies: "first_paid" (from the first month paid after the change,
    # as the 2008 rules say) or "next_january" (from the next January, as central organs do).
    "changed_base_applies": "first_paid",
    # Months before the month of payment made up in one payment without a recorded approval.
    "max_makeup_months": 6,
    # Consecutive months unpaid that raise the 党章第九条 warning.
    "lapse_months": 6,
    # Months ahead of the month of payment that may be paid in advance.
    "max_advance_months": 12,
    # A Word template (.docx) for the receipt; None: the one shipped with the app.
    "receipt_template": None,
}


def setting(name: str) -> Any:
    overrides = getattr(settings, "GONGJIAN_DUES", {}) or {}
    return overrides.get(name, DEFAULTS[name])


def round_amount(amount: Decimal) -> Decimal:
    unit = Decimal(str(setting("rounding_unit")))
    mode = ROUND_DOWN if setting("rounding") == "down" else ROUND_HALF_UP
    return (amount / unit).quantize(Decimal(1), rounding=mode) * unit


def rate(kind: str, base: Decimal | None) -> Decimal | None:
    """The share of the base paid each month, or None for a kind paying a fixed amount."""
    brackets = setting("brackets").get(kind)
    if brackets is None:
        return None
    value = Decimal(str(base or 0))
    for bound, share in brackets:
        if bound is None or value <= Decimal(str(bound)):
            return Decimal(str(share))
    return None


def needs_base(kind: str) -> bool:
    return kind in setting("brackets")


def monthly_dues(kind: str, base: Decimal | None) -> Decimal:
    """The monthly dues of a member of `kind` on `base` (2,500 in service → 12.50; 5,000
    retired → 25.00; a student → 0.20)."""
    if kind not in KIND_LABELS:
        raise ValueError(f"unknown kind {kind!r}")
    share = rate(kind, base)
    if share is None:
        return Decimal(str(setting("fixed")[kind])).quantize(Decimal("0.01"))
    if base is None or Decimal(str(base)) < 0:
        raise ValueError("base must be zero or more")
    return round_amount(Decimal(str(base)) * share).quantize(Decimal("0.01"))


# ---- months ---------------------------------------------------------------------------------

def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(first: datetime.date, last: datetime.date) -> int:
    """Months from `first` to `last` counted inclusively (Jan–Mar → 3; 0 if last < first)."""
    return max(0, (last.year - first.year) * 12 + last.month - first.month + 1)


def month_range(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    return [add_months(first, i) for i in range(months_between(first, last))]


def label(month: datetime.date | None) -> str:
    return f"{month.year}年{month.month}月" if month else ""


def applies_from(year: int, recorded_on: datetime.date, first_unpaid: datetime.date | None,
                 *, first_base: bool) -> datetime.date:
    """The month a base recorded for `year` on `recorded_on` applies from. A member's first
    base applies from January of its year; a changed one from the first month still unpaid
    ("first_paid") or from the next January after it was recorded ("next_january")."""
    january = datetime.date(year, 1, 1)
    if first_base:
        return january
    if setting("changed_base_applies") == "next_january":
        return max(january, datetime.date(recorded_on.year + (recorded_on.month > 1), 1, 1))
    return max(january, first_unpaid or january)


def lapse_threshold(today: datetime.date) -> datetime.date:
    """Accounts paid through this month or earlier have `lapse_months` full months unpaid
    before the current month (paid through 2026-05 on 2026-12-03: June–November unpaid)."""
    return add_months(month_of(today), -int(setting("lapse_months")) - 1)
