"""A member signs up on the phone (390 px wide); the organiser starts the activity and shows the
rotating QR code; the member's browser opens the code read from the organiser's page, signs in
and later signs out; the organiser finishes, reviews the hours and publicises them; the member
downloads the certificate, and its QR check page opens for anyone, the name masked.

Time: the sign-in is moved back 2 h 40 min in the database between the two scans (the pair
must have a duration; the services take the clock at each scan), so the hours are 2.67 raw,
2.5 counted."""

import datetime

import pytest
from access_volunteer import make_activity
from playwright.sync_api import expect

from gongjian.volunteer.models import Certificate, CheckIn, ServiceRecord

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def code_link(page):
    """The check-in link the organiser's QR page shows now (refreshed by htmx)."""
    link = page.locator("#checkin-link")
    expect(link).to_be_visible()
    return link.get_attribute("href")


def test_sign_up_scan_in_and_out_hours_and_certificate(page, browser, live_server, tree, users,
                                                       make_user, login, settings):
    settings.GONGJIAN_VOLUNTEER = {"publicity_days": 0}
    page.on("dialog", lambda dialog: dialog.accept())
    member = make_user("member", tree.a1, username="vol_member")
    member.display_name = "王芳"
    member.save()
    activity = make_activity(tree, users, "周末清洁家园", places=5)

    phone_context = browser.new_context(base_url=live_server.url, locale="zh-CN",
                                        viewport=PHONE, is_mobile=True, has_touch=True)
    phone_context.set_default_timeout(10_000)
    phone = phone_context.new_page()
    login(phone, "vol_member")
    phone.goto(f"/activities/{activity.pk}/")
    phone.get_by_role("button", name="我要报名").click()
    expect(phone.get_by_text("报名成功")).to_be_visible()
    expect(phone.locator(".alert-success").filter(has_text="您已报名")).to_contain_text("已录用")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    login(page, users.community_a.username)
    page.goto(f"/activities/{activity.pk}/")
    page.get_by_role("button", name="开始活动（开放签到）").click()
    expect(page.get_by_text("活动已开始")).to_be_visible()
    page.get_by_role("link", name="签到二维码").click()
    expect(page.locator("img.qr-live")).to_be_visible()
    first = code_link(page)

    phone.goto(first)
    expect(phone.get_by_role("button", name="确认签到")).to_be_visible()
    phone.get_by_role("button", name="确认签到").click()
    expect(phone.get_by_text("签到成功")).to_be_visible()
    pair = CheckIn.objects.get(activity=activity)
    assert pair.out_at is None and not pair.manual
    # A code altered by hand is refused, nothing written.
    phone.goto(first.replace(f"/{activity.pk}.", f"/{activity.pk + 1}."))
    expect(phone.locator("#scan-message")).to_contain_text("签到码无效")

    CheckIn.objects.filter(pk=pair.pk).update(
        in_at=pair.in_at - datetime.timedelta(hours=2, minutes=40))
    page.reload()
    phone.goto(code_link(page))
    phone.get_by_role("button", name="确认签退").click()
    expect(phone.get_by_text("签退成功")).to_be_visible()

    page.goto(f"/activities/{activity.pk}/")
    page.get_by_role("button", name="结束活动").click()
    expect(page.get_by_text("服务记录已生成")).to_be_visible()
    record = ServiceRecord.objects.get(activity=activity)
    assert (str(record.raw_hours), str(record.hours)) in {("2.67", "2.50"), ("2.68", "2.50")}
    page.get_by_role("link", name="审核时长").click()
    page.fill("#id_beneficiaries_served", "26")
    page.get_by_role("button", name="确认审核时长").click()
    expect(page.get_by_text("时长已审核。")).to_be_visible()
    page.get_by_role("button", name="公示时长").click()
    expect(page.get_by_text("已公示，公示期满后计入时长。")).to_be_visible()

    phone.goto("/volunteer/mine/")
    expect(phone.get_by_text("已计入", exact=True)).to_be_visible()
    with phone.expect_download() as download:
        phone.get_by_role("button", name="下载证明").click()
    assert download.value.suggested_filename.endswith(".pdf")
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    cert = Certificate.objects.get(volunteer__account=member)
    assert str(cert.hours) == "2.50"

    visitor = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=PHONE)
    check = visitor.new_page()
    check.goto(f"/v/{cert.number}/")
    expect(check.get_by_text("核验：有效")).to_be_visible()
    body = check.locator("main").inner_text()
    assert "王*" in body and "王芳" not in body and cert.volunteer.number in body
    assert "2.50 小时" in body
    visitor.close()
    phone_context.close()
