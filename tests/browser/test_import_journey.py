"""A community's party worker imports a roster from a spreadsheet: downloads the template,
fills it in, uploads it with one bad row and gets the error report (nothing imported), fixes
the row, imports, finds a new member by pinyin, reveals the ID number; the audit
administrator then sees the import and the reveal in the log."""

import datetime
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from gongjian.members import idnumber
from gongjian.members.models import Person

pytestmark = pytest.mark.browser


def _id(birth, seq):
    first17 = f"990000{birth:%Y%m%d}{seq:03d}"
    return first17 + idnumber.check_char(first17)


def test_community_worker_imports_a_roster(page, users, tree, login, logout, tmp_path):
    login(page, "comm_a")
    page.goto("/members/import/")
    expect(page.locator("h1")).to_have_text("导入党员名册")

    # 1. The template.
    with page.expect_download() as download:
        page.locator("#template-link").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    assert download.value.suggested_filename == "党员名册导入模板.xlsx"

    # 2. Filled in with openpyxl as a user would in Excel: three members, one bad number.
    workbook = load_workbook(template)
    sheet = workbook["党员名册"]
    assert sheet["H2"].value.startswith("JS-A ")  # the example names one of our orgs
    people = [("司马光", datetime.date(1968, 3, 9), 11), ("欧阳修", datetime.date(1972, 6, 1), 23),
              ("李清照", datetime.date(1984, 3, 13), 42)]
    for name, birth, seq in people:
        sex = "男" if seq % 2 else "女"
        sheet.append([name, sex, _id(birth, seq), "汉族", birth, "大学本科", "正式党员",
                      "JS-A1 达嘉馨园小区党支部", datetime.date(2005, 7, 1),
                      datetime.date(2006, 7, 1), "教师", "13912345678", "达嘉馨园 2 号楼",
                      "正常"])
    good_number = sheet["C4"].value
    sheet["C4"] = good_number[:17] + ("1" if good_number[17] != "1" else "2")  # 欧阳修, row 4
    filled = tmp_path / "名册.xlsx"
    workbook.save(filled)

    # 3. Upload: refused as a whole, every bad cell listed.
    page.set_input_files("#id_file", str(filled))
    page.get_by_role("button", name="校验并导入").click()
    expect(page.locator(".import-result")).to_contain_text("发现 1 处错误")
    errors = page.locator("table.import-errors")
    expect(errors).to_contain_text("第4行")
    expect(errors).to_contain_text("C列 公民身份号码")
    expect(errors).to_contain_text("校验位不正确")
    assert not Person.objects.filter(name__in=[p[0] for p in people]).exists()
    with page.expect_download() as download:
        page.locator("#error-workbook").click()
    marked = tmp_path / "marked.xlsx"
    download.value.save_as(marked)
    marked_sheet = load_workbook(marked)["党员名册"]
    assert "校验位不正确" in marked_sheet["C4"].comment.text
    assert marked_sheet["O4"].value.startswith("第4行 C列（公民身份号码）")

    # 4. Fixed in the marked workbook and uploaded again.
    fixed = load_workbook(marked)
    fixed["党员名册"]["C4"] = good_number
    fixed.save(marked)
    page.set_input_files("#id_file", str(marked))
    page.get_by_role("button", name="校验并导入").click()
    expect(page.locator(".import-result")).to_have_text("成功导入 3 名党员")
    assert Person.objects.filter(name__in=[p[0] for p in people]).count() == 3

    # 5. The roster: find 司马光 by the initials of his name, open him, reveal his ID number.
    page.get_by_role("link", name="查看党员名册").click()
    expect(page).to_have_url(re.compile(r"/members/$"))
    page.fill("input[name=q]", "smg")
    page.locator("form.roster-filters button[type=submit]").click()
    row = page.locator("table tbody tr", has_text="司马光")
    expect(row).to_have_count(1)
    expect(page.locator("table tbody tr", has_text="欧阳修")).to_have_count(0)
    number = _id(people[0][1], people[0][2])
    expect(row).to_contain_text(idnumber.mask(number))
    row.get_by_role("link", name="司马光").click()
    expect(page.locator("h1")).to_contain_text("司马光")
    page.locator("#secret-id_number button").click()
    expect(page.locator("#secret-id_number")).to_contain_text(number)
    logout(page)

    # 6. The audit administrator sees the import and the reveal.
    login(page, "auditadmin")
    page.goto("/audit/")
    rows = page.locator("tr.audit-row")
    expect(rows.filter(has_text="司马光").filter(has_text="查看公民身份号码")).to_have_count(1)
    expect(rows.filter(has_text="成功导入 3 名党员")).to_have_count(1)
    expect(rows.filter(has_text="未通过校验")).to_have_count(1)
