"""The spreadsheet framework: templates with drop-downs, the reader and what it refuses, the
error workbook, the export writer. The sheet reader is checked against openpyxl's own."""

import datetime
import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from gongjian.core import spreadsheets
from gongjian.core.spreadsheets import (
    Column,
    ErrorCollector,
    SheetReader,
    SheetSpec,
    SpreadsheetError,
    XlsxSheetData,
    error_workbook,
    parse_date,
    write_template,
    write_xlsx,
)

SPEC = SheetSpec("名单", [
    Column("name", "姓名", required=True, max_length=5, example="示例"),
    Column("born", "出生日期", kind="date", example=datetime.date(1990, 1, 2)),
    Column("kind", "类别", kind="choice", choices=["甲", "乙"], aliases={"A": "甲"},
           example="甲"),
    Column("code", "编号（文本）", text_format=True, example="0001"),
])


def workbook_bytes(rows, title="名单", write_only=False):
    workbook = Workbook(write_only=write_only)
    if write_only:
        sheet = workbook.create_sheet(title)
    else:
        sheet = workbook.active
        sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_from_parts(sheet_xml, shared=None, styles=None):
    """A minimal hand-made package, to feed the reader shapes other writers produce."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        archive.writestr("xl/workbook.xml", (
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        rels = ('<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
                '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>')
        if shared is not None:
            rels += ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/'
                     'officeDocument/2006/relationships/sharedStrings" '
                     'Target="sharedStrings.xml"/>')
            archive.writestr("xl/sharedStrings.xml", shared)
        if styles is not None:
            rels += ('<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/'
                     'officeDocument/2006/relationships/styles" Target="styles.xml"/>')
            archive.writestr("xl/styles.xml", styles)
        archive.writestr("xl/_rels/workbook.xml.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships">{rels}</Relationships>'))
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return buffer.getvalue()


def read_all(data):
    reader = SheetReader(SPEC, data)
    try:
        return list(reader.rows())
    finally:
        reader.close()


# ---- template ---------------------------------------------------------------------------------

def test_template_has_headers_example_and_dropdowns():
    data = write_template(SPEC, lists={"code": [f"C{i:03d} 第{i}号" for i in range(60)]})
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames[0] == "名单"
    assert "填写说明" in workbook.sheetnames
    sheet = workbook["名单"]
    assert [c.value for c in sheet[1]] == ["姓名", "出生日期", "类别", "编号（文本）"]
    assert sheet["A2"].value == "示例"
    assert sheet["B2"].value.date() == datetime.date(1990, 1, 2)
    assert sheet.column_dimensions["D"].number_format == "@"
    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert validations["C2:C5001"].formula1 == '"甲,乙"'
    assert validations["C2:C5001"].type == "list"
    # A long list goes to a hidden sheet and is referenced by range.
    long_list = validations["D2:D5001"].formula1
    assert long_list == "'下拉选项'!$A$2:$A$61"
    options = workbook["下拉选项"]
    assert options.sheet_state == "hidden"
    assert options["A2"].value == "C000 第0号"


def test_untouched_template_is_refused_as_having_no_data():
    with pytest.raises(SpreadsheetError, match="只有表头，没有数据行"):
        read_all(write_template(SPEC))


def test_example_row_is_skipped_but_real_rows_are_read():
    data = write_template(SPEC)
    workbook = load_workbook(io.BytesIO(data))
    workbook["名单"].append(["王五", "1980-05-06", "乙", "0042"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = read_all(buffer.getvalue())
    assert rows == [(3, {"name": "王五", "born": "1980-05-06", "kind": "乙", "code": "0042"})]


# ---- what the reader refuses ------------------------------------------------------------------

@pytest.mark.parametrize("data, message", [
    (b"", "文件是空的"),
    (b"name,born\nA,1990-01-01\n", "不是 Excel 工作簿"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "旧版 Excel 文件（.xls）"),
])
def test_not_a_workbook(data, message):
    with pytest.raises(SpreadsheetError, match=message):
        read_all(data)


def test_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    with pytest.raises(SpreadsheetError, match="不是 Excel 工作簿"):
        read_all(buffer.getvalue())


def test_empty_sheet():
    with pytest.raises(SpreadsheetError, match="是空的"):
        read_all(workbook_bytes([]))
    with pytest.raises(SpreadsheetError, match="是空的"):
        read_all(workbook_bytes([[None, "  "], []]))


def test_headerless_sheet():
    with pytest.raises(SpreadsheetError, match="第 1 行不是表头"):
        read_all(workbook_bytes([["张三", "1990-01-01", "甲"], ["李四", "1991-01-01", "乙"]]))


def test_title_rows_above_the_header_are_allowed():
    rows = read_all(workbook_bytes([["某某社区党员名册"], [], ["类别", "姓名"], ["乙", "张三"]]))
    assert rows == [(4, {"name": "张三", "kind": "乙"})]


def test_missing_required_column_and_duplicated_header():
    with pytest.raises(SpreadsheetError, match="缺少必填的列：姓名"):
        read_all(workbook_bytes([["出生日期", "类别"], ["1990-01-01", "甲"]]))
    with pytest.raises(SpreadsheetError, match="“姓名”出现了两次"):
        read_all(workbook_bytes([["姓名", "姓名"], ["a", "b"]]))


def test_header_only():
    with pytest.raises(SpreadsheetError, match="没有数据行"):
        read_all(workbook_bytes([["姓名", "类别"]]))


def test_oversize_file(monkeypatch):
    data = workbook_bytes([["姓名"], ["张三"]])
    with pytest.raises(SpreadsheetError, match="文件过大"):
        SheetReader(SPEC, data, max_bytes=len(data) - 1)

    class Upload(io.BytesIO):
        size = 30 * 1024 * 1024

    monkeypatch.setattr(spreadsheets, "MAX_BYTES", 20 * 1024 * 1024)
    with pytest.raises(SpreadsheetError, match="文件过大（30.0 MB）"):
        spreadsheets.read_upload(Upload(data))


def test_too_many_rows():
    data = workbook_bytes([["姓名"]] + [[f"人{i}"] for i in range(12)])
    with pytest.raises(SpreadsheetError, match="最多 10 行"):
        SheetReader(SPEC, data, max_rows=10)


def test_zip_bomb_is_refused(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_INFLATION", 2)
    data = workbook_bytes([["姓名"]] + [["张三" * 50] for _ in range(200)], write_only=True)
    with pytest.raises(SpreadsheetError, match="解压后过大"):
        SheetReader(SPEC, data, max_bytes=len(data))


def test_doctype_is_refused():
    sheet = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>姓名&a;</t></is></c></row>'
             '</sheetData></worksheet>')
    with pytest.raises(SpreadsheetError, match="无法读取"):
        read_all(xlsx_from_parts(sheet))


# ---- cells ------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    (datetime.datetime(2020, 7, 1, 0, 0), datetime.date(2020, 7, 1)),
    ("2020-07-01", datetime.date(2020, 7, 1)),
    ("2020/7/1", datetime.date(2020, 7, 1)),
    ("2020.7.1", datetime.date(2020, 7, 1)),
    ("2020年7月1日", datetime.date(2020, 7, 1)),
    ("20200701", datetime.date(2020, 7, 1)),
    (20200701, datetime.date(2020, 7, 1)),
    (44013, datetime.date(2020, 7, 1)),
])
def test_dates(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw, message", [
    ("1975.07", "日期格式不正确"), ("2021-02-29", "不存在"), ("明天", "日期格式不正确")])
def test_bad_dates(raw, message):
    with pytest.raises(spreadsheets.CellProblem, match=message):
        parse_date(raw)


def test_columns_parse_and_explain():
    name, _born, kind, code = SPEC.columns
    assert kind.parse("A") == "甲"
    with pytest.raises(spreadsheets.CellProblem, match="“丙”不是可选的类别（可选：甲、乙）"):
        kind.parse("丙")
    with pytest.raises(spreadsheets.CellProblem, match="此项必填"):
        name.parse("  ")
    with pytest.raises(spreadsheets.CellProblem, match="不能超过 5 个字"):
        name.parse("一二三四五六")
    with pytest.raises(spreadsheets.CellProblem, match="末尾已丢失"):
        code.parse(4.40524188001010e17)
    assert code.parse(42.0) == "42"


# ---- the reader against openpyxl --------------------------------------------------------------

_cell = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
    st.integers(-10**9, 10**9),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.dates(datetime.date(1901, 1, 1), datetime.date(2100, 1, 1)),
)


def _norm(value):
    if isinstance(value, str) and not value.strip():
        return None
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=0)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.lists(_cell, min_size=1, max_size=6), min_size=1, max_size=8),
       write_only=st.booleans())
def test_reader_matches_openpyxl(rows, write_only):
    data = workbook_bytes(rows, write_only=write_only)
    expected = []
    # data_only: a formula's cached value, as Excel keeps it (none when never calculated).
    sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        expected.append((number, [_norm(v) for v in values]))
    got = dict(XlsxSheetData(data).rows())
    for number, values in expected:
        mine = [_norm(v) for v in got.get(number, [])]
        mine += [None] * (len(values) - len(mine))
        assert mine[:len(values)] == values, (number, mine, values)


def test_reader_handles_other_writers_shapes():
    """Shared strings (plain, rich text, escaped), cells without references, formulas with
    cached values, Chinese built-in date formats, namespaced rows, self-closing rows."""
    shared = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<si><t>姓名</t></si><si><t>类别</t></si>'
              '<si><r><rPr><b/></rPr><t>张</t></r><r><t xml:space="preserve">三 </t></r></si>'
              '<si><t>A&amp;B &lt;甲&gt;</t></si><si/></sst>')
    styles = ('<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<numFmts count="1"><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;'
              '月&quot;d&quot;日&quot;"/></numFmts><cellXfs count="3"><xf numFmtId="0"/>'
              '<xf numFmtId="31"/><xf numFmtId="176"/></cellXfs></styleSheet>')
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
             '<dimension ref="A1"/><sheetData>'
             '<row r="1" spans="1:3" x14ac:dyDescent="0.25"><c r="A1" t="s"><v>0</v></c>'
             '<c r="B1" t="s"><v>1</v></c></row>'
             '<row r="2"><c t="s"><v>2</v></c><c s="1"><v>44013</v></c></row>'
             '<row r="3"/>'
             '<row r="4"><c r="A4" t="str"><f>CONCAT("x","y")</f><v>xy</v></c>'
             '<c r="B4" s="2"><v>44014</v></c><c r="C4" t="s"><v>3</v></c></row>'
             '<row r="6"><c r="A6" t="b"><v>1</v></c><c r="B6"><v>1.5</v></c>'
             '<c r="D6" t="e"><v>#N/A</v></c><c r="E6" t="s"><v>4</v></c></row>'
             '</sheetData></worksheet>')
    rows = dict(XlsxSheetData(xlsx_from_parts(sheet, shared, styles)).rows())
    assert rows[1] == ["姓名", "类别"]
    assert rows[2] == ["张三 ", datetime.datetime(2020, 7, 1)]
    assert rows[3] == []
    assert rows[4] == ["xy", datetime.datetime(2020, 7, 2), "A&B <甲>"]
    assert rows[6] == [True, 1.5, None, "#N/A", ""]

    namespaced = ('<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                  'main"><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>姓名'
                  '</x:t></x:is></x:c></x:row><x:row r="2"><x:c r="A2" t="inlineStr"><x:is>'
                  '<x:t>李四</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>')
    assert read_all(xlsx_from_parts(namespaced)) == [(2, {"name": "李四"})]


def test_rows_beyond_the_declared_dimension_are_read():
    data = workbook_bytes([["姓名"], ["甲一"], ["乙二"], ["丙三"]])
    patched = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b'<dimension ref="A1:A4"', b'<dimension ref="A1:A2"')
            target.writestr(item, content)
    assert [values["name"] for _, values in read_all(patched.getvalue())] == [
        "甲一", "乙二", "丙三"]


def test_large_sheet_is_read_in_slices(monkeypatch):
    monkeypatch.setattr(spreadsheets, "_ROW_CHUNK", 256)
    rows = [["姓名", "类别"]] + [[f"人员{i}", "甲" if i % 2 else "乙"] for i in range(500)]
    got = read_all(workbook_bytes(rows, write_only=True))
    assert len(got) == 500
    assert got[-1] == (501, {"name": "人员499", "kind": "甲"})


# ---- errors -----------------------------------------------------------------------------------

def _collect(data):
    reader = SheetReader(SPEC, data)
    errors = ErrorCollector(reader)
    for number, raw in reader.rows():
        for column in SPEC.columns:
            if column.key in reader.positions:
                try:
                    column.parse(raw[column.key])
                except spreadsheets.CellProblem as problem:
                    errors.add(number, column.key, problem.message, unreadable=True)
    return reader, errors


@pytest.mark.parametrize("copy_max_rows", [None, 0])  # full copy, and streamed
def test_error_workbook_marks_cells_and_explains_rows(copy_max_rows):
    # Columns in another order than the template's: letters follow the file.
    data = workbook_bytes([["类别", "姓名", "备注"], ["甲", "张三", "x"], ["丙", "", "y"],
                           ["乙", "李四", "z"]])
    reader, errors = _collect(data)
    errors.add(3, "name", "又一个问题")  # dropped: the cell was already unreadable
    errors.add(4, None, "整行的问题")
    assert [str(e) for e in errors.sorted()] == [
        "第3行 A列（类别）：“丙”不是可选的类别（可选：甲、乙）。",
        "第3行 B列（姓名）：此项必填。",
        "第4行：整行的问题",
    ]
    marked = load_workbook(io.BytesIO(error_workbook(reader, errors,
                                                     copy_max_rows=copy_max_rows)))
    sheet = marked["名单"]
    assert sheet["D1"].value == "错误说明"
    assert sheet["C2"].value == "x"  # the user's other columns are kept
    assert sheet["A3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert "不是可选的类别" in sheet["A3"].comment.text
    assert sheet["B3"].comment.text == "此项必填。"
    assert sheet["A2"].comment is None
    assert sheet["D3"].value.splitlines() == [
        "第3行 A列（类别）：“丙”不是可选的类别（可选：甲、乙）。", "第3行 B列（姓名）：此项必填。"]
    assert sheet["D4"].value == "第4行：整行的问题"
    assert sheet["D2"].value is None


def test_error_workbook_uploaded_again_reuses_its_error_column():
    data = workbook_bytes([["姓名", "类别"], ["张三", "丙"], ["李四", "丁"]])
    reader, errors = _collect(data)
    first = error_workbook(reader, errors)
    fixed = load_workbook(io.BytesIO(first))
    fixed["名单"]["B2"] = "甲"
    buffer = io.BytesIO()
    fixed.save(buffer)
    reader, errors = _collect(buffer.getvalue())
    assert [str(e) for e in errors] == ["第3行 B列（类别）：“丁”不是可选的类别（可选：甲、乙）。"]
    sheet = load_workbook(io.BytesIO(error_workbook(reader, errors)))["名单"]
    assert [c.value for c in sheet[1]] == ["姓名", "类别", "错误说明"]
    assert sheet["C2"].value is None and sheet["B2"].comment is None
    assert sheet["C3"].value.startswith("第3行 B列")


# ---- export -----------------------------------------------------------------------------------

def test_write_xlsx():
    data = write_xlsx("导出", ["姓名", "日期", "数"], [["张三", datetime.date(2020, 1, 2), 3]])
    sheet = load_workbook(io.BytesIO(data))["导出"]
    assert [c.value for c in sheet[1]] == ["姓名", "日期", "数"]
    assert sheet["B2"].value == datetime.datetime(2020, 1, 2)
    assert sheet["B2"].number_format == "yyyy-mm-dd"
