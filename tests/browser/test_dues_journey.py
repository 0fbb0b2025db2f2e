"""Party dues in the browser: the branch's committee records this month's dues of a member,
the branch's ledger shows the payment, and the member finds it on 我的."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_branch_records_a_month_and_the_member_sees_it(page, tree, users, make_user, login):
    from gongjian.dues import services

    month = timezone.localdate().replace(day=1)
    account = services.set_base(tree.membership_a, user=users.community_a, year=month.year,
                                kind="in_service", base="8000").account
    if month.month > 1:  # the months before this one are paid already
        services.record_payment(account, user=users.community_a, first_month=month.replace(month=1),
                                last_month=month.replace(month=month.month - 1), paid_on=month,
                                makeup_approved_by="金安社区党委")
    make_user("branch_committee", tree.a1, username="zhibu_a")
    users.member.person = tree.person_a
    users.member.save(update_fields=["person"])

    login(page, "zhibu_a")
    page.goto("/dues/")
    expect(page.locator("#dues-ledger")).to_contain_text("达嘉馨园小区党支部")
    page.get_by_role("link", name="达嘉馨园小区党支部").click()
    page.get_by_role("link", name="张华娟").click()
    page.get_by_role("link", name="登记交纳").click()
    expect(page.locator("#id_first_month")).to_have_value(f"{month:%Y-%m}")  # the next month due
    page.select_option("#id_method", "cash")
    page.get_by_role("button", name="登记").click()
    expect(page.get_by_text("已登记 1 个月党费，共 120.00 元。")).to_be_visible()
    expect(page.locator("#dues-rows")).to_contain_text("120.00")

    page.goto(f"/dues/?org={tree.a1.code}&month={month:%Y-%m}")
    row = page.locator("#dues-ledger tbody tr", has_text="达嘉馨园小区党支部")
    expect(row.locator("td").nth(1)).to_have_text("1")   # members who owe the month
    expect(row.locator("td").nth(2)).to_have_text("1")   # paid
    expect(row.locator("td").nth(3)).to_have_text("0")   # unpaid
    expect(row.locator("td").nth(8)).to_have_text(f"{120 * month.month:.2f}")  # collected
    expect(row.locator("td").nth(6)).to_have_text("120.00")

    page.context.clear_cookies()
    login(page, "member_a")
    page.goto("/me/")
    section = page.locator("#my-dues")
    expect(section).to_contain_text("月缴 120.00 元")
    expect(section).to_contain_text(f"已缴至 {month.year}年{month.month}月")
