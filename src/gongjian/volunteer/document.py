"""The check-in QR code (SVG, made by the app: no outside service) and the certificate of
service as a PDF. Chinese text uses reportlab's built-in CID font STSong-Light, which needs no
font file on the server."""

import base64
import io

import qrcode
import qrcode.image.svg
from django.utils import timezone

from . import rules

FONT = "STSong-Light"


def qr_svg(text: str) -> bytes:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10,
                        border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def qr_data_uri(text: str) -> str:
    """The QR code as a data: URI, for an <img> (the CSP allows data: images, not inline SVG
    styles)."""
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(text)).decode("ascii")


def _qr_png(text: str):
    from reportlab.lib.utils import ImageReader

    buffer = io.BytesIO()
    qrcode.make(text, box_size=8, border=2).save(buffer, format="PNG")
    buffer.seek(0)
    return ImageReader(buffer)


def certificate_pdf(cert, check_url: str) -> bytes:
    """One A4 page: title, the volunteer by number, the hours and the content of service, the
    issuer and date, the certificate number, and a QR code to the public check page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buffer = io.BytesIO()
    width, height = A4
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"志愿服务证明 {cert.number}")
    pdf.setAuthor(cert.issuer.name)
    pdf.setStrokeColorRGB(0.75, 0.1, 0.1)
    pdf.setLineWidth(2)
    pdf.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
    pdf.setFont(FONT, 26)
    pdf.drawCentredString(width / 2, height - 45 * mm, "志愿服务证明")
    pdf.setFont(FONT, 11)
    pdf.drawRightString(width - 25 * mm, height - 58 * mm, f"证明编号：{cert.number}")

    volunteer = cert.volunteer
    hours = f"{cert.hours.normalize():f}"
    lines = [
        f"志愿者编号 {volunteer.number}（{volunteer.name}）：",
        f"自 {cert.first_date:%Y年%m月%d日} 至 {cert.last_date:%Y年%m月%d日}，参加{cert.issuer.name}",
        f"组织的志愿服务活动 {cert.activity_count} 次，累计服务时长 {hours} 小时。",
        "服务内容：",
    ]
    text = pdf.beginText(28 * mm, height - 78 * mm)
    text.setFont(FONT, 14)
    text.setLeading(24)
    for line in lines:
        text.textLine(line)
    text.setFont(FONT, 12)
    text.setLeading(19)
    for chunk in _wrap(cert.content, 36):
        text.textLine("    " + chunk)
    level = rules.star_label(cert.hours)
    text.textLine("")
    text.setFont(FONT, 12)
    text.textLine("以上服务记录经组织单位审核、公示，特此证明。")
    if level:
        text.textLine(f"（按本单位出具的服务时长，达到{level}标准。）")
    pdf.drawText(text)

    pdf.setFont(FONT, 13)
    pdf.drawRightString(width - 30 * mm, 75 * mm, f"出具单位：{cert.issuer.name}")
    pdf.drawRightString(width - 30 * mm, 65 * mm, f"出具日期：{cert.issued_on:%Y年%m月%d日}")
    pdf.drawImage(_qr_png(check_url), 28 * mm, 40 * mm, 38 * mm, 38 * mm)
    pdf.setFont(FONT, 9)
    pdf.drawString(28 * mm, 35 * mm, "扫码核验证明真伪")
    pdf.drawString(28 * mm, 30 * mm, check_url)
    pdf.setFont(FONT, 8)
    pdf.drawString(28 * mm, 22 * mm, "依据《志愿服务记录与证明出具办法（试行）》出具；证明不载明志愿者身份证件号码。"
                   f" 生成于 {timezone.localtime():%Y-%m-%d %H:%M}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _wrap(text: str, width: int) -> list[str]:
    text = " ".join((text or "").split())
    return [text[i:i + width] for i in range(0, len(text), width)] or [""]
