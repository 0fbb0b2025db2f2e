"""Drawn road networks, as OpenStreetMap XML: a lattice of streets around a centre.

Used by the demo (金山桥's network, generated once and shipped as a file), by the tests (a
hand-made grid where every walking distance is known) and by the benchmark (a street of
2,000 buildings). These are drawings, not OpenStreetMap data: the file says so.
"""

from __future__ import annotations

import math
from xml.sax.saxutils import quoteattr

from gongjian.core.geo import EARTH_RADIUS_M, quantize

DRAWN_NOTE = ("Drawn for the Gongjian demo and tests: a plausible street grid, NOT "
              "OpenStreetMap data (演示用路网，系按街道布局绘制，并非 OpenStreetMap 数据)")


def offset(lng: float, lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    """The point `east_m` east and `north_m` north of (lng, lat), in degrees."""
    k = math.pi / 180 * EARTH_RADIUS_M
    return (lng + east_m / (k * math.cos(math.radians(lat))), lat + north_m / k)


class OsmWriter:
    """Nodes and ways written as an OSM XML document."""

    def __init__(self, note: str = DRAWN_NOTE):
        self.note = note
        self.nodes: list[tuple[int, float, float]] = []
        self.ways: list[tuple[int, list[int], dict[str, str]]] = []
        self._ids: dict[tuple[float, float], int] = {}

    def node(self, lng: float, lat: float) -> int:
        key = (round(lng, 7), round(lat, 7))
        if key not in self._ids:
            self._ids[key] = len(self.nodes) + 1
            self.nodes.append((self._ids[key], key[0], key[1]))
        return self._ids[key]

    def way(self, refs: list[int], **tags: str) -> None:
        self.ways.append((len(self.ways) + 1, refs, tags))

    def xml(self) -> bytes:
        lines = ['<?xml version="1.0" encoding="UTF-8"?>',
                 '<osm version="0.6" generator="gongjian.circle.synth">',
                 f"  <!-- {self.note} -->"]
        if self.nodes:
            lngs = [n[1] for n in self.nodes]
            lats = [n[2] for n in self.nodes]
            lines.append(f'  <bounds minlat="{min(lats):.7f}" minlon="{min(lngs):.7f}" '
                         f'maxlat="{max(lats):.7f}" maxlon="{max(lngs):.7f}"/>')
        for node_id, lng, lat in self.nodes:
            lines.append(f'  <node id="{node_id}" lat="{lat:.7f}" lon="{lng:.7f}"/>')
        for way_id, refs, tags in self.ways:
            lines.append(f'  <way id="{way_id}">')
            lines.extend(f'    <nd ref="{ref}"/>' for ref in refs)
            lines.extend(f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>"
                         for k, v in tags.items())
            lines.append("  </way>")
        lines.append("</osm>")
        return ("\n".join(lines) + "\n").encode()


def lattice(center: tuple[float, float], columns: int, rows: int, spacing_m: float,
            *, highway: str = "residential", names=None) -> tuple[OsmWriter, dict]:
    """A `columns` × `rows` lattice of streets `spacing_m` apart, its south-west corner at
    `center` minus half its size. Returns the writer and {(i, j): (lng, lat)} of the
    crossings (i eastwards, j northwards)."""
    writer = OsmWriter()
    west = -(columns - 1) * spacing_m / 2
    south = -(rows - 1) * spacing_m / 2
    at = {(i, j): offset(center[0], center[1], west + i * spacing_m, south + j * spacing_m)
          for i in range(columns) for j in range(rows)}
    for j in range(rows):
        refs = [writer.node(*at[(i, j)]) for i in range(columns)]
        tags = {"highway": highway}
        if names:
            tags["name"] = names[j % len(names)]
        writer.way(refs, **tags)
    for i in range(columns):
        refs = [writer.node(*at[(i, j)]) for j in range(rows)]
        writer.way(refs, highway=highway)
    return writer, at


def street_osm(center: tuple[float, float], width_m: float, height_m: float, rng, *,
               spacing_m: float = 150.0, main_every: int = 4, names=(), gap=0.12,
               park: tuple[float, float, float, float] | None = None,
               motorway_name: str = "") -> tuple[bytes, list[tuple[float, float]]]:
    """A plausible street plan: main roads every `main_every` blocks (named, straight), lanes
    between them with a little jitter and a share `gap` of blocks not through (walls, gated
    estates), an optional park (east0, north0, east1, north1 in metres from `center`) crossed
    by a footpath instead of lanes, a diagonal avenue, and a motorway along the north edge
    that pedestrians may not use. Returns the XML and the crossings' points."""
    writer = OsmWriter()
    nx, ny = int(width_m // spacing_m), int(height_m // spacing_m)
    west, south = -width_m / 2, -height_m / 2

    def main_i(i):
        return i % main_every == 0

    def in_park(east, north):
        return park is not None and park[0] <= east <= park[2] and park[1] <= north <= park[3]

    at: dict[tuple[int, int], tuple[float, float]] = {}
    metres: dict[tuple[int, int], tuple[float, float]] = {}
    for i in range(nx + 1):
        for j in range(ny + 1):
            east, north = west + i * spacing_m, south + j * spacing_m
            if not main_i(i):
                east += rng.uniform(-spacing_m * 0.12, spacing_m * 0.12)
            if not main_i(j):
                north += rng.uniform(-spacing_m * 0.12, spacing_m * 0.12)
            metres[(i, j)] = (east, north)
            at[(i, j)] = offset(center[0], center[1], east, north)

    def present(a, b, main):
        if main:
            return True
        mid = ((metres[a][0] + metres[b][0]) / 2, (metres[a][1] + metres[b][1]) / 2)
        return not in_park(*mid) and rng.random() >= gap

    def runs(cells, main, tags):
        run: list[int] = []
        for a, b in zip(cells, cells[1:], strict=False):
            if present(a, b, main):
                if not run:
                    run = [writer.node(*at[a])]
                run.append(writer.node(*at[b]))
            elif run:
                writer.way(run, **tags)
                run = []
        if run:
            writer.way(run, **tags)

    lanes = ("residential", "residential", "service", "living_street")
    for j in range(ny + 1):
        main = main_i(j)
        tags = ({"highway": "primary" if (j // main_every) % 2 else "secondary"}
                if main else {"highway": rng.choice(lanes)})
        if main and names:
            tags["name"] = names[(j // main_every) % len(names)]
        runs([(i, j) for i in range(nx + 1)], main, tags)
    for i in range(nx + 1):
        main = main_i(i)
        tags = ({"highway": "secondary" if (i // main_every) % 2 else "tertiary"}
                if main else {"highway": rng.choice(lanes)})
        if main and names:
            tags["name"] = names[-1 - (i // main_every) % len(names)]
        runs([(i, j) for j in range(ny + 1)], main, tags)
    if park is not None:  # a footpath across the park, corner to corner
        a = min(at, key=lambda c: (metres[c][0] - park[0]) ** 2 + (metres[c][1] - park[1]) ** 2)
        b = min(at, key=lambda c: (metres[c][0] - park[2]) ** 2 + (metres[c][1] - park[3]) ** 2)
        writer.way([writer.node(*at[a]), writer.node(*at[b])], highway="footway",
                   name="公园步道")
    # A diagonal avenue from the south-west quarter towards the north-east.
    diagonal = [(k, k) for k in range(min(nx, ny) // 4, min(nx, ny) * 3 // 4 + 1)]
    writer.way([writer.node(*at[c]) for c in diagonal], highway="tertiary", name="斜街")
    if motorway_name:
        north_edge = south + ny * spacing_m + spacing_m * 0.8
        refs = [writer.node(*offset(center[0], center[1], west + i * spacing_m, north_edge))
                for i in range(0, nx + 1, 2)]
        writer.way(refs, highway="motorway", name=motorway_name, foot="no")
    return writer.xml(), list(at.values())


# ---- the benchmark's street ---------------------------------------------------------------

BENCH_GRID_PREFIX = "CIRCLE-BENCH"
BENCH_CENTRE = (120.380, 36.070)


def build_bench_street(city_code: str, *, buildings: int = 2000, stations: int = 12,
                       seed: int = 2026, log=print) -> dict:
    """A street of the synthetic city with `buildings` located buildings (in estates over a
    4.8 km square), its units located, `stations` service points and a road network of
    about 3,700 crossings 80 m apart, loaded through the upload service. Skipped when built."""
    import random
    import time

    from django.db import transaction

    from gongjian.orgs.models import Building, Grid, Organization, Unit
    from gongjian.venues.models import Kind, Venue

    from . import services
    from .models import RoadNetwork

    root = Organization.objects.get(code=city_code)
    street = (Organization.objects.filter(path__startswith=root.path, depth=root.depth + 2,
                                          kind="working_committee").order_by("path").first())
    if street is None:
        return {"skipped": "the city has no street"}
    located = Building.objects.filter(grid__code__startswith=BENCH_GRID_PREFIX).count()
    if located >= buildings and RoadNetwork.objects.filter(org=street).exists():
        return {"street": street.code, "skipped": "built already"}
    started = time.perf_counter()
    rng = random.Random(f"{seed}:circle")
    communities = list(Organization.objects.filter(path__startswith=street.path,
                                                   depth=street.depth + 1,
                                                   sector="community").order_by("path"))
    if not communities:
        return {"skipped": "the street has no community"}
    with transaction.atomic():
        grids = Grid.objects.bulk_create([
            Grid(code=f"{BENCH_GRID_PREFIX}-{n:02d}", name=f"服务圈测试网格{n}",
                 org=communities[n % len(communities)], note="合成数据（服务圈基准）")
            for n in range(20)])
        per_grid = buildings // len(grids)
        rows = []
        for index, grid in enumerate(grids):
            # Each grid an estate: its middle somewhere in the square, its blocks around it.
            middle = (rng.uniform(-2000, 2000), rng.uniform(-2000, 2000))
            for n in range(per_grid + (buildings % len(grids) if index == 0 else 0)):
                east = middle[0] + rng.gauss(0, 260)
                north = middle[1] + rng.gauss(0, 260)
                lng, lat = offset(*BENCH_CENTRE, east, north)
                floors = rng.choice([6, 7, 11, 18, 26, 33])
                rows.append(Building(grid=grid, name=f"{n + 1}号楼", floors=floors,
                                     households=floors * rng.randint(2, 6),
                                     lng=quantize(lng), lat=quantize(lat)))
        Building.objects.bulk_create(rows, batch_size=1000)
        units = list(Unit.objects.filter(org__path__startswith=street.path))
        for unit in units:
            lng, lat = offset(*BENCH_CENTRE, rng.uniform(-2200, 2200), rng.uniform(-2200, 2200))
            unit.lng, unit.lat = quantize(lng), quantize(lat)
        Unit.objects.bulk_update(units, ["lng", "lat"], batch_size=500)
        venues = []
        for n in range(stations):
            spot = rows[rng.randrange(len(rows))]
            venues.append(Venue(org=communities[n % len(communities)],
                                name=f"服务圈测试服务站{n + 1}", kind=Kind.STATION,
                                lng=spot.lng, lat=spot.lat))
        Venue.objects.bulk_create(venues)
        xml, _ = street_osm((BENCH_CENTRE[0], BENCH_CENTRE[1]), 4800, 4800, rng,
                            spacing_m=80, main_every=6, names=("滨海大道", "海港路", "长安街"))
        net = services.upload_network(user=None, org=street, data=xml, filename="bench.osm",
                                      name="合成路网（服务圈基准）", source="合成数据")
    log(f"circle bench street {street.code}: {len(rows)} buildings, {len(units)} units, "
        f"{stations} stations, network {net.nodes} nodes / {net.edges} edges "
        f"({time.perf_counter() - started:.1f} s)")
    return {"street": street.code, "buildings": len(rows), "nodes": net.nodes}
