"""What a street's staff, a community's staff and the audit administrator do in a browser:
find, set up and move organisations; stay inside their reach; get refused in Chinese."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gongjian.core.auth import LOGIN_REFUSED
from gongjian.core.models import AuditEntry, User
from gongjian.orgs.models import Building, Organization, OrgEvent

pytestmark = pytest.mark.browser


def org_state():
    """Everything a refused step must leave as it was (login entries aside)."""
    return (
        list(Organization.objects.order_by("path").values_list(
            "code", "path", "numchild", "dissolved_on", "merged_into_id")),
        list(Building.objects.order_by("pk").values_list("pk", "grid_id", "name", "households")),
        OrgEvent.objects.count(),
        AuditEntry.objects.exclude(event__in=["login", "login_failed", "logout"]).count(),
    )


def accept_dialogs(page):
    """Accept every confirm() a data-confirm form raises; returns the messages seen."""
    seen = []

    def accept(dialog):
        seen.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    return seen


def test_street_staff_sets_up_and_moves_a_branch_and_audit_sees_it(page, users, login, logout):
    accept_dialogs(page)  # the move form asks nothing today; accept if it ever does
    login(page, "street")

    # Find 金安社区党委 by its pinyin initials and open it.
    page.goto("/orgs/")
    page.fill("#org-search", "jaq")
    hit = page.locator("#search-results a.search-hit", has_text="金安社区党委")
    expect(hit).to_be_visible()
    hit.click()
    expect(page).to_have_url(re.compile(r"/orgs/JS-A/$"))
    expect(page.locator("h1")).to_have_text("金安社区党委")

    # Set up a branch under it.
    page.get_by_role("link", name="新设下级组织").click()
    expect(page.locator("h1")).to_have_text("新设党组织")
    page.fill("#id_code", "JS-A3")
    page.fill("#id_name", "金安第三党支部")
    page.select_option("#id_kind", label="党支部")
    page.select_option("#id_sector", label="小区/网格")
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(r"/orgs/JS-A3/$"))
    expect(page.locator("h1")).to_have_text("金安第三党支部")
    expect(page.get_by_role("alert")).to_contain_text("党组织已设立")
    expect(page.locator("ol.breadcrumb")).to_contain_text("金安社区党委")

    # Move it under 高林社区党委, picked by its pinyin.
    page.get_by_role("link", name="移动", exact=True).click()
    expect(page.locator("h1")).to_have_text("移动组织")
    page.locator("#id_parent").press_sequentially("gaolin")
    pick = page.locator('#id_parent-results [data-pick-code="JS-B"]')
    expect(pick).to_contain_text("高林社区党委")
    pick.click()
    expect(page.locator("#id_parent")).to_have_value("JS-B")
    expect(page.locator("#id_parent-label")).to_have_text("已选：高林社区党委")
    expect(page.locator("#id_parent-results")).to_be_empty()
    page.get_by_role("button", name="确认移动").click()
    expect(page).to_have_url(re.compile(r"/orgs/JS-A3/$"))
    expect(page.get_by_role("alert")).to_contain_text("“金安第三党支部”已移至“高林社区党委”之下")
    breadcrumb = page.locator("ol.breadcrumb")
    expect(breadcrumb).to_contain_text("高林社区党委")
    expect(breadcrumb).not_to_contain_text("金安社区党委")
    history = page.locator("ul.history")
    expect(history).to_contain_text("由“金安社区党委”移至“高林社区党委”之下")
    expect(history).to_contain_text("在“金安社区党委”之下设立党支部")

    moved = Organization.objects.get(code="JS-A3")
    assert Organization.objects.get_parent(moved).code == "JS-B"

    # The audit administrator sees both steps under the street account's name.
    logout(page)
    login(page, "auditadmin")
    page.goto("/audit/")
    page.locator("input[name=q]").fill("金安第三党支部")
    page.get_by_role("button", name="查询").click()
    rows = page.locator("tr.audit-row", has_text="orgs.organization")
    expect(rows).to_have_count(2)
    for event in ("新增", "移动"):
        row = rows.filter(has=page.locator("td:nth-child(4)", has_text=event))
        expect(row).to_have_count(1)
        expect(row.locator("td:nth-child(2)")).to_have_text("street")
        expect(row.locator("td:nth-child(5)")).to_contain_text("金安第三党支部")
    expect(rows.filter(has_text="移动").locator("td:nth-child(6)")).to_contain_text("JS-B")


def test_community_account_stays_inside_its_community(page, users, login):
    login(page, "comm_a")

    response = page.goto("/orgs/JS-B/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("未找到")
    expect(page.locator("body")).not_to_contain_text("高林社区党委")

    response = page.goto("/orgs/JS-A/")
    assert response.status == 200
    expect(page.locator("h1")).to_have_text("金安社区党委")

    # The tree starts at JS-A; opening a branch loads its group, still inside JS-A.
    page.goto("/orgs/")
    tree = page.locator(".tree")
    expect(tree.locator("a").first).to_have_text("金安社区党委")
    tree.locator("xpath=.//li[a[normalize-space()='达嘉馨园小区党支部']]/button").click()
    expect(tree).to_contain_text("一号楼党小组")
    hrefs = tree.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs and all(h.startswith("/orgs/JS-A") for h in hrefs), hrefs
    expect(tree).not_to_contain_text("高林社区党委")
    expect(tree).not_to_contain_text("金山街道党工委")

    # Searching for B finds nothing.
    page.fill("#org-search", "glsq")
    expect(page.locator("#search-results")).to_contain_text("没有找到“glsq”")

    menu = page.locator("#mainnav .navbar-nav").first
    expect(menu).to_contain_text("组织体系")
    expect(menu).not_to_contain_text("账户管理")
    expect(menu).not_to_contain_text("审计日志")
    assert page.goto("/audit/").status == 403


def test_bad_input_is_refused_in_chinese_and_changes_nothing(page, users, login):
    dialogs = accept_dialogs(page)
    login(page, "street")
    before = org_state()

    # Moving JS-A under its own branch JS-A1.
    page.goto("/orgs/JS-A/move/")
    page.fill("#id_parent", "JS-A1")
    page.get_by_role("button", name="确认移动").click()
    expect(page.locator(".invalid-feedback")).to_have_text(
        "不能把“金安社区党委”移到它自己或它的下级组织“达嘉馨园小区党支部”之下。")
    assert org_state() == before

    # A code that is already taken.
    page.goto("/orgs/JS-A/")
    page.get_by_role("link", name="新设下级组织").click()
    page.fill("#id_code", "JS-A1")
    page.fill("#id_name", "重复编码党支部")
    page.select_option("#id_kind", label="党支部")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("组织编码已被使用")
    assert org_state() == before

    # Dissolving JS-A while it still has two branches (confirm dialog accepted).
    page.goto("/orgs/JS-A/")
    page.get_by_role("link", name="撤销", exact=True).click()
    # The date should come prefilled with today; see test_dissolve_form_prefills_today.
    page.fill("#id_dissolved_on", timezone.localdate().isoformat())
    page.fill("#id_reason", "测试撤销")
    page.get_by_role("button", name="确认撤销").click()
    expect(page.locator("form .alert-danger")).to_have_text(
        "“金安社区党委”还有2 个下级组织，请先转移或撤销后再撤销本组织。")
    assert dialogs == ["确认移动？此操作会记入组织沿革。", "确认撤销？此操作会记入组织沿革。"]
    assert org_state() == before

    # A building with -5 households.
    page.goto("/grids/G-A/")
    page.fill("#id_name", "2号楼")
    page.fill("#id_households", "-5")
    page.get_by_role("button", name="登记").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("户数不能为负数")
    expect(page.locator("tbody")).not_to_contain_text("2号楼")
    assert org_state() == before


def test_dissolve_form_prefills_today(page, users, login):
    login(page, "street")
    page.goto("/orgs/JS-A1G/dissolve/")
    expect(page.locator("#id_dissolved_on")).to_have_value(
        timezone.localdate().isoformat(), timeout=1000)


def test_five_wrong_passwords_lock_the_account(page, users, login):
    for _ in range(5):
        login(page, "street", "wrong-Pass1", expect_success=False)
        expect(page.get_by_role("alert")).to_be_visible()
    login(page, "street", expect_success=False)
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_role("alert")).to_contain_text(str(LOGIN_REFUSED))
    assert User.objects.get(username="street").is_locked
    page.goto("/orgs/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))
