"""Locations of buildings and units from a spreadsheet: converted to WGS-84 from the system the
row names, all or nothing, every bad cell named by row and column, and only what the account
may change."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from gongjian.circle.imports import SPEC, LocationImporter
from gongjian.core import geo
from gongjian.core.models import AuditEntry
from gongjian.orgs.models import Building, Unit


def workbook(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = SPEC.title
    sheet.append(SPEC.headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(data, name="位置.xlsx"):
    stream = io.BytesIO(data)
    stream.name = name
    return stream


GCJ = geo.wgs84_to_gcj02(117.265, 34.285)
BD = geo.wgs84_to_bd09(117.27, 34.29)


def locations(tree):
    return (list(Building.objects.order_by("pk").values_list("lng", "lat", "address")),
            list(Unit.objects.order_by("pk").values_list("lng", "lat", "address")))


def test_a_good_sheet_converts_and_writes_everything(tree, users):
    rows = [
        ["楼栋", "G-A", "1号楼", "金安路1号1号楼", f"{GCJ[0]:.9f}", f"{GCJ[1]:.9f}",
         "GCJ-02（高德、腾讯）"],
        ["驻区单位", "U-A", "", "", BD[0], BD[1], "百度"],
        ["驻区单位", "U-B", "", "", "117.262", "34.281", ""],
    ]
    result = LocationImporter(users.street).run(workbook(rows), filename="位置.xlsx")
    assert result.ok, [str(e) for e in result.errors]
    assert result.imported == 3
    building = Building.objects.get(pk=tree.building.pk)
    assert (str(building.lng), str(building.lat)) == ("117.265000", "34.285000")
    assert building.address == "金安路1号1号楼"
    unit_a, unit_b = Unit.objects.get(code="U-A"), Unit.objects.get(code="U-B")
    assert (str(unit_a.lng), str(unit_a.lat)) == ("117.270000", "34.290000")
    assert (str(unit_b.lng), str(unit_b.lat)) == ("117.262000", "34.281000")
    assert AuditEntry.objects.filter(event="import", success=True).exists()


@pytest.mark.parametrize("row, cell, words", [
    (["楼栋", "G-A", "9号楼", "", "117.2", "34.2", ""], "第2行 C列（楼栋名称）", "没有名为“9号楼”"),
    (["楼栋", "G-A", "", "", "117.2", "34.2", ""], "第2行 C列（楼栋名称）", "须填写楼栋名称"),
    (["驻区单位", "U-X", "", "", "117.2", "34.2", ""], "第2行 B列（编码）", "不存在"),
    (["楼栋", "G-A", "1号楼", "", "2.35", "48.85", ""], "第2行 E列（经度）", "不在中国境内"),
    (["楼栋", "G-A", "1号楼", "", "34.2", "117.2", ""], "第2行 E列（经度）", "填反"),
    (["楼栋", "G-A", "1号楼", "", "13054000", "4070000", ""], "第2行 E列（经度）", "投影坐标"),
    (["楼栋", "G-A", "1号楼", "", "东经117度", "34.2", ""], "第2行 E列（经度）", "须是数字"),
    (["楼栋", "G-A", "1号楼", "", "117.2", "34.2", "墨卡托"], "第2行 G列（坐标系）", "不是可选的"),
    (["小区", "G-A", "1号楼", "", "117.2", "34.2", ""], "第2行 A列（类型）", "不是可选的"),
    (["楼栋", "G-A", "1号楼", "", "", "34.2", ""], "第2行 E列（经度）", "必填"),
])
def test_a_bad_cell_is_named_and_nothing_is_written(tree, users, row, cell, words):
    before = locations(tree)
    good = ["驻区单位", "U-B", "", "", "117.262", "34.281", ""]
    result = LocationImporter(users.street).run(workbook([row, good]))
    assert not result.ok
    texts = [str(e) for e in result.errors]
    assert any(t.startswith(cell) and words in t for t in texts), texts
    assert locations(tree) == before
    assert result.error_workbook


def test_the_same_building_twice_is_refused(tree, users):
    rows = [["楼栋", "G-A", "1号楼", "", "117.2", "34.2", ""],
            ["楼栋", "G-A", "1号楼", "", "117.3", "34.3", ""]]
    result = LocationImporter(users.street).run(workbook(rows))
    assert not result.ok
    assert str(result.errors[0]) == ("第3行 C列（楼栋名称）：与第 2 行是同一楼栋“金安第一网格 1号楼”："
                                     "每个楼栋只能出现一次。")
    assert Building.objects.get(pk=tree.building.pk).lng is None


def test_out_of_reach_is_refused_like_missing(tree, users):
    # Community B's staff cannot locate community A's building or unit.
    rows = [["楼栋", "G-A", "1号楼", "", "117.2", "34.2", ""],
            ["驻区单位", "U-A", "", "", "117.2", "34.2", ""]]
    result = LocationImporter(users.community_b).run(workbook(rows))
    assert not result.ok and len(result.errors) == 2
    assert all("不在您的管理范围内" in str(e) for e in result.errors)


def test_the_pages_import_and_name_the_errors(tree, users, client):
    client.force_login(users.community_a)
    template = client.get(reverse("circle_locations_template"))
    assert template.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(template.streaming_content))).active
    assert [c.value for c in sheet[1]] == SPEC.headers
    bad = workbook([["楼栋", "G-A", "1号楼", "", "2.35", "48.85", ""]])
    response = client.post(reverse("circle_locations_import"), {"file": upload(bad)})
    assert response.status_code == 400
    assert "第2行 E列（经度）" in response.content.decode()
    assert Building.objects.get(pk=tree.building.pk).lng is None
    good = workbook([["楼栋", "G-A", "1号楼", "", "117.265", "34.285", "WGS-84（GPS）"]])
    response = client.post(reverse("circle_locations_import"), {"file": upload(good)})
    assert response.status_code == 200
    assert "成功导入 1 个位置" in response.content.decode()
    assert str(Building.objects.get(pk=tree.building.pk).lng) == "117.265000"


def test_building_model_takes_both_or_neither(tree):
    from django.core.exceptions import ValidationError

    building = Building.objects.get(pk=tree.building.pk)
    building.lng = 117.2
    with pytest.raises(ValidationError, match="同时填写"):
        building.full_clean()
    building.lng, building.lat = 2.35, 48.85
    with pytest.raises(ValidationError, match="不在中国境内"):
        building.full_clean()
