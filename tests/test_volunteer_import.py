"""Volunteer ledgers from spreadsheets: a good ledger becomes published activities with their
records (flagged as imported, audited); any bad cell is named by row and column and nothing is
written; hours follow volunteer/rules.py (half hours, 8 h a day); a team's members come in
the same way."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from gongjian.core.models import AuditEntry
from gongjian.volunteer import services
from gongjian.volunteer.imports import (
    LEDGER_SPEC,
    TEAM_SPEC,
    LedgerImporter,
    TeamMemberImporter,
)
from gongjian.volunteer.models import (
    Activity,
    CheckIn,
    ServiceRecord,
    Signup,
    TeamMember,
    Volunteer,
)

DAY = datetime.date(2025, 6, 14)


def workbook(spec, rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = spec.title
    sheet.append(spec.headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def known(tree, users):
    """A registered volunteer (by number) and a person of the register (by phone)."""
    from gongjian.members.models import Person

    volunteer = services.register_person(
        Person.objects.create(name="李志强", sex="男", birth_date=datetime.date(1980, 1, 2),
                              org=tree.a1, phone="13900001111"), user=users.community_a)
    return volunteer


def upload(data, name="台账.xlsx"):
    stream = io.BytesIO(data)
    stream.name = name
    return stream


def ledger_row(title, name, hours, *, phone="", number="", day=DAY, org="JS-A"):
    return [title, day, "达嘉馨园", "清理楼道杂物", org, name, phone, number, hours]


def test_a_good_ledger_is_imported_flagged_and_audited(tree, users, known):
    data = workbook(LEDGER_SPEC, [
        ledger_row("楼院环境整治", "李志强", 2.5, number=known.number),
        ledger_row("楼院环境整治", "张华娟", "3", phone="13800138000"),
        ledger_row("为老助餐", "李志强", 4, number=known.number,
                   day=DAY + datetime.timedelta(days=1)),
    ])
    result = LedgerImporter(users.community_a, "台账.xlsx").run(data, filename="台账.xlsx")
    assert result.ok, [str(e) for e in result.errors]
    assert result.imported == 3
    activities = Activity.objects.order_by("starts_at")
    assert [a.title for a in activities] == ["楼院环境整治", "为老助餐"]
    assert {a.state for a in activities} == {"published"}
    assert all(a.counts_from > datetime.date.today() for a in activities)  # after publicity
    records = ServiceRecord.objects.order_by("date", "hours")
    assert [r.hours for r in records] == [Decimal("2.5"), Decimal("3"), Decimal("4")]
    # 张华娟 was found by her phone and registered as a volunteer.
    assert Volunteer.objects.filter(person=tree.person_a).exists()
    assert CheckIn.objects.count() == 3
    assert all(p.in_manual and p.out_manual and "台账导入" in p.note
               for p in CheckIn.objects.all())
    assert Signup.objects.filter(state="accepted").count() == 3
    assert activities[0].events.filter(text__contains="台账导入").exists()
    entry = AuditEntry.objects.get(event="import", success=True)
    assert "3 条志愿服务记录" in entry.detail


def test_a_bad_cell_is_named_by_row_and_column_and_nothing_is_written(tree, users, known):
    before = (Activity.objects.count(), Volunteer.objects.count(), ServiceRecord.objects.count())
    data = workbook(LEDGER_SPEC, [
        ledger_row("楼院环境整治", "李志强", 2, number=known.number),
        ledger_row("楼院环境整治", "张华娟", 9, phone="13800138000"),
        ledger_row("为老助餐", "王五", 2, phone="13700000000"),
        ledger_row("为老助餐", "李志强", 2.3, number=known.number),
    ])
    result = LedgerImporter(users.community_a).run(data, filename="台账.xlsx")
    assert not result.ok
    texts = [str(e) for e in result.errors]
    assert "第3行 I列（服务时长（小时））：一天的服务时长不能超过 8 小时。" in texts
    assert any(t.startswith("第4行 G列（联系电话）：人员名册中没有联系电话为 13700000000")
               for t in texts)
    assert any(t.startswith("第5行 I列（服务时长（小时））：服务时长须按 0.5 小时计")
               for t in texts)
    assert (Activity.objects.count(), Volunteer.objects.count(),
            ServiceRecord.objects.count()) == before
    marked = load_workbook(io.BytesIO(result.error_workbook))
    assert marked.active["I3"].comment is not None


def test_the_daily_cap_counts_every_row_of_the_day(tree, users, known):
    data = workbook(LEDGER_SPEC, [
        ledger_row("楼院环境整治", "李志强", 5, number=known.number),
        ledger_row("为老助餐", "李志强", 4, number=known.number),
    ])
    result = LedgerImporter(users.community_a).run(data)
    assert not result.ok
    assert any("合计 9 小时，超过每天 8 小时的上限" in str(e) for e in result.errors)
    assert not Activity.objects.exists()


def test_a_ledger_cannot_record_for_an_organiser_out_of_reach(tree, users, known):
    data = workbook(LEDGER_SPEC, [ledger_row("楼院环境整治", "李志强", 2, number=known.number,
                                             org="JS-B")])
    result = LedgerImporter(users.community_a).run(data)
    assert [str(e) for e in result.errors] == [
        "第2行 E列（组织单位）：组织编码“JS-B”不存在或不在您的管理范围内。"]


def test_importing_the_same_ledger_twice_is_refused(tree, users, known):
    data = workbook(LEDGER_SPEC, [ledger_row("楼院环境整治", "李志强", 2, number=known.number)])
    assert LedgerImporter(users.community_a).run(data).ok
    again = LedgerImporter(users.community_a).run(data)
    assert not again.ok and "不能重复导入" in str(again.errors[0])
    assert ServiceRecord.objects.count() == 1


def test_a_team_takes_its_members_from_a_sheet(tree, users, known):
    team = services.create_team(user=users.community_a, org=tree.a, name="金安志愿服务队",
                                founded_on=datetime.date(2020, 1, 1))
    data = workbook(TEAM_SPEC, [["李志强", "", known.number, datetime.date(2024, 3, 5)],
                                ["张华娟", "13800138000", "", None]])
    result = TeamMemberImporter(users.community_a, team).run(data)
    assert result.ok, [str(e) for e in result.errors]
    joined = dict(TeamMember.objects.filter(team=team).values_list("volunteer__name",
                                                                   "joined_on"))
    assert joined["李志强"] == datetime.date(2024, 3, 5)
    assert joined["张华娟"] == datetime.date.today()
    again = TeamMemberImporter(users.community_a, team).run(data)
    assert not again.ok
    assert str(again.errors[0]) == "第2行 A列（志愿者姓名）：李志强已是“金安志愿服务队”的队员。"
    assert TeamMember.objects.filter(team=team).count() == 2


def test_the_pages_import_and_name_the_errors(tree, users, known, client):
    client.force_login(users.community_a)
    template = client.get(reverse("volunteer_ledger_template"))
    assert template.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(template.streaming_content))).active
    assert [c.value for c in sheet[1]] == LEDGER_SPEC.headers
    bad = workbook(LEDGER_SPEC, [ledger_row("楼院环境整治", "李志强", 12, number=known.number)])
    response = client.post(reverse("volunteer_ledger_import"),
                           {"file": upload(bad)})
    assert response.status_code == 400
    assert "第2行 I列（服务时长（小时））" in response.content.decode()
    assert not Activity.objects.exists()
    good = workbook(LEDGER_SPEC, [ledger_row("楼院环境整治", "李志强", 2, number=known.number)])
    response = client.post(reverse("volunteer_ledger_import"),
                           {"file": upload(good)})
    assert response.status_code == 200
    assert "成功导入 1 条志愿服务记录" in response.content.decode()
