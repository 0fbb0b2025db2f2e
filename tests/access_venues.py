"""Access-matrix entries of positions and bookings, and the world the venue tests build on.

`world(t, u)` makes (once per test) community A's 党群服务中心 (a room, a photo), unit U-A's
shared hall (located in community A, its liaison liaison_a), a request of community A's staff
for the hall next week, and a confirmed booking of the hall that already took place. The
alliance — staff of the street's communities and the liaisons of its units — reads the
street's positions and books the shared ones; members and residents read their street's
positions. A booking is seen by the venue's side and the booker's side only; a unit's venue
is answered for by its liaison (the community staff above it reach the booking but are
refused the owner's steps in words).
"""

import datetime
import io
from types import SimpleNamespace

from access_common import E
from django.utils import timezone

OWNERS_A = {"street", "community_a"}
# The alliance of the first street (JS) and its members and residents read its positions.
VIEWERS = {"street", "street_b", "community_a", "community_b", "liaison_a", "liaison_b",
           "member", "resident", "member_b", "resident_b"}
# Twins in the same street as community A: they read its positions (and U-A's name on them).
# A venue of the first street: the second street's staff do not reach it.
READERS = VIEWERS - {"street_b"}
STREET_TWINS = {"community_b", "liaison_b", "member_b", "resident_b"}
BOOKERS = {"street", "street_b", "community_a", "community_b", "liaison_a", "liaison_b"}
BOOKING_SIDES = {"street", "community_a", "liaison_a"}


def next_weekday(days=7):
    return timezone.localdate() + datetime.timedelta(days=days)


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def png_upload(name="photo.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def make_hall(t, u, *, groups=1, name="鼎峰集团会议厅", room="会议厅", **fields):
    """U-A's shared venue (kept by liaison_a) with one room."""
    from gongjian.venues import services

    values = {"name": name, "kind": "shared", "area": 200, "bookable": True,
              "opens": datetime.time(8, 0), "closes": datetime.time(21, 0),
              "lng": "118.155000", "lat": "24.505000"}
    values.update(fields)
    venue = services.create_venue(user=u.liaison_a, unit=t.unit_a, **values)
    hall = services.add_room(venue, user=u.liaison_a, name=room, capacity=100, groups=groups)
    return venue, hall


def world(t, u):
    if getattr(t, "venues_world", None) is not None:
        return t.venues_world
    from gongjian.core import audit
    from gongjian.venues import services
    from gongjian.venues.models import Booking, BookingEvent, State

    with audit.acting_as(suppress=True):
        centre = services.create_venue(user=u.community_a, org=t.a, name="金安社区党群服务中心",
                                       kind="centre", area=1200, brand="温馨养老型",
                                       services="党员服务\n便民服务")
        room = services.add_room(centre, user=u.community_a, name="党员活动室", capacity=40)
        photo = services.add_photo(centre, user=u.community_a, image=png_upload(),
                                   caption="外景")
        venue, hall = make_hall(t, u)
        day = next_weekday()
        request = services.request_booking(hall, user=u.community_a, start=at(day, 9),
                                           end=at(day, 11), purpose="主题党日",
                                           attendees=30)[0]
        past = Booking.objects.create(
            code="YYPAST0001", room=hall, venue=venue, org=t.a, start=at(day, 9)
            - datetime.timedelta(days=14), end=at(day, 11) - datetime.timedelta(days=14),
            slot=0, state=State.CONFIRMED, purpose="支部学习", attendees=20,
            requested_by=u.community_a)
        BookingEvent.objects.create(booking=past, step="confirm", text="场地方确认预约")
    t.venues_world = SimpleNamespace(centre=centre, room=room, photo=photo, venue=venue,
                                     hall=hall, request=request, past=past)
    return t.venues_world


def built(t, u):
    world(t, u)


def W(attr, *rest):
    return lambda t, u: [getattr(world(t, u), attr).pk, *rest]


ENTRIES = [
    E("venue_list", VIEWERS, setup=built, sees_a=STREET_TWINS),
    E("venue_export", VIEWERS, setup=built, sees_a=STREET_TWINS),
    E("venue_create", BOOKERS),
    E("venue_detail", READERS, args=W("centre"), sees_a=STREET_TWINS),
    E("venue_edit", OWNERS_A, args=W("centre")),
    E("venue_calendar", READERS, args=W("venue"), sees_a=STREET_TWINS),
    E("venue_room_calendar", READERS, args=W("hall"), sees_a=STREET_TWINS),
    E("venue_room_add", OWNERS_A, args=W("centre")),
    E("venue_room_edit", OWNERS_A, args=W("room")),
    E("venue_photo_add", OWNERS_A, args=W("centre")),
    E("venue_photo", READERS, args=W("photo")),
    E("venue_photo_delete", OWNERS_A, method="POST", args=W("photo"), ok={302}),
    # The alliance of the street books U-A's hall; the second street does not reach it.
    E("venue_book", {"street", "community_a", "community_b", "liaison_a", "liaison_b"},
      args=W("venue"), sees_a={"community_b", "liaison_b"}),
    E("venue_standards", {"street", "street_b", "community_a", "community_b"}, setup=built),
    E("venue_standards_community", {"street"}, args=lambda t, u: [t.a.pk]),
    E("booking_list", BOOKERS, setup=built),
    E("booking_detail", BOOKING_SIDES, args=W("request")),
    # U-A's liaison confirms; the staff above reach the booking and are told why not (a
    # message on its page).
    E("booking_step", BOOKING_SIDES, method="POST", args=W("request", "confirm"), ok={302}),
    # -- API
    E("api-venue-list", VIEWERS, setup=built, sees_a=STREET_TWINS),
    E("api-venue-detail", READERS, args=W("centre"), sees_a=STREET_TWINS),
    E("api-booking-list", BOOKERS, setup=built),
    E("api-booking-detail", BOOKING_SIDES, args=W("request")),
    E("api-booking-confirm", BOOKING_SIDES, method="POST", args=W("request"), ok={409},
      expect={"liaison_a": {200}}),
    E("api-booking-decline", BOOKING_SIDES, method="POST", args=W("request"),
      data={"reason": "当日单位内部活动"}, ok={409}, expect={"liaison_a": {200}}),
    E("api-booking-cancel", BOOKING_SIDES, method="POST", args=W("request")),
    E("api-booking-done", BOOKING_SIDES, method="POST", args=W("past"), ok={409},
      expect={"liaison_a": {200}}),
    E("api-booking-no-show", BOOKING_SIDES, method="POST", args=W("past"), ok={409},
      expect={"liaison_a": {200}}),
]
