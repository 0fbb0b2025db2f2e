"""The daily sweep of bookings (registered with core.reminders):

- the booker is reminded the day before a confirmed booking (RULES §11), and of a request the
  owner has not answered yet;
- the owner is reminded of requests still pending for tomorrow.

Each notification carries a key, so a sweep run again tells nobody twice.
"""

import datetime

from django.utils import timezone

from gongjian.core.notifications import notify, org_staff, unit_liaisons
from gongjian.core.reminders import register

from .models import Booking, State


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def tomorrow_bookings(today: datetime.date):
    tomorrow = today + datetime.timedelta(days=1)
    return (Booking.objects.filter(state__in=[State.REQUESTED, State.CONFIRMED],
                                   start__gte=_day_start(tomorrow),
                                   start__lt=_day_start(tomorrow + datetime.timedelta(days=1)))
            .select_related("room", "venue__org", "venue__unit", "requested_by")
            .order_by("start", "id"))


@register("venues_booking_tomorrow")
def remind_tomorrow(today: datetime.date) -> int:
    sent = 0
    for booking in tomorrow_bookings(today):
        where = f"{booking.venue.name} · {booking.room.name}"
        if booking.state == State.CONFIRMED:
            sent += len(notify([booking.requested_by], f"明天的场地预约：{where}",
                               url=booking.get_absolute_url(), kind="venues",
                               body=f"{booking.time_label}，{booking.purpose}。"
                                    f"如不能前往，请提前取消。",
                               key=f"venues-booking-remind:{booking.pk}"))
            continue
        owners = (unit_liaisons(booking.venue.unit) if booking.venue.unit_id
                  else org_staff(booking.venue.org))
        sent += len(notify(owners, f"明天的场地预约尚未确认：{where}",
                           url=booking.get_absolute_url(), kind="venues",
                           body=f"{booking.booker_label}申请 {booking.time_label}，"
                                f"{booking.purpose}。请确认或驳回。",
                           key=f"venues-booking-pending:{booking.pk}"))
        sent += len(notify([booking.requested_by], f"明天的场地预约仍待场地方确认：{where}",
                           url=booking.get_absolute_url(), kind="venues",
                           body=f"{booking.time_label}。",
                           key=f"venues-booking-remind:{booking.pk}"))
    return sent
