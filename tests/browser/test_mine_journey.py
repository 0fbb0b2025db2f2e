"""我的 on a phone: a member logs in, opens 我的 from the menu and finds the wish they claimed,
then follows it to the page where the next step is taken."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gongjian.wishes.models import State, Wish

pytestmark = pytest.mark.browser


def test_member_opens_mine_from_the_menu_on_a_phone(page, users, tree, login):
    users.member.person = tree.person_a
    users.member.save(update_fields=["person"])
    now = timezone.now()
    wish = Wish.objects.create(title="一个新书包", group="youth", recipient_name="王小明",
                               org=tree.a, posted_by=users.resident, state=State.CLAIMED,
                               published_at=now, claimed_by=users.member,
                               claimer_person=tree.person_a, claimed_at=now)

    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "member_a")
    page.get_by_role("button", name="菜单").click()
    nav = page.locator("#mainnav")
    # The accessible name starts with the icon's glyph; the label is the whole of the rest.
    expect(nav.get_by_role("link", name=re.compile(r"^\W*党员$"))).to_have_count(0)
    expect(nav.locator('a[href="/members/"]')).to_have_count(0)  # no staff roster
    nav.get_by_role("link", name=re.compile(r"^\W*我的$")).click()
    page.wait_for_url("**/me/")

    expect(page.locator("h1")).to_contain_text("张华娟")
    expect(page.locator("#my-info")).to_contain_text("110105********002X")
    expect(page.locator("#count-claimed")).to_have_text("1")
    row = page.locator("#my-claimed a", has_text="一个新书包")
    expect(row).to_contain_text("已认领")
    expect(row).to_contain_text("待您实现")
    # The page fits the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    row.click()
    page.wait_for_url(re.compile(rf"/wishes/{wish.pk}/$"))
    expect(page.locator("h1")).to_contain_text("一个新书包")
