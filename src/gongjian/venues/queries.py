"""Reads of positions: the calendars of a venue and of a room (month grid, week list)."""

from __future__ import annotations

import calendar
import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone

from gongjian.core.access import restrict

from .models import WEEKDAYS, Booking, Room, State, Venue

# What a calendar shows: what holds (or held) the room. Refused and cancelled bookings are in
# the lists, not on the calendar.
SHOWN_STATES = (State.REQUESTED, State.CONFIRMED, State.USED, State.NO_SHOW)
COLOURS = {State.REQUESTED: "bg-warning-subtle", State.CONFIRMED: "bg-success-subtle",
           State.USED: "bg-primary-subtle", State.NO_SHOW: "bg-danger-subtle"}


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    """The first Monday on or before the 1st and the day after the last Sunday on or after
    the month's last day: the grid's range."""
    first = datetime.date(year, month, 1)
    last = datetime.date(year, month, calendar.monthrange(year, month)[1])
    start = first - datetime.timedelta(days=first.weekday())
    end = last + datetime.timedelta(days=7 - last.weekday())
    return start, end


def _rows(user: Any, venue: Venue, room: Room | None, start: datetime.date,
          end: datetime.date) -> list[dict[str, Any]]:
    bookings = Booking.objects.filter(venue=venue, state__in=SHOWN_STATES,
                                      start__gte=_day_start(start), start__lt=_day_start(end))
    if room is not None:
        bookings = bookings.filter(room=room)
    rows = list(bookings.order_by("start", "id").values(
        "id", "start", "end", "state", "purpose", "room__name", "org__name", "unit__name"))
    # The purpose is the booker's business: shown to those who may open the booking.
    readable = set(restrict(user, "view", bookings).values_list("id", flat=True)) if rows \
        else set()
    labels = dict(State.choices)
    # A month holds a few hundred bookings: what the page shows of each is prepared here once
    # (the link, the times, the colour) rather than by tags and filters in the template.
    link = reverse("booking_detail", args=[0])[:-2]
    for row in rows:
        row["start"] = timezone.localtime(row["start"])
        row["end"] = timezone.localtime(row["end"])
        row["time"] = f"{row['start']:%H:%M}–{row['end']:%H:%M}"
        row["booker"] = row["unit__name"] or row["org__name"]
        row["state_label"] = labels[row["state"]]
        row["colour"] = COLOURS[row["state"]]
        row["readable"] = row["id"] in readable
        row["url"] = f"{link}{row['id']}/" if row["readable"] else ""
        if not row["readable"]:
            row["purpose"] = ""
    return rows


def month_calendar(user: Any, venue: Venue, year: int, month: int,
                   room: Room | None = None) -> dict[str, Any]:
    """The month grid (weeks of seven days, Monday first) with each day's bookings: one query
    for the bookings, one for which of them the user may open."""
    start, end = month_bounds(year, month)
    by_day: dict[datetime.date, list[dict[str, Any]]] = {}
    for row in _rows(user, venue, room, start, end):
        by_day.setdefault(row["start"].date(), []).append(row)
    today = timezone.localdate()
    weeks, day = [], start
    while day < end:
        week = []
        for _ in range(7):
            week.append({"date": day, "in_month": day.month == month, "today": day == today,
                         "label": "周" + WEEKDAYS[day.weekday()],
                         "open": venue.is_open_on(day), "bookings": by_day.get(day, [])})
            day += datetime.timedelta(days=1)
        weeks.append(week)
    first = datetime.date(year, month, 1)
    previous = first - datetime.timedelta(days=1)
    following = first + datetime.timedelta(days=32)
    return {"weeks": weeks, "year": year, "month": month,
            "previous": (previous.year, previous.month),
            "next": (following.year, following.month),
            "count": sum(len(v) for k, v in by_day.items() if k.month == month)}


def week_list(user: Any, venue: Venue, first: datetime.date,
              room: Room | None = None, days: int = 7) -> list[dict[str, Any]]:
    """The bookings of `days` days from `first`, day by day (the week and day lists)."""
    end = first + datetime.timedelta(days=days)
    by_day: dict[datetime.date, list[dict[str, Any]]] = {}
    for row in _rows(user, venue, room, first, end):
        by_day.setdefault(row["start"].date(), []).append(row)
    return [{"date": first + datetime.timedelta(days=i),
             "open": venue.is_open_on(first + datetime.timedelta(days=i)),
             "bookings": by_day.get(first + datetime.timedelta(days=i), [])}
            for i in range(days)]
