"""Spreadsheet import and export (.xlsx), shared by every capability that takes or gives lists.

A capability describes its sheet once as a `SheetSpec` (columns with their Chinese headers,
how each cell is read, drop-down lists) and subclasses `Importer` with three steps: check
one row, check the rows together (duplicates), write them all. The framework gives it:

* `write_template()`: the template to download, with headers, an example row (skipped on
  import), drop-down lists (Excel data validation) and a sheet of instructions;
* `SheetReader`: opens an upload and refuses what is not a workbook, an empty or headerless
  sheet, a file over the size or row limit, with a message in Chinese;
* `ErrorCollector`: every bad cell as "第N行 X列（表头）：原因";
* `error_workbook()`: the upload itself, bad cells filled red with a comment, and a column
  错误说明 added at the right, so the user fixes their own file and uploads it again;
* `Importer.run()`: all rows checked first; if any is bad nothing is written (ARCHITECTURE
  principle 4), otherwise all are written in one transaction;
* `write_xlsx()`: a fast write-only workbook for exports, and `save_workbook()` for any other
  workbook the app gives out: both write text that Excel would take for a formula as text.

An upload is vetted as a whole before any of it is parsed (`check_archive`): its inflated size
is bounded absolutely and by compression ratio, and no XML part may carry a DTD (the only way
to declare entities). The package's own parts are parsed with defusedxml.
"""

import datetime
import html
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from defusedxml import ElementTree as ET
from defusedxml.common import DefusedXmlException
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from . import audit

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Limits (settings may override): a 100,000-row roster is about 6 MB.
MAX_BYTES = getattr(settings, "IMPORT_MAX_BYTES", 20 * 1024 * 1024)
MAX_ROWS = getattr(settings, "IMPORT_MAX_ROWS", 200_000)
# A workbook is a zip: refuse one that inflates past this ratio to its own size or past this
# many bytes in all (a "zip bomb"). Real workbooks inflate 5-20 times.
MAX_INFLATION = getattr(settings, "IMPORT_MAX_INFLATION_RATIO", 100)
MAX_INFLATED_BYTES = getattr(settings, "IMPORT_MAX_INFLATED_BYTES", 256 * 1024 * 1024)
# Rows the template prepares (drop-downs, text format) below the header.
TEMPLATE_ROWS = 5000
# Rows above the header (a title such as "某某社区党员名册") looked through.
HEADER_SEARCH_ROWS = 5
# At most this many errors are kept for the page; the error workbook has them all.
ERRORS_SHOWN = 500

LIST_SHEET = "下拉选项"
HELP_SHEET = "填写说明"
ERROR_HEADER = "错误说明"
COMMENT_AUTHOR = "共建"

_HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
_EXAMPLE_FONT = Font(italic=True, color="808080")
_ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
_ERROR_FONT = Font(color="9C0006")
_REQUIRED_FONT = Font(bold=True, color="B71C1C")
_BOLD = Font(bold=True)


class SpreadsheetError(Exception):
    """The file as a whole is refused (not a workbook, empty, no header, too big)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class CellProblem(ValueError):
    """One cell cannot be read; the message says why, in Chinese."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# ---- columns ----------------------------------------------------------------------------------

_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _text_of(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime.datetime, datetime.date)):
        return f"{value:%Y-%m-%d}"
    return str(value).strip()


def parse_date(value) -> datetime.date:
    """A date from a cell: an Excel date, 2020-07-01, 2020/7/1, 2020.7.1, 2020年7月1日,
    20200701, or an Excel serial number."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 10000101 <= value <= 99991231:
            value = str(int(value))
        elif 1 <= value < 2958466:
            return from_excel(value).date()
    text = _text_of(value)
    match = _DATE_TEXT.match(text) or _DATE_DIGITS.match(text)
    if match:
        try:
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            raise CellProblem(f"日期“{text}”不存在。") from None
    raise CellProblem(f"日期格式不正确：“{text}”，应为 年-月-日（如 2020-07-01）。")


@dataclass
class Column:
    """One column of a sheet.

    `key` names the value in a parsed row (usually the model field); `header` is what the
    user sees. `kind` is text, date or choice. `choices` are the accepted values, offered as
    a drop-down; `aliases` map other accepted spellings to a value. `choices_first_token`:
    the drop-down shows "CODE 名称" and the cell's value is the code. `text_format` keeps
    long digit strings (ID numbers, phones) as text in the template.
    """

    key: str
    header: str
    kind: str = "text"
    required: bool = False
    choices: Sequence[str] = ()
    aliases: dict[str, str] = field(default_factory=dict)
    max_length: int | None = None
    default: Any = None
    example: Any = ""
    help: str = ""
    width: int = 14
    text_format: bool = False
    choices_first_token: bool = False

    def parse(self, raw):
        """The cell's value for this column, or None when empty; CellProblem if unreadable."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if self.required:
                raise CellProblem("此项必填。")
            return self.default
        if self.kind == "date":
            return parse_date(raw)
        if isinstance(raw, float) and raw >= 1e15:
            raise CellProblem("该单元格被存为数字，超过 15 位的数字末尾已丢失；"
                              "请将此列设为文本格式后重新填写。")
        text = _text_of(raw)
        if self.kind == "choice":
            if self.choices_first_token:
                text = text.split()[0]
            if text in self.aliases:
                return self.aliases[text]
            if self.choices and text not in self.choices:
                options = "、".join(list(self.choices)[:12])
                more = " 等" if len(self.choices) > 12 else ""
                raise CellProblem(f"“{text}”不是可选的{self.header}（可选：{options}{more}）。")
            return text
        if self.max_length and len(text) > self.max_length:
            raise CellProblem(f"不能超过 {self.max_length} 个字（现为 {len(text)} 个）。")
        return text


def _normal_header(text) -> str:
    """"所在党支部（组织编码）*" → "所在党支部": headers match without notes and marks."""
    text = _text_of(text).replace("*", "").replace("＊", "")
    return re.sub(r"[（(].*?[）)]", "", text).strip()


@dataclass
class SheetSpec:
    """The sheet a capability imports and exports: its title and columns."""

    title: str
    columns: list[Column]
    notes: Sequence[str] = ()

    def column(self, key) -> Column:
        return next(c for c in self.columns if c.key == key)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def example_row(self) -> list:
        return [c.example for c in self.columns]


# ---- template ---------------------------------------------------------------------------------

def write_template(spec: SheetSpec, *, lists: dict[str, Sequence[str]] | None = None,
                   rows: int = TEMPLATE_ROWS) -> bytes:
    """The template of `spec`: headers, one example row, drop-downs for every column with
    choices (`lists` adds or replaces a column's list, e.g. the organisations in reach)."""
    lists = dict(lists or {})
    for column in spec.columns:
        if column.choices and column.key not in lists:
            lists[column.key] = list(column.choices)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = spec.title
    for index, column in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = _REQUIRED_FONT if column.required else _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        note = ("必填。" if column.required else "选填。") + column.help
        cell.comment = Comment(note, COMMENT_AUTHOR, width=220, height=90)
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        example = sheet.cell(row=2, column=index, value=column.example)
        example.font = _EXAMPLE_FONT
        if column.kind == "date":
            example.number_format = "yyyy-mm-dd"
        if column.text_format:
            # A column style, not styled cells: the sheet's size stays what the user fills.
            example.number_format = "@"
            sheet.column_dimensions[letter].number_format = "@"
    sheet.cell(row=2, column=1).comment = Comment(
        "示例行：导入时自动跳过。可直接覆盖为真实数据，或删除此行。", COMMENT_AUTHOR)
    sheet.freeze_panes = "A2"

    options = None
    for index, column in enumerate(spec.columns, start=1):
        values = lists.get(column.key)
        if not values:
            continue
        inline = ",".join(values)
        if len(inline) <= 250 and not any("," in v or '"' in v for v in values):
            formula = f'"{inline}"'
        else:
            if options is None:
                options = workbook.create_sheet(LIST_SHEET)
                options.sheet_state = "hidden"
            list_col = options.max_column + (0 if options.max_row == 1 and
                                             options.cell(1, 1).value is None else 1)
            options.cell(row=1, column=list_col, value=column.header)
            for row, value in enumerate(values, start=2):
                options.cell(row=row, column=list_col, value=value)
            list_letter = get_column_letter(list_col)
            formula = (f"{quote_sheetname(LIST_SHEET)}!${list_letter}$2:"
                       f"${list_letter}${len(values) + 1}")
        validation = DataValidation(
            type="list", formula1=formula, allow_blank=not column.required,
            showErrorMessage=True, errorTitle="输入有误",
            error=f"请从下拉列表中选择{column.header}。", promptTitle=column.header,
            prompt=f"请从下拉列表中选择{column.header}", showInputMessage=True)
        letter = get_column_letter(index)
        validation.add(f"{letter}2:{letter}{rows + 1}")
        sheet.add_data_validation(validation)

    help_sheet = workbook.create_sheet(HELP_SHEET, 1)
    help_sheet.append(["列名", "是否必填", "填写要求"])
    for cell in help_sheet[1]:
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
    for column in spec.columns:
        rule = [column.help] if column.help else []
        if column.kind == "date":
            rule.append("日期格式：年-月-日，如 2020-07-01。")
        shown = lists.get(column.key)
        if shown:
            rule.append("可选：" + "、".join(shown) + "。" if len(shown) <= 20
                        else "从下拉列表选择。")
        rule = " ".join(rule)
        help_sheet.append([column.header, "必填" if column.required else "选填", rule])
    help_sheet.append([])
    for note in (*spec.notes, "第 2 行为示例行，导入时自动跳过。",
                 "任何一行有误时整份文件都不会导入；系统会返回标出错误单元格的工作簿，"
                 "改正后重新上传即可。"):
        help_sheet.append([note])
    help_sheet.column_dimensions["A"].width = 16
    help_sheet.column_dimensions["B"].width = 10
    help_sheet.column_dimensions["C"].width = 80
    workbook.active = 0
    return _save(workbook)


# Text starting with these is a formula (or becomes one when the cell is edited, or in a CSV)
# to Excel, WPS and LibreOffice.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _as_text(cell) -> None:
    """Keep the cell's text as text: a string cell, quote-prefixed (what Excel itself does
    when one types '=1+1), so the value stays exactly the user's text but never runs."""
    cell.data_type = "s"
    cell.quotePrefix = True


def _export_value(sheet, value):
    """What a write-only sheet appends for `value`: dates shown as dates, text that looks like
    a formula as text, everything else (numbers too, negative ones included) as it is."""
    if isinstance(value, str):
        if value.startswith(_FORMULA_START):
            cell = WriteOnlyCell(sheet, value=value)
            _as_text(cell)
            return cell
        return value
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return value


def _neutralise(workbook) -> None:
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(_FORMULA_START):
                    _as_text(cell)


def save_workbook(workbook) -> bytes:
    """The bytes of a workbook the app gives out. Every export goes through here or through
    `write_xlsx`: user text that Excel would take for a formula is written as text."""
    return _save(workbook)


def _save(workbook, *, neutralise: bool = True) -> bytes:
    if neutralise and not workbook.write_only:
        _neutralise(workbook)  # write-only sheets were written through _export_value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---- reading ----------------------------------------------------------------------------------

def read_upload(upload, max_bytes: int | None = None) -> bytes:
    """The bytes of an uploaded file, refused when over the size limit (before reading it)."""
    limit = max_bytes or MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise SpreadsheetError(f"文件过大（{size / 1048576:.1f} MB），"
                               f"单个文件不能超过 {limit / 1048576:.0f} MB；请拆分后分批导入。")
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise SpreadsheetError(f"文件过大，单个文件不能超过 {limit / 1048576:.0f} MB；"
                               "请拆分后分批导入。")
    return data


def _is_blank(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


_NOT_WORKBOOK = ("文件不是 Excel 工作簿（.xlsx）。请使用下载的模板，在 Excel 或 WPS 中填写后"
                 "保存为 .xlsx 再上传。")
_DAMAGED = ("无法读取该工作簿，文件可能已损坏。请在 Excel 或 WPS 中打开后重新保存为 .xlsx "
            "再上传。")


@contextmanager
def _damaged_archive():
    """A part that does not inflate, or inflates to other bytes than its CRC says, makes the
    whole file unreadable, not a server error."""
    try:
        yield
    except (zipfile.BadZipFile, zlib.error, EOFError, DefusedXmlException):
        raise SpreadsheetError(_DAMAGED) from None


def check_archive(data: bytes) -> set[str]:
    """Refuse, before anything parses it, a zip that inflates too far (absolutely or by ratio)
    or holds an XML part with a DTD; the names of its parts otherwise.

    zipfile inflates a part no further than the size its directory declares, so the declared
    sizes bound what reading can cost."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            inflated = sum(info.file_size for info in infos)
            if inflated > MAX_INFLATED_BYTES:
                raise SpreadsheetError(
                    f"文件解压后超过 {MAX_INFLATED_BYTES / 1048576:.0f} MB，无法处理；"
                    "请拆分后分批导入。")
            if inflated > max(len(data), 1) * MAX_INFLATION:
                raise SpreadsheetError(
                    f"文件解压后过大（压缩比超过 {MAX_INFLATION} 倍），不像是正常的 Excel 工作簿，"
                    "无法处理。请在 Excel 或 WPS 中打开后重新保存为 .xlsx 再上传。")
            with _damaged_archive():
                for info in infos:
                    _refuse_dtd(archive, info)
            return {info.filename for info in infos}
    except zipfile.BadZipFile:
        raise SpreadsheetError(_NOT_WORKBOOK) from None


def _refuse_dtd(archive, info) -> None:
    """Parse an XML part up to its root element with DTDs forbidden: a DTD can only come
    before the root, so this reads little and leaves openpyxl (which parses with lxml) no
    entity to expand."""
    with archive.open(info) as stream:
        head = stream.read(4).lstrip()
    if not head.startswith((b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return  # not XML (an image, a binary part)
    with archive.open(info) as stream:
        try:
            for _event in ET.iterparse(stream, events=("start",), forbid_dtd=True):
                return
        except ET.ParseError:
            return  # malformed: refused by whoever needs to read it


# Built-in number formats that show dates (including the Chinese-locale ones 27-36, 50-58).
_DATE_FORMAT_IDS = set(range(14, 23)) | set(range(27, 37)) | {45, 46, 47} | set(range(50, 59))
_ROW_CLOSE = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?row\s*>")
# The fast path of the sheet reader: rows and cells as the common writers produce them.
_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')
_SST_BODY = re.compile(r'<sst\b[^>]*>')
_PREFIXED_SI = re.compile(r'<[A-Za-z_][\w.-]*:si\b')
_SI = re.compile(r'<si>\s*<t(?:\s+xml:space="preserve")?>([^<]*)</t>\s*</si>|<si>.*?</si>|<si/>',
                 re.S)


_FAST_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})\d+"(?: s="(\d+)")?(?: t="(\w+)")?'
    rb'(?:/>|>(?:<v>([^<]*)</v>|<is><t(?: xml:space="preserve")?>([^<]*)</t></is>)?</c>)')
_COLUMNS = {get_column_letter(i + 1).encode(): i for i in range(702)}  # A … ZZ
_EXCEL_EPOCH = datetime.datetime(1899, 12, 30)


def _excel_date(number):
    """An Excel serial date (1900 system) as a datetime."""
    if isinstance(number, int) and 61 <= number < 2958466:
        return _EXCEL_EPOCH + datetime.timedelta(days=number)
    try:
        return from_excel(number)
    except (ValueError, OverflowError, TypeError):
        return number


def _unescape(text: str) -> str:
    return html.unescape(text) if "&" in text else text


_ROW_CHUNK = 1 << 20


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _column_index(ref: str) -> int:
    """0-based column of a cell reference: "C12" → 2."""
    index = 0
    for char in ref:
        if "A" <= char <= "Z":
            index = index * 26 + ord(char) - 64
        elif "a" <= char <= "z":
            index = index * 26 + ord(char) - 96
        else:
            break
    return index - 1


class XlsxSheetData:
    """The cell values of one sheet of an .xlsx, read straight from its XML.

    openpyxl's reader builds an object per cell and was the slowest step of a large import.
    This reads the sheet in slices of whole rows; rows in the shape Excel, WPS, LibreOffice
    and openpyxl write (cells `<c r="A1" s=".." t="..">` holding `<v>` or an inline string)
    are read by string search and one regular expression, any other row by ElementTree.
    Cells become values as openpyxl would give them: shared strings, numbers, booleans,
    dates by their number format. Parts carrying a DTD are refused (xlsx has none)."""

    def __init__(self, data: bytes, sheet_name: str | None = None):
        self.ET = ET
        names = check_archive(data)
        self.archive = zipfile.ZipFile(io.BytesIO(data))
        try:
            root_path = self._office_document(names)
            if root_path not in names:
                raise SpreadsheetError(_NOT_WORKBOOK)
            base = root_path.rsplit("/", 1)[0] + "/" if "/" in root_path else ""
            rels = self._relationships(f"{base}_rels/{root_path.rsplit('/', 1)[-1]}.rels",
                                       base)
            workbook = self._parse(root_path)
            self.sheets = []
            for element in workbook.iter():
                if _local(element.tag) == "sheet":
                    # r:id, in the transitional or the strict relationships namespace.
                    rid = next((v for k, v in element.attrib.items()
                                if k.endswith("}id") or k == "id"), None)
                    target = rels.get(rid, (None, None))[1]
                    if target:
                        self.sheets.append((element.get("name", ""), target))
            if not self.sheets:
                raise SpreadsheetError(_DAMAGED)
            self.shared = self._shared_strings(rels)
            self.date_styles = self._date_styles(rels)
        except (KeyError, ET.ParseError, ValueError, zipfile.BadZipFile, zlib.error, EOFError):
            raise SpreadsheetError(_DAMAGED) from None
        titles = [name for name, _ in self.sheets]
        self.title, self.path = self.sheets[titles.index(sheet_name)] \
            if sheet_name in titles else self.sheets[0]
        if self.path not in names:
            raise SpreadsheetError(_DAMAGED)

    # -- package parts --

    def _read(self, path) -> bytes:
        return self.archive.read(path)  # check_archive refused any DTD

    def _parse(self, path):
        return self.ET.fromstring(self._read(path), forbid_dtd=True)

    def _office_document(self, names) -> str:
        if "_rels/.rels" in names:
            for rel in self._parse("_rels/.rels"):
                if rel.get("Type", "").endswith("/officeDocument"):
                    return rel.get("Target", "").lstrip("/")
        return "xl/workbook.xml"

    def _relationships(self, path, base) -> dict[str, tuple[str, str]]:
        """{id: (type, part path)} of a part's relationships."""
        if path not in self.archive.namelist():
            return {}
        result = {}
        for rel in self._parse(path):
            target = rel.get("Target", "")
            if rel.get("TargetMode") == "External":
                continue
            target = target.lstrip("/") if target.startswith("/") else base + target
            parts = []
            for piece in target.split("/"):
                if piece == "..":
                    if parts:
                        parts.pop()
                elif piece and piece != ".":
                    parts.append(piece)
            result[rel.get("Id")] = (rel.get("Type", ""), "/".join(parts))
        return result

    def _shared_strings(self, rels) -> list[str]:
        path = next((p for t, p in rels.values() if t.endswith("/sharedStrings")), None)
        if not path or path not in self.archive.namelist():
            return []
        text = self._read(path).decode("utf-8")
        body = _SST_BODY.search(text)
        if body is None or _PREFIXED_SI.search(text):
            return self._shared_strings_tree(path)
        strings = []
        for item in _SI.finditer(text, body.end()):
            plain = item.group(1)
            if plain is not None:
                strings.append(_unescape(plain))
            else:  # rich text, phonetic runs: parse this one item
                strings.append(self._text(self.ET.fromstring(item.group(0), forbid_dtd=True)))
        return strings

    def _shared_strings_tree(self, path) -> list[str]:
        strings = []
        with self.archive.open(path) as stream:
            for _event, element in self.ET.iterparse(stream, events=("end",), forbid_dtd=True):
                if _local(element.tag) == "si":
                    strings.append(self._text(element))
                    element.clear()
        return strings

    @staticmethod
    def _text(element) -> str:
        """The text of a string item (<t>, or rich-text runs <r><t>; phonetic runs left out)."""
        parts = []
        for child in element:
            tag = _local(child.tag)
            if tag == "t":
                parts.append(child.text or "")
            elif tag == "r":
                for grand in child:
                    if _local(grand.tag) == "t":
                        parts.append(grand.text or "")
        return "".join(parts)

    def _date_styles(self, rels) -> set[int]:
        """Indexes of the cell formats that show dates."""
        from openpyxl.styles.numbers import is_date_format

        path = next((p for t, p in rels.values() if t.endswith("/styles")), None)
        if not path or path not in self.archive.namelist():
            return set()
        styles = self._parse(path)
        custom = {}
        dates = set()
        for element in styles:
            tag = _local(element.tag)
            if tag == "numFmts":
                for fmt in element:
                    custom[int(fmt.get("numFmtId", "0"))] = fmt.get("formatCode", "")
            elif tag == "cellXfs":
                for index, xf in enumerate(element):
                    fmt_id = int(xf.get("numFmtId", "0"))
                    if fmt_id in custom:
                        if is_date_format(custom[fmt_id]):
                            dates.add(index)
                    elif fmt_id in _DATE_FORMAT_IDS:
                        dates.add(index)
        return dates

    # -- rows --

    def _slices(self):
        """The sheet's XML cut into documents of whole rows, each wrapped so it parses alone."""
        with _damaged_archive(), self.archive.open(self.path) as stream:
            buffer = b""
            opening = None
            while opening is None:
                chunk = stream.read(_ROW_CHUNK)
                if not chunk:
                    return
                buffer += chunk
                match = re.search(rb"<((?:[A-Za-z_][\w.-]*:)?)sheetData(\s[^>]*)?(/?)>", buffer)
                if match is None:
                    continue
                head = buffer[:match.start()]
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise SpreadsheetError(_DAMAGED)
                if match.group(3) == b"/":
                    return  # <sheetData/>: no rows at all
                root = re.search(rb"<((?:[A-Za-z_][\w.-]*:)?worksheet)\b[^>]*>", head)
                if root is None:
                    raise SpreadsheetError(_DAMAGED)
                opening = root.group(0) + b"<" + match.group(1) + b"sheetData>"
                closing = b"</" + match.group(1) + b"sheetData></" + root.group(1) + b">"
                self._opening, self._closing = opening, closing
                buffer = buffer[match.end():]
            done = False
            while not done:
                chunk = stream.read(_ROW_CHUNK)
                done = not chunk
                buffer += chunk
                if done:
                    end = buffer.find(b"sheetData>")
                    cut = buffer.rfind(b"</", 0, end) if end >= 0 else len(buffer)
                    body, buffer = buffer[:cut], b""
                else:
                    closes = list(_ROW_CLOSE.finditer(buffer,
                                                      max(0, len(buffer) - _ROW_CHUNK - 16)))
                    if not closes:
                        continue  # a row longer than a chunk: read on
                    body, buffer = buffer[:closes[-1].end()], buffer[closes[-1].end():]
                if body.strip():
                    yield opening + body + closing

    def rows(self) -> Iterator[tuple[int, list]]:
        """(row number, [values by column]) of every row present in the sheet.

        Rows written the way Excel, WPS, LibreOffice and openpyxl write them are read with
        plain string search and one regular expression; a row holding anything else is
        parsed by ElementTree instead, so nothing is skipped or misread."""
        number = 0
        for document in self._slices():
            position = len(self._opening)
            end = len(document) - len(self._closing)
            while True:
                start = document.find(b"<row", position, end)
                finish = close = -1
                if start >= 0 and not document[position:start].strip() \
                        and document[start + 4:start + 5] in (b" ", b">", b"/"):
                    close = document.find(b">", start, end)
                    if close >= 0 and document[close - 1:close] != b"/":
                        finish = document.find(b"</row>", close, end)
                if close < 0 or (finish < 0 and document[close - 1:close] != b"/"):
                    # The rest is not in the common shape (namespaced rows, comments, …):
                    # parse it as XML.
                    rest = document[position:end]
                    if rest.strip():
                        yield from self._tree_rows(self._opening + rest + self._closing, number)
                    break
                head = document[start:close + 1]
                if finish < 0:  # <row …/>
                    body = b""
                    position = close + 1
                else:
                    body = document[close + 1:finish]
                    position = finish + 6
                ref = _ROW_NUMBER.search(head)
                number = int(ref.group(1)) if ref else number + 1
                values = self._fast_cells(body)
                if values is None:
                    values = self._tree_cells(document[start:position])
                yield number, values

    def _fast_cells(self, body: bytes) -> list | None:
        """The values of a row's cells if every cell has the common shape; None otherwise."""
        cells = _FAST_CELL.findall(body)
        if len(cells) != body.count(b"<c ") + body.count(b"<c>") + body.count(b"<c/"):
            return None
        values: list = []
        columns = _COLUMNS
        shared, dates = self.shared, self.date_styles
        for letters, style, kind, raw, inline in cells:
            if kind == b"s":
                if not raw:
                    continue
                value = shared[int(raw)]
            elif kind == b"inlineStr":
                value = _unescape(inline.decode("utf-8"))
            elif not raw:
                continue
            elif kind == b"" or kind == b"n":
                if raw.isdigit():
                    value = int(raw)
                else:
                    try:
                        value = float(raw)
                    except ValueError:
                        return None
                if style and int(style) in dates:
                    value = _excel_date(value)
            else:
                value = self._value(kind.decode(), _unescape(raw.decode("utf-8")),
                                    style.decode() or None, shared, dates)
            index = columns.get(letters)
            if index is None:
                index = _column_index(letters.decode())
            if index >= len(values):
                values.extend([None] * (index + 1 - len(values)))
            values[index] = value
        return values

    def _tree_cells(self, row_xml: bytes) -> list:
        wrapped = self._opening + row_xml + self._closing
        rows = list(self._tree_rows(wrapped, 0))
        return rows[0][1] if rows else []

    def _tree_rows(self, document: bytes, number: int):
        try:
            root = self.ET.fromstring(document, forbid_dtd=True)
        except self.ET.ParseError:
            raise SpreadsheetError(_DAMAGED) from None
        shared = self.shared
        dates = self.date_styles
        for row in root[0]:
            number = int(row.get("r") or number + 1)
            values = []
            position = -1
            for cell in row:
                ref = cell.get("r")
                position = _column_index(ref) if ref else position + 1
                if position < 0 or position > 16383:
                    raise SpreadsheetError(_DAMAGED)
                kind = cell.get("t", "n")
                value = None
                if kind == "inlineStr":
                    for child in cell:
                        if _local(child.tag) == "is":
                            value = self._text(child)
                else:
                    text = None
                    for child in cell:
                        if _local(child.tag) == "v":
                            text = child.text
                            break
                    if text is not None:
                        value = self._value(kind, text, cell.get("s"), shared, dates)
                if value is None:
                    continue
                if position >= len(values):
                    values.extend([None] * (position + 1 - len(values)))
                values[position] = value
            yield number, values

    @staticmethod
    def _value(kind, text, style, shared, dates):
        if kind == "s":
            index = int(text)
            return shared[index] if 0 <= index < len(shared) else None
        if kind in ("str", "e"):
            return text
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "d":
            return datetime.datetime.fromisoformat(text.strip().rstrip("Z"))
        try:
            number = int(text) if text.lstrip("-").isdigit() else float(text)
        except ValueError:
            return text
        if style is not None and int(style) in dates:
            return _excel_date(number)
        return number

    def close(self):
        self.archive.close()


class SheetReader:
    """An uploaded workbook opened for `spec`: the header row found and matched, the data
    rows streamed. Everything wrong with the file as a whole raises SpreadsheetError."""

    def __init__(self, spec: SheetSpec, data: bytes, *, max_bytes=None, max_rows=None):
        self.spec = spec
        self.data = data
        limit = max_bytes or MAX_BYTES
        self.max_rows = max_rows or MAX_ROWS
        if not data:
            raise SpreadsheetError("文件是空的。")
        if len(data) > limit:
            raise SpreadsheetError(f"文件过大，单个文件不能超过 {limit / 1048576:.0f} MB；"
                                   "请拆分后分批导入。")
        if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise SpreadsheetError("这是旧版 Excel 文件（.xls）。请在 Excel 或 WPS 中"
                                   "“另存为”.xlsx 格式后再上传。")
        names = check_archive(data)
        if not any(name.endswith("workbook.xml") for name in names):
            raise SpreadsheetError(_NOT_WORKBOOK)
        self.sheet = XlsxSheetData(data, spec.title)
        self.sheet_title = self.sheet.title
        self._find_header()

    def _find_header(self):
        """The header row: the first row naming at least two of the columns (or the only
        one), among the first few non-blank rows, so a title row above it is allowed."""
        by_header = {_normal_header(c.header): c for c in self.spec.columns}
        required = {c.key for c in self.spec.columns if c.required}
        needed = min(2, len(by_header))
        first_number = None
        number, first, found = 0, None, {}
        candidates = 0
        seen = 0  # row elements up to the header, for the row count
        for number, values in self.sheet.rows():  # noqa: B007 - number used below
            seen += 1
            if _is_blank(values):
                continue
            if first_number is None:
                first_number = number
            matched = {by_header[_normal_header(v)].key for v in values
                       if _normal_header(v) in by_header}
            if len(matched) >= needed or (matched and required <= matched):
                first = values
                break
            candidates += 1
            if candidates >= HEADER_SEARCH_ROWS:
                break
        if first_number is None:
            raise SpreadsheetError(f"工作表“{self.sheet_title}”是空的，没有表头和数据。")
        if first is None:
            expected = "、".join(f"“{h}”" for h in self.spec.headers[:4])
            raise SpreadsheetError(f"工作表“{self.sheet_title}”第 {first_number} 行不是表头："
                                   f"找不到 {expected} 等列名。请使用下载的模板，"
                                   "保留第一行表头。")
        self.error_index = None  # 错误说明 of a re-uploaded error workbook
        for index, value in enumerate(first):
            if _text_of(value) == ERROR_HEADER:
                self.error_index = index
            column = by_header.get(_normal_header(value))
            if column is None:
                continue
            if column.key in found:
                raise SpreadsheetError(f"第 {number} 行表头中“{column.header}”出现了两次"
                                       f"（{get_column_letter(found[column.key] + 1)}列和 "
                                       f"{get_column_letter(index + 1)}列）。")
            found[column.key] = index
        missing = [c.header for c in self.spec.columns if c.required and c.key not in found]
        if missing:
            raise SpreadsheetError("缺少必填的列：" + "、".join(missing) + "。请使用下载的模板。")
        self.header_row = number
        self.positions = found  # column key → 0-based index in the sheet
        self.width = len(first)
        # The size a file declares is only a hint (some writers leave it out, or put "A1"):
        # count the rows themselves.
        self.estimated_rows = max(0, self._count_rows() - seen)
        if not self.estimated_rows:
            raise SpreadsheetError(f"工作表“{self.sheet_title}”只有表头，没有数据行。")
        if self.estimated_rows > self.max_rows + 1:
            raise SpreadsheetError(f"文件有约 {self.estimated_rows} 行数据，"
                                   f"单个文件最多 {self.max_rows} 行；请拆分后分批导入。")

    def _count_rows(self) -> int:
        """The number of <row> elements of the sheet (an upper bound of the data rows: some
        may be blank), by scanning its XML without parsing it: fast even for 100,000 rows."""
        def rows_in(block):
            return sum(block.count(tag) for tag in (b"<row ", b"<row>", b":row ", b":row>"))

        count = 0
        tail = b""
        with _damaged_archive(), zipfile.ZipFile(io.BytesIO(self.data)) as archive, \
                archive.open(self.sheet.path) as stream:
            while chunk := stream.read(1 << 20):
                block = tail + chunk
                # Tags starting in the last few bytes are counted with the next chunk (a tag
                # may be split); each tag is 5 bytes, so block[:cut + 4] holds exactly the
                # tags starting before `cut`.
                cut = max(0, len(block) - 8)
                count += rows_in(block[:cut + 4])
                tail = block[cut:]
        return count + rows_in(tail)

    @property
    def spec_keys(self) -> set[str]:
        return {c.key for c in self.spec.columns}

    def letter(self, key) -> str:
        index = self.positions.get(key)
        return get_column_letter(index + 1) if index is not None else ""

    def _is_example(self, raw: dict) -> bool:
        """Whether a row is the template's example (columns whose example depends on the
        user, left blank in the spec, are not compared)."""
        for column in self.spec.columns:
            if column.example in ("", None) or column.key not in raw:
                continue
            if _text_of(raw[column.key]) != _text_of(column.example):
                return False
        return True

    def rows(self) -> Iterator[tuple[int, dict]]:
        """(row number, {key: raw cell value}) of each data row; blank rows and an untouched
        example row are skipped."""
        positions = list(self.positions.items())
        count = 0
        first_data = True
        for number, values in self.sheet.rows():
            if number <= self.header_row or _is_blank(values):
                continue
            raw = {key: (values[index] if index < len(values) else None)
                   for key, index in positions}
            if first_data:
                first_data = False
                if number == self.header_row + 1 and self._is_example(raw):
                    continue
            count += 1
            if count > self.max_rows:
                raise SpreadsheetError(f"单个文件最多 {self.max_rows} 行数据；请拆分后分批导入。")
            yield number, raw
        if count == 0:
            raise SpreadsheetError(f"工作表“{self.sheet_title}”只有表头，没有数据行"
                                   "（示例行不计）。")

    def close(self):
        self.sheet.close()


# ---- errors -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class CellError:
    row: int
    key: str | None
    letter: str
    header: str
    message: str

    def __str__(self):
        if self.letter:
            return f"第{self.row}行 {self.letter}列（{self.header}）：{self.message}"
        return f"第{self.row}行：{self.message}"

    def as_dict(self):
        return {"row": self.row, "column": self.letter, "header": self.header,
                "message": self.message, "text": str(self)}


class ErrorCollector:
    """Every problem found, by row and column of the uploaded sheet."""

    def __init__(self, reader: SheetReader):
        self.reader = reader
        self.errors: list[CellError] = []
        self.rows: set[int] = set()
        self.unreadable: set[tuple[int, str]] = set()

    def add(self, row: int, key: str | None, message: str, *, unreadable: bool = False):
        """Record a problem. A cell that could not be read is reported once: the later
        checks see it as empty and their complaints about it are dropped."""
        if key is not None and key not in self.reader.positions:
            key = None  # a rule about a column the file does not have: report on the row
        if key is not None:
            if (row, key) in self.unreadable:
                return
            if unreadable:
                self.unreadable.add((row, key))
        header = self.reader.spec.column(key).header if key else ""
        self.errors.append(CellError(row, key, self.reader.letter(key) if key else "",
                                     header, message))
        self.rows.add(row)

    def add_validation_error(self, row: int, error: ValidationError, fields: dict[str, str]):
        """A model's ValidationError, its fields mapped to column keys by `fields`."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                key = fields.get(name, name if name in self.reader.spec_keys else None)
                for message in (m for e in errors for m in e.messages):
                    self.add(row, key, message)
        else:
            for message in error.messages:
                self.add(row, None, message)

    def __len__(self):
        return len(self.errors)

    def __bool__(self):
        return bool(self.errors)

    def __iter__(self):
        return iter(self.errors)

    def sorted(self) -> list[CellError]:
        order = {key: index for key, index in self.reader.positions.items()}
        return sorted(self.errors, key=lambda e: (e.row, order.get(e.key, 10**6)))


# Above this many rows the error workbook is streamed (values kept, the user's own formatting
# dropped): a full in-memory copy of a very large sheet would take too much memory.
ERROR_COPY_MAX_ROWS = 20_000


def _marks(errors: ErrorCollector):
    """(messages by (row, 1-based column), texts by row) of the errors."""
    by_cell: dict[tuple[int, int], list[str]] = {}
    by_row: dict[int, list[str]] = {}
    for error in errors.sorted():
        by_row.setdefault(error.row, []).append(str(error))
        if error.key is not None:
            by_cell.setdefault((error.row, errors.reader.positions[error.key] + 1), []).append(
                error.message)
    return by_cell, by_row


def error_workbook(reader: SheetReader, errors: ErrorCollector,
                   copy_max_rows: int | None = None) -> bytes:
    """The uploaded workbook with each bad cell filled red and commented, and a column
    错误说明 listing every problem of the row ("第N行 X列（表头）：原因")."""
    limit = ERROR_COPY_MAX_ROWS if copy_max_rows is None else copy_max_rows
    if reader.estimated_rows > limit:
        return _streamed_error_workbook(reader, errors)
    try:
        return _copied_error_workbook(reader, errors)
    except Exception:  # noqa: BLE001 - a workbook openpyxl cannot load whole: values only
        return _streamed_error_workbook(reader, errors)


def _copied_error_workbook(reader: SheetReader, errors: ErrorCollector) -> bytes:
    by_cell, by_row = _marks(errors)
    workbook = load_workbook(io.BytesIO(reader.data))
    sheet = workbook[reader.sheet_title]
    # A re-uploaded error workbook: clear the old marks and reuse its 错误说明 column.
    error_col = reader.error_index + 1 if reader.error_index is not None else None
    for row in sheet.iter_rows(min_row=reader.header_row + 1):
        for cell in row:
            if cell.comment is not None and cell.comment.author == COMMENT_AUTHOR:
                cell.comment = None
                cell.fill = PatternFill()
                cell.font = Font()
            if cell.column == error_col:
                cell.value = None
    for (row, col), messages in by_cell.items():
        cell = sheet.cell(row=row, column=col)
        cell.fill = _ERROR_FILL
        cell.font = _ERROR_FONT
        cell.comment = Comment("\n".join(messages), COMMENT_AUTHOR, width=260, height=80)
    if error_col is None:
        error_col = max(sheet.max_column, reader.width) + 1
    header = sheet.cell(row=reader.header_row, column=error_col, value=ERROR_HEADER)
    header.font = _REQUIRED_FONT
    header.fill = _HEADER_FILL
    sheet.column_dimensions[get_column_letter(error_col)].width = 70
    for row, texts in by_row.items():
        cell = sheet.cell(row=row, column=error_col, value="\n".join(texts))
        cell.font = _ERROR_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    workbook.active = workbook.sheetnames.index(reader.sheet_title)
    # The user's own file back to them: their formulas stay formulas.
    return _save(workbook, neutralise=False)


def _streamed_error_workbook(reader: SheetReader, errors: ErrorCollector) -> bytes:
    by_cell, by_row = _marks(errors)
    source = XlsxSheetData(reader.data, reader.sheet_title)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(reader.sheet_title)
    widths = {reader.positions[c.key] + 1: c.width for c in reader.spec.columns
              if c.key in reader.positions}
    error_index = reader.error_index if reader.error_index is not None else reader.width
    width = max(reader.width, error_index + 1)
    for col in range(1, width + 1):
        sheet.column_dimensions[get_column_letter(col)].width = widths.get(col, 12)
    sheet.column_dimensions[get_column_letter(error_index + 1)].width = 70
    sheet.freeze_panes = f"A{reader.header_row + 1}"
    try:
        written = 0
        for number, values in source.rows():
            while written < number - 1:  # rows the file leaves out
                sheet.append([])
                written += 1
            written = number
            values = list(values[:width]) + [None] * (width - len(values))
            values[error_index] = None
            out = []
            for col, value in enumerate(values, start=1):
                messages = by_cell.get((number, col))
                if not messages and number != reader.header_row:
                    out.append(_export_value(sheet, value))
                    continue
                cell = _export_value(sheet, value)
                if cell is value:  # a plain value: a cell of its own to style
                    cell = WriteOnlyCell(sheet, value=value)
                if number == reader.header_row:
                    cell.font = _BOLD
                    cell.fill = _HEADER_FILL
                if messages:
                    cell.fill = _ERROR_FILL
                    cell.font = _ERROR_FONT
                    cell.comment = Comment("\n".join(messages), COMMENT_AUTHOR)
                out.append(cell)
            if number == reader.header_row:
                cell = WriteOnlyCell(sheet, value=ERROR_HEADER)
                cell.font = _REQUIRED_FONT
                cell.fill = _HEADER_FILL
                out[error_index] = cell
            elif number in by_row:
                cell = WriteOnlyCell(sheet, value="\n".join(by_row[number]))
                cell.font = _ERROR_FONT
                out[error_index] = cell
            sheet.append(out)
    finally:
        source.close()
    return _save(workbook)


# ---- import -----------------------------------------------------------------------------------

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def _no_progress(stage, done, total):
    return None


@dataclass
class ImportResult:
    ok: bool
    imported: int = 0
    rows: int = 0
    errors: list[CellError] = field(default_factory=list)
    error_workbook: bytes | None = None
    summary: dict = field(default_factory=dict)


class Importer:
    """All-or-nothing import of one sheet. Subclasses set `spec`, `kind`, `noun`, and
    implement `prepare`, `check_row`, `check_all` and `write`."""

    spec: SheetSpec
    kind = ""
    noun = "条记录"           # "成功导入 N 名党员" → noun = "名党员"
    object_type = ""         # audit log object type of what is imported
    progress_every = 1000

    def __init__(self, user):
        self.user = user

    # -- the hooks --

    def prepare(self, rows: list[tuple[int, dict]], errors: ErrorCollector):
        """Load what checking needs, in a few queries for all rows (not one per row)."""

    def check_row(self, number: int, values: dict, errors: ErrorCollector):
        """Check one parsed row (an unreadable cell is None, already reported); return what
        `write` needs. A row with any error is left out whatever this returns."""
        raise NotImplementedError

    def check_all(self, items: list, errors: ErrorCollector):
        """Checks across rows (duplicates in the file and against the database)."""

    def write(self, items: list, progress: Progress) -> dict:
        """Write every item (inside the import's transaction); return a summary for the log."""
        raise NotImplementedError

    # -- the framework --

    def open(self, data: bytes) -> SheetReader:
        return SheetReader(self.spec, data)

    def template(self) -> bytes:
        return write_template(self.spec, lists=self.template_lists())

    def template_lists(self) -> dict[str, Sequence[str]]:
        return {}

    def success_message(self, count: int) -> str:
        return f"成功导入 {count} {self.noun}"

    def run(self, data: bytes, *, filename: str = "", progress: Progress | None = None,
            reader: SheetReader | None = None) -> ImportResult:
        progress = progress or _no_progress
        reader = reader or self.open(data)
        try:
            errors = ErrorCollector(reader)
            rows = self._parse(reader, errors, progress)
            total = len(rows)
            self.prepare(rows, errors)
            items = []
            for done, (number, values) in enumerate(rows, start=1):
                item = self.check_row(number, values, errors)
                if item is not None and number not in errors.rows:
                    items.append(item)
                if done % self.progress_every == 0:
                    progress("validating", done, total)
            progress("validating", total, total)
            del rows
            self.check_all(items, errors)
            if errors:
                progress("marking", total, total)
                result = ImportResult(ok=False, rows=total, errors=errors.sorted(),
                                      error_workbook=error_workbook(reader, errors))
                audit.record("import", None, success=False, object_type=self.object_type,
                             object_repr=filename[:200],
                             detail=f"{self.spec.title}导入未通过校验：{len(errors)} 处错误"
                                    f"（{len(errors.rows)} 行），未导入任何数据。",
                             user=self.user)
                return result
            with transaction.atomic():
                summary = self.write(items, progress)
                audit.record("import", None, object_type=self.object_type,
                             object_repr=filename[:200],
                             detail=f"{self.spec.title}导入：{self.success_message(len(items))}。",
                             after={"file": filename, "count": len(items), **summary},
                             user=self.user)
            progress("done", len(items), len(items))
            return ImportResult(ok=True, imported=len(items), rows=total, summary=summary)
        finally:
            reader.close()

    def _parse(self, reader: SheetReader, errors: ErrorCollector, progress: Progress):
        """Every row read into typed values; an unreadable cell is reported and reads as
        None, so the row's other cells are still checked."""
        rows = []
        columns = [c for c in self.spec.columns if c.key in reader.positions]
        absent = [c for c in self.spec.columns if c.key not in reader.positions]
        total = reader.estimated_rows
        for number, raw in reader.rows():
            values = {}
            for column in columns:
                try:
                    values[column.key] = column.parse(raw[column.key])
                except CellProblem as problem:
                    errors.add(number, column.key, problem.message, unreadable=True)
                    values[column.key] = None
            for column in absent:
                values[column.key] = column.default
            rows.append((number, values))
            if len(rows) % self.progress_every == 0:
                progress("reading", len(rows), max(total, len(rows)))
        return rows


# ---- export -----------------------------------------------------------------------------------

def write_xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence],
               widths: Sequence[int] | None = None) -> bytes:
    """A plain workbook (write-only, fast): a bold header row, then `rows`. Dates are
    written as dates shown YYYY-MM-DD; text that Excel would take for a formula as text."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for index, width in enumerate(widths or [14] * len(headers), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_export_value(sheet, value) for value in row])
    return _save(workbook)
