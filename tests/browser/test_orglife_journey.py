"""A branch secretary plans the month's 主题党日, records it with one member on leave, the
member's make-up study is confirmed, and the branch's compliance light follows: green before,
yellow while the make-up is open, green again once it is done."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gongjian.members.models import Membership, Person
from gongjian.orglife import rollup
from gongjian.orglife.models import MakeUp, Meeting
from gongjian.orglife.rules import KINDS
from gongjian.orgs.models import Organization

pytestmark = pytest.mark.browser


def year_to_date_held(branch, today):
    """Every kind held on the 1st of each month so far this year: nothing is missing."""
    Meeting.objects.bulk_create(
        Meeting(org=branch, kind=rule.code, title=f"{month}月{rule.label}", state="held",
                date=datetime.date(today.year, month, 1), due_count=3, present_count=3)
        for month in range(1, today.month + 1) for rule in KINDS)
    rollup.rebuild(Organization.objects.filter(pk=branch.pk))  # bulk_create bypasses save()


def add_member(branch, name, sex, birth):
    person = Person.objects.create(name=name, sex=sex, birth_date=birth, org=branch)
    return Membership.objects.create(person=person, org=branch, category="正式党员",
                                     joined_on=datetime.date(2010, 7, 1),
                                     confirmed_on=datetime.date(2011, 7, 1))


def light_of(page, tree, today):
    page.goto(f"/orglife/compliance/?org={tree.a1.code}&year={today.year}")
    return page.locator("table").get_by_role("row").filter(has_text=tree.a1.name)


def test_theme_day_with_an_absentee_and_the_make_up(page, tree, make_user, login, settings):
    # Any outstanding item turns the light yellow here, so one open make-up shows.
    settings.GONGJIAN_ORGLIFE = {"light_green_max": 0}
    page.on("dialog", lambda dialog: dialog.accept())
    today = timezone.localdate()
    year_to_date_held(tree.a1, today)
    add_member(tree.a1, "李明", "男", datetime.date(1985, 3, 2))
    wang = add_member(tree.a1, "王芳", "女", datetime.date(1990, 12, 31))
    make_user("branch_committee", tree.a1, username="zhibu_a")

    login(page, "zhibu_a")
    expect(light_of(page, tree, today)).to_contain_text("绿灯")

    page.goto(f"/branch-meetings/new/?org={tree.a1.code}&kind=theme_day&date={today:%Y-%m-%d}")
    page.fill("#id_title", "十二月主题党日：学习党章、清理楼道")
    page.fill("#id_place", "党群服务中心二楼会议室")
    page.fill("#id_x_item", "楼道杂物清理")
    page.get_by_role("button", name="保存计划").click()
    expect(page.locator("h1")).to_contain_text("十二月主题党日")
    meeting = Meeting.objects.get(title__startswith="十二月主题党日")
    assert meeting.state == "planned"

    page.get_by_role("button", name="通知参会").click()
    expect(page.get_by_text("已通知应参会的党员")).to_be_visible()

    page.get_by_role("link", name="登记召开情况").first.click()
    page.select_option(f"[name=presence_{wang.pk}]", "personal")
    page.fill(f"[name=reason_{wang.pk}]", "出差在外")
    page.fill("#id_minutes", "一、集中学习：学习党章第二章。\n四、志愿服务：清理 3 号楼楼道杂物。")
    page.get_by_role("button", name="确认登记").click()
    expect(page.locator("h1")).to_contain_text("十二月主题党日")
    meeting.refresh_from_db()
    assert (meeting.state, meeting.due_count, meeting.present_count) == ("held", 3, 2)
    makeup = MakeUp.objects.get(attendance__membership=wang)
    assert makeup.state == "open"

    expect(light_of(page, tree, today)).to_contain_text("黄灯")

    page.goto(f"/branch-meetings/{meeting.pk}/")
    page.get_by_role("link", name="确认补学").first.click()
    page.fill("#id_content", "自学党章第二章，向支部书记汇报学习体会。")
    page.get_by_role("button", name="确认补学").click()
    expect(page.locator("h1")).to_contain_text("十二月主题党日")
    makeup.refresh_from_db()
    assert makeup.state == "done"

    expect(light_of(page, tree, today)).to_contain_text("绿灯")
