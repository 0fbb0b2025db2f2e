"""The 15-minute circle read from the records: who is inside a service point's circle, the
share of households covered in each community and who is left out, and where a new station
helps most. Every list goes through restrict(): an account counts the buildings and units it
may view (a community's staff see their own community inside a street's circle).

Members are not counted per building: the member roster records a free-text home address,
not the building, so the circle counts buildings and their households (楼栋户数).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gongjian.core.access import restrict
from gongjian.core.services import DomainError
from gongjian.orgs.models import Building, Organization, Unit, community_path, street_path
from gongjian.venues.models import Status, Venue

from . import rules
from .coverage import covered_mask, greedy
from .models import RoadNetwork
from .network import METHOD_LABELS, NETWORK, STRAIGHT, Measure


def parse_minutes(value, *, field: str = "minutes") -> int:
    """Minutes from a query string, or DomainError (400) in Chinese."""
    if value in (None, ""):
        return int(rules.setting("default_minutes"))
    top = int(rules.setting("max_minutes"))
    try:
        minutes = int(str(value).strip())
    except ValueError:
        raise DomainError(f"步行时间须为 1–{top} 的整数分钟（如 15），不能是“{value}”。",
                          field=field, status=400) from None
    if not 1 <= minutes <= top:
        raise DomainError(f"步行时间须为 1–{top} 的整数分钟（如 15），不能是“{value}”。",
                          field=field, status=400)
    return minutes


def parse_count(value, *, field: str = "n") -> int:
    top = int(rules.setting("max_suggestions"))
    if value in (None, ""):
        return 3
    try:
        n = int(str(value).strip())
    except ValueError:
        raise DomainError(f"建议点位数须为 1–{top} 的整数，不能是“{value}”。", field=field,
                          status=400) from None
    if not 1 <= n <= top:
        raise DomainError(f"建议点位数须为 1–{top} 的整数，不能是“{value}”。", field=field,
                          status=400)
    return n


def find_venue(user, value) -> Venue:
    text = str(value or "").strip()
    if not text:
        raise DomainError("请指定服务点（阵地 ID）。", field="point", status=400)
    if not text.isdigit():
        raise DomainError(f"服务点须为阵地 ID（整数），不能是“{text}”。", field="point",
                          status=400)
    venue = (restrict(user, "view", Venue).select_related("org", "unit")
             .filter(pk=int(text)).first())
    if venue is None:
        raise DomainError(f"阵地 {text} 不存在或不在您的管理范围内。", field="point", status=400)
    return venue


def find_org(user, code) -> Organization:
    text = str(code or "").strip()
    if not text:
        raise DomainError("请指定街道或社区（组织编码）。", field="org", status=400)
    org = restrict(user, "view", Organization).filter(code=text).first()
    if org is None or not org.is_active:
        raise DomainError(f"组织编码“{text}”不存在或不在您的管理范围内。", field="org", status=400)
    return org


def default_org(user) -> Organization | None:
    """The account's own organisation (the widest of its staff grants that read buildings)."""
    from gongjian.core.access import reach_orgs

    nodes = sorted(reach_orgs(user, "view", Building), key=lambda o: (o.depth, o.path))
    return nodes[0] if nodes else None


# ---- what the street holds ------------------------------------------------------------------

def street_of(org: Organization) -> Organization:
    path = street_path(org)
    return org if org.path == path else Organization.objects.get(path=path)


def network_of(street: Organization) -> RoadNetwork | None:
    return (RoadNetwork.objects.defer("data").filter(org=street).order_by("-version").first())


def measure_for(street: Organization) -> tuple[Measure, RoadNetwork | None]:
    net = network_of(street)
    graph = net.graph() if net is not None else None
    return Measure(graph, factor=rules.detour_factor(),
                   snap_limit=float(rules.setting("snap_limit_m"))), net


@dataclass
class Buildings:
    """Located buildings as arrays (one row per building)."""

    ids: list[int]
    names: list[str]
    grids: list[str]
    paths: list[str]
    households: np.ndarray
    lng: np.ndarray
    lat: np.ndarray

    def __len__(self):
        return len(self.ids)


def located_buildings(user, path: str) -> Buildings:
    rows = list(restrict(user, "view", Building)
                .filter(grid__org__path__startswith=path, lng__isnull=False)
                .order_by("grid__org__path", "grid__name", "name", "pk")
                .values_list("pk", "name", "grid__name", "grid__org__path", "households",
                             "lng", "lat"))
    return Buildings([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows],
                     [r[3] for r in rows], np.array([r[4] for r in rows], dtype=np.int64),
                     np.array([float(r[5]) for r in rows]),
                     np.array([float(r[6]) for r in rows]))


def unlocated(user, path: str) -> dict[str, tuple[int, int]]:
    """(buildings, households) without coordinates, by organisation path of their grid."""
    rows = (restrict(user, "view", Building)
            .filter(grid__org__path__startswith=path, lng__isnull=True)
            .values_list("grid__org__path", "households"))
    out: dict[str, tuple[int, int]] = {}
    for org_path, households in rows:
        count, total = out.get(org_path, (0, 0))
        out[org_path] = (count + 1, total + households)
    return out


def located_units(user, path: str) -> list[dict]:
    return [{"kind": "unit", "id": pk, "code": code, "name": name, "lng": float(lng),
             "lat": float(lat), "path": org_path}
            for pk, code, name, lng, lat, org_path in
            restrict(user, "view", Unit).filter(org__path__startswith=path, lng__isnull=False)
            .order_by("code").values_list("pk", "code", "name", "lng", "lat", "org__path")]


def service_points(user, street: Organization) -> list[Venue]:
    """The street's service points in use with a location (党群服务中心, 站/驿站)."""
    return list(restrict(user, "view", Venue).select_related("org")
                .filter(org__path__startswith=street.path, kind__in=rules.setting(
                    "service_kinds"), status=Status.IN_USE, lng__isnull=False)
                .order_by("org__path", "kind", "name", "pk"))


def _communities(street: Organization, paths) -> dict[str, Organization]:
    wanted = {community_path(p, street.path) for p in paths}
    return {o.path: o for o in Organization.objects.filter(path__in=wanted)}


def _community_rows(street, org, b: Buildings, inside: np.ndarray, missing) -> list[dict]:
    """Per community (the level below the street; the street's own grids count as the
    street): located households, households inside, share, and what is not located."""
    keys = [community_path(p, street.path) for p in b.paths]
    missing_keys: dict[str, tuple[int, int]] = {}
    for p, (count, total) in missing.items():
        key = community_path(p, street.path)
        c, t = missing_keys.get(key, (0, 0))
        missing_keys[key] = (c + count, t + total)
    names = _communities(street, set(b.paths) | set(missing))
    rows: dict[str, dict] = {}
    for key in sorted(set(keys) | set(missing_keys)):
        if not key.startswith(org.path) and not org.path.startswith(key):
            continue
        community = names.get(key)
        rows[key] = {"code": community.code if community else "", "path": key,
                     "name": community.name if community else "", "buildings": 0,
                     "households": 0, "covered_buildings": 0, "covered_households": 0,
                     "unlocated_buildings": missing_keys.get(key, (0, 0))[0],
                     "unlocated_households": missing_keys.get(key, (0, 0))[1]}
    for key, households, hit in zip(keys, b.households.tolist(), inside.tolist(), strict=True):
        row = rows.get(key)
        if row is None:
            continue
        row["buildings"] += 1
        row["households"] += households
        if hit:
            row["covered_buildings"] += 1
            row["covered_households"] += households
    for row in rows.values():
        row["share"] = _share(row["covered_households"], row["households"])
    return list(rows.values())


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _metres(value: float) -> int | None:
    return None if not math.isfinite(value) else int(round(value))


# ---- one service point's circle ---------------------------------------------------------------

def circle(user, venue: Venue, minutes: int) -> dict:
    """Who is inside `venue`'s circle of `minutes`: buildings (households), units, per
    community, by method."""
    if venue.lng is None:
        raise DomainError(f"阵地“{venue.name}”没有登记坐标，无法计算服务圈：请先在阵地信息中"
                          "填写经纬度。", field="point", status=400)
    street = street_of(venue.org)
    radius = rules.radius_m(minutes)
    measure, net = measure_for(street)
    b = located_buildings(user, street.path)
    targets = measure.targets(b.lng, b.lat)
    distance, on_network = measure.from_point(float(venue.lng), float(venue.lat), targets,
                                              radius)
    inside = distance <= radius
    source_on = bool(measure.graph is not None
                     and measure.graph.snap(float(venue.lng), float(venue.lat))[1][0]
                     <= measure.snap_limit)
    units = located_units(user, street.path)
    unit_targets = measure.targets([u["lng"] for u in units], [u["lat"] for u in units])
    unit_distance, unit_network = measure.from_point(float(venue.lng), float(venue.lat),
                                                     unit_targets, radius)
    buildings = [{
        "id": b.ids[i], "name": b.names[i], "grid": b.grids[i], "households": int(
            b.households[i]), "lng": float(b.lng[i]), "lat": float(b.lat[i]),
        "distance_m": _metres(distance[i]),
        "method": NETWORK if on_network[i] else STRAIGHT,
    } for i in np.flatnonzero(inside)]
    buildings.sort(key=lambda row: (row["distance_m"], row["id"]))
    units_inside = [{**{k: u[k] for k in ("id", "code", "name", "lng", "lat")},
                     "distance_m": _metres(unit_distance[i]),
                     "method": NETWORK if unit_network[i] else STRAIGHT}
                    for i, u in enumerate(units) if unit_distance[i] <= radius]
    units_inside.sort(key=lambda row: (row["distance_m"], row["id"]))
    communities = _community_rows(street, street, b, inside, unlocated(user, street.path))
    communities = [c for c in communities if c["households"] or c["unlocated_buildings"]]
    outside = [{"id": b.ids[i], "name": b.names[i], "grid": b.grids[i],
                "households": int(b.households[i]), "lng": float(b.lng[i]),
                "lat": float(b.lat[i])} for i in np.flatnonzero(~inside)]
    method = NETWORK if source_on else STRAIGHT
    return {
        "point": {"id": venue.pk, "name": venue.name, "kind": venue.kind,
                  "kind_label": venue.get_kind_display(), "org": venue.org.code,
                  "org_name": venue.org.name, "lng": float(venue.lng), "lat": float(venue.lat)},
        "street": street.code, "street_name": street.name,
        "minutes": minutes, "radius_m": int(round(radius)),
        "method": method, "method_label": METHOD_LABELS[method],
        "detour_factor": rules.detour_factor(),
        "network": _network_info(net),
        "households": int(sum(row["households"] for row in buildings)),
        "buildings": buildings, "units": units_inside, "communities": communities,
        "outside": outside,
        "members_counted": False,
    }


def _network_info(net: RoadNetwork | None) -> dict | None:
    if net is None:
        return None
    return {"id": net.pk, "name": net.name, "version": net.version, "nodes": net.nodes,
            "edges": net.edges, "length_km": net.length_km, "source": net.source}


# ---- a street's or community's coverage, and the suggestion --------------------------------------

def coverage(user, org: Organization, minutes: int) -> dict:
    """Households covered by the street's service points in each community of `org` (a
    street or a community), and the buildings left out."""
    street = street_of(org)
    radius = rules.radius_m(minutes)
    measure, net = measure_for(street)
    points = service_points(user, street)
    b = located_buildings(user, org.path)
    targets = measure.targets(b.lng, b.lat)
    covered, nearest = covered_mask(measure, np.array([float(p.lng) for p in points]),
                                    np.array([float(p.lat) for p in points]), targets, radius)
    rows = _community_rows(street, org, b, covered, unlocated(user, org.path))
    left_out = sorted(({"id": b.ids[i], "name": b.names[i], "grid": b.grids[i],
                        "households": int(b.households[i]), "lng": float(b.lng[i]),
                        "lat": float(b.lat[i]), "nearest_m": _metres(nearest[i])}
                       for i in np.flatnonzero(~covered)),
                      key=lambda r: (-r["households"], r["id"]))
    households = int(b.households.sum())
    covered_households = int(b.households[covered].sum())
    return {
        "org": org.code, "org_name": org.name, "street": street.code,
        "minutes": minutes, "radius_m": int(round(radius)),
        "method": NETWORK if net is not None else STRAIGHT,
        "method_label": METHOD_LABELS[NETWORK if net is not None else STRAIGHT],
        "detour_factor": rules.detour_factor(), "network": _network_info(net),
        "points": [{"id": p.pk, "name": p.name, "kind_label": p.get_kind_display(),
                    "lng": float(p.lng), "lat": float(p.lat)} for p in points],
        "households": households, "covered_households": covered_households,
        "share": _share(covered_households, households),
        "communities": rows, "left_out": left_out,
        "_state": (measure, targets, b, covered, street),
    }


def suggest(user, org: Organization, minutes: int, n: int, cover: dict | None = None) -> dict:
    """Greedy maximum coverage: candidate sites (units' premises, then buildings, with a
    location, inside `org`), each with the households it brings inside."""
    cover = cover if cover is not None else coverage(user, org, minutes)
    measure, targets, b, covered, street = cover["_state"]
    radius = rules.radius_m(minutes)
    units = located_units(user, org.path)
    candidates = units + [{"kind": "building", "id": b.ids[i], "code": "",
                           "name": f"{b.grids[i]} {b.names[i]}", "lng": float(b.lng[i]),
                           "lat": float(b.lat[i])} for i in range(len(b))]
    picks = greedy(measure, np.array([c["lng"] for c in candidates]),
                   np.array([c["lat"] for c in candidates]), targets, b.households, covered,
                   radius, n)
    total = int(b.households.sum())
    running = int(b.households[covered].sum())
    sites = []
    for rank, pick in enumerate(picks, start=1):
        site = candidates[pick.candidate]
        running += pick.households
        sites.append({
            "rank": rank, "kind": site["kind"],
            "kind_label": "驻区单位场所" if site["kind"] == "unit" else "楼栋",
            "id": site["id"], "code": site["code"], "name": site["name"],
            "lng": site["lng"], "lat": site["lat"],
            "households_added": pick.households,
            "buildings_added": [{"id": b.ids[i], "name": f"{b.grids[i]} {b.names[i]}",
                                 "households": int(b.households[i])} for i in pick.targets],
            "share_after": _share(running, total),
        })
    return {"org": org.code, "org_name": org.name, "minutes": minutes,
            "radius_m": int(round(radius)), "method": cover["method"],
            "method_label": cover["method_label"], "share_before": cover["share"],
            "households": total, "candidates": len(candidates), "sites": sites}


def public(result: dict) -> dict:
    """The answer without the internal state the suggestion reuses."""
    return {k: v for k, v in result.items() if not k.startswith("_")}
