"""What the offline map draws: the street's outline, its roads, the service points, circles
and buildings — all from the app's own records, in WGS-84 degrees, rendered by the vendored
ECharts on a plain lng/lat plane (never online tiles).

No outline of a street is recorded, so it is computed: the convex hull of the street's
recorded points (buildings, units, venues, and the road network's extent), pushed out by a
margin so the outermost buildings do not sit on the line.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.spatial import ConvexHull, QhullError

from gongjian.core.geo import EARTH_RADIUS_M
from gongjian.orgs.models import Building, Organization, Unit
from gongjian.venues.models import Venue

from .models import RoadNetwork

MARGIN_M = 150.0
CIRCLE_STEPS = 72


def street_points(street: Organization) -> np.ndarray:
    """Every recorded point of the street (all of it: the outline is the street's shape,
    not a list of anyone's records)."""
    rows = list(Building.objects.filter(grid__org__path__startswith=street.path,
                                        lng__isnull=False).values_list("lng", "lat"))
    rows += list(Unit.objects.filter(org__path__startswith=street.path, lng__isnull=False)
                 .values_list("lng", "lat"))
    rows += list(Venue.objects.filter(org__path__startswith=street.path, lng__isnull=False)
                 .values_list("lng", "lat"))
    return np.array([(float(a), float(b)) for a, b in rows]).reshape(-1, 2)


def outline(points: np.ndarray, margin_m: float = MARGIN_M) -> list[list[float]]:
    """The hull of `points` pushed out by `margin_m`, as a closed ring of [lng, lat]."""
    if len(points) == 0:
        return []
    lat0 = float(points[:, 1].mean())
    k = math.pi / 180 * EARTH_RADIUS_M
    kx = k * math.cos(math.radians(lat0))
    xy = np.column_stack((points[:, 0] * kx, points[:, 1] * k))
    try:
        ring = xy[ConvexHull(xy).vertices]
    except (QhullError, ValueError):  # fewer than three points, or all on a line
        lo, hi = xy.min(axis=0), xy.max(axis=0)
        ring = np.array([[lo[0], lo[1]], [hi[0], lo[1]], [hi[0], hi[1]], [lo[0], hi[1]]])
    centre = ring.mean(axis=0)
    away = ring - centre
    length = np.hypot(away[:, 0], away[:, 1])
    length[length == 0] = 1.0
    ring = ring + away / length[:, None] * margin_m
    coords = [[round(float(x / kx), 6), round(float(y / k), 6)] for x, y in ring]
    return coords + [coords[0]]


def circle_ring(lng: float, lat: float, radius_m: float) -> list[list[float]]:
    """A circle of `radius_m` (straight line) around a point, as a ring of [lng, lat]."""
    k = math.pi / 180 * EARTH_RADIUS_M
    kx = k * math.cos(math.radians(lat))
    ring = []
    for step in range(CIRCLE_STEPS + 1):
        angle = 2 * math.pi * step / CIRCLE_STEPS
        ring.append([round(lng + radius_m * math.cos(angle) / kx, 6),
                     round(lat + radius_m * math.sin(angle) / k, 6)])
    return ring


def roads(net: RoadNetwork | None, ring: list[list[float]]) -> list[list[float]]:
    if net is None or not ring:
        return []
    lngs = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    return net.graph().lines((min(lngs), min(lats), max(lngs), max(lats)))


def reached_roads(net: RoadNetwork | None, lng: float, lat: float, radius: float,
                  snap_limit: float) -> list[list[float]]:
    """The street segments walkable within `radius` of a point: the circle along the
    roads, drawn as the streets it reaches."""
    if net is None:
        return []
    graph = net.graph()
    node, snap = graph.snap(lng, lat)
    if snap[0] > snap_limit:
        return []
    reach = graph.from_nodes(node[:1], radius - float(snap[0]))[0]
    road = graph.road
    keep = np.isfinite(reach[road.u]) & np.isfinite(reach[road.v])
    rows = np.column_stack((road.lng[road.u[keep]], road.lat[road.u[keep]],
                            road.lng[road.v[keep]], road.lat[road.v[keep]]))
    return np.round(rows, 6).tolist()
