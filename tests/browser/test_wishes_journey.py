"""A micro-wish from start to end in a browser: the resident posts it, community staff publish
it, a member claims it on the wall and fulfils it with a photo, the resident confirms and
thanks. The member works on a phone-sized screen."""

import datetime
import io
import re

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from gongjian.wishes.models import Round, State, Wish, WishEvent

pytestmark = pytest.mark.browser


def photo_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), (30, 144, 255)).save(buffer, format="JPEG")
    return buffer.getvalue()


def sign_out(page):
    page.context.clear_cookies()


def test_wish_from_resident_to_thanks(page, users, tree, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    page.on("dialog", lambda dialog: dialog.accept())
    today = timezone.localdate()
    Round.objects.create(name="金山街道第一期微心愿", org=tree.s, starts_on=today,
                         ends_on=today + datetime.timedelta(days=30))

    # The resident finds 微心愿 in the menu and posts a wish for a neighbour's child.
    login(page, "resident_a")
    page.locator("#mainnav").get_by_role("button", name="服务").or_(
        page.locator("#mainnav .dropdown-toggle", has_text="服务")).click()
    page.locator("#mainnav").get_by_role("link", name="微心愿").click()
    page.get_by_role("link", name="发布心愿").first.click()
    page.fill("#id_title", "一个新书包")
    page.select_option("#id_group", label="青少年")
    page.fill("#id_description", "孩子上三年级，书包破了。")
    page.fill("#id_recipient_name", "王小明")
    page.fill("#id_recipient_phone", "1391234567")  # one digit short
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("手机号须为 11 位")
    assert not Wish.objects.exists()
    page.fill("#id_recipient_phone", "13912345678")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("alert")).to_contain_text("心愿已提交")
    expect(page.locator("h1")).to_contain_text("待审核")
    sign_out(page)

    # Community staff review it and publish it into the running round.
    login(page, "comm_a")
    page.goto("/wishes/")
    page.get_by_role("link", name=re.compile("审核 1 个")).click()
    row = page.locator(".review-row", has_text="一个新书包")
    expect(row).to_contain_text("王小明")
    row.get_by_role("button", name="发布").click()
    expect(page.get_by_role("alert")).to_contain_text("心愿已审核发布")
    assert Wish.objects.get().state == State.PUBLISHED
    sign_out(page)

    # A member on a phone sees it on the wall, without the recipient, and claims it.
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "member_a")
    page.goto("/wishes/")
    card = page.locator(".wish-card", has_text="一个新书包")
    expect(card).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("王小明")
    card.get_by_role("button", name=re.compile("认领")).click()
    expect(page.get_by_role("alert")).to_contain_text("认领成功")
    expect(page.locator("#recipient")).to_contain_text("王小明")  # the claimer may see them
    page.get_by_role("link", name=re.compile("上传照片")).click()
    page.fill("#id_note", "已把新书包送到孩子手中。")
    page.get_by_role("button", name=re.compile("提交实现照片")).click()
    expect(page.locator(".invalid-feedback")).to_contain_text("请上传心愿实现的照片")
    page.set_input_files("#id_photo", files=[{"name": "bag.jpg", "mimeType": "image/jpeg",
                                              "buffer": photo_bytes()}])
    page.fill("#id_note", "已把新书包送到孩子手中。")
    page.get_by_role("button", name=re.compile("提交实现照片")).click()
    expect(page.get_by_role("alert")).to_contain_text("等待受助人确认")
    expect(page.locator("h1")).to_contain_text("已实现")
    expect(page.locator("img.wish-photo")).to_be_visible()
    sign_out(page)

    # The resident sees it fulfilled, confirms and thanks.
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, "resident_a")
    page.goto("/wishes/")
    page.locator(".wish-card", has_text="一个新书包").get_by_role("link",
                                                                 name="一个新书包").click()
    expect(page.locator("h1")).to_contain_text("已实现")
    expect(page.locator("img.wish-photo")).to_be_visible()
    page.get_by_role("button", name=re.compile("确认心愿已实现")).click()
    expect(page.get_by_role("alert")).to_contain_text("已确认心愿实现")
    page.fill("#thank-text", "谢谢党员同志，孩子特别高兴！")
    page.get_by_role("button", name=re.compile("发表感谢")).click()
    expect(page.get_by_role("alert")).to_contain_text("感谢留言已发布")
    expect(page.locator("main")).to_contain_text("谢谢党员同志，孩子特别高兴！")
    expect(page.locator("#history")).to_contain_text("认领")

    wish = Wish.objects.get()
    assert wish.state == State.CONFIRMED and wish.claimed_by == users.member
    assert WishEvent.objects.filter(wish=wish).count() == 6
