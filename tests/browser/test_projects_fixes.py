"""What people met on the projects pages, in the browser: a resident opens the notification
about their demand and reads the project it became; a unit hears of an approved project and
claims from the notice; the "next step" line names those who may take it; and a project
claimed in full offers no claim button."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from gongjian.projects import services
from gongjian.projects.models import Project

pytestmark = pytest.mark.browser


def fresh_session(page):
    page.context.clear_cookies()


def open_notification(page, title):
    page.goto("/notifications/")
    page.get_by_role("button", name=re.compile(re.escape(title))).first.click()


def test_resident_and_unit_follow_their_notifications(page, users, tree, login):
    demand = services.create_demand(
        category="elderly", title="高龄老人上门理发", description="3号楼502王大爷行动不便",
        place="金安花园3号楼", beneficiaries=20, user=users.resident)
    project = services.create_project(
        title="金安花园为老上门理发", category="elderly", description="每月上门理发",
        demands=[demand], user=users.community_a)
    services.approve(project, note="同意立项。", user=users.street)

    # the unit's liaison is told of the approved project and claims from the notice
    login(page, "liaison_a")
    open_notification(page, "新项目待认领：金安花园为老上门理发")
    expect(page.get_by_role("heading", name="金安花园为老上门理发")).to_be_visible()
    page.get_by_role("link", name="认领项目").click()
    page.fill("#id_share", "100")
    page.fill("#id_note", "派三名党员义工")
    page.get_by_role("button", name="认领项目").click()
    expect(page.get_by_text("鼎峰集团 认领了该项目 100%")).to_be_visible()
    # nothing left to claim: no claim button, and the line names the meeting as the next step
    expect(page.get_by_role("link", name="认领项目")).to_have_count(0)
    expect(page.get_by_text("下一步：对接（责任方：街道党建办、社区党务工作者）")).to_be_visible()
    fresh_session(page)

    # the resident opens "您的需求已转为项目" and reads the project, without the staff's side
    login(page, "resident_a")
    open_notification(page, "您的需求已转为项目")
    expect(page).to_have_url(re.compile(rf"/projects/{project.pk}/$"))
    expect(page.get_by_role("heading", name="金安花园为老上门理发")).to_be_visible()
    expect(page.get_by_text("鼎峰集团 认领了该项目 100%")).to_be_visible()
    expect(page.get_by_role("link", name="高龄老人上门理发")).to_be_visible()
    expect(page.get_by_text("派三名党员义工")).to_have_count(0)
    expect(page.locator(".workflow-steps")).to_have_count(0)


def test_the_next_step_of_an_executing_project_is_the_staffs(page, users, tree, login):
    project = services.create_project(
        title="楼道照明维修", category="environment", description="老旧楼道照明维修",
        org=tree.a, target_beneficiaries=40, user=users.community_a)
    services.approve(project, user=users.street)
    services.claim(project, share=100, user=users.liaison_a)
    services.dock(project, date=datetime.date(2026, 3, 1), place="社区", plan="每周六维修",
                  user=users.community_a)
    services.start(project, user=users.liaison_a)
    assert Project.objects.get(pk=project.pk).state == "executing"

    login(page, "liaison_a")
    page.goto(f"/projects/{project.pk}/")
    line = page.get_by_role("status")
    expect(line).to_contain_text("下一步：验收（责任方：街道党建办、社区党务工作者）")
    expect(line).not_to_contain_text("认领单位")
    # the unit reports progress; acceptance is not its button
    expect(page.get_by_role("link", name="填报进展")).to_be_visible()
    expect(page.get_by_role("link", name="组织验收")).to_have_count(0)
    fresh_session(page)

    login(page, "comm_a")
    page.goto(f"/projects/{project.pk}/")
    page.get_by_role("link", name="组织验收").click()
    page.select_option("#id_rating", "5")
    page.fill("#id_beneficiary_count", "38")
    page.get_by_role("button", name="组织验收").click()
    expect(page.get_by_role("status")).to_contain_text("下一步：结项")
