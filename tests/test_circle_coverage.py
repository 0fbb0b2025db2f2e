"""The 15-minute circle on a hand-made grid where every answer is known.

The grid: streets 100 m apart, crossings (i, j) for i, j in 0..10, buildings standing on the
crossings. Along the streets the walk from (0, 0) to (i, j) is 100·(i + j) m (Manhattan);
the straight line × 1.3 is 130·√(i² + j²) m. A motorway and a foot=no path cut diagonals that
a pedestrian may not take.
"""

import numpy as np
import pytest

from gongjian.circle import network, synth
from gongjian.circle.coverage import covered_mask, greedy
from gongjian.circle.network import Measure, parse_osm

CENTER = (117.265, 34.285)
N = 11


def _grid(extra=True):
    writer, at = synth.lattice(CENTER, N, N, 100.0)
    if extra:
        # Shortcuts nobody may walk: (0,0)→(3,3) on a motorway, (0,0)→(4,1) with foot=no.
        writer.way([writer.node(*at[(0, 0)]), writer.node(*at[(3, 3)])], highway="motorway")
        writer.way([writer.node(*at[(0, 0)]), writer.node(*at[(4, 1)])], highway="path",
                   foot="no")
        # A building outline is not a road.
        writer.way([writer.node(*at[(5, 5)]), writer.node(*at[(9, 9)])], building="yes")
    return writer, at


@pytest.fixture(scope="module")
def grid():
    writer, at = _grid()
    road = parse_osm(writer.xml())
    return network.Graph(road), at


def _points(at, cells):
    return (np.array([at[c][0] for c in cells]), np.array([at[c][1] for c in cells]))


def _measure(graph, factor=1.3):
    return Measure(graph, factor=factor, snap_limit=300.0)


def test_parse_keeps_only_walkable_ways(grid):
    graph, _ = grid
    # 11 rows + 11 columns of 10 blocks each: 220 edges; the motorway, the foot=no path and
    # the building outline are left out.
    assert graph.n == N * N
    assert len(graph.road.u) == 2 * N * (N - 1)
    assert abs(graph.road.total_m - 220 * 100) < 1


def test_walking_distance_is_along_the_streets(grid):
    graph, at = grid
    cells = [(i, j) for i in range(N) for j in range(N)]
    measure = _measure(graph)
    targets = measure.targets(*_points(at, cells))
    distance, on_network = measure.from_point(*at[(0, 0)], targets, 2500)
    expected = np.array([100.0 * (i + j) for i, j in cells])
    assert np.allclose(distance, expected, atol=0.5)
    assert on_network.all()
    inside = {c for c, d in zip(cells, distance, strict=True) if d <= 350}
    assert inside == {(i, j) for i, j in cells if i + j <= 3}
    # (3,3) would be 424 m by the motorway; it is 600 m on foot.
    assert distance[cells.index((3, 3))] == pytest.approx(600, abs=0.5)


def test_straight_line_fallback_with_the_detour_factor(grid):
    _, at = grid
    cells = [(i, j) for i in range(N) for j in range(N)]
    measure = _measure(None)
    targets = measure.targets(*_points(at, cells))
    distance, on_network = measure.from_point(*at[(0, 0)], targets, 350)
    assert not on_network.any()
    inside = {c for c, d in zip(cells, distance, strict=True) if d <= 350}
    # 130·√(i²+j²) ≤ 350 ⇔ i² + j² ≤ 7.2
    assert inside == {(i, j) for i, j in cells if i * i + j * j <= 7}
    assert len(inside) == 8


def test_rules_vector_is_outside_a_one_kilometre_circle():
    measure = _measure(None)
    targets = measure.targets(np.array([117.21]), np.array([34.26]))
    distance, _ = measure.from_point(117.20, 34.26, targets, 1000)
    assert round(float(distance[0]), 1) == 1194.7
    assert distance[0] > 1000


def test_a_point_off_the_network_falls_back_to_the_straight_line(grid):
    graph, at = grid
    measure = _measure(graph)
    far = synth.offset(*at[(10, 10)], 800, 0)       # 800 m east of the last crossing
    targets = measure.targets(*_points(at, [(10, 10)]))
    off = measure.targets(np.array([far[0]]), np.array([far[1]]))
    d, on = measure.from_point(*at[(10, 10)], off, 5000)
    assert not on[0] and d[0] == pytest.approx(800 * 1.3, abs=1)
    d, on = measure.from_point(*far, targets, 5000)
    assert not on[0]


def test_coverage_and_who_is_left_out(grid):
    graph, at = grid
    cells = [(2, 2), (2, 3), (3, 2), (7, 7), (7, 8), (8, 7), (5, 5)]
    measure = _measure(graph)
    targets = measure.targets(*_points(at, cells))
    # One service point at (8,8); a 150 m walk reaches the crossing and its four neighbours.
    covered, nearest = covered_mask(measure, *_points(at, [(8, 8)]), targets, 150)
    assert [c for c, hit in zip(cells, covered, strict=True) if hit] == [(7, 8), (8, 7)]
    assert nearest[cells.index((7, 7))] == pytest.approx(200, abs=0.5)
    none, _ = covered_mask(measure, np.array([]), np.array([]), targets, 150)
    assert not none.any()


def test_greedy_suggestion_order_and_households_added(grid):
    graph, at = grid
    cells = [(2, 2), (2, 3), (3, 2), (7, 7), (7, 8), (8, 7), (5, 5)]
    households = [50, 30, 20, 40, 40, 40, 10]
    for measure in (_measure(graph), _measure(None)):
        targets = measure.targets(*_points(at, cells))
        covered, _ = covered_mask(measure, *_points(at, [(8, 8)]), targets, 150)
        # Candidates: a unit's premises at (7,7) first, then every building.
        candidates = [(7, 7)] + cells
        picks = greedy(measure, *_points(at, candidates), targets, households, covered, 150,
                       4)
        got = [(candidates[p.candidate], p.households, sorted(cells[t] for t in p.targets))
               for p in picks]
        assert got == [
            ((2, 2), 100, [(2, 2), (2, 3), (3, 2)]),
            ((7, 7), 40, [(7, 7)]),
            ((5, 5), 10, [(5, 5)]),
        ]
        # The tie at (7,7) goes to the candidate listed first: the unit's premises.
        assert picks[1].candidate == 0
        # Nothing left to add: the fourth is not invented.
        assert len(picks) == 3


def test_greedy_prefers_the_site_reaching_more_households_not_more_buildings(grid):
    graph, at = grid
    cells = [(1, 1), (1, 2), (2, 1), (6, 6)]
    households = [5, 5, 5, 60]
    measure = _measure(graph)
    targets = measure.targets(*_points(at, cells))
    picks = greedy(measure, *_points(at, cells), targets, households,
                   np.zeros(len(cells), dtype=bool), 150, 1)
    assert [(cells[p.candidate], p.households) for p in picks] == [((6, 6), 60)]


def test_pack_round_trip_and_bad_files(grid):
    graph, _ = grid
    again = network.unpack(network.pack(graph.road))
    assert np.array_equal(again.u, graph.road.u) and np.allclose(again.lng, graph.road.lng)
    with pytest.raises(network.NetworkError, match="不是 OpenStreetMap XML"):
        parse_osm(b"PK\x03\x04 zip")
    with pytest.raises(network.NetworkError, match="没有可步行的道路"):
        parse_osm(b'<osm version="0.6"><node id="1" lat="34.2" lon="117.2"/></osm>')
    with pytest.raises(network.NetworkError, match="无法解析"):
        parse_osm(b'<?xml version="1.0"?><!DOCTYPE osm [<!ENTITY a "b">]><osm>&a;</osm>')
    with pytest.raises(network.NetworkError, match="不在中国境内"):
        writer, _ = synth.lattice((2.35, 48.85), 3, 3, 100)
        parse_osm(writer.xml())


# ---- the same grid in the database: a street, its communities, a service point ---------------

# 10 minutes at 15 m a minute: a 150 m walk, one block of the grid.
CIRCLE_SETTINGS = {"walk_m_per_min": 15}
A_CELLS = {(2, 2): ("2号楼", 50), (2, 3): ("3号楼", 30), (3, 2): ("4号楼", 20)}
B_CELLS = {(7, 7): ("1号楼", 40), (7, 8): ("2号楼", 40), (8, 7): ("3号楼", 40),
           (5, 5): ("4号楼", 10)}


@pytest.fixture
def world(tree, settings):
    """Community A's three buildings around (2,2) and community B's four; a station of B at
    (8,8); unit U-A's premises at (7,7); the grid loaded as the street's road network. A's
    old 1号楼 (48 households) has no location."""
    from gongjian.circle import services
    from gongjian.orgs.models import Building
    from gongjian.venues.models import Venue

    settings.GONGJIAN_CIRCLE = CIRCLE_SETTINGS
    writer, at = _grid()
    net = services.upload_network(user=None, org=tree.s, data=writer.xml(), filename="grid.osm")

    def q(value):
        from gongjian.core.geo import quantize

        return quantize(value)

    buildings = {}
    for grid, cells in ((tree.grid_a, A_CELLS), (tree.grid_b, B_CELLS)):
        for cell, (name, households) in cells.items():
            buildings[cell] = Building.objects.create(
                grid=grid, name=name, households=households, lng=q(at[cell][0]),
                lat=q(at[cell][1]))
    tree.unit_a.lng, tree.unit_a.lat = q(at[(7, 7)][0]), q(at[(7, 7)][1])
    tree.unit_a.save()
    station = Venue.objects.create(org=tree.b, name="高林社区党群服务站", kind="station",
                                   lng=q(at[(8, 8)][0]), lat=q(at[(8, 8)][1]))
    return {"at": at, "net": net, "buildings": buildings, "station": station}


def test_coverage_per_community_and_left_out(world, users, tree):
    from gongjian.circle import queries

    cover = queries.coverage(users.street, tree.s, 10)
    assert cover["radius_m"] == 150 and cover["method"] == "network"
    rows = {row["code"]: row for row in cover["communities"]}
    assert (rows["JS-A"]["households"], rows["JS-A"]["covered_households"],
            rows["JS-A"]["share"]) == (100, 0, 0.0)
    assert (rows["JS-A"]["unlocated_buildings"], rows["JS-A"]["unlocated_households"]) == (1, 48)
    assert (rows["JS-B"]["households"], rows["JS-B"]["covered_households"],
            rows["JS-B"]["share"]) == (130, 80, 61.5)
    assert (cover["households"], cover["covered_households"], cover["share"]) == (230, 80, 34.8)
    left = [(b["grid"], b["name"], b["households"]) for b in cover["left_out"]]
    assert left == [("金安第一网格", "2号楼", 50), ("高林第一网格", "1号楼", 40),
                    ("金安第一网格", "3号楼", 30), ("金安第一网格", "4号楼", 20),
                    ("高林第一网格", "4号楼", 10)]
    assert cover["left_out"][1]["nearest_m"] == 200


def test_suggestion_for_the_street_and_for_a_community(world, users, tree):
    from gongjian.circle import queries

    result = queries.suggest(users.street, tree.s, 10, 5)
    got = [(s["kind"], s["name"], s["households_added"], s["share_after"])
           for s in result["sites"]]
    assert got == [("building", "金安第一网格 2号楼", 100, 78.3),
                   ("unit", "鼎峰集团", 40, 95.7),
                   ("building", "高林第一网格 4号楼", 10, 100.0)]
    assert [b["name"] for b in result["sites"][0]["buildings_added"]] == [
        "金安第一网格 2号楼", "金安第一网格 3号楼", "金安第一网格 4号楼"]
    # Inside community A only: its own buildings, then nothing more to add.
    community = queries.suggest(users.street, tree.a, 10, 3)
    assert [(s["name"], s["households_added"]) for s in community["sites"]] == [
        ("金安第一网格 2号楼", 100)]


def test_without_a_network_the_straight_line_times_the_factor(world, users, tree):
    from gongjian.circle import queries

    world["net"].delete()
    circle = queries.circle(users.street, world["station"], 10)
    assert circle["method"] == "straight" and circle["network"] is None
    assert [(b["name"], b["distance_m"], b["method"]) for b in circle["buildings"]] == [
        ("2号楼", 130, "straight"), ("3号楼", 130, "straight")]
    # 1号楼 at (7,7) is 141 m away in a straight line, 184 m with the factor: outside 150 m.
    cover = queries.coverage(users.street, tree.s, 10)
    assert cover["covered_households"] == 80 and cover["method"] == "straight"


def test_circle_of_a_point_by_network(world, users, tree):
    from gongjian.circle import queries

    circle = queries.circle(users.street, world["station"], 10)
    assert circle["method"] == "network" and circle["households"] == 80
    assert [(b["grid"], b["name"], b["distance_m"], b["method"]) for b in circle["buildings"]] \
        == [("高林第一网格", "2号楼", 100, "network"), ("高林第一网格", "3号楼", 100, "network")]
    assert circle["units"] == []
    wider = queries.circle(users.street, world["station"], 14)   # 210 m
    assert wider["households"] == 120
    assert [u["code"] for u in wider["units"]] == ["U-A"]
    assert not wider["members_counted"]


def test_circle_counts_only_what_the_account_may_view(world, users, tree, settings):
    from gongjian.circle import queries

    # 15 minutes at 100 m a minute: 1,500 m, the whole grid. Community A's staff read the
    # station (the street's positions are shared) but count only their own buildings.
    settings.GONGJIAN_CIRCLE = {"walk_m_per_min": 100}
    circle = queries.circle(users.community_a, world["station"], 15)
    assert {b["grid"] for b in circle["buildings"]} == {"金安第一网格"}
    assert circle["households"] == 100
    assert [c["code"] for c in circle["communities"]] == ["JS-A"]
    assert queries.circle(users.street, world["station"], 15)["households"] == 230
    with pytest.raises(Exception, match="不在您的管理范围内"):
        queries.find_org(users.community_a, "JS-B")


def test_network_upload_refusals_write_nothing(world, users, tree):
    from gongjian.circle import services
    from gongjian.circle.models import RoadNetwork
    from gongjian.core.services import DomainError

    before = list(RoadNetwork.objects.values_list("pk", "version"))
    with pytest.raises(DomainError, match="不是街道"):
        services.upload_network(user=users.street, org=tree.a, data=_grid()[0].xml())
    far, _ = synth.lattice((113.68, 34.745), 3, 3, 100)    # Zhengzhou, not this street
    with pytest.raises(DomainError, match="相距超过"):
        services.upload_network(user=users.street, org=tree.s, data=far.xml())
    with pytest.raises(DomainError, match="OpenStreetMap"):
        services.upload_network(user=users.street, org=tree.s, data=b"not xml")
    assert list(RoadNetwork.objects.values_list("pk", "version")) == before
    again = services.upload_network(user=users.street, org=tree.s, data=_grid(False)[0].xml())
    assert (again.pk, again.version) == (world["net"].pk, 2)
    assert again.edges == 2 * N * (N - 1)


def test_network_page_uploads_and_refuses(tree, users, client):
    import io

    from django.urls import reverse

    from gongjian.circle.models import RoadNetwork

    client.force_login(users.street)
    bad = io.BytesIO(b"\x00\x00\x00\x0d\x0aOSMHeader pbf")
    bad.name = "street.osm.pbf"
    response = client.post(reverse("circle_networks"), {"org": tree.s.pk, "file": bad})
    assert response.status_code == 400
    assert ".osm.pbf" in response.content.decode() and not RoadNetwork.objects.exists()
    good = io.BytesIO(_grid()[0].xml())
    good.name = "street.osm"
    response = client.post(reverse("circle_networks"), {"org": tree.s.pk, "file": good,
                                                        "source": "OpenStreetMap 导出"})
    assert response.status_code == 302
    net = RoadNetwork.objects.get(org=tree.s)
    assert (net.name, net.nodes, net.filename) == ("金山街道党工委路网", N * N, "street.osm")
    # Community staff read it (their circles are measured on it) but upload nothing.
    client.force_login(users.community_a)
    page = client.get(reverse("circle_networks"))
    assert "金山街道党工委路网" in page.content.decode() and "校验并载入" not in page.content.decode()
    assert client.post(reverse("circle_networks"), {"org": tree.s.pk}).status_code == 404


def test_pages_show_the_figures_and_carry_the_map_data(world, users, client):
    import json
    import re

    from django.urls import reverse

    client.force_login(users.street)
    page = client.get(reverse("circle_coverage"), {"org": "JS", "minutes": 10, "n": 2})
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="coverage-share">34.8%<' in text
    assert "新增覆盖 <strong>100</strong> 户" in text
    data = json.loads(re.search(r'id="circle-map-data"[^>]*>(.*?)</script>', text, re.S)[1])
    assert len(data["points"]) == 1 and len(data["suggested"]) == 2
    assert len(data["outside"]) == 5 and data["roads"] and len(data["outline"]) >= 4
    assert "tile" not in text.lower()
    point = client.get(reverse("circle_point", args=[world["station"].pk]), {"minutes": 10})
    assert point.status_code == 200
    assert 'id="circle-households">80<' in point.content.decode()
    bad = client.get(reverse("circle_coverage"), {"org": "JS", "minutes": "abc"})
    assert "步行时间须为" in bad.content.decode()
