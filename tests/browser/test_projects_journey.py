"""A project from a resident's demand to acceptance, in the browser: the resident posts the
demand, the community turns it into a project, the street approves it, a unit claims a share,
the community records the meeting, the unit executes with a photo, the community accepts it
with the residents' rating and closes it; the history shows every step."""

import re
from io import BytesIO

import pytest
from PIL import Image
from playwright.sync_api import expect

from gongjian.projects.models import Demand, Project, ProjectPhoto

pytestmark = pytest.mark.browser


def logout(page):
    # A fresh session for the next account (the menu's layout differs between roles).
    page.context.clear_cookies()


def test_demand_to_closed_project(page, users, tree, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    photo = tmp_path / "progress.png"
    buffer = BytesIO()
    Image.new("RGB", (64, 48), (180, 20, 20)).save(buffer, "PNG")
    photo.write_bytes(buffer.getvalue())

    # the resident posts a demand
    login(page, "resident_a")
    page.goto("/demands/")
    page.get_by_role("link", name="提出需求").click()
    page.select_option("#id_category", "elderly")
    page.fill("#id_title", "高龄老人上门理发")
    page.fill("#id_description", "金安花园二十多位行动不便的高龄老人，希望每月有人上门理发。")
    page.fill("#id_place", "金安花园")
    page.fill("#id_beneficiaries", "25")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("heading", name="高龄老人上门理发")).to_be_visible()
    expect(page.get_by_text("待受理")).to_be_visible()
    demand = Demand.objects.get()
    logout(page)

    # community staff turn it into a project
    login(page, "comm_a")
    page.goto(f"/demands/{demand.pk}/")
    page.get_by_role("link", name="转为项目").click()
    expect(page.locator("#id_title")).to_have_value("高龄老人上门理发")
    page.fill("#id_title", "金安花园为老上门理发")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("heading", name="金安花园为老上门理发")).to_be_visible()
    expect(page.get_by_text("下一步：立项")).to_be_visible()
    project = Project.objects.get()
    logout(page)

    # the street approves
    login(page, "street")
    page.goto(f"/projects/{project.pk}/")
    page.get_by_role("link", name="批准立项").click()
    page.fill("#id_note", "同意立项，请驻区单位认领。")
    page.get_by_role("button", name="批准立项").click()
    expect(page.get_by_text("下一步：认领")).to_be_visible()
    logout(page)

    # the unit's liaison claims 40%
    login(page, "liaison_a")
    page.goto("/projects/")
    page.get_by_role("link", name=re.compile("金安花园为老上门理发")).click()
    page.get_by_role("link", name="认领项目").click()
    page.fill("#id_share", "140")
    page.get_by_role("button", name="认领项目").click()
    expect(page.get_by_text("认领份额不能超过 100%。")).to_be_visible()
    page.fill("#id_share", "40")
    page.get_by_role("button", name="认领项目").click()
    expect(page.get_by_text("鼎峰集团 认领了该项目 40%")).to_be_visible()
    logout(page)

    # community staff record the meeting (对接)
    login(page, "comm_a")
    page.goto(f"/projects/{project.pk}/")
    page.get_by_role("link", name="记录对接").click()
    page.fill("#id_date", "2026-03-01")
    page.fill("#id_place", "金安社区党群服务中心")
    page.fill("#id_plan", "每月第三个周六上午，鼎峰集团党员义工上门理发。")
    page.get_by_role("button", name="记录对接").click()
    expect(page.get_by_text("下一步：开始执行")).to_be_visible()
    logout(page)

    # the unit starts and reports progress with a photo
    login(page, "liaison_a")
    page.goto(f"/projects/{project.pk}/")
    page.get_by_role("link", name="开始执行").click()
    page.get_by_role("button", name="开始执行").click()
    page.get_by_role("link", name="填报进展").click()
    page.fill("#id_text", "第一次上门，为 12 位老人理发。")
    page.set_input_files("#id_photos", str(photo))
    page.get_by_role("button", name="填报进展").click()
    expect(page.get_by_text("第一次上门，为 12 位老人理发。")).to_be_visible()
    image = page.get_by_role("img", name="进展照片 1")
    expect(image).to_be_visible()
    handle = image.element_handle()
    page.wait_for_function("img => img.complete", arg=handle)
    assert page.evaluate("img => img.naturalWidth", handle) == 64  # served, and an image
    assert ProjectPhoto.objects.count() == 1
    logout(page)

    # community staff accept with the residents' rating, then close
    login(page, "comm_a")
    page.goto(f"/projects/{project.pk}/")
    page.get_by_role("link", name="组织验收").click()
    page.select_option("#id_rating", "5")
    page.fill("#id_beneficiary_count", "23")
    page.fill("#id_comment", "老人们很满意。")
    page.get_by_role("button", name="组织验收").click()
    expect(page.get_by_text("群众评分 5 分，受益 23 人")).to_be_visible()
    page.get_by_role("link", name="结项").click()
    page.get_by_role("button", name="结项").click()
    expect(page.locator(".badge", has_text="结项").first).to_be_visible()

    history = page.locator(".project-history li")
    texts = history.all_inner_texts()
    for line in ("申报了该项目", "批准立项", "鼎峰集团 认领了该项目 40%", "记录了对接",
                 "开始执行", "填报了进展（1 张照片）", "组织验收：群众评分 5 分", "办理结项"):
        assert any(line in t for t in texts), (line, texts)
    assert Project.objects.get().state == "closed"
    assert Demand.objects.get().state == "project"
