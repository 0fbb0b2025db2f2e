"""The street calls a joint meeting, the unit's liaison replies, the meeting is held with a
decision, and the liaison reports the task done; then a community signs an agreement and the
liaison downloads it."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gongjian.alliance import services
from gongjian.alliance.models import Agreement, Meeting, Task

pytestmark = pytest.mark.browser


def accept_dialogs(page):
    page.on("dialog", lambda dialog: dialog.accept())


def logout(page):
    # A fresh session: the next login starts from the login page.
    page.context.clear_cookies()


def test_meeting_to_done_task(page, tree, users, login):
    accept_dialogs(page)
    alliance = services.create_alliance(user=users.street, org=tree.s, name="红盟同心",
                                        founded_on=datetime.date(2020, 1, 1))
    services.add_member(alliance, user=users.street, unit=tree.unit_a)
    services.add_member(alliance, user=users.street, unit=tree.unit_b)

    login(page, "street")
    page.goto(f"/alliances/{alliance.pk}/")
    page.get_by_role("link", name="通知开会").click()
    page.fill("#id_title", "第一次联席会议")
    start = timezone.localtime() + datetime.timedelta(hours=2)
    page.fill("#id_starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_place", "党群服务中心")
    page.fill("#id_agenda", "研究共建项目")
    expect(page.get_by_label("鼎峰集团")).to_be_checked()  # every member invited by default
    page.get_by_role("button", name="发出通知").click()
    expect(page.locator("h1")).to_contain_text("第一次联席会议")
    meeting = Meeting.objects.get()
    logout(page)

    login(page, "liaison_a")
    page.goto(f"/meetings/{meeting.pk}/")
    page.select_option("#id_reply", label="请假")
    page.get_by_role("button", name="提交回复").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("请假须说明原因")
    page.select_option("#id_reply", label="参会")
    page.get_by_role("button", name="提交回复").click()
    expect(page.locator(".alert-success")).to_contain_text("已回复")
    logout(page)

    login(page, "street")
    page.goto(f"/meetings/{meeting.pk}/")
    page.get_by_role("link", name="记录召开").click()
    expect(page.get_by_label("鼎峰集团（参会）")).to_be_checked()
    page.fill("#id_minutes", "会议研究了阵地共享。")
    page.fill("#id_d-0-title", "开放职工活动室")
    page.select_option("#id_d-0-owner", label="鼎峰集团")
    page.fill("#id_d-0-deadline", (timezone.localdate() + datetime.timedelta(days=10))
              .isoformat())
    page.get_by_role("button", name="保存：会议已召开").click()
    expect(page.locator("h1")).to_contain_text("已召开")
    expect(page.get_by_role("link", name="开放职工活动室")).to_be_visible()
    logout(page)

    login(page, "liaison_a")
    page.goto("/tasks/")
    page.get_by_role("link", name="开放职工活动室").click()
    page.fill("#id_note", "已对接场地")
    page.get_by_role("button", name="提交进展").click()
    expect(page.locator(".history")).to_contain_text("已对接场地")
    page.locator("form[action$='/complete/'] textarea").fill("活动室已向居民开放")
    page.get_by_role("button", name="办结").click()
    expect(page.locator("h1")).to_contain_text("已完成")
    assert Task.objects.get().state == "done"


def test_agreement_signed_and_downloaded(page, tree, users, login):
    accept_dialogs(page)
    login(page, "comm_a")
    page.goto("/agreements/")
    page.get_by_role("link", name="草拟协议").click()
    page.fill("#id_number", "GJXY-2026-007")
    page.fill("#id_title", "金安社区与鼎峰集团共驻共建协议")
    page.select_option("#id_org", value=str(tree.a.pk))
    page.select_option("#id_unit", label="鼎峰集团")
    page.fill("#id_starts_on", "2026-03-01")
    page.fill("#id_ends_on", "2026-02-01")
    page.fill("#id_service_items", "每月一次招聘会\n开放员工食堂助餐")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("结束日期不能早于开始日期")
    page.fill("#id_ends_on", "2028-02-29")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_contain_text("草拟")
    page.get_by_role("link", name="签订").click()
    page.get_by_role("button", name="确认签订").click()
    expect(page.locator("h1")).to_contain_text("已签订")
    assert Agreement.objects.get().state == "signed"
    logout(page)

    login(page, "liaison_a")
    page.goto("/agreements/")
    page.get_by_role("link", name="金安社区与鼎峰集团共驻共建协议").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 Word").click()
    assert download.value.suggested_filename == "agreement-GJXY-2026-007.docx"
