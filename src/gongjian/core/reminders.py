"""The reminder sweep: deadlines near or passed, agreements about to expire.

A capability registers a function `fn(today)` with `@register("name")`; it sends its
reminders with `notify(..., key=...)` so that running the sweep again tells nobody twice.
`gongjian remind` runs the sweep; `gongjian serve` runs it every hour while the site is up.
"""

import datetime
import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

SWEEPS: dict[str, Callable[[datetime.date], int]] = {}


def register(name: str):
    def decorate(fn):
        SWEEPS[name] = fn
        return fn
    return decorate


def run_sweeps(today: datetime.date | None = None) -> dict[str, int | str]:
    """Run every registered sweep; return how many notifications each one sent, or the error
    of a sweep that failed (the others still run)."""
    today = today or timezone.localdate()
    sent: dict[str, int | str] = {}
    for name, fn in SWEEPS.items():
        try:
            with transaction.atomic():
                sent[name] = int(fn(today) or 0)
        except Exception as error:  # noqa: BLE001 - one broken sweep must not silence the rest
            logger.exception("reminder sweep %s failed", name)
            sent[name] = f"失败：{error}"
    return sent
