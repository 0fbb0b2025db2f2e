"""The dues receipt as a Word document, from a template users can edit
(`dues/templates/dues/receipt.docx`, or the file named by the setting `receipt_template`).
The template holds placeholders such as `{{ 姓名 }}` in paragraphs and table cells; each is
replaced by its value (a placeholder Word split over several runs is still found: the
paragraph's text is rewritten into its first run). The table row holding `{{ 月份 }}` is
repeated once per month covered."""

from __future__ import annotations

import copy
import io
import re
from pathlib import Path
from typing import Any

from docx import Document

from . import rules
from .models import Payment

TEMPLATE = Path(__file__).parent / "templates" / "dues" / "receipt.docx"
_PLACEHOLDER = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")


def template_path() -> Path:
    custom = rules.setting("receipt_template")
    return Path(custom) if custom else TEMPLATE


def _fill_paragraph(paragraph, values: dict[str, str]) -> None:
    text = paragraph.text
    if "{{" not in text:
        return
    filled = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)
    runs = paragraph.runs
    if not runs:
        return
    runs[0].text = filled
    for run in runs[1:]:
        run.text = ""


def _cells(table):
    for row in table.rows:
        yield from row.cells


def _fill(container, values: dict[str, str]) -> None:
    for paragraph in container.paragraphs:
        _fill_paragraph(paragraph, values)
    for table in getattr(container, "tables", []):
        for cell in _cells(table):
            _fill(cell, values)


def _month_rows(document, months: list[dict[str, str]]) -> None:
    """Repeat the table row holding {{ 月份 }} once per month covered."""
    for table in document.tables:
        for row in list(table.rows):
            if not any(re.search(r"\{\{\s*月份\s*\}\}", c.text) for c in row.cells):
                continue
            template = row._tr
            clones = []
            for _values in months:
                clone = copy.deepcopy(template)
                template.addprevious(clone)
                clones.append(clone)
            template.getparent().remove(template)
            filled = [r for r in table.rows if r._tr in clones]
            for r, values in zip(filled, months, strict=True):
                for cell in r.cells:
                    for paragraph in cell.paragraphs:
                        _fill_paragraph(paragraph, values)
            return


def receipt_values(payment: Payment) -> dict[str, Any]:
    person = payment.account.membership.person
    return {
        "收据编号": payment.number, "姓名": person.name, "党支部": payment.org.name,
        "交纳日期": f"{payment.paid_on:%Y-%m-%d}",
        "所属期间": f"{rules.label(payment.first_month)}至{rules.label(payment.last_month)}"
        if payment.months > 1 else rules.label(payment.first_month),
        "月数": str(payment.months), "合计": f"{payment.amount:.2f}",
        "交纳方式": payment.get_method_display(),
        "代交人": payment.proxy_payer or "—",
        "经办人": (payment.recorded_by.display_name if payment.recorded_by else "") or "—",
    }


def receipt_docx(payment: Payment) -> bytes:
    document = Document(str(template_path()))
    months = [{"月份": rules.label(r.month), "基数": f"{r.base:.2f}" if r.base is not None else "—",
               "比例": f"{r.rate * 100:.1f}%" if r.rate is not None else "定额",
               "应缴": f"{r.due:.2f}", "减免": f"{r.reduction:.2f}", "实缴": f"{r.paid:.2f}"}
              for r in payment.rows.order_by("month")]
    _month_rows(document, months)
    values = receipt_values(payment)
    _fill(document, values)
    for section in document.sections:
        _fill(section.header, values)
        _fill(section.footer, values)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_template(path: Path = TEMPLATE) -> None:
    """Write the shipped template (kept in the repository; run again to restore it)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = Document()
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("党 费 收 据")
    run.bold = True
    run.font.size = Pt(18)
    document.add_paragraph("收据编号：{{ 收据编号 }}")
    document.add_paragraph("党员姓名：{{ 姓名 }}　　所在党支部：{{ 党支部 }}")
    document.add_paragraph("所属期间：{{ 所属期间 }}（共 {{ 月数 }} 个月）　　交纳日期：{{ 交纳日期 }}")
    document.add_paragraph("交纳方式：{{ 交纳方式 }}　　代交人：{{ 代交人 }}")
    table = document.add_table(rows=2, cols=6)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("月份", "基数（元）", "比例", "应缴（元）",
                                                 "减免（元）", "实缴（元）"), strict=True):
        cell.text = text
    for cell, key in zip(table.rows[1].cells, ("月份", "基数", "比例", "应缴", "减免", "实缴"),
                         strict=True):
        cell.text = "{{ " + key + " }}"
    document.add_paragraph()
    document.add_paragraph("合计实缴：{{ 合计 }} 元")
    document.add_paragraph("经办人：{{ 经办人 }}　　（党组织盖章）")
    document.add_paragraph("依据：" + rules.SOURCE)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
