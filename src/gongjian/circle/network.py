"""Walking distance along a street's road network, and the straight-line fallback.

A street downloads an OpenStreetMap extract of its area (XML, `.osm`) and uploads it; nothing
is fetched at run time. `parse_osm` keeps the ways a pedestrian may walk (`highway=*` except
motorways, ways under construction and ways closed to people on foot) and turns them into
nodes and edges whose lengths are great-circle metres. The arrays are stored compactly (a
compressed .npz in the database) and loaded once per process into a `Graph`: a k-d tree to
snap points to their nearest node, and a sparse matrix for Dijkstra with a cutoff.

Points are snapped when they are read, against the loaded graph's k-d tree (a street's 2,000
buildings take about a millisecond): a building that moved, or a network uploaded again, is
always measured from where it stands now, with no stored snap to go stale.

A point's walking distance from a source = the source's walk to its nearest node + the network
path + the walk from the target's nearest node to the target. A point farther than the snap
limit from every node lies off the network, and its distance is the straight line × the
detour factor, as it is for a street without a network. Every distance says which way it was
measured.
"""

from __future__ import annotations

import io
import math
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from defusedxml import ElementTree as ET
from defusedxml.common import DefusedXmlException
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from gongjian.core.geo import EARTH_RADIUS_M, in_china

NETWORK = "network"
STRAIGHT = "straight"
METHOD_LABELS = {NETWORK: "沿路网步行距离", STRAIGHT: "直线距离×绕行系数"}

# Pedestrians may not use these (or they are not roads yet / any more).
NOT_WALKABLE = {"motorway", "motorway_link", "construction", "proposed", "abandoned", "razed",
                "raceway", "bus_guideway", "escape", "busway", "planned", "disused"}
CLOSED = {"no", "private"}
MAX_NODES = 2_000_000


class NetworkError(ValueError):
    """The uploaded file is not a usable road network; the message says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class RoadData:
    """Nodes (WGS-84 degrees) and undirected edges (metres) of a walkable network."""

    lng: np.ndarray
    lat: np.ndarray
    u: np.ndarray
    v: np.ndarray
    length: np.ndarray
    ways: int = 0

    @property
    def total_m(self) -> float:
        return float(self.length.sum())

    def bbox(self) -> tuple[float, float, float, float]:
        return (float(self.lng.min()), float(self.lat.min()),
                float(self.lng.max()), float(self.lat.max()))


def walkable(tags: dict[str, str]) -> bool:
    highway = tags.get("highway")
    if not highway or highway in NOT_WALKABLE:
        return False
    if tags.get("area") == "yes" and highway not in ("pedestrian", "footway"):
        return False
    foot = tags.get("foot", "")
    if foot in CLOSED:
        return False
    return not (tags.get("access", "") in CLOSED and foot not in ("yes", "designated",
                                                                  "permissive"))


def haversine_many(lng1, lat1, lng2, lat2) -> np.ndarray:
    """Great-circle metres between arrays of WGS-84 points (broadcasting)."""
    lng1, lat1, lng2, lat2 = (np.radians(np.asarray(a, dtype=float))
                              for a in (lng1, lat1, lng2, lat2))
    h = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lng2 - lng1) / 2) ** 2)
    return 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(h)))


def parse_osm(data: bytes) -> RoadData:
    """The walkable network of an OpenStreetMap XML extract, or NetworkError."""
    head = data[:512].lstrip()
    if not head.startswith(b"<"):
        if data[:4] in (b"\x00\x00\x00\x0d", b"\x00\x00\x00\x0e") or b"OSMHeader" in data[:64]:
            raise NetworkError("这是 .osm.pbf 二进制文件，请导出为 OpenStreetMap XML（.osm）后上传。")
        raise NetworkError("文件不是 OpenStreetMap XML（.osm）：请从 OpenStreetMap "
                           "“导出”得到的 .osm 文件上传。")
    coords: dict[str, tuple[float, float]] = {}
    ways: list[list[str]] = []
    saw_osm = False
    try:
        for _event, element in ET.iterparse(io.BytesIO(data), events=("end",),
                                            forbid_dtd=True):
            tag = element.tag
            if tag == "node":
                try:
                    coords[element.get("id")] = (float(element.get("lon")),
                                                 float(element.get("lat")))
                except (TypeError, ValueError):
                    raise NetworkError(f"节点 {element.get('id')} 缺少经纬度。") from None
                if len(coords) > MAX_NODES:
                    raise NetworkError(f"节点超过 {MAX_NODES} 个：请只导出本街道及周边的范围。")
                element.clear()
            elif tag == "way":
                tags = {t.get("k"): t.get("v") for t in element.iter("tag")}
                if walkable(tags):
                    refs = [nd.get("ref") for nd in element.iter("nd")]
                    if len(refs) >= 2:
                        ways.append(refs)
                element.clear()
            elif tag == "relation":
                element.clear()
            elif tag == "osm":
                saw_osm = True
    except (ET.ParseError, DefusedXmlException) as error:
        raise NetworkError(f"OpenStreetMap XML 无法解析：{error}") from None
    if not saw_osm:
        raise NetworkError("文件不是 OpenStreetMap XML（缺少 <osm> 根元素）。")
    if not ways:
        raise NetworkError("文件中没有可步行的道路（highway=*）：请确认导出范围包含本街道的道路。")
    index: dict[str, int] = {}
    us, vs = [], []
    for refs in ways:
        previous = None
        for ref in refs:
            if ref not in coords:  # an extract cuts ways at its edge: keep what is inside
                previous = None
                continue
            current = index.setdefault(ref, len(index))
            if previous is not None and previous != current:
                us.append(previous)
                vs.append(current)
            previous = current
    if not us:
        raise NetworkError("道路的节点不在文件中：请重新导出（须包含道路引用的全部节点）。")
    order = sorted(index, key=index.__getitem__)
    lng = np.array([coords[ref][0] for ref in order])
    lat = np.array([coords[ref][1] for ref in order])
    outside = [i for i in (0, len(order) // 2, len(order) - 1) if not in_china(lng[i], lat[i])]
    if outside:
        raise NetworkError("路网不在中国境内：请检查导出的范围。")
    u, v = np.array(us, dtype=np.int32), np.array(vs, dtype=np.int32)
    length = haversine_many(lng[u], lat[u], lng[v], lat[v])
    return _deduplicated(RoadData(lng, lat, u, v, length, ways=len(ways)))


def _deduplicated(road: RoadData) -> RoadData:
    """One edge per node pair (the shorter), in canonical order."""
    lo, hi = np.minimum(road.u, road.v), np.maximum(road.u, road.v)
    order = np.lexsort((road.length, hi, lo))
    lo, hi, length = lo[order], hi[order], road.length[order]
    keep = np.ones(len(lo), dtype=bool)
    keep[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    return RoadData(road.lng, road.lat, lo[keep].astype(np.int32), hi[keep].astype(np.int32),
                    length[keep].astype(np.float32), ways=road.ways)


def pack(road: RoadData) -> bytes:
    out = io.BytesIO()
    np.savez_compressed(out, lng=road.lng, lat=road.lat, u=road.u, v=road.v,
                        length=road.length, ways=np.array([road.ways]))
    return out.getvalue()


def unpack(data: bytes) -> RoadData:
    with np.load(io.BytesIO(bytes(data)), allow_pickle=False) as arrays:
        return RoadData(arrays["lng"], arrays["lat"], arrays["u"], arrays["v"],
                        arrays["length"], ways=int(arrays["ways"][0]))


class Graph:
    """A loaded network: snapping and Dijkstra with a cutoff."""

    def __init__(self, road: RoadData):
        self.road = road
        self.n = len(road.lng)
        self.lat0 = float(np.mean(road.lat))
        self.lng0 = float(np.mean(road.lng))
        self.tree = cKDTree(np.column_stack(self.project(road.lng, road.lat)))
        # Explicit zeros would be taken for missing edges: a node drawn twice is 1 cm apart.
        weights = np.maximum(road.length.astype(float), 0.01)
        self.matrix = csr_matrix((weights, (road.u, road.v)), shape=(self.n, self.n))

    def project(self, lng, lat):
        """Local metres (equirectangular about the network's centre: exact enough for a
        street, and only used to find the nearest node)."""
        k = math.pi / 180 * EARTH_RADIUS_M
        x = (np.asarray(lng, dtype=float) - self.lng0) * k * math.cos(math.radians(self.lat0))
        y = (np.asarray(lat, dtype=float) - self.lat0) * k
        return x, y

    def snap(self, lng, lat) -> tuple[np.ndarray, np.ndarray]:
        """Each point's nearest node and its distance to it (metres)."""
        x, y = self.project(np.atleast_1d(lng), np.atleast_1d(lat))
        if len(x) == 0:
            return np.zeros(0, dtype=int), np.zeros(0)
        distance, node = self.tree.query(np.column_stack((x, y)))
        return node.astype(int), distance

    def from_nodes(self, nodes, limit: float) -> np.ndarray:
        """Network metres from each node of `nodes` to every node (inf beyond `limit`)."""
        return dijkstra(self.matrix, directed=False, indices=np.asarray(nodes), limit=limit)

    def lines(self, bbox: tuple[float, float, float, float] | None = None,
              decimals: int = 6) -> list[list[float]]:
        """Edges as [lng1, lat1, lng2, lat2] (inside `bbox` if given), for the map."""
        road = self.road
        u, v = road.u, road.v
        if bbox is not None:
            west, south, east, north = bbox
            inside = ((road.lng >= west) & (road.lng <= east)
                      & (road.lat >= south) & (road.lat <= north))
            keep = inside[u] | inside[v]
            u, v = u[keep], v[keep]
        rows = np.column_stack((road.lng[u], road.lat[u], road.lng[v], road.lat[v]))
        return np.round(rows, decimals).tolist()


_GRAPHS: OrderedDict[tuple, Graph] = OrderedDict()
_KEEP = 8


def cached_graph(key: tuple, load) -> Graph:
    """The graph of network `key` (id, version, upload time), loaded once per process by
    `load()`."""
    graph = _GRAPHS.get(key)
    if graph is None:
        graph = Graph(load())
        _GRAPHS[key] = graph
        while len(_GRAPHS) > _KEEP:
            _GRAPHS.popitem(last=False)
    else:
        _GRAPHS.move_to_end(key)
    return graph


class Measure:
    """Walking distances from sources to targets: along `graph` when there is one (and both
    ends lie on it), else the straight line × `factor`."""

    def __init__(self, graph: Graph | None, *, factor: float, snap_limit: float):
        self.graph = graph
        self.factor = factor
        self.snap_limit = snap_limit

    def targets(self, lng, lat) -> Targets:
        lng, lat = np.asarray(lng, dtype=float), np.asarray(lat, dtype=float)
        if self.graph is None:
            return Targets(lng, lat, None, None)
        node, snap = self.graph.snap(lng, lat)
        return Targets(lng, lat, node, snap)

    def from_point(self, lng: float, lat: float, targets: Targets,
                   limit: float) -> tuple[np.ndarray, np.ndarray]:
        """(metres to each target, True where measured along the network). A target the
        network cannot reach within `limit` reads inf."""
        distance, on_network = self.from_points(np.array([lng]), np.array([lat]), targets,
                                                limit)
        return distance[0], on_network[0]

    def from_points(self, lng, lat, targets: Targets, limit: float,
                    chunk: int = 128) -> tuple[np.ndarray, np.ndarray]:
        """Matrices (sources × targets) of metres and of "measured along the network"."""
        lng, lat = np.atleast_1d(np.asarray(lng, dtype=float)), \
            np.atleast_1d(np.asarray(lat, dtype=float))
        straight = haversine_many(lng[:, None], lat[:, None], targets.lng[None, :],
                                  targets.lat[None, :]) * self.factor
        on_network = np.zeros(straight.shape, dtype=bool)
        if self.graph is None or len(targets.lng) == 0 or len(lng) == 0:
            return straight, on_network
        source_node, source_snap = self.graph.snap(lng, lat)
        target_ok = targets.snap <= self.snap_limit
        distance = straight.copy()
        rows = np.flatnonzero(source_snap <= self.snap_limit)
        for start in range(0, len(rows), chunk):
            part = rows[start:start + chunk]
            nodes = source_node[part]
            unique, inverse = np.unique(nodes, return_inverse=True)
            # The walk to the first node counts against the limit too.
            table = self.graph.from_nodes(unique, limit)
            along = (table[inverse][:, targets.node] + source_snap[part][:, None]
                     + targets.snap[None, :])
            distance[part[:, None], np.flatnonzero(target_ok)[None, :]] = \
                along[:, target_ok]
            on_network[part[:, None], np.flatnonzero(target_ok)[None, :]] = True
        return distance, on_network


@dataclass
class Targets:
    """Points to measure to, snapped once (node and snap distance are None without a graph)."""

    lng: np.ndarray
    lat: np.ndarray
    node: np.ndarray | None
    snap: np.ndarray | None

    def __len__(self):
        return len(self.lng)
