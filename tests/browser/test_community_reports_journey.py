"""双报到 in the browser: an in-service member picks the community where they live and fills the
report form; the community receives the report (placing the member in a grid); the unit's
liaison finds the receipt among their notifications and reads the report; the member's 我的
page shows the hours against the year's expectation."""

import pytest
from access_community_reports import in_service
from playwright.sync_api import expect

from gongjian.community_reports.models import Report

pytestmark = pytest.mark.browser


def test_member_reports_community_receives_unit_gets_the_receipt(page, tree, users, login):
    in_service(tree, users)

    login(page, "member_a")
    page.goto("/community-reports/new/")
    page.select_option("#id_community", label="金安社区党委")
    page.get_by_role("button", name="下一步").click()
    expect(page.locator("form h2")).to_contain_text("报到登记表 · 金安社区党委")
    page.get_by_role("button", name="提交报到").click()  # empty: refused, nothing saved
    expect(page.locator(".alert-danger")).to_contain_text("未保存任何内容")
    assert not Report.objects.exists()
    page.fill("#id_address", "达嘉馨园 3 号楼 2 单元 201 室")
    page.fill("#id_skills", "法律咨询")
    page.get_by_label("法律服务").check()
    page.get_by_label("助老助残").check()
    page.get_by_role("button", name="提交报到").click()
    expect(page.locator("h1")).to_contain_text("周在职 → 金安社区党委")
    expect(page.locator("h1")).to_contain_text("待社区接收")
    report = Report.objects.get()
    page.context.clear_cookies()

    login(page, "comm_a")
    page.goto("/community-reports/")
    page.get_by_role("link", name="周在职").click()
    page.get_by_role("link", name="接收报到").click()
    page.select_option("#id_grid", label="金安第一网格")
    page.get_by_role("button", name="确认接收报到").click()
    expect(page.locator("h1")).to_contain_text("已报到")
    expect(page.locator("main")).to_contain_text("回执已送所在单位和党支部")
    page.context.clear_cookies()

    login(page, "liaison_a")
    page.goto("/notifications/")
    page.get_by_text("在职党员报到回执：周在职已到金安社区党委报到").first.click()
    page.wait_for_url(f"**{report.get_absolute_url()}")
    expect(page.locator("main")).to_contain_text("金安第一网格")
    expect(page.get_by_role("button", name="接收报到")).to_have_count(0)
    page.context.clear_cookies()

    login(page, "member_a")
    page.goto("/me/")
    expect(page.locator("#my-community-report")).to_contain_text("年在社区服务 0 小时，应达")
