"""A community books a unit's hall, the unit confirms, the calendar shows it — on the desk and
on the phone (390 px wide, the month as a list of days)."""

import datetime

import pytest
from access_venues import make_hall
from django.utils import timezone
from playwright.sync_api import expect

from gongjian.venues.models import Booking

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_a_community_books_a_units_hall_the_unit_confirms_the_calendar_shows_it(
        page, browser, live_server, tree, users, login, logout):
    page.on("dialog", lambda dialog: dialog.accept())
    venue, hall = make_hall(tree, users)
    day = timezone.localdate() + datetime.timedelta(days=5)

    # Community A's staff find the unit's hall and ask for it.
    login(page, users.community_a.username)
    page.goto("/venues/?bookable=true")
    page.get_by_role("link", name="鼎峰集团会议厅").click()
    page.get_by_role("link", name="预约", exact=True).first.click()
    page.select_option("#id_room", str(hall.pk))
    page.fill("#id_day", day.isoformat())
    page.fill("#id_start_time", "09:00")
    page.fill("#id_end_time", "11:00")
    page.fill("#id_purpose", "社区党员主题党日")
    page.fill("#id_attendees", "30")
    page.get_by_role("button", name="提交预约申请").click()
    expect(page.get_by_text("已提交预约申请")).to_be_visible()
    booking = Booking.objects.get(room=hall)
    assert booking.state == "requested" and booking.org_id == tree.a.pk
    # The community cannot confirm what the unit decides.
    expect(page.get_by_role("button", name="确认")).to_have_count(0)

    # A clash is refused in words, nothing written.
    page.goto(f"/venues/{venue.pk}/book/")
    page.select_option("#id_room", str(hall.pk))
    page.fill("#id_day", day.isoformat())
    page.fill("#id_start_time", "10:00")
    page.fill("#id_end_time", "12:00")
    page.fill("#id_purpose", "重复申请")
    page.get_by_role("button", name="提交预约申请").click()
    expect(page.get_by_text("已被预约")).to_be_visible()
    assert Booking.objects.filter(room=hall).count() == 1
    logout(page)

    # The unit's liaison sees it waiting, confirms it.
    login(page, users.liaison_a.username)
    page.goto("/bookings/?side=to_confirm")
    page.get_by_role("link", name="鼎峰集团会议厅 · 会议厅").click()
    page.get_by_role("button", name="确认").click()
    expect(page.get_by_text("已确认预约")).to_be_visible()
    booking.refresh_from_db()
    assert booking.state == "confirmed"

    # The calendar of the room shows the booking on its day.
    page.get_by_role("link", name="日历").click()
    chip = page.locator(".booking-chip", has_text="09:00–11:00")
    expect(chip).to_be_visible()
    expect(chip).to_contain_text("金安社区党委")
    logout(page)

    # On the phone the community reads the month as a list of its days with bookings.
    phone_context = browser.new_context(base_url=live_server.url, locale="zh-CN",
                                        viewport=PHONE, is_mobile=True, has_touch=True)
    phone_context.set_default_timeout(10_000)
    phone = phone_context.new_page()
    login(phone, users.community_a.username)
    phone.goto(f"/venues/{venue.pk}/calendar/?year={day.year}&month={day.month}")
    expect(phone.locator(".booking-chip", has_text="09:00–11:00")).to_be_visible()
    expect(phone.locator(".vm-head").first).to_be_hidden()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone_context.close()
