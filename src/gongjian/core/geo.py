"""Coordinates and distances (RULES §11).

Everything is stored in WGS-84 degrees. Chinese web maps show GCJ-02 (高德, 腾讯) or BD-09
(百度); a point pasted from them is converted here before it is stored, because the ~500 m
shift between the systems is enough to break a 1 km circle.

The GCJ-02 transform is the well-known public formula (the one every open-source converter
copies); no maintained PyPI package provides it, so it lives here with its test vectors. The
inverse is not closed-form: it is solved by fixed-point iteration to well under a centimetre.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

EARTH_RADIUS_M = 6_371_000.0

# Mainland China and its islands, generously bounded; the same box Unit.clean uses.
CHINA_LNG = (73.4, 135.1)
CHINA_LAT = (3.8, 53.6)

# Krasovsky 1940 ellipsoid, as the GCJ-02 formula uses it.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0

SIX_PLACES = Decimal("0.000001")


class CoordinateSystem(models.TextChoices):
    WGS84 = "wgs84", "WGS-84（GPS）"
    GCJ02 = "gcj02", "GCJ-02（高德、腾讯）"
    BD09 = "bd09", "BD-09（百度）"


def haversine_m(lng1, lat1, lng2, lat2) -> float:
    """Great-circle distance in metres between two WGS-84 points."""
    lng1, lat1, lng2, lat2 = map(math.radians, (float(lng1), float(lat1),
                                                float(lng2), float(lat2)))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2)
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def in_china(lng, lat) -> bool:
    lng, lat = float(lng), float(lat)
    return CHINA_LNG[0] <= lng <= CHINA_LNG[1] and CHINA_LAT[0] <= lat <= CHINA_LAT[1]


def _shift_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) \
        * 2.0 / 3.0
    return ret


def _shift_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) \
        * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lng, lat) -> tuple[float, float]:
    """WGS-84 → GCJ-02. Outside China the formula does not apply and the point is returned."""
    lng, lat = float(lng), float(lat)
    if not in_china(lng, lat):
        return lng, lat
    dlat = _shift_lat(lng - 105.0, lat - 35.0)
    dlng = _shift_lng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lng + dlng, lat + dlat


def gcj02_to_wgs84(lng, lat) -> tuple[float, float]:
    """GCJ-02 → WGS-84 by iterating the forward transform (converges to ~1e-9 degrees)."""
    lng, lat = float(lng), float(lat)
    if not in_china(lng, lat):
        return lng, lat
    wlng, wlat = lng, lat
    for _ in range(30):
        glng, glat = wgs84_to_gcj02(wlng, wlat)
        dlng, dlat = glng - lng, glat - lat
        wlng, wlat = wlng - dlng, wlat - dlat
        if abs(dlng) < 1e-10 and abs(dlat) < 1e-10:
            break
    return wlng, wlat


def gcj02_to_bd09(lng, lat) -> tuple[float, float]:
    x, y = float(lng), float(lat)
    z = math.sqrt(x * x + y * y) + 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) + 0.000003 * math.cos(x * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def bd09_to_gcj02(lng, lat) -> tuple[float, float]:
    """The published inverse is approximate (~5e-7 degrees); a few fixed-point steps on the
    forward transform make it exact to ~1e-10."""
    lng, lat = float(lng), float(lat)
    x, y = lng - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    glng, glat = z * math.cos(theta), z * math.sin(theta)
    for _ in range(10):
        blng, blat = gcj02_to_bd09(glng, glat)
        dlng, dlat = blng - lng, blat - lat
        glng, glat = glng - dlng, glat - dlat
        if abs(dlng) < 1e-11 and abs(dlat) < 1e-11:
            break
    return glng, glat


def wgs84_to_bd09(lng, lat) -> tuple[float, float]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lng, lat))


def bd09_to_wgs84(lng, lat) -> tuple[float, float]:
    return gcj02_to_wgs84(*bd09_to_gcj02(lng, lat))


def to_wgs84(system, lng, lat) -> tuple[float, float]:
    """A point given in `system` ("wgs84", "gcj02" or "bd09") as WGS-84 degrees."""
    system = str(system or CoordinateSystem.WGS84)
    if system == CoordinateSystem.WGS84:
        return float(lng), float(lat)
    if system == CoordinateSystem.GCJ02:
        return gcj02_to_wgs84(lng, lat)
    if system == CoordinateSystem.BD09:
        return bd09_to_wgs84(lng, lat)
    raise ValueError(f"未知的坐标系“{system}”。")


def quantize(value) -> Decimal:
    """Degrees with 6 decimals (about 0.1 m), as the models store them."""
    return Decimal(repr(float(value))).quantize(SIX_PLACES, rounding=ROUND_HALF_UP)


def system_label(system) -> str:
    try:
        return CoordinateSystem(system).label
    except ValueError:
        return str(system)


def parse_system(text) -> str | None:
    """A coordinate system named in a spreadsheet cell or a query: the code, the label or a
    common name (GPS, 高德, 腾讯, 百度...). Blank means WGS-84; unknown means None."""
    text = str(text or "").strip().lower().replace(" ", "")
    if not text:
        return CoordinateSystem.WGS84
    for choice in CoordinateSystem:
        if text in (choice.value, choice.label.lower().replace(" ", "")):
            return choice.value
    if text in ("wgs-84", "wgs", "gps", "wgs84（gps）", "天地图", "cgcs2000"):
        return CoordinateSystem.WGS84
    if text in ("gcj-02", "gcj", "高德", "腾讯", "火星", "火星坐标"):
        return CoordinateSystem.GCJ02
    if text in ("bd-09", "bd", "百度", "bd09ll"):
        return CoordinateSystem.BD09
    return None


def check_point(system, lng, lat) -> tuple[Decimal, Decimal]:
    """Convert a pasted point to stored WGS-84 decimals, or raise ValidationError with the
    reason in Chinese: not numbers, projected metres, swapped latitude/longitude, or outside
    China. Used by the form mixin and by the locations import."""
    try:
        lng_f, lat_f = float(Decimal(str(lng).strip())), float(Decimal(str(lat).strip()))
    except (InvalidOperation, ValueError):
        raise ValidationError("经度、纬度须是数字（度，如 117.265000）。") from None
    if not (math.isfinite(lng_f) and math.isfinite(lat_f)):
        raise ValidationError("经度、纬度须是数字（度，如 117.265000）。")
    if not in_china(lng_f, lat_f) and in_china(lat_f, lng_f):
        raise ValidationError(f"（{lng}, {lat}）的经度和纬度似乎填反了：经度在前（约 73–135），"
                              "纬度在后（约 4–54）。")
    if abs(lng_f) > 180 or abs(lat_f) > 90:
        raise ValidationError(
            f"（{lng}, {lat}）不是经纬度：像是以米为单位的投影坐标，请从地图上复制以度为单位的经纬度。")
    if not in_china(lng_f, lat_f):
        raise ValidationError(f"坐标（{lng}, {lat}）不在中国境内（经度 {CHINA_LNG[0]}–"
                              f"{CHINA_LNG[1]}，纬度 {CHINA_LAT[0]}–{CHINA_LAT[1]}）。")
    try:
        wlng, wlat = to_wgs84(system, lng_f, lat_f)
    except ValueError as error:
        raise ValidationError(str(error)) from None
    return quantize(wlng), quantize(wlat)


class CoordinateFormMixin:
    """Adds a 坐标系 choice to a form and takes 经度/纬度 in that system; `clean()` converts
    them to WGS-84 and leaves them in cleaned_data["lng"] / ["lat"] with 6 decimals, so a
    model form with "lng" and "lat" in Meta.fields stores them as they are. Outside China (or
    swapped, or in metres) the point is refused in Chinese and nothing is written.

    Optional: `coordinates_required = True`; `coordinate_reference` = (lng, lat, radius_m) in
    WGS-84 refuses a point farther than radius_m from it (a point pasted in the wrong system
    or from the wrong city). Put the mixin before `Styled` and the form class.
    """

    coordinates_required = False
    coordinate_reference: tuple[float, float, float] | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        system = forms.ChoiceField(
            label="坐标系", choices=CoordinateSystem.choices, initial=CoordinateSystem.WGS84,
            help_text="从高德、腾讯地图复制的选 GCJ-02，从百度地图复制的选 BD-09，"
                      "手机 GPS 的选 WGS-84；保存时一律换算为 WGS-84。")
        lng = forms.CharField(label="经度", required=self.coordinates_required,
                              help_text="度，如 117.265000；也可在此粘贴“经度,纬度”。")
        # Never required on its own: a "lng,lat" pair pasted into 经度 fills it; clean()
        # checks that both are there.
        lat = forms.CharField(label="纬度", required=False)
        instance = getattr(self, "instance", None)
        if instance is not None and getattr(instance, "lng", None) is not None:
            lng.initial, lat.initial = instance.lng, instance.lat
        fields = {}
        for name, field in self.fields.items():
            if name == "lng":
                fields["coordinate_system"] = system
                fields["lng"] = lng
            elif name == "lat":
                fields["lat"] = lat
            else:
                fields[name] = field
        for name, field in (("coordinate_system", system), ("lng", lng), ("lat", lat)):
            fields.setdefault(name, field)
        self.fields = fields
        css = "form-control"
        for name in ("lng", "lat"):
            self.fields[name].widget.attrs.setdefault("class", css)
            self.fields[name].widget.attrs.setdefault("inputmode", "decimal")
        self.fields["coordinate_system"].widget.attrs.setdefault("class", "form-select")

    def clean(self):
        cleaned = super().clean()
        lng = (cleaned.get("lng") or "").strip()
        lat = (cleaned.get("lat") or "").strip()
        if lng and not lat:
            for sep in (",", "，", " ", "\t"):
                if sep in lng:
                    lng, _, lat = (part.strip() for part in lng.partition(sep))
                    break
        if not lng and not lat:
            if self.coordinates_required:
                self.add_error("lng", "请填写经度和纬度。")
            cleaned["lng"] = cleaned["lat"] = None
            return cleaned
        if not lng or not lat:
            self.add_error("lng", "经度和纬度须同时填写。")
            return cleaned
        system = cleaned.get("coordinate_system") or CoordinateSystem.WGS84
        try:
            cleaned["lng"], cleaned["lat"] = check_point(system, lng, lat)
        except ValidationError as error:
            self.add_error("lng", error)
            cleaned.pop("lng", None)
            cleaned.pop("lat", None)
            return cleaned
        if self.coordinate_reference is not None:
            ref_lng, ref_lat, radius = self.coordinate_reference
            away = haversine_m(ref_lng, ref_lat, cleaned["lng"], cleaned["lat"])
            if away > radius:
                self.add_error("lng", (
                    f"换算为 WGS-84 后距所在街道约 {away / 1000:.1f} 公里，超出 "
                    f"{radius / 1000:.0f} 公里：请检查坐标系是否选对"
                    f"（当前为 {system_label(system)}）、经纬度是否抄错。"))
                cleaned.pop("lng", None)
                cleaned.pop("lat", None)
        return cleaned
