"""Twenty members of the alliance book the same room for the same hour at the same moment
through the HTTP API: exactly one booking is made, nineteen are refused with the Chinese clash
message, and nothing overlapping is left in the table. Then the exclusion constraint itself:
a row written past the service is refused by the database.

Runs on PostgreSQL only: the live server is threaded, so the requests really run at once on
twenty database connections and the row lock on the room decides. SQLite serialises every
write transaction, which would prove nothing.
"""

import datetime
import json
import threading
import urllib.error
import urllib.request

import pytest
from access_venues import at, make_hall, next_weekday
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import IntegrityError, connection, transaction

BOOKERS = 20

# The live server listens with a backlog of 10: twenty connections opened at once would be
# reset by the kernel before Django sees them (set at import, before the live server starts).
ThreadedWSGIServer.request_queue_size = max(ThreadedWSGIServer.request_queue_size, 64)


@pytest.fixture
def on_postgres(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("the concurrency test needs PostgreSQL (SQLite serialises all writes); "
                    "run with DATABASE_URL=postgres://...")


def _post(url, token, body, barrier, results, index):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Token {token}",
                                              "Content-Type": "application/json"})
    barrier.wait()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            results[index] = (response.status, json.loads(response.read()))
    except urllib.error.HTTPError as error:
        results[index] = (error.code, json.loads(error.read()))


def _overlaps():
    """Pairs of active bookings of one room and slot whose [start, end) intersect."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.id, b.id FROM venues_booking a JOIN venues_booking b "
            "ON a.room_id = b.room_id AND a.slot = b.slot AND a.id < b.id "
            "AND a.start < b.\"end\" AND b.start < a.\"end\" "
            "WHERE a.state IN ('requested', 'confirmed') AND b.state IN ('requested', 'confirmed')")
        return cursor.fetchall()


def test_twenty_book_one_room_for_the_same_hour_at_once(on_postgres, live_server, tree, users,
                                                       make_user):
    from rest_framework.authtoken.models import Token

    from gongjian.venues.models import Booking

    _venue, hall = make_hall(tree, users)
    staff = [make_user("community_staff", tree.a if i % 2 else tree.b) for i in range(BOOKERS)]
    tokens = [Token.objects.create(user=p).key for p in staff]
    day = next_weekday()
    body = {"room": hall.pk, "start": at(day, 9).isoformat(), "end": at(day, 10).isoformat(),
            "purpose": "支部学习", "attendees": 20}
    url = f"{live_server.url}/api/v1/bookings/"
    barrier = threading.Barrier(BOOKERS)
    results = [None] * BOOKERS
    threads = [threading.Thread(target=_post, args=(url, token, body, barrier, results, i))
               for i, token in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    statuses = sorted(status for status, _body in results)
    assert statuses == [201] + [409] * (BOOKERS - 1), results
    refusals = {body["detail"] for status, body in results if status == 409}
    assert len(refusals) == 1 and "已被预约" in refusals.pop()
    assert Booking.objects.filter(room=hall).count() == 1
    assert _overlaps() == []


def test_the_exclusion_constraint_refuses_an_overlap_written_past_the_service(
        on_postgres, tree, users):
    from gongjian.venues import services
    from gongjian.venues.models import Booking

    _venue, hall = make_hall(tree, users)
    day = next_weekday()
    first = services.request_booking(hall, user=users.community_a, start=at(day, 9),
                                     end=at(day, 10), purpose="学习")[0]
    values = {"room": hall, "venue": hall.venue, "org": tree.b, "slot": 0, "purpose": "越过服务",
              "requested_by": users.community_b}
    with pytest.raises(IntegrityError, match="booking_no_overlap"), transaction.atomic():
        Booking.objects.create(code="YYRAW00001", start=at(day, 9, 30), end=at(day, 10, 30),
                               **values)
    # Half-open: the next hour, and the same hour once the first one is refused, are free.
    Booking.objects.create(code="YYRAW00002", start=at(day, 10), end=at(day, 11), **values)
    services.decline(first, user=users.liaison_a, reason="内部活动")
    Booking.objects.create(code="YYRAW00003", start=at(day, 9), end=at(day, 10)
                           - datetime.timedelta(minutes=1), **values)
    assert _overlaps() == []
