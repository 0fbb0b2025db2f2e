"""A problem filed by the street's inspector, rectified by the community (measures, evidence,
申请销号), refused to its filer, and closed out (销号) by another account of the street; then
the street publishes a 责任清单 item that the community claims."""

import datetime

import pytest
from access_checklists import inspector
from playwright.sync_api import expect

from gongjian.checklists.models import ChecklistItem

pytestmark = pytest.mark.browser


def fresh_session(page):
    page.context.clear_cookies()


def test_problem_filed_rectified_and_closed_out_by_the_level_above(page, tree, users, login):
    page.on("dialog", lambda dialog: dialog.accept())
    filer = inspector(tree)
    filer.set_password("Test@2026pw")
    filer.save()
    due = (datetime.date.today() + datetime.timedelta(days=20)).isoformat()

    login(page, "inspector")
    page.goto("/checklists/problems/")
    page.get_by_role("link", name="登记问题").click()
    page.select_option("#id_org", label="金安社区党委")
    page.select_option("#id_source", label="检查")
    page.fill("#id_title", "党员活动室台账不全")
    page.fill("#id_content", "缺少近三个月的活动记录")
    page.get_by_role("button", name="登记").click()
    page.fill("#id_deadline", "2020-01-01")  # the form kept the rest; a past date is refused
    page.get_by_role("button", name="登记").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("整改时限不能早于今天")
    page.fill("#id_deadline", due)
    page.get_by_role("button", name="登记").click()
    expect(page.locator("h1")).to_contain_text("党员活动室台账不全")
    expect(page.locator("h1")).to_contain_text("已登记")
    item = ChecklistItem.objects.get()
    fresh_session(page)

    login(page, "comm_a")
    page.goto(item.get_absolute_url())
    page.get_by_role("link", name="制定整改措施").click()
    page.fill("#id_measures", "补齐台账，明确专人管理")
    page.get_by_role("button", name="确认制定整改措施").click()
    expect(page.locator("h1")).to_contain_text("整改中")
    page.get_by_role("link", name="申请销号").click()
    page.get_by_role("button", name="确认申请销号").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("必填")
    page.fill("#id_evidence", "台账已补齐，近三个月活动记录完整")
    page.get_by_role("button", name="确认申请销号").click()
    expect(page.locator("h1")).to_contain_text("申请销号")
    # The community may not close out its own problem.
    expect(page.get_by_role("link", name="销号")).to_have_count(0)
    fresh_session(page)

    # The filer holds a post at the level above, and is not offered the close-out either;
    # asking for its page directly finds nothing.
    login(page, "inspector")
    page.goto(item.get_absolute_url())
    expect(page.locator(".workflow-steps")).to_have_count(0)
    expect(page.get_by_text("非登记人、非整改人")).to_be_visible()
    response = page.goto(f"{item.get_absolute_url()}close_out/")
    assert response.status == 404
    fresh_session(page)

    login(page, "street")
    page.goto(item.get_absolute_url())
    page.get_by_role("link", name="销号", exact=True).click()
    page.fill("#id_result", "台账齐全，同意销号")
    page.get_by_role("button", name="确认销号").click()
    expect(page.locator("h1")).to_contain_text("已销号")
    expect(page.locator(".history")).to_contain_text("台账齐全，同意销号")
    item.refresh_from_db()
    assert item.state == "closed" and item.checked_by == users.street
    assert item.filed_by == filer


def test_street_publishes_and_community_claims(page, tree, users, login):
    due = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    login(page, "street")
    page.goto("/checklists/responsibility/")
    page.get_by_role("link", name="发布责任清单").click()
    page.get_by_label("金安社区党委").check()
    page.get_by_label("高林社区党委").check()
    page.select_option("#id_category", label="组织生活")
    page.fill("#id_title", "开展“4+X”主题党日")
    page.fill("#id_target", "每月固定一天")
    page.fill("#id_deadline", due)
    page.get_by_role("button", name="发布").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    fresh_session(page)

    login(page, "comm_a")
    page.goto("/checklists/responsibility/")
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_role("link", name="开展“4+X”主题党日").click()
    page.get_by_role("button", name="领单").click()
    expect(page.locator("h1")).to_contain_text("已认领")
    assert ChecklistItem.objects.get(org=tree.a).state == "claimed"
    assert ChecklistItem.objects.get(org=tree.b).state == "published"


def test_branch_problem_closed_out_by_its_community(page, tree, users, login, make_user):
    """The street files a problem of a branch; the branch's committee rectifies it; the
    community above the branch — neither filer nor fixer — closes it out."""
    page.on("dialog", lambda dialog: dialog.accept())
    make_user("branch_committee", tree.a1, username="zhibu_a")
    due = (datetime.date.today() + datetime.timedelta(days=15)).isoformat()

    login(page, "street")
    page.goto("/checklists/problems/")
    page.get_by_role("link", name="登记问题").click()
    page.select_option("#id_org", label=tree.a1.name)
    page.select_option("#id_source", label="检查")
    page.fill("#id_title", "主题党日未按月开展")
    page.fill("#id_content", "10 月、11 月未开展主题党日")
    page.fill("#id_deadline", due)
    page.get_by_role("button", name="登记").click()
    expect(page.locator("h1")).to_contain_text("已登记")
    item = ChecklistItem.objects.get(title="主题党日未按月开展")
    fresh_session(page)

    login(page, "zhibu_a")
    page.goto(item.get_absolute_url())
    page.get_by_role("link", name="制定整改措施").click()
    page.fill("#id_measures", "固定每月第三个周六为主题党日，补开 11 月主题党日")
    page.get_by_role("button", name="确认制定整改措施").click()
    page.get_by_role("link", name="申请销号").click()
    page.fill("#id_evidence", "12 月 5 日补开主题党日，会议记录已上传")
    page.get_by_role("button", name="确认申请销号").click()
    expect(page.locator("h1")).to_contain_text("申请销号")
    fresh_session(page)

    login(page, "comm_a")
    page.goto(item.get_absolute_url())
    page.get_by_role("link", name="销号", exact=True).click()
    page.fill("#id_result", "已按月开展，同意销号")
    page.get_by_role("button", name="确认销号").click()
    expect(page.locator("h1")).to_contain_text("已销号")
    item.refresh_from_db()
    assert item.state == "closed" and item.checked_by == users.community_a
