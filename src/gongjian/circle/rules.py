"""The 15-minute circle as data (RULES §11; GB 50180-2018).

GB 50180-2018 puts the 15-minute walking life circle at about 800–1,000 m, the 10-minute at
about 500 m and the 5-minute at about 300 m, measured along the streets. The walking speed is
chosen so that 15 minutes is 1,000 m (4 km/h, an unhurried pace that includes waiting at
crossings); without a road network the straight line is multiplied by a detour factor (1.3).

Every figure is read through `setting()`, so a district overrides it in settings
(`GONGJIAN_CIRCLE = {"walk_m_per_min": 60, "detour_factor": 1.4}`) without a code change.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

SOURCE = "GB 50180-2018《城市居住区规划设计标准》生活圈；RULES §11"

DEFAULTS: dict[str, Any] = {
    # Metres walked per minute: 15 minutes ≈ 1,000 m.
    "walk_m_per_min": 1000 / 15,
    # Straight line × this when the street has no road network (or a point lies off it).
    "detour_factor": 1.3,
    # A point farther than this from the nearest node of the network is off the network
    # (the network does not reach it): its distance falls back to the straight line × factor.
    "snap_limit_m": 300.0,
    # Minutes offered on the pages; the API takes any whole number in [1, max_minutes].
    "minute_choices": (5, 10, 15),
    "default_minutes": 15,
    "max_minutes": 30,
    # Sites suggested at most in one request.
    "max_suggestions": 10,
    # The kinds of venue that make the street's service points (党群服务中心 and 站/驿站).
    "service_kinds": ("centre", "station"),
}


def setting(name: str) -> Any:
    overrides = getattr(settings, "GONGJIAN_CIRCLE", {}) or {}
    return overrides.get(name, DEFAULTS[name])


def radius_m(minutes: int | float) -> float:
    """The walking distance of `minutes` (15 → 1,000 m by default)."""
    return float(minutes) * float(setting("walk_m_per_min"))


def detour_factor() -> float:
    return float(setting("detour_factor"))
