"""Booking shared venues (RULES §11): half-open intervals, rooms for several groups, pending
requests holding their slot, recurring bookings checked occurrence by occurrence, opening
hours, the owner's steps and who may take them, reminders, and bad input refused in Chinese
with nothing written."""

import datetime

import pytest
from access_venues import at, make_hall, next_weekday, world
from rest_framework.test import APIClient

from gongjian.core.services import DomainError
from gongjian.venues import services
from gongjian.venues.models import Booking, BookingEvent, State, Venue


@pytest.fixture
def hall(tree, users):
    return make_hall(tree, users)[1]


def book(room, user, day, start, end, **kw):
    values = {"purpose": "主题党日", "attendees": 20}
    values.update(kw)
    return services.request_booking(room, user=user, start=at(day, *start), end=at(day, *end),
                                    **values)


def test_back_to_back_hours_do_not_clash_but_overlapping_ones_do(hall, users):
    day = next_weekday()
    book(hall, users.community_a, day, (9, 0), (10, 0))
    book(hall, users.community_b, day, (10, 0), (11, 0))
    with pytest.raises(DomainError) as refused:
        book(hall, users.liaison_a, day, (9, 30), (10, 30))
    assert refused.value.status == 409
    assert "已被预约" in refused.value.message and f"{day:%Y-%m-%d}" in refused.value.message
    assert Booking.objects.filter(room=hall).count() == 2
    # The same hour on another day is free.
    book(hall, users.liaison_a, day + datetime.timedelta(days=1), (9, 30), (10, 30))


def test_a_room_for_three_groups_takes_three_at_once_and_no_fourth(tree, users):
    _venue, field = make_hall(tree, users, groups=3, name="鼎峰运动场", room="运动场")
    day = next_weekday()
    for user in (users.community_a, users.community_b, users.liaison_a):
        book(field, user, day, (14, 0), (16, 0))
    assert sorted(Booking.objects.filter(room=field).values_list("slot", flat=True)) == [0, 1, 2]
    with pytest.raises(DomainError, match="已有 3 个团体预约"):
        book(field, users.street, day, (15, 0), (15, 30))
    assert Booking.objects.filter(room=field).count() == 3


def test_a_pending_request_holds_its_slot_and_a_refused_one_frees_it(hall, tree, users,
                                                                    make_user, fresh):
    owner = users.liaison_a
    day = next_weekday()
    first = book(hall, users.community_a, day, (9, 0), (10, 0))[0]
    assert first.state == State.REQUESTED and first.slot == 0
    with pytest.raises(DomainError, match="已被预约"):
        book(hall, users.community_b, day, (9, 30), (10, 30))
    services.decline(first, user=owner, reason="当日单位内部活动")
    first = fresh(first)
    assert first.state == State.DECLINED and first.slot is None
    second = book(hall, users.community_b, day, (9, 30), (10, 30))[0]
    services.cancel(second, user=users.community_b, reason="改期")
    assert fresh(second).slot is None
    book(hall, users.community_a, day, (9, 0), (10, 0))


def test_recurring_bookings_check_every_occurrence_all_or_nothing(hall, users):
    day = next_weekday()
    made = book(hall, users.community_a, day, (19, 0), (20, 30), frequency="weekly",
                until=day + datetime.timedelta(days=21))
    assert [b.start.date() for b in made] == [day + datetime.timedelta(days=7 * i)
                                              for i in range(4)]
    assert len({b.series_id for b in made}) == 1
    # 20:30–21:00 follows 19:00–20:30 (half-open): free every week but the third, which
    # another community took; the whole series is refused, naming that date.
    clash_day = day + datetime.timedelta(days=14)
    book(hall, users.community_b, clash_day, (20, 30), (21, 0))
    before = Booking.objects.count()
    with pytest.raises(DomainError) as refused:
        book(hall, users.liaison_a, day, (20, 30), (21, 0), frequency="weekly",
             until=day + datetime.timedelta(days=21))
    assert f"{clash_day:%Y-%m-%d}" in refused.value.message
    assert Booking.objects.count() == before
    # Confirming one occurrence confirms the series' pending ones.
    services.confirm(made[0], user=users.liaison_a)
    assert set(Booking.objects.filter(series_id=made[0].series_id)
               .values_list("state", flat=True)) == {State.CONFIRMED}


def test_recurring_bookings_are_bounded(hall, users):
    day = next_weekday()
    with pytest.raises(DomainError, match="最多 52 次"):
        book(hall, users.community_a, day, (9, 0), (10, 0), frequency="daily",
             until=day + datetime.timedelta(days=60))
    assert not Booking.objects.exists()


def test_opening_hours_and_bad_times_are_refused_in_chinese_with_nothing_written(tree, users):
    venue, hall = make_hall(tree, users, open_days="12345")
    day = next_weekday()
    while day.isoweekday() > 5:
        day += datetime.timedelta(days=1)
    saturday = day + datetime.timedelta(days=(6 - day.isoweekday()))
    cases = [
        ((7, 0), (8, 30), day, "超出"),
        ((20, 0), (21, 30), day, "超出"),
        ((10, 0), (9, 0), day, "结束时间须晚于开始时间"),
        ((10, 0), (10, 0), day, "结束时间须晚于开始时间"),
        ((9, 0), (10, 0), saturday, "不开放"),
    ]
    for start, end, when, message in cases:
        with pytest.raises(DomainError) as refused:
            book(hall, users.community_a, when, start, end)
        assert refused.value.status == 400 and message in refused.value.message, (start, end)
    past = timezone_now_minus_days(1)
    with pytest.raises(DomainError, match="开始时间须晚于现在"):
        services.request_booking(hall, user=users.community_a, start=past,
                                 end=past + datetime.timedelta(hours=1), purpose="学习")
    with pytest.raises(DomainError, match="超过"):
        book(hall, users.community_a, day, (9, 0), (10, 0), attendees=101)
    assert not Booking.objects.exists() and not BookingEvent.objects.exists()


def timezone_now_minus_days(days):
    from django.utils import timezone

    return timezone.now() - datetime.timedelta(days=days)


def test_the_unit_answers_for_its_venue_not_the_community_above_it(hall, users, fresh):
    request = book(hall, users.community_a, next_weekday(), (9, 0), (11, 0))[0]
    # Community A's staff reach the booking (their subtree) but the unit's liaison decides.
    assert services.WORKFLOW.available(users.community_a, request) == {"cancel"}
    assert services.WORKFLOW.available(users.liaison_a, request) == {"confirm", "decline",
                                                                      "cancel"}
    with pytest.raises(DomainError, match="由该单位联络员处理"):
        services.confirm(request, user=users.community_a)
    assert fresh(request).state == State.REQUESTED
    services.confirm(request, user=users.liaison_a)
    assert fresh(request).state == State.CONFIRMED
    steps = list(BookingEvent.objects.filter(booking=request).values_list("step", flat=True))
    assert steps == ["request", "confirm"]
    # Used or no-show only once it started.
    with pytest.raises(DomainError, match="尚未开始"):
        services.done(request, user=users.liaison_a)
    with pytest.raises(DomainError, match="不能确认"):
        services.confirm(request, user=users.liaison_a)


def test_outside_the_alliance_nobody_books(hall, twins):
    # The second street's staff do not reach the first street's venues.
    with pytest.raises(DomainError) as refused:
        book(hall, twins.street_b, next_weekday(), (9, 0), (10, 0))
    assert refused.value.status == 404
    assert not Booking.objects.exists()


def test_no_show_and_used_are_recorded(tree, users, fresh):
    w = world(tree, users)
    services.no_show(w.past, user=users.liaison_a)
    past = fresh(w.past)
    assert past.state == State.NO_SHOW and past.slot is None
    assert list(past.events.values_list("step", flat=True))[-1] == "no_show"


def test_the_booker_is_reminded_the_day_before_once(hall, users):
    from django.utils import timezone

    from gongjian.core.models import Notification
    from gongjian.venues.reminders import remind_tomorrow

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    booking = book(hall, users.community_a, tomorrow, (9, 0), (10, 0))[0]
    remind_tomorrow(timezone.localdate())
    assert Notification.objects.filter(user=users.liaison_a, key=f"venues-booking-pending:"
                                       f"{booking.pk}").count() == 1
    services.confirm(booking, user=users.liaison_a)
    Notification.objects.filter(key__startswith="venues-booking-remind").delete()
    assert remind_tomorrow(timezone.localdate()) == 1
    assert remind_tomorrow(timezone.localdate()) == 0
    assert Notification.objects.filter(user=users.community_a,
                                       key=f"venues-booking-remind:{booking.pk}").count() == 1


def test_the_api_answers_a_clash_with_409_and_bad_input_with_400_in_chinese(hall, users):
    api = APIClient()
    api.force_authenticate(users.community_a)
    day = next_weekday()
    body = {"room": hall.pk, "start": at(day, 9).isoformat(), "end": at(day, 10).isoformat(),
            "purpose": "主题党日", "attendees": 20}
    first = api.post("/api/v1/bookings/", body, format="json")
    assert first.status_code == 201, first.json()
    assert first.json()[0]["state"] == "requested"
    clash = api.post("/api/v1/bookings/", {**body, "start": at(day, 9, 30).isoformat(),
                                           "end": at(day, 10, 30).isoformat()}, format="json")
    assert clash.status_code == 409 and "已被预约" in clash.json()["detail"]
    backwards = api.post("/api/v1/bookings/", {**body, "start": at(day, 12).isoformat(),
                                               "end": at(day, 11).isoformat()}, format="json")
    assert backwards.status_code == 400 and "结束时间须晚于开始时间" in backwards.json()["detail"]
    adjacent = api.post("/api/v1/bookings/", {**body, "start": at(day, 10).isoformat(),
                                              "end": at(day, 11).isoformat()}, format="json")
    assert adjacent.status_code == 201
    assert Booking.objects.count() == 2
    owner = APIClient()
    owner.force_authenticate(users.liaison_a)
    pk = first.json()[0]["id"]
    confirmed = owner.post(f"/api/v1/bookings/{pk}/confirm/", {}, format="json")
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "confirmed"
    again = owner.post(f"/api/v1/bookings/{pk}/confirm/", {}, format="json")
    assert again.status_code == 409 and "已确认" in again.json()["detail"]


def test_a_venue_refuses_a_negative_area_and_points_outside_china(tree, users):
    from gongjian.venues.forms import VenueForm

    with pytest.raises(DomainError, match="面积不能小于零"):
        services.create_venue(user=users.community_a, org=tree.a, name="新阵地",
                              kind="centre", area=-1)
    data = {"org": tree.a.code, "name": "新阵地", "kind": "centre", "status": "in_use",
            "area": "100", "opens": "08:30", "closes": "21:00", "open_days": ["1", "2"],
            "coordinate_system": "wgs84", "lng": "2.35", "lat": "48.85"}
    form = VenueForm(data, user=users.community_a)
    assert not form.is_valid() and "不在中国境内" in str(form.errors["lng"])
    form = VenueForm({**data, "area": "-5", "lng": "", "lat": ""}, user=users.community_a)
    assert not form.is_valid() and "面积不能小于零" in str(form.errors)
    # A GCJ-02 point is stored as WGS-84 (RULES §11 vector).
    form = VenueForm({**data, "coordinate_system": "gcj02", "lng": "116.41024449916938",
                      "lat": "39.91640428150164"}, user=users.community_a)
    assert form.is_valid(), form.errors
    venue = services.create_venue(user=users.community_a, org=tree.a, unit=None,
                                  **form.service_fields())
    assert (str(venue.lng), str(venue.lat)) == ("116.404000", "39.915000")
    assert Venue.objects.count() == 1
    # Once the street's units are located, a point far from them (pasted in the wrong system
    # or from another city) is refused; a point among them is taken.
    tree.unit_a.lng, tree.unit_a.lat = "118.155000", "24.505000"
    tree.unit_a.save()
    form = VenueForm({**data, "lng": "116.404", "lat": "39.915"}, user=users.community_a)
    assert not form.is_valid() and "坐标系是否选对" in str(form.errors["lng"])
    form = VenueForm({**data, "lng": "118.160", "lat": "24.500"}, user=users.community_a)
    assert form.is_valid(), form.errors


def test_the_month_calendar_shows_the_bookings_of_the_month(hall, users, client):
    from gongjian.venues import queries

    day = next_weekday()
    book(hall, users.community_a, day, (9, 0), (10, 0))
    cal = queries.month_calendar(users.community_b, hall.venue, day.year, day.month)
    shown = [b for w in cal["weeks"] for d in w for b in d["bookings"]]
    assert len(shown) == 1 and shown[0]["booker"] == "金安社区党委"
    # Another community of the alliance sees the slot taken, not the purpose.
    assert shown[0]["purpose"] == "" and not shown[0]["readable"]
    client.force_login(users.liaison_a)
    page = client.get(f"/venue-rooms/{hall.pk}/calendar/?year={day.year}&month={day.month}")
    assert page.status_code == 200 and "09:00–10:00" in page.content.decode()


def test_the_venue_api_converts_coordinates_and_refuses_bad_input_in_chinese(tree, users):
    api = APIClient()
    api.force_authenticate(users.community_a)
    body = {"org": tree.a.code, "name": "金安社区党群服务中心", "kind": "centre", "area": "1200",
            "coordinate_system": "gcj02", "lng": "116.41024449916938",
            "lat": "39.91640428150164"}
    made = api.post("/api/v1/venues/", body, format="json")
    assert made.status_code == 201, made.json()
    assert (made.json()["lng"], made.json()["lat"]) == ("116.404000", "39.915000")
    for change, words in (({"area": "-1"}, "面积不能小于零"), ({"lng": "2.35", "lat": "48.85"},
                                                               "不在中国境内"),
                          ({"kind": "castle"}, "没有类别"),
                          ({"coordinate_system": "mercator"}, "没有这个坐标系")):
        refused = api.post("/api/v1/venues/", {**body, **change}, format="json")
        assert refused.status_code == 400 and words in refused.json()["detail"], change
    assert Venue.objects.count() == 1
