"""Uploaded workbooks that try to exhaust the server or smuggle XML entities, and exports
that would hand user text to Excel as formulas."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from gongjian.core import spreadsheets
from gongjian.core.spreadsheets import (
    Column,
    SheetReader,
    SheetSpec,
    SpreadsheetError,
    XlsxSheetData,
    write_xlsx,
)

SPEC = SheetSpec("名单", [Column("name", "姓名", required=True), Column("note", "备注")])
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def package(parts: dict[str, bytes | str], stored=()) -> bytes:
    """An .xlsx from its parts (names in `stored` are not compressed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            archive.writestr(name, body,
                             zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def parts(sheet_rows="", workbook=None, shared=None):
    rels = ('<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>')
    result = {
        "[Content_Types].xml": "<Types/>",
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": workbook or (
            f'<workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships"><sheets><sheet name="名单" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>'),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{MAIN}"><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c>'
            '<c r="B1" t="inlineStr"><is><t>备注</t></is></c></row>'
            '<row r="2"><c r="A2" t="inlineStr"><is><t>张三</t></is></c></row>'
            f'{sheet_rows}</sheetData></worksheet>'),
    }
    if shared is not None:
        rels += ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/'
                 'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>')
        result["xl/sharedStrings.xml"] = shared
    result["xl/_rels/workbook.xml.rels"] = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'relationships">{rels}</Relationships>')
    return result


def bomb(rows: int) -> bytes:
    """A valid workbook whose sheet is `rows` identical rows: it deflates about 1000:1."""
    row = '<row><c t="inlineStr"><is><t>张三</t></is></c></row>'
    return package(parts(sheet_rows=row * rows))


# ---- inflation --------------------------------------------------------------------------------

def test_a_highly_compressed_workbook_is_refused_before_it_is_parsed(monkeypatch):
    data = bomb(400_000)  # ~20 MB of XML in a file of some tens of KB
    inflated = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert inflated / len(data) > 200

    def never(*args, **kwargs):
        raise AssertionError("parsed a refused file")

    monkeypatch.setattr(spreadsheets.XlsxSheetData, "rows", never)
    with pytest.raises(SpreadsheetError, match="解压后") as refused:
        SheetReader(SPEC, data)
    assert "压缩比" in refused.value.message


def test_the_inflated_size_is_bounded_absolutely(monkeypatch):
    # An ordinary ratio, but more than the absolute bound allows.
    data = package(parts(sheet_rows="".join(
        f'<row><c t="inlineStr"><is><t>{i:x}{i * 7919 % 65521:x}</t></is></c></row>'
        for i in range(30_000))))
    inflated = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert inflated / len(data) < spreadsheets.MAX_INFLATION
    monkeypatch.setattr(spreadsheets, "MAX_INFLATED_BYTES", inflated - 1)
    with pytest.raises(SpreadsheetError, match="解压后超过"):
        SheetReader(SPEC, data)
    monkeypatch.setattr(spreadsheets, "MAX_INFLATED_BYTES", inflated)
    SheetReader(SPEC, data).close()


def test_ordinary_workbooks_pass_the_inflation_bounds():
    from gongjian.members.imports import SPEC as ROSTER
    from gongjian.members.imports import synthetic_workbook

    SheetReader(ROSTER, synthetic_workbook(3000, ["JS-A1"])).close()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "名单"
    sheet.append(["姓名", "备注"])
    for _ in range(5000):  # the same cells again and again compress well, but not like a bomb
        sheet.append(["张三", "某小区 1 号楼"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    SheetReader(SPEC, buffer.getvalue()).close()


def test_inflation_bounds_are_settings():
    from django.conf import settings

    assert settings.IMPORT_MAX_INFLATED_BYTES == spreadsheets.MAX_INFLATED_BYTES
    assert settings.IMPORT_MAX_INFLATION_RATIO == spreadsheets.MAX_INFLATION


# ---- XML entities -----------------------------------------------------------------------------

LONG_COMMENT = "<!--" + "填充" * 2000 + "-->"  # pushes the DOCTYPE past the first KB


def test_an_entity_declared_deep_in_the_workbook_part_is_refused():
    workbook = (f'<?xml version="1.0"?>{LONG_COMMENT}<!DOCTYPE w [<!ENTITY e "注入">]>'
                f'<workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/'
                'officeDocument/2006/relationships"><sheets><sheet name="名单&e;" sheetId="1" '
                'r:id="rId1"/></sheets></workbook>')
    with pytest.raises(SpreadsheetError, match="无法读取"):
        XlsxSheetData(package(parts(workbook=workbook)))


def test_an_entity_declared_deep_in_the_shared_strings_is_refused():
    shared = (f'<?xml version="1.0"?>{LONG_COMMENT}<!DOCTYPE s [<!ENTITY e "注入">]>'
              f'<x:sst xmlns:x="{MAIN}"><x:si><x:t>&e;</x:t></x:si></x:sst>')
    with pytest.raises(SpreadsheetError, match="无法读取"):
        XlsxSheetData(package(parts(shared=shared)))
    plain = (f'<?xml version="1.0"?>{LONG_COMMENT}<!DOCTYPE s [<!ENTITY e "注入">]>'
             f'<sst xmlns="{MAIN}"><si><t>&e;</t></si></sst>')
    with pytest.raises(SpreadsheetError, match="无法读取"):
        XlsxSheetData(package(parts(shared=plain)))


def test_openpyxl_meets_no_dtd_in_any_part():
    import defusedxml.ElementTree
    from openpyxl import xml
    from openpyxl.xml import functions

    # openpyxl streams worksheets through defusedxml; the other parts it parses with lxml when
    # lxml is installed (python-docx brings it), which expands internal entities: so every
    # XML part of an upload is vetted for a DTD before openpyxl or the reader sees it.
    assert xml.DEFUSEDXML is True
    assert functions.iterparse is defusedxml.ElementTree.iterparse
    core = '<?xml version="1.0"?><!DOCTYPE c [<!ENTITY e "注入">]><c>&e;</c>'
    with pytest.raises(SpreadsheetError, match="无法读取"):
        SheetReader(SPEC, package({**parts(), "docProps/core.xml": core}))
    utf16 = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE c [<!ENTITY e "注入">]>'
             '<c>&e;</c>').encode("utf-16")
    with pytest.raises(SpreadsheetError, match="无法读取"):
        SheetReader(SPEC, package({**parts(), "docProps/app.xml": utf16}))


# ---- damaged archives ---------------------------------------------------------------------------

def _bad_crc(data: bytes, name: str) -> bytes:
    """`data` with one byte of the stored part `name` changed (its CRC no longer matches)."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    header = info.header_offset
    start = header + 30 + len(info.filename.encode()) + len(info.extra)
    body = data[start:start + info.compress_size]
    at = start + body.index("张三".encode())
    return data[:at] + b"X" + data[at + 1:]


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_a_bad_crc_is_refused_as_a_damaged_file(part):
    data = package(parts(), stored={part})
    if part == "xl/workbook.xml":
        data = package(parts(workbook=(
            f'<workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships"><sheets><sheet name="张三" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>')), stored={part})
    damaged = _bad_crc(data, part)
    with pytest.raises(SpreadsheetError, match="文件可能已损坏"):
        reader = SheetReader(SPEC, damaged)
        list(reader.rows())


def test_a_bad_crc_in_an_upload_answers_400_in_chinese(client, users):
    from gongjian.members.imports import synthetic_workbook

    data = synthetic_workbook(5, ["JS-A1"])
    # Rewrite the sheet uncompressed, then damage one byte of it.
    source = zipfile.ZipFile(io.BytesIO(data))
    rebuilt = package({n: source.read(n) for n in source.namelist()},
                      stored={"xl/worksheets/sheet1.xml"})
    info = zipfile.ZipFile(io.BytesIO(rebuilt)).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    at = start + info.compress_size - 40
    damaged = rebuilt[:at] + bytes([rebuilt[at] ^ 1]) + rebuilt[at + 1:]
    client.force_login(users.community_a)
    response = client.post(reverse("member_import"), {"file": SimpleUploadedFile(
        "名册.xlsx", damaged, content_type=spreadsheets.XLSX_CONTENT_TYPE)})
    assert response.status_code == 400
    assert "文件可能已损坏" in response.content.decode()


# ---- formulas in exports -----------------------------------------------------------------------

DANGEROUS = ["=1+1", '=HYPERLINK("http://example.com","点此")', "+1", "-1+2", "@SUM(A1)",
             "\t=1", "\r=1"]


def _formulas(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [n for n in archive.namelist() if n.startswith("xl/worksheets/")
                and (b"<f>" in archive.read(n) or b"<f " in archive.read(n))]


def test_exported_text_is_never_a_formula_and_numbers_stay_numbers():
    data = write_xlsx("导出", ["文字", "数"], [[text, -5] for text in DANGEROUS]
                      + [["普通文字", -1.5]])
    assert not _formulas(data)
    sheet = load_workbook(io.BytesIO(data))["导出"]
    for row, text in enumerate(DANGEROUS, start=2):
        cell = sheet.cell(row=row, column=1)
        assert cell.data_type == "s" and cell.value == text  # the text itself, shown as text
        assert cell.quotePrefix
        assert sheet.cell(row=row, column=2).value == -5
        assert sheet.cell(row=row, column=2).data_type == "n"
    assert sheet.cell(row=len(DANGEROUS) + 2, column=2).value == -1.5


def test_a_whole_workbook_is_neutralised_when_saved():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["=1+1", -3, "@x"])
    data = spreadsheets.save_workbook(workbook)
    assert not _formulas(data)
    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]] == ["=1+1", -3, "@x"]
    assert sheet["A1"].data_type == "s" and sheet["B1"].data_type == "n"


def test_the_error_workbook_does_not_turn_uploaded_text_into_formulas():
    from gongjian.core.spreadsheets import ErrorCollector, error_workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "名单"
    sheet.append(["姓名", "备注"])
    sheet.append(["张三", "=1+1"])
    sheet["B2"].data_type = "s"  # text that looks like a formula, as typed after '
    buffer = io.BytesIO()
    workbook.save(buffer)
    reader = SheetReader(SPEC, buffer.getvalue())
    errors = ErrorCollector(reader)
    errors.add(2, "name", "不对。")
    marked = error_workbook(reader, errors, copy_max_rows=0)  # the streamed copy
    reader.close()
    assert not _formulas(marked)
    assert load_workbook(io.BytesIO(marked))["名单"]["B2"].value == "=1+1"


def test_a_case_titled_like_a_formula_exports_as_text(client, users, tree):
    from gongjian.core import audit
    from gongjian.enterprise.models import Case

    with audit.acting_as(suppress=True):
        Case.objects.create(title="=1+1", description="说明", company=tree.unit_a,
                            category=Case._meta.get_field("category").choices[0][0])
    client.force_login(users.street)
    response = client.get(reverse("enterprise_case_export"))
    assert response.status_code == 200
    data = b"".join(response.streaming_content) if response.streaming else response.content
    assert not _formulas(data)
    sheet = load_workbook(io.BytesIO(data)).active
    assert "=1+1" in [c.value for row in sheet.iter_rows() for c in row]


def test_a_member_address_like_a_hyperlink_exports_as_text(client, users, tree):
    tree.person_a.address = '=HYPERLINK("http://example.com","点此")'
    tree.person_a.save()
    client.force_login(users.street)
    response = client.get(reverse("member_export"))
    assert response.status_code == 200
    data = b"".join(response.streaming_content) if response.streaming else response.content
    assert not _formulas(data)
