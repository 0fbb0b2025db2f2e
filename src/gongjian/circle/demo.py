"""Demo locations and road network of the 15-minute circle.

- 金山桥: every building gets a location — 怡园's two estates around 怡园社区党群服务中心
  (117.265000, 34.285000); the other communities' estates reach out from their own centres,
  away from 怡园 (or, without a centre, lie farther out: 金桥 to the north-west, 桃园 to the
  south-east, 荆山 to the east), so each centre's circle takes in the near blocks and leaves
  the far ones out, and the suggestion has work to do. The
  street's road network is loaded from data/jinshanqiao.osm (drawn for the demo, not
  OpenStreetMap data: see data/README.md) through the same upload service a street uses, so
  its circles are walking distances along the streets.
- The other three streets: their buildings get locations around their communities (no road
  network: the straight line × 1.3 there).
"""

from __future__ import annotations

import math
import random
from pathlib import Path

from gongjian.core.geo import quantize
from gongjian.orgs.models import Building, Organization

from . import services
from .synth import offset

NETWORK_FILE = Path(__file__).parent / "data" / "jinshanqiao.osm"
YIYUAN = (117.265, 34.285)

# grid code → (east m, north m) of the estate's middle from 怡园's centre, and its radius (m)
JINSHANQIAO_ESTATES = {
    "XZ-JSQ-01-01-G": ((-260, 180), 330),     # 怡园小区
    "XZ-JSQ-01-02-G": ((320, -260), 360),     # 怡园新村
    "XZ-JSQ-02-01-G": ((-1250, 950), 380),    # 金桥花园
    "XZ-JSQ-03-01-G": ((1150, -1350), 420),   # 桃园小区
    "XZ-JSQ-04-01-G": ((1950, 650), 400),     # 荆山新苑
}


def _estate(rng, centre, radius, count):
    """`count` building points in rows inside a disc (an estate's blocks), jittered."""
    side = max(2, math.ceil(math.sqrt(count * 1.3)))
    step = 2 * radius / side
    spots = []
    for row in range(side):
        for col in range(side):
            east = -radius + (col + 0.5) * step + rng.uniform(-step * 0.2, step * 0.2)
            north = -radius + (row + 0.5) * step + rng.uniform(-step * 0.2, step * 0.2)
            if east * east + north * north <= radius * radius:
                spots.append((centre[0] + east, centre[1] + north))
    rng.shuffle(spots)
    while len(spots) < count:  # a small disc: put the rest near the middle
        spots.append((centre[0] + rng.uniform(-radius / 2, radius / 2),
                       centre[1] + rng.uniform(-radius / 2, radius / 2)))
    return spots[:count]


def _place(buildings, origin, rng, centre, radius):
    changed = []
    for building, (east, north) in zip(buildings, _estate(rng, centre, radius, len(buildings)),
                                       strict=True):
        lng, lat = offset(origin[0], origin[1], east, north)
        building.lng, building.lat = quantize(lng), quantize(lat)
        changed.append(building)
    return changed


def _beyond_centre(org, fallback, radius):
    """An estate reaching out from its community's centre (the venues' demo places it): its
    middle 650 m past the centre, away from 怡园, 520 m across — so the centre's circle takes
    in the near half and leaves the far blocks out."""
    from gongjian.venues.models import Venue

    community = org if org.depth == 2 else Organization.objects.get(path=org.path[:8])
    venue = (Venue.objects.filter(org=community, kind="centre", lng__isnull=False)
             .order_by("pk").first())
    if venue is None:
        return fallback, radius
    k = math.pi / 180 * 6_371_000
    east = (float(venue.lng) - YIYUAN[0]) * k * math.cos(math.radians(YIYUAN[1]))
    north = (float(venue.lat) - YIYUAN[1]) * k
    length = math.hypot(east, north) or 1.0
    return (east + 650 * east / length, north + 650 * north / length), 520


def _street_origin(street: Organization, builder) -> tuple[float, float]:
    """The middle of a street's located units (the builder's city centre, in effect)."""
    units = [u for u in builder.units.values()
             if u.org.path.startswith(street.path) and u.lng is not None]
    if not units:
        return YIYUAN
    return (sum(float(u.lng) for u in units) / len(units),
            sum(float(u.lat) for u in units) / len(units))


def build(builder) -> None:
    # Our own generator: this capability's demo does not shift the others' draws.
    rng = random.Random(2026_95)
    changed = []
    by_grid: dict[str, list[Building]] = {}
    for building in Building.objects.select_related("grid", "grid__org").order_by("grid__code",
                                                                                  "name", "pk"):
        by_grid.setdefault(building.grid.code, []).append(building)
    for code, (centre, radius) in JINSHANQIAO_ESTATES.items():
        rows = by_grid.pop(code, [])
        if rows and not code.startswith("XZ-JSQ-01-"):
            centre, radius = _beyond_centre(rows[0].grid.org, centre, radius)
        changed += _place(rows, YIYUAN, rng, centre, radius)
    streets = Organization.objects.filter(code__in=["XM-JS", "ZZ-LHML", "CC-HZ", "XZ-JSQ"])
    for street in streets:
        origin = _street_origin(street, builder)
        grids = sorted(code for code, rows in by_grid.items()
                       if rows and rows[0].grid.org.path.startswith(street.path))
        for index, code in enumerate(grids):
            # Estates on a ring around the street's middle, 600–1,400 m out.
            angle = 2 * math.pi * index / max(1, len(grids)) + rng.uniform(-0.3, 0.3)
            distance = rng.uniform(600, 1400)
            centre = (distance * math.cos(angle), distance * math.sin(angle))
            changed += _place(by_grid.pop(code), origin, rng, centre, 300)
    Building.objects.bulk_update(changed, ["lng", "lat"], batch_size=1000)
    street = Organization.objects.get(code="XZ-JSQ")
    net = services.upload_network(
        user=None, org=street, data=NETWORK_FILE.read_bytes(), filename=NETWORK_FILE.name,
        name="金山桥街道路网（演示）",
        source="演示用路网：按街道布局绘制，并非 OpenStreetMap 数据（见 circle/data/README.md）")
    builder.say(f"15分钟服务圈：{len(changed)} 栋楼定位；{street.name}载入路网 {net.nodes} 个节点、"
                f"{net.edges} 个路段（{net.length_km} 公里）")

