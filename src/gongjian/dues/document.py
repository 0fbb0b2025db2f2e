"""The dues receipt as a Word document, from a template users can edit
(`dues/templates/dues/receipt.docx`, or the file named by the setting `receipt_template`),
filled by docxtpl: placeholders such as `{{ 姓名 }}` in paragraphs and table cells, and the
table row between `{%tr for m in 月份表 %}` and `{%tr endfor %}` repeated once per month
covered (`{{ m.月份 }}`, `{{ m.实缴 }}` …)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate

from . import rules
from .models import Payment

TEMPLATE = Path(__file__).parent / "templates" / "dues" / "receipt.docx"


def template_path() -> Path:
    custom = rules.setting("receipt_template")
    return Path(custom) if custom else TEMPLATE


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
    document = DocxTemplate(str(template_path()))
    months = [{"月份": rules.label(r.month), "基数": f"{r.base:.2f}" if r.base is not None else "—",
               "比例": f"{r.rate * 100:.1f}%" if r.rate is not None else "定额",
               "应缴": f"{r.due:.2f}", "减免": f"{r.reduction:.2f}", "实缴": f"{r.paid:.2f}"}
              for r in payment.rows.order_by("month")]
    document.render({**receipt_values(payment), "月份表": months}, autoescape=True)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_template(path: Path = TEMPLATE) -> None:
    """Write the shipped template (kept in the repository; run again to restore it)."""
    from docx import Document
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
    table = document.add_table(rows=4, cols=6)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("月份", "基数（元）", "比例", "应缴（元）",
                                                 "减免（元）", "实缴（元）"), strict=True):
        cell.text = text
    # docxtpl repeats the row between the two tag rows once per month covered.
    table.rows[1].cells[0].text = "{%tr for m in 月份表 %}"
    for cell, key in zip(table.rows[2].cells, ("月份", "基数", "比例", "应缴", "减免", "实缴"),
                         strict=True):
        cell.text = "{{ m." + key + " }}"
    table.rows[3].cells[0].text = "{%tr endfor %}"
    document.add_paragraph()
    document.add_paragraph("合计实缴：{{ 合计 }} 元")
    document.add_paragraph("经办人：{{ 经办人 }}　　（党组织盖章）")
    document.add_paragraph("依据：" + rules.SOURCE)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
