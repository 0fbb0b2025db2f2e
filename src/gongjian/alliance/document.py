"""The agreement as a Word document, laid out like the printed 共驻共建协议书."""

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

_NUMERALS = "一二三四五六七八九十"


def _numeral(n):
    if n <= 10:
        return _NUMERALS[n - 1]
    if n < 20:
        return "十" + _NUMERALS[n - 11]
    return str(n)


def _font(run, size=12, bold=False, face="宋体"):
    run.font.size = Pt(size)
    run.bold = bold
    run.font.name = face
    run._element.rPr.rFonts.set(qn("w:eastAsia"), face)


def _para(doc, text="", *, size=12, bold=False, align=None, face="宋体", indent=False):
    paragraph = doc.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    paragraph.paragraph_format.space_after = Pt(4)
    _font(paragraph.add_run(text), size=size, bold=bold, face=face)
    return paragraph


def _date(day):
    return f"{day.year}年{day.month}月{day.day}日" if day else "    年  月  日"


def agreement_docx(agreement, revealed=frozenset()) -> bytes:
    """The 协议书; liaisons whose person id is in `revealed` are printed with their real phone,
    the others masked."""
    doc = Document()
    _para(doc, "共驻共建协议书", size=22, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, face="黑体")
    _para(doc, agreement.title, size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, f"协议编号：{agreement.number}", size=10, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, f"甲方：{agreement.org.name}", bold=True)
    _para(doc, f"乙方：{agreement.unit.name}", bold=True)
    if agreement.unit.address:
        _para(doc, f"乙方地址：{agreement.unit.address}", size=10)
    _para(doc, ("为深入推进区域化党建工作，按照“区域统筹、资源整合、优势互补、共建共享”的原则，"
                "甲乙双方经友好协商，自愿结为共驻共建单位，签订本协议，共同遵守。"), indent=True)

    articles = [("合作期限", [f"本协议有效期自{_date(agreement.starts_on)}起至"
                             f"{_date(agreement.ends_on)}止。期满前三十日内，双方商议续签事宜。"]),
                ("双方权利义务", agreement.lines("rights_obligations")),
                ("共建服务事项", agreement.lines("service_items")),
                ("联络机制", [_liaison_line("甲方", agreement.org_liaison, revealed),
                          _liaison_line("乙方", agreement.unit_liaison, revealed),
                          "双方联络员负责日常沟通、活动组织和服务事项的落实，每季度至少沟通一次工作进展。"]),
                ("其他", ["本协议未尽事宜，由双方协商解决。",
                        "本协议一式两份，甲乙双方各执一份，自双方签字盖章之日起生效。"])]
    for n, (heading, lines) in enumerate(articles, start=1):
        _para(doc, f"第{_numeral(n)}条 {heading}", bold=True, face="黑体")
        for k, line in enumerate(lines, start=1):
            text = f"{k}. {line}" if len(lines) > 1 else line
            _para(doc, text, indent=True)

    doc.add_paragraph()
    table = doc.add_table(rows=4, cols=2)
    cells = [("甲方（盖章）：", "乙方（盖章）："),
             (agreement.org.name, agreement.unit.name),
             ("负责人（签字）：", "负责人（签字）："),
             (f"签订日期：{_date(agreement.signed_on)}", f"签订日期：{_date(agreement.signed_on)}")]
    for row, (left, right) in zip(table.rows, cells, strict=True):
        for cell, text in zip(row.cells, (left, right), strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(text))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _liaison_line(side, person, revealed):
    if person is None:
        return f"{side}联络员：由{side}另行指定。"
    shown = person.phone if person.pk in revealed else person.phone_masked
    phone = f"，联系电话 {shown}" if person.phone else ""
    return f"{side}联络员：{person.name}{phone}。"
