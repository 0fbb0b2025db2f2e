"""A meeting's minutes as a Word document, in the usual 会议记录 layout: a heading, then one
table of 时间、地点、主持人、记录人、应到、实到、缺席及原因、列席、议题、会议内容、决议、表决结果."""

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from .models import ATTENDING, Attendance


def _run(paragraph, text, *, size=11, bold=False, face="宋体"):
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold
    run.font.name = face
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), face)
    return run


def _cell(cell, text, *, bold=False):
    cell.text = ""
    lines = str(text or "").splitlines() or [""]
    for i, line in enumerate(lines):
        paragraph = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        _run(paragraph, line, bold=bold)


def _absences(meeting, reasons):
    rows = (Attendance.objects.filter(meeting=meeting).exclude(presence__in=ATTENDING)
            .select_related("membership__person").order_by("membership__person__name"))
    parts = []
    for a in rows:
        why = f"：{a.reason}" if a.reason and a.pk in reasons else ""
        parts.append(f"{a.membership.person.name}（{a.get_presence_display()}{why}）")
    late = (Attendance.objects.filter(meeting=meeting, presence="late")
            .values_list("membership__person__name", flat=True))
    text = "；".join(parts) or "无"
    return text + (f"\n迟到：{'、'.join(late)}" if late else "")


def _votes(meeting):
    lines = []
    for v in meeting.votes.all():
        outcome = "通过" if v.passed else ("未达到法定人数" if not v.quorate else "未通过")
        lines.append(f"{'（选举）' if v.election else ''}{v.subject}：有表决权应到 {v.entitled} 人、"
                     f"实到 {v.present} 人，赞成 {v.in_favour}、反对 {v.against}、弃权 "
                     f"{v.abstain}，{outcome}。")
    return "\n".join(lines) or "无"


def minutes_docx(meeting, *, reasons=frozenset()) -> bytes:
    """The 会议记录; a reason for absence is printed only for the attendance rows in `reasons`
    (those the reader may see)."""
    doc = Document()
    for section in doc.sections:
        section.left_margin = section.right_margin = Cm(2.5)
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(heading, f"{meeting.org.name}{meeting.get_kind_display()}会议记录", size=18, bold=True,
         face="黑体")
    subtitle = doc.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(subtitle, meeting.title, size=12)

    when = f"{meeting.date.year}年{meeting.date.month}月{meeting.date.day}日"
    if meeting.start_time:
        when += f" {meeting.start_time:%H:%M}"
    topics = meeting.topics
    if meeting.kind == "theme_day" and meeting.x_item:
        topics = f"{topics}\n自选动作（X）：{meeting.x_item}".strip()
    if meeting.lecturer:
        topics = f"{topics}\n授课人：{meeting.lecturer}".strip()
    content = meeting.minutes or ("见所附纸质记录扫描件。" if meeting.minutes_scan else "")
    rows = [
        ("时间", when), ("地点", meeting.place),
        ("主持人", meeting.host.name if meeting.host else ""),
        ("记录人", meeting.recorder.name if meeting.recorder else ""),
        ("应到", f"{meeting.due_count} 人"), ("实到", f"{meeting.present_count} 人"),
        ("缺席及原因", _absences(meeting, reasons)),
        ("列席", meeting.observers or "无"), ("议题", topics),
        ("会议内容", content), ("决议", meeting.resolutions or "无"),
        ("表决结果", _votes(meeting)),
    ]
    table = doc.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for (label, value), row in zip(rows, table.rows, strict=True):
        row.cells[0].width, row.cells[1].width = Cm(3), Cm(13)
        _cell(row.cells[0], label, bold=True)
        _cell(row.cells[1], value)
    sign = doc.add_paragraph()
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _run(sign, "\n主持人（签字）：          记录人（签字）：          ")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
