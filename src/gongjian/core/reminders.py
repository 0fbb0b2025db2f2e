"""The daily reminder sweep: deadlines near or passed, agreements about to expire.

A capability registers a function `fn(today)` with `@register("name")`; it sends its
reminders with `notify(..., key=...)` so that running the sweep again tells nobody twice.
`gongjian remind` runs the sweep; `gongjian serve` runs it once a day beside the worker.
"""

import datetime
from collections.abc import Callable

from django.utils import timezone

SWEEPS: dict[str, Callable[[datetime.date], int]] = {}


def register(name: str):
    def decorate(fn):
        SWEEPS[name] = fn
        return fn
    return decorate


def run_sweeps(today: datetime.date | None = None) -> dict[str, int]:
    """Run every registered sweep; return how many notifications each one sent."""
    today = today or timezone.localdate()
    return {name: int(fn(today) or 0) for name, fn in SWEEPS.items()}
