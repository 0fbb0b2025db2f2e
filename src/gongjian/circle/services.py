"""Writes of the 15-minute circle: a street's road network, and the locations of its buildings
and units (from the spreadsheet import)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from gongjian.core.access import restrict
from gongjian.core.services import DomainError, require_scope
from gongjian.orgs.models import Building, Organization, Unit, street_path

from . import network
from .models import RoadNetwork

# A network whose every node lies farther than this from the street's recorded points is
# the wrong area (another street, another city, a file exported by mistake).
MAX_GAP_M = 2_000
MAX_UPLOAD_BYTES = 64 * 1024 * 1024


def upload_network(*, user: Any, org: Organization, data: bytes, filename: str = "",
                   name: str = "", source: str = "") -> RoadNetwork:
    """Load a street's road network from an OpenStreetMap XML extract; a second upload
    replaces the first (its version goes up, so every process reloads it). Refused in
    Chinese, nothing written: not a street, not OSM XML, no walkable road, not where the
    street's buildings and units are. `user=None` is the demo loading its own file."""
    if org.path != street_path(org):
        raise DomainError(f"路网按街道上传：“{org.name}”不是街道，请选择所在街道。", field="org",
                          status=400)
    if not org.is_active:
        raise DomainError(f"“{org.name}”已撤销。", field="org", status=400)
    if len(data) > MAX_UPLOAD_BYTES:
        raise DomainError(f"文件超过 {MAX_UPLOAD_BYTES // 1048576} MB：请只导出本街道及周边的范围。",
                          field="file", status=400)
    try:
        road = network.parse_osm(data)
    except network.NetworkError as error:
        raise DomainError(error.message, field="file", status=400) from None
    _check_overlap(org, road)
    west, south, east, north = road.bbox()
    with transaction.atomic():
        current = (RoadNetwork.objects.select_for_update().filter(org=org)
                   .order_by("-version").first())
        net = current or RoadNetwork(org=org)
        net.version = (current.version + 1) if current else 1
        net.name = (name or "").strip()[:100] or f"{org.name}路网"
        net.source = (source or "").strip()[:200]
        net.filename = (filename or "")[:200]
        net.nodes, net.edges, net.ways = len(road.lng), len(road.u), road.ways
        net.length_m = round(road.total_m, 1)
        net.west, net.south, net.east, net.north = west, south, east, north
        net.data = network.pack(road)
        net.uploaded_at = timezone.now()
        net.uploaded_by = user
        net.full_clean(exclude=["data"])
        net.save()
        if user is not None:
            require_scope(user, "add", net)
    return net


def _check_overlap(org: Organization, road: network.RoadData) -> None:
    """The network must reach the street: some recorded building or unit within MAX_GAP_M
    of its extent (when the street has any located point at all)."""
    rows = list(Building.objects.filter(grid__org__path__startswith=org.path,
                                        lng__isnull=False).values_list("lng", "lat")[:2000])
    rows += list(Unit.objects.filter(org__path__startswith=org.path, lng__isnull=False)
                 .values_list("lng", "lat")[:500])
    points = [(float(lng), float(lat)) for lng, lat in rows if lng is not None and lat is not None]
    if not points:
        return
    west, south, east, north = road.bbox()
    for lng, lat in points:
        near_lng = min(max(lng, west), east)
        near_lat = min(max(lat, south), north)
        if network.haversine_many(lng, lat, near_lng, near_lat) <= MAX_GAP_M:
            return
    raise DomainError(f"路网范围（经度 {west:.4f}–{east:.4f}，纬度 {south:.4f}–{north:.4f}）"
                      f"与“{org.name}”已登记的楼栋、单位位置相距超过 {MAX_GAP_M // 1000} 公里："
                      "请确认导出的是本街道的范围，坐标为 WGS-84（OpenStreetMap 即是）。",
                      field="file", status=400)


def delete_network(net: RoadNetwork, *, user: Any) -> None:
    with transaction.atomic():
        require_scope(user, "add", net)
        net.delete()


def set_locations(*, user: Any, buildings: list[tuple[Building, Decimal, Decimal, str | None]],
                  units: list[tuple[Unit, Decimal, Decimal, str | None]]) -> dict:
    """Write checked locations (WGS-84, 6 decimals) and, where given, addresses: every row
    re-checked to be one the user may change, in one transaction."""
    with transaction.atomic():
        _write_locations(user, Building, buildings)
        _write_locations(user, Unit, units)
    return {"buildings": len(buildings), "units": len(units)}


def _write_locations(user: Any, model: Any, rows: list) -> None:
    if not rows:
        return
    ids = {obj.pk for obj, *_ in rows}
    reachable = set(restrict(user, "change", model).filter(pk__in=ids)
                    .values_list("pk", flat=True))
    if reachable != ids:
        raise DomainError("部分楼栋或单位不在您的管理范围内。", status=403)
    changed = []
    for obj, lng, lat, address in rows:
        obj.lng, obj.lat = lng, lat
        if address:
            obj.address = address
        changed.append(obj)
    model.objects.bulk_update(changed, ["lng", "lat", "address"], batch_size=500)
