"""Distances and coordinate systems (RULES §11): the published vectors, the inverses, and the
form mixin that converts a pasted point and refuses one outside China."""

import pytest
from django import forms

from gongjian.core import geo


def test_haversine_vector_and_detour_factor():
    straight = geo.haversine_m(117.20, 34.26, 117.21, 34.26)
    assert round(straight, 1) == 919.0
    assert round(straight * 1.3, 1) == 1194.7
    assert straight * 1.3 > 1000  # outside a 1 km circle once the detour is counted
    assert geo.haversine_m(117.2, 34.26, 117.2, 34.26) == 0


def test_wgs84_to_gcj02_vector():
    lng, lat = geo.wgs84_to_gcj02(116.404, 39.915)
    assert abs(lng - 116.41024449916938) < 1e-6
    assert abs(lat - 39.91640428150164) < 1e-6
    # The shift the rules warn about: about half a kilometre.
    assert 400 < geo.haversine_m(116.404, 39.915, lng, lat) < 700


@pytest.mark.parametrize("point", [(116.404, 39.915), (117.265, 34.285), (121.47, 31.23),
                                   (87.6, 43.8), (113.26, 23.13)])
def test_round_trips(point):
    assert _close(geo.gcj02_to_wgs84(*geo.wgs84_to_gcj02(*point)), point, 1e-5)
    assert _close(geo.bd09_to_wgs84(*geo.wgs84_to_bd09(*point)), point, 1e-5)
    assert _close(geo.to_wgs84("gcj02", *geo.wgs84_to_gcj02(*point)), point, 1e-5)
    assert _close(geo.to_wgs84("bd09", *geo.wgs84_to_bd09(*point)), point, 1e-5)
    assert geo.to_wgs84("wgs84", *point) == point
    # BD-09 sits a further ~700 m off GCJ-02: the systems really differ.
    assert geo.haversine_m(*geo.wgs84_to_gcj02(*point), *geo.wgs84_to_bd09(*point)) > 300


def test_outside_china_is_left_alone_and_unknown_system_refused():
    assert geo.wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert not geo.in_china(2.35, 48.85)
    assert geo.in_china(117.265, 34.285)
    with pytest.raises(ValueError):
        geo.to_wgs84("utm", 1, 2)


def test_system_names():
    assert geo.parse_system("") == "wgs84"
    assert geo.parse_system("高德") == "gcj02"
    assert geo.parse_system("BD-09") == "bd09"
    assert geo.parse_system("GCJ-02（高德、腾讯）") == "gcj02"
    assert geo.parse_system("墨卡托") is None
    assert geo.CoordinateSystem.GCJ02.label == "GCJ-02（高德、腾讯）"


class PointForm(geo.CoordinateFormMixin, forms.Form):
    name = forms.CharField()
    lng = forms.DecimalField()
    lat = forms.DecimalField()


def test_form_converts_to_wgs84_with_six_decimals():
    form = PointForm(data={"name": "a", "coordinate_system": "gcj02",
                           "lng": "116.41024449916938", "lat": "39.91640428150164"})
    assert form.is_valid(), form.errors
    assert str(form.cleaned_data["lng"]) == "116.404000"
    assert str(form.cleaned_data["lat"]) == "39.915000"
    assert list(form.fields)[:4] == ["name", "coordinate_system", "lng", "lat"]
    assert form.fields["coordinate_system"].label == "坐标系"


def test_form_takes_a_pasted_pair_and_blank():
    form = PointForm(data={"name": "a", "coordinate_system": "wgs84",
                           "lng": "117.265, 34.285", "lat": ""})
    assert form.is_valid(), form.errors
    assert (str(form.cleaned_data["lng"]), str(form.cleaned_data["lat"])) == \
        ("117.265000", "34.285000")
    blank = PointForm(data={"name": "a", "coordinate_system": "wgs84", "lng": "", "lat": ""})
    assert blank.is_valid()
    assert blank.cleaned_data["lng"] is None


@pytest.mark.parametrize(("lng", "lat", "words"), [
    ("2.35", "48.85", "不在中国境内"),
    ("34.285", "117.265", "填反"),
    ("13054000", "4070000", "投影坐标"),
    ("abc", "34", "须是数字"),
    ("117.2", "", "同时填写"),
])
def test_form_refuses_in_chinese(lng, lat, words):
    form = PointForm(data={"name": "a", "coordinate_system": "wgs84", "lng": lng, "lat": lat})
    assert not form.is_valid()
    assert words in str(form.errors["lng"])
    assert "lng" not in form.cleaned_data


def test_form_reference_catches_a_wrong_system():
    class NearForm(PointForm):
        coordinate_reference = (117.265, 34.285, 5_000)

    near = NearForm(data={"name": "a", "coordinate_system": "wgs84",
                          "lng": "117.27", "lat": "34.29"})
    assert near.is_valid(), near.errors
    far = NearForm(data={"name": "a", "coordinate_system": "bd09",
                         "lng": "116.41", "lat": "39.92"})
    assert not far.is_valid()
    assert "坐标系" in str(far.errors["lng"])


def _close(a, b, tol):
    return abs(a[0] - b[0]) < tol and abs(a[1] - b[1]) < tol
