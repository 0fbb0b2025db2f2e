"""Party dues through the pages: the yearly import of bases (all or nothing, errors by row and
column), the payment form's refusal, the receipt as a Word document, the arrears export and the
ledger page, each within the user's reach."""

import datetime
import html
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

D = datetime.date
HEADERS = ["身份证号", "姓名", "年度", "党员类别", "月收入基数", "备注"]


def _workbook(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("基数.xlsx", buffer.getvalue(),
                              content_type="application/vnd.openxmlformats-officedocument."
                                           "spreadsheetml.sheet")


def test_import_of_bases_is_all_or_nothing_with_errors_by_row_and_column(client, tree, users):
    from gongjian.dues.models import Account, Base

    client.force_login(users.community_a)
    bad = _workbook([["11010519491231002X", "张华娟", 2026, "在职", 8000, ""],
                     ["11010519491231002X", "张华娟", 2026, "离退休", 6200, ""],
                     ["440524188001010014", "林急", 2026, "在职", 3000, ""],
                     ["110105194912310021", "某某", 2026, "学生", -5, ""]])
    page = client.post(reverse("dues_base_import"), {"file": bad}).content.decode()
    assert "第3行 A列（身份证号）：与第 2 行重复" in page
    assert "第4行 A列（身份证号）：名册中没有这名在册党员，或不在您的管理范围内。" in page
    assert "第5行" in page and "校验位" in page
    assert "第5行 E列（月收入基数）：月收入基数不能为负数。" in page
    assert not Account.objects.exists() and not Base.objects.exists()

    good = _workbook([["11010519491231002X", "张华娟", 2026, "离退休", 6200, "年度导入"]])
    page = client.post(reverse("dues_base_import"), {"file": good}).content.decode()
    assert "成功导入 1 名党员的党费基数" in page
    account = Account.objects.get(membership=tree.membership_a)
    assert (account.kind, account.monthly, account.start_month) == ("retired", 62, D(2026, 1, 1))


def test_payment_form_refuses_a_month_paid_and_writes_nothing(client, tree, users):
    from gongjian.dues import services
    from gongjian.dues.models import Payment

    account = services.set_base(tree.membership_a, user=users.community_a, year=2026,
                                kind="in_service", base="5000").account
    services.record_payment(account, user=users.community_a, first_month=D(2026, 1, 1),
                            paid_on=D(2026, 1, 8))
    client.force_login(users.community_a)
    answer = client.post(reverse("dues_pay", args=[account.pk]), {
        "first_month": "2026-01", "paid_on": "2026-02-03", "method": "cash"})
    assert answer.status_code == 400
    assert "2026年1月党费已交纳（已缴至2026年1月），不能重复登记。" in answer.content.decode()
    assert Payment.objects.count() == 1


def test_receipt_is_a_word_document_from_the_template(client, tree, users):
    from gongjian.dues import services

    account = services.set_base(tree.membership_a, user=users.community_a, year=2026,
                                kind="in_service", base="8000").account
    payment = services.record_payment(account, user=users.community_a,
                                      first_month=D(2026, 1, 1), last_month=D(2026, 3, 1),
                                      paid_on=D(2026, 4, 10), method="proxy", proxy_payer="王芳")
    client.force_login(users.community_a)
    answer = client.get(reverse("dues_receipt", args=[payment.pk]))
    assert answer.status_code == 200
    content = b"".join(answer.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as packed:
        xml = packed.read("word/document.xml").decode()
    for text in ("张华娟", "360.00", "2026年1月至2026年3月", "王芳", payment.number, "1.5%"):
        assert text in xml, text
    assert xml.count("120.00") >= 3 and "{{" not in xml and "{%" not in xml
    client.force_login(users.community_b)
    assert client.get(reverse("dues_receipt", args=[payment.pk])).status_code == 404


def test_arrears_page_and_export_list_what_is_unpaid_within_reach(client, tree, users):
    from gongjian.dues import services

    account = services.set_base(tree.membership_a, user=users.community_a, year=2026,
                                kind="in_service", base="8000").account
    services.record_payment(account, user=users.community_a, first_month=D(2026, 1, 1),
                            paid_on=D(2026, 1, 8))
    client.force_login(users.street)
    page = client.get(reverse("dues_arrears")).content.decode()
    assert "张华娟" in page and "2026-02" in page
    export = b"".join(client.get(reverse("dues_arrears_export")).streaming_content)
    with zipfile.ZipFile(io.BytesIO(export)) as packed:
        assert any("张华娟" in html.unescape(packed.read(n).decode())
                   for n in packed.namelist() if n.endswith(".xml"))
    client.force_login(users.community_b)
    assert "张华娟" not in client.get(reverse("dues_arrears")).content.decode()
    ledger = client.get(reverse("dues_ledger") + "?month=2026-01").content.decode()
    assert tree.a1.name not in ledger


def test_the_receipt_template_repeats_its_month_row():
    """The shipped template's month row is docxtpl's table-row loop (no tag left behind)."""
    from gongjian.dues import document

    with zipfile.ZipFile(document.TEMPLATE) as packed:
        xml = packed.read("word/document.xml").decode()
    assert "{%tr for m in 月份表 %}" in xml and "{%tr endfor %}" in xml
