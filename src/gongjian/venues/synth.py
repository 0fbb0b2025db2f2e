"""Positions and bookings on the synthetic city, for the benchmark: a 党群服务中心 in every
community and, in every street, a unit's shared venue with three rooms booked several times a
day over the past year and the months ahead (about 200,000 bookings in all).

Written with bulk inserts (no services, no audit: synthetic rows are nobody's action); the
slots are given so that no two active bookings of a room and slot overlap, which the
exclusion constraint checks on PostgreSQL. `build()` does nothing when the city already has
positions, so it can run before every benchmark.
"""

import datetime
import random
import time
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from gongjian.core.models import User
from gongjian.orgs.models import Organization, Unit

from .models import Booking, Kind, Room, State, Venue

BATCH = 5000
# The periods of a day a room is booked in (one booking per period at most).
PERIODS = [(8, 30, 10, 0), (10, 0, 11, 30), (14, 0, 15, 30), (15, 30, 17, 0), (19, 0, 20, 30)]
PURPOSES = ["主题党日", "三会一课", "居民议事", "健康讲座", "志愿者培训", "文艺排练", "亲子活动"]


def _streets(root):
    return list(Organization.objects.filter(path__startswith=root.path, kind="working_committee",
                                             dissolved_on__isnull=True)
                .exclude(pk=root.pk).order_by("path"))


def build(city_code: str, *, days_back: int = 365, days_ahead: int = 60, seed: int = 2026,
          log=print) -> dict:
    root = Organization.objects.get(code=city_code)
    if Venue.objects.filter(org__path__startswith=root.path).exists():
        return {"skipped": "the city has positions already"}
    started = time.perf_counter()
    rng = random.Random(f"{seed}:venues")
    booker = User.objects.filter(grants__org=root).first() or User.objects.order_by("pk").first()
    communities = list(Organization.objects.communities().active()
                       .filter(path__startswith=root.path).order_by("path"))
    streets = [s for s in _streets(root)
               if not Organization.objects.filter(path__startswith=s.path, depth=s.depth + 1,
                                                  kind="working_committee").exists()]
    with transaction.atomic():
        centres = Venue.objects.bulk_create(
            [Venue(org=c, name=f"{c.name}党群服务中心", kind=Kind.CENTRE,
                   area=Decimal(rng.randint(800, 1800))) for c in communities],
            batch_size=BATCH)
        Room.objects.bulk_create([Room(venue=v, name="党员活动室", capacity=40) for v in centres],
                                 batch_size=BATCH)
        shared, owners = [], []
        for street in streets:
            unit = Unit.objects.filter(org__path__startswith=street.path).order_by("pk").first()
            if unit is None:
                continue
            shared.append(Venue(org=unit.org, unit=unit, name=f"{unit.name}共享场地",
                                kind=Kind.SHARED, area=Decimal(300), bookable=True,
                                opens=datetime.time(8, 0), closes=datetime.time(21, 0)))
            owners.append(street)
        shared = Venue.objects.bulk_create(shared, batch_size=BATCH)
        rooms = Room.objects.bulk_create(
            [Room(venue=v, name=name, capacity=60, groups=groups)
             for v in shared for name, groups in (("多功能厅", 1), ("会议室", 1), ("运动场", 3))],
            batch_size=BATCH)
        community_of = {}
        for street in owners:
            community_of[street.pk] = [c for c in communities if c.path.startswith(street.path)] \
                or [street]
        today = timezone.localdate()
        rows = []
        total = 0
        tz = timezone.get_current_timezone()
        venue_street = {v.pk: s for v, s in zip(shared, owners, strict=True)}
        for room in rooms:
            bookers = community_of[venue_street[room.venue_id].pk]
            for offset in range(-days_back, days_ahead):
                day = today + datetime.timedelta(days=offset)
                for period in rng.sample(PERIODS, rng.randint(0, 3)):
                    start = datetime.datetime.combine(day, datetime.time(period[0], period[1]),
                                                      tzinfo=tz)
                    end = datetime.datetime.combine(day, datetime.time(period[2], period[3]),
                                                    tzinfo=tz)
                    if offset < 0:
                        state = rng.choice((State.USED, State.USED, State.USED, State.NO_SHOW,
                                            State.CANCELLED, State.DECLINED))
                    else:
                        state = rng.choice((State.CONFIRMED, State.CONFIRMED, State.REQUESTED,
                                            State.CANCELLED))
                    active = state in (State.REQUESTED, State.CONFIRMED)
                    rows.append(Booking(
                        code=f"SY{room.pk:06d}{offset + days_back:04d}{period[0]:02d}",
                        room=room, venue_id=room.venue_id, org=rng.choice(bookers),
                        start=start, end=end, slot=0 if active else None, state=state,
                        purpose=rng.choice(PURPOSES), attendees=rng.randint(10, 50),
                        requested_by=booker, created_at=start - datetime.timedelta(days=7)))
                    if len(rows) >= BATCH:
                        Booking.objects.bulk_create(rows)
                        total += len(rows)
                        rows = []
        Booking.objects.bulk_create(rows)
        total += len(rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("venues_venue", "venues_room", "venues_booking"):
                cursor.execute(f'VACUUM (ANALYZE) "{table}"')
    figures = {"centres": len(centres), "shared_venues": len(shared), "rooms": len(rooms),
               "bookings": total, "seconds": round(time.perf_counter() - started, 1)}
    log(f"venues: {figures}")
    return figures
