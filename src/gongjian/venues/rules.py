"""Positions as data: the area standards, the booking limits and the reminders (RULES §11).

The standards are *configurable rule sets*: a district overrides them in settings
(`GONGJIAN_VENUES = {"standards": [...], "per_hundred_rounding": "up"}`) without a code change.
The defaults are the figures of the seeds and of 完整社区建设指南 (住建部/民政部 2022):

- seed 001: every community ≥ 1,000 m², a former village (村改居) ≥ 1,600 m²;
- 完整社区: ≥ 30 m² per 100 households;
- seed 003: ≥ 300 m² per 100 non-public companies (pro rata, or rounded up per 100).

A standard is a dict: `key`, `label`, `basis` ("community", "former_village", "households",
"non_public_companies"), `area` (m²) and, for the per-hundred bases, `per` (100). The
non-public companies are counted in the whole street (the street's positions serve them), the
households in each community's grids.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "standards": [
        {"key": "community", "label": "每个社区", "basis": "community", "area": 1000,
         "source": "金山街道（种子 001）"},
        {"key": "former_village", "label": "村改居社区", "basis": "former_village",
         "area": 1600, "source": "金山街道（种子 001）"},
        {"key": "households", "label": "每百户", "basis": "households", "area": 30, "per": 100,
         "source": "完整社区建设指南（2022）"},
        {"key": "non_public", "label": "每百家非公企业", "basis": "non_public_companies",
         "area": 300, "per": 100, "source": "会展街道（种子 003）"},
    ],
    # "pro_rata": 150 companies need 450 m²; "up": every started hundred counts (600 m²).
    "per_hundred_rounding": "pro_rata",
    # A recurring booking has at most this many occurrences.
    "max_occurrences": 52,
    # Bookings are made at most this many days ahead.
    "book_ahead_days": 180,
    # The booker is reminded this many hours before (the day before, RULES §11).
    "remind_hours": 24,
}

BASES = {"community", "former_village", "households", "non_public_companies"}


def setting(name: str) -> Any:
    overrides = getattr(settings, "GONGJIAN_VENUES", {}) or {}
    return overrides.get(name, DEFAULTS[name])


def standards() -> list[dict[str, Any]]:
    rows = list(setting("standards"))
    for row in rows:
        if row.get("basis") not in BASES:
            raise ValueError(f"GONGJIAN_VENUES: unknown basis {row.get('basis')!r}")
    return rows


def required_area(standard: dict[str, Any], *, former_village: bool, households: int,
                  companies: int) -> Decimal | None:
    """The area (m²) a standard asks of a community, or None where it does not apply."""
    basis, area = standard["basis"], Decimal(str(standard["area"]))
    if basis == "community":
        return area
    if basis == "former_village":
        return area if former_village else None
    count = households if basis == "households" else companies
    per = int(standard.get("per", 100))
    if count <= 0:
        return None
    if setting("per_hundred_rounding") == "up":
        return area * math.ceil(count / per)
    return (area * count / per).quantize(Decimal("0.01"))
