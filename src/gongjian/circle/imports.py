"""Locations of buildings and units from a spreadsheet, all or nothing (core.spreadsheets).

One row per building (grid code + building name) or unit (unit code): its coordinates, the
coordinate system they were copied in (WGS-84 from a GPS, GCJ-02 from 高德/腾讯, BD-09 from
百度; stored converted to WGS-84), and optionally its address. Every bad cell is named by row
and column; if any row is wrong nothing is written.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from gongjian.core import geo
from gongjian.core.access import restrict
from gongjian.core.spreadsheets import Column, Importer, SheetReader, SheetSpec
from gongjian.orgs.models import Building, Unit

from . import services

MAX_ROWS = 20_000
BUILDING, UNIT = "楼栋", "驻区单位"
SYSTEM_LABELS = [choice.label for choice in geo.CoordinateSystem]

SPEC = SheetSpec(title="楼栋与单位位置", columns=[
    Column("kind", "类型", kind="choice", required=True, choices=[BUILDING, UNIT],
           aliases={"楼": BUILDING, "单位": UNIT, "building": BUILDING, "unit": UNIT},
           example=BUILDING, width=10),
    Column("code", "编码", required=True, max_length=40, example="XZ-JSQ-01-01-G", width=18,
           text_format=True, help="楼栋填所在网格的网格编码；驻区单位填单位编码。"),
    Column("name", "楼栋名称", max_length=100, default="", example="1号楼", width=12,
           help="类型为楼栋时必填，须与网格中登记的楼栋名称一致。"),
    Column("address", "地址", max_length=200, default="", example="", width=30,
           help="选填；填写则同时更新登记的地址。"),
    Column("lng", "经度", required=True, example="117.265000", width=12,
           help="度，如 117.265000。"),
    Column("lat", "纬度", required=True, example="34.285000", width=12,
           help="度，如 34.285000。"),
    Column("system", "坐标系", kind="choice", default=geo.CoordinateSystem.WGS84.label,
           choices=SYSTEM_LABELS, example=geo.CoordinateSystem.WGS84.label, width=20,
           aliases={"WGS-84": SYSTEM_LABELS[0], "WGS84": SYSTEM_LABELS[0],
                    "GPS": SYSTEM_LABELS[0], "GCJ-02": SYSTEM_LABELS[1],
                    "GCJ02": SYSTEM_LABELS[1], "高德": SYSTEM_LABELS[1],
                    "腾讯": SYSTEM_LABELS[1], "BD-09": SYSTEM_LABELS[2],
                    "BD09": SYSTEM_LABELS[2], "百度": SYSTEM_LABELS[2]},
           help="坐标从哪里复制的：手机 GPS 选 WGS-84；高德、腾讯地图选 GCJ-02；百度地图选 BD-09。"
                "留空按 WGS-84。"),
], notes=(
    "每行一栋楼或一个驻区单位的位置；保存时一律换算为 WGS-84 坐标。",
    "坐标须在中国境内；经度在前、纬度在后；同一楼栋或单位在文件中只能出现一次。",
    "任何一行有误则一行也不导入。",
))


class LocationImporter(Importer):
    spec = SPEC
    kind = "circle_locations"
    noun = "个位置"
    object_type = "orgs.building"

    def open(self, data: bytes) -> SheetReader:
        return SheetReader(self.spec, data, max_rows=MAX_ROWS)

    def prepare(self, rows, errors):
        grid_codes = {v["code"] for _, v in rows if v.get("kind") == BUILDING and v.get("code")}
        unit_codes = {v["code"] for _, v in rows if v.get("kind") == UNIT and v.get("code")}
        self.buildings = {(b.grid.code, b.name): b for b in restrict(
            self.user, "change", Building).select_related("grid")
            .filter(grid__code__in=grid_codes)}
        self.units = {u.code: u for u in restrict(self.user, "change", Unit)
                      .filter(code__in=unit_codes)}

    def check_row(self, number, values, errors):
        kind, code = values.get("kind"), values.get("code")
        target = None
        if kind == BUILDING and code:
            name = values.get("name") or ""
            if not name:
                errors.add(number, "name", "类型为楼栋时须填写楼栋名称。")
            else:
                target = self.buildings.get((code, name))
                if target is None:
                    errors.add(number, "name", f"网格“{code}”中没有名为“{name}”的楼栋，"
                                               "或不在您的管理范围内。")
        elif kind == UNIT and code:
            target = self.units.get(code)
            if target is None:
                errors.add(number, "code", f"单位编码“{code}”不存在或不在您的管理范围内。")
        label = values.get("system")
        system = geo.parse_system(label) if label else geo.CoordinateSystem.WGS84
        if label and system is None:
            errors.add(number, "system", f"坐标系“{label}”无法识别。")
            return None
        if values.get("lng") in (None, "") or values.get("lat") in (None, ""):
            return None
        try:
            lng, lat = geo.check_point(system, values["lng"], values["lat"])
        except ValidationError as error:
            errors.add(number, "lng", " ".join(error.messages))
            return None
        if target is None:
            return None
        return (number, kind, target, lng, lat, values.get("address") or None)

    def check_all(self, items, errors):
        seen: dict[tuple[str, int], int] = {}
        for number, kind, target, *_ in items:
            key = (kind, target.pk)
            if key in seen:
                column = "name" if kind == BUILDING else "code"
                errors.add(number, column, f"与第 {seen[key]} 行是同一{kind}“{target}”：每个"
                                           f"{kind}只能出现一次。")
            else:
                seen[key] = number

    def write(self, items, progress):
        return services.set_locations(
            user=self.user,
            buildings=[(t, lng, lat, a) for _, kind, t, lng, lat, a in items if kind == BUILDING],
            units=[(t, lng, lat, a) for _, kind, t, lng, lat, a in items if kind == UNIT])
