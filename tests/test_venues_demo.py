"""The demo's positions and bookings count what the seed reports say."""

from decimal import Decimal

from django.db.models import Count

from gongjian.core.geo import haversine_m
from gongjian.venues import services
from gongjian.venues.models import BaseType, Booking, Kind, Status, Venue


def test_yiyuan_centre_and_its_six_stations_within_the_circle(demo):
    centre = Venue.objects.get(name="怡园社区党群服务中心")
    assert (centre.lng, centre.lat) == (Decimal("117.265000"), Decimal("34.285000"))
    assert centre.org.code == "XZ-JSQ-01" and centre.kind == Kind.CENTRE
    stations = list(Venue.objects.filter(org=centre.org, kind=Kind.STATION))
    names = {s.name for s in stations}
    for word in ("两新", "孵化中心", "人才服务驿站", "流动党员服务站", "职工之家", "企服中心"):
        assert any(word in n for n in names), word
    assert len(stations) == 6
    for station in stations:
        assert haversine_m(centre.lng, centre.lat, station.lng, station.lat) <= 1200


def test_jinshan_shares_ten_and_more_unit_venues_with_bookings(demo):
    shared = Venue.objects.filter(org__code__startswith="XM-JS", unit__isnull=False,
                                  bookable=True)
    assert shared.count() >= 10
    names = " ".join(shared.values_list("name", flat=True))
    for word in ("地税", "金安小学", "游艇", "金山小学"):
        assert word in names
    with_bookings = shared.annotate(n=Count("bookings")).filter(n__gt=0).count()
    assert with_bookings >= 10
    states = set(Booking.objects.filter(venue__in=shared).values_list("state", flat=True))
    assert {"used", "confirmed", "no_show", "cancelled"} <= states
    # Every community ≥ 1,000 m²; the former villages ≥ 1,600 m² — computed, no shortfall.
    rows = services.community_standards(Venue.objects.get(name="金山街道党群服务中心").org)
    assert len(rows) == 9 and all(r["shortfall"] == 0 for r in rows)
    assert sum(r["former_village"] for r in rows) == 2


def test_longhai_nine_branded_centres_and_the_street_centre_being_built(demo):
    centres = Venue.objects.filter(org__code__startswith="ZZ-LHML-", kind=Kind.CENTRE,
                                   status=Status.IN_USE).exclude(brand="")
    assert centres.count() == 9
    assert centres.values("org").distinct().count() == 9
    assert {"温馨养老型", "绿色环保型"} <= set(centres.values_list("brand", flat=True))
    street = Venue.objects.get(org__code="ZZ-LHML", kind=Kind.CENTRE)
    assert street.status == Status.PLANNED and street.area == 1000
    assert Venue.objects.filter(org__code__startswith="ZZ-LHML",
                                status=Status.NEGOTIATING).count() == 2
    short = [r for r in services.community_standards(street.org) if r["shortfall"] > 0]
    assert len(short) >= 2


def test_huizhan_twenty_and_more_stations_and_six_kinds_of_bases(demo):
    stations = Venue.objects.filter(org__code__startswith="CC-HZ", kind=Kind.STATION)
    assert stations.count() >= 20
    names = " ".join(stations.values_list("name", flat=True))
    for word in ("九台农商党群服务站", "博文物业党建联合体", "281志愿者服务中心", "长春骨伤医院党员之家"):
        assert word in names
    bases = Venue.objects.filter(org__code__startswith="CC-HZ", kind=Kind.BASE)
    assert set(bases.values_list("base_type", flat=True)) == set(BaseType.values)
    # The demo liaison's unit shares its hall; 博览社区 has booked it.
    hall = Venue.objects.get(unit__code="CC-HZ-U02", bookable=True)
    assert hall.bookings.filter(org__code="CC-HZ-01").count() == 3


def test_demo_bookings_never_overlap(demo):
    active = list(Booking.objects.filter(state__in=["requested", "confirmed"])
                  .values_list("room_id", "slot", "start", "end"))
    for i, (room, slot, start, end) in enumerate(active):
        for other in active[i + 1:]:
            assert not (other[0] == room and other[1] == slot and other[2] < end
                        and start < other[3])
