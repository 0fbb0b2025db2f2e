"""Importing the member roster from a spreadsheet (all or nothing, every bad cell named) and
exporting a filtered roster (masked unless the viewer may reveal)."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from gongjian.core import jobs, spreadsheets
from gongjian.core.jobs import ImportJob
from gongjian.core.models import AuditEntry
from gongjian.members import idnumber
from gongjian.members.imports import SPEC, MemberImporter, benchmark_rows
from gongjian.members.models import Membership, Person

HEADERS = SPEC.headers
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def id_for(n, birth=datetime.date(1980, 1, 1), male=True):
    """A valid fictional ID number (area 99: no such province)."""
    seq = (n * 2 + (1 if male else 0)) % 1000
    first17 = f"99{n // 1000 % 100:02d}00{birth:%Y%m%d}{seq:03d}"
    return first17 + idnumber.check_char(first17)


def row(n, org="JS-A1", **changes):
    birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=n)
    values = {"姓名": f"党员{n}", "性别": "男", "公民身份号码": id_for(n, birth), "民族": "汉族",
              "出生日期": birth, "学历": "大学本科", "党员类别": "正式党员", "所在党支部": org,
              "入党日期": datetime.date(2000, 7, 1), "转正日期": datetime.date(2001, 7, 1),
              "工作岗位": "社区工作者", "联系电话": f"139{n:08d}", "家庭住址": "金安社区 1 号楼",
              "党籍状态": "正常"}
    values.update(changes)
    return values


def roster_file(rows, headers=HEADERS):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SPEC.title
    sheet.append(headers)
    for values in rows:
        sheet.append([values.get(h) for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, data, name="名册.xlsx"):
    return client.post(reverse("member_import"),
                       {"file": SimpleUploadedFile(name, data, content_type=spreadsheets.
                                                   XLSX_CONTENT_TYPE)})


def text(response):
    return response.content.decode()


def imported_people():
    return Person.objects.exclude(name__in=["张华娟", "林急"])


def test_columns_enforce_the_model_field_rules():
    """The importer skips the field rules the columns already check: they must agree."""
    from gongjian.members.imports import CHECKED_BY_COLUMNS, COLUMNS

    by_key = {c.key: c for c in COLUMNS}
    for name in CHECKED_BY_COLUMNS:
        model = Person if name in {f.name for f in Person._meta.fields} else Membership
        field = model._meta.get_field(name)
        column = by_key[name]
        if field.choices:
            accepted = set(column.choices) | set(column.aliases)
            produced = {column.aliases.get(v, v) for v in accepted}
            assert produced <= {value for value, _label in field.choices}, name
        if getattr(field, "max_length", None) and column.kind == "text":
            assert column.max_length and column.max_length <= field.max_length, name
        if not field.blank:  # required, defaulted, or (sex, birth date) read from the ID
            assert column.required or column.default not in (None, "") \
                or name in {"sex", "birth_date"}, name


# ---- template ---------------------------------------------------------------------------------

def test_template_download_has_dropdowns_and_reachable_orgs(client, users, tree):
    client.force_login(users.community_a)
    response = client.get(reverse("member_import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == spreadsheets.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook["党员名册"]
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet["C2"].value == "11010519491231002X"  # the example row
    validations = {str(v.sqref).split(":")[0]: v.formula1
                   for v in sheet.data_validations.dataValidation}
    letter = {h: chr(65 + i) for i, h in enumerate(HEADERS)}
    assert validations[letter["性别"] + "2"] == '"男,女"'
    assert validations[letter["学历"] + "2"] == '"研究生,大学本科,大学专科,中专/中职,高中,初中及以下"'
    assert validations[letter["党员类别"] + "2"] == '"正式党员,预备党员"'
    assert validations[letter["党籍状态"] + "2"] == '"正常,流动党员,失联,停止党籍"'
    assert validations[letter["民族"] + "2"].startswith('"汉族,蒙古族,回族')
    orgs = validations[letter["所在党支部"] + "2"]
    assert "JS-A1 达嘉馨园小区党支部" in orgs and "JS-A 金安社区党委" in orgs
    assert "JS-B" not in orgs  # another community's organisations are not offered
    assert sheet[letter["所在党支部"] + "2"].value == "JS-A 金安社区党委"


def test_template_cannot_be_had_without_the_right(client, users):
    client.force_login(users.grid_a)
    assert client.get(reverse("member_import_template")).status_code == 403


# ---- a good file ------------------------------------------------------------------------------

def test_good_file_is_imported_in_one_go(client, users, tree):
    client.force_login(users.community_a)
    rows = [row(i) for i in range(1, 6)] + [
        row(6, org="JS-A2 鼎峰集团党支部", 性别=None, 出生日期=None, 民族=None, 党籍状态=None,
            党员类别="预备", 转正日期=None, 联系电话=None)]
    response = upload(client, roster_file(rows))
    assert response.status_code == 200
    assert "成功导入 6 名党员" in text(response)
    people = {p.name: p for p in imported_people()}
    assert len(people) == 6
    p1 = people["党员1"]
    assert p1.id_number == id_for(1, datetime.date(1970, 1, 2))
    assert p1.phone == "13900000001"
    assert p1.name_pinyin == "dangyuan1" and p1.name_initials == "dy1"
    from gongjian.core.crypto import blind_index

    assert p1.id_number_index == blind_index("id", p1.id_number)
    assert p1.phone_index == blind_index("phone", "13900000001")
    assert p1.org == tree.a1
    m6 = Membership.objects.get(person=people["党员6"])
    assert (m6.org, m6.category, m6.standing, m6.active) == (tree.a2, "预备党员", "正常", True)
    p6 = people["党员6"]  # sex and birth date come from the ID number; 汉族 by default
    assert (p6.sex, p6.birth_date, p6.ethnicity) == ("男", datetime.date(1970, 1, 7), "汉族")
    # One summary entry in the audit log, not one per person.
    entries = AuditEntry.objects.filter(event="import")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.actor == users.community_a and entry.success
    assert entry.after["count"] == 6 and entry.after["orgs"] == {"JS-A1": 5, "JS-A2": 1}
    assert not AuditEntry.objects.filter(object_type="members.person", event="create").exists()
    job = ImportJob.objects.get()
    assert (job.status, job.imported, job.upload) == ("succeeded", 6, b"")


def test_street_may_import_into_any_community(users, tree):
    result = MemberImporter(users.street).run(roster_file([row(1), row(2, org="JS-B1")]))
    assert result.ok and result.imported == 2


# ---- bad rows: nothing imported, every problem named ------------------------------------------

def test_one_bad_row_among_many_imports_nothing_and_names_row_and_column(client, users, tree):
    client.force_login(users.community_a)
    rows = [row(i) for i in range(1, 41)]
    bad = rows[25]  # sheet row 27
    bad["公民身份号码"] = bad["公民身份号码"][:17] + ("0" if bad["公民身份号码"][17] != "0"
                                                      else "1")
    response = upload(client, roster_file(rows))
    assert response.status_code == 200
    page = text(response)
    assert "发现 1 处错误" in page and "未导入任何数据" in page
    assert "第27行" in page and "C列 公民身份号码" in page and "校验位不正确" in page
    assert not imported_people().exists()
    assert not Membership.objects.exclude(pk__in=[tree.membership_a.pk,
                                                  tree.membership_b.pk]).exists()
    failed = AuditEntry.objects.get(event="import")
    assert not failed.success and "1 处错误" in failed.detail

    job = ImportJob.objects.get()
    response = client.get(reverse("member_import_errors", args=[job.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["党员名册"]
    assert sheet["C27"].fill.fgColor.rgb.endswith("FFC7CE")
    assert "校验位不正确" in sheet["C27"].comment.text
    assert sheet.cell(1, len(HEADERS) + 1).value == "错误说明"
    assert sheet.cell(27, len(HEADERS) + 1).value.startswith("第27行 C列（公民身份号码）：")
    assert sheet.cell(26, len(HEADERS) + 1).value is None

    # The user fixes the marked cell in the returned workbook and uploads it again.
    workbook = load_workbook(io.BytesIO(job.error_workbook()))
    workbook["党员名册"]["C27"] = row(26)["公民身份号码"]
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(client, buffer.getvalue(), "名册-错误标注.xlsx")
    assert "成功导入 40 名党员" in text(response)


def test_every_rule_is_checked_and_reported_per_cell(users, tree):
    future = datetime.date.today() + datetime.timedelta(days=3)
    rows = [
        row(1, 公民身份号码="110105194912310021", 出生日期=None),  # check digit
        row(2, 出生日期=datetime.date(1970, 1, 1), 性别="女"),  # disagree with the number
        row(3, 入党日期=future, 转正日期=None),
        row(4, 转正日期=datetime.date(1999, 1, 1)),
        row(5, 党员类别="预备党员"),  # probationary with a confirmation date
        row(6, 入党日期=datetime.date(1980, 1, 1), 转正日期=None),  # aged 9
        row(7, 联系电话="12345"),
        row(8, 学历="博士", 党籍状态="已故", 入党日期="1975.07"),
        row(9, 姓名=None),
    ]
    result = MemberImporter(users.community_a).run(roster_file(rows))
    assert not result.ok
    got = {(e.row, e.letter): e.message for e in result.errors}
    assert "校验位不正确" in got[(2, "C")]
    # A wrong number is said once, on its own cell (the birth date is derived from it).
    assert (2, "E") not in got and (2, "B") not in got
    assert "不一致" in got[(3, "E")] and "不一致" in got[(3, "B")]
    assert got[(4, "I")] == "入党日期不能晚于今天。"
    assert got[(5, "J")] == "转正日期不能早于入党日期。"
    assert got[(6, "J")] == "预备党员尚未转正，不应填写转正日期。"
    assert "未满 18 周岁" in got[(7, "I")]
    assert "手机号" in got[(8, "L")]
    assert "不是可选的学历" in got[(9, "F")] and "不是可选的党籍状态" in got[(9, "N")]
    assert "日期格式不正确" in got[(9, "I")]
    assert got[(10, "A")] == "此项必填。"
    assert not imported_people().exists()


# ---- duplicates -------------------------------------------------------------------------------

def test_duplicates_inside_the_file(users, tree):
    rows = [row(1), row(2), row(3, 公民身份号码=row(1)["公民身份号码"].lower()),
            row(4, 公民身份号码=row(1)["公民身份号码"])]
    rows[2]["出生日期"] = rows[0]["出生日期"]
    rows[3]["出生日期"] = rows[0]["出生日期"]
    result = MemberImporter(users.community_a).run(roster_file(rows))
    messages = [str(e) for e in result.errors]
    assert "第4行 C列（公民身份号码）：与第2行的公民身份号码重复。" in messages
    assert "第5行 C列（公民身份号码）：与第2行的公民身份号码重复。" in messages
    assert not imported_people().exists()


def test_duplicates_against_the_database(users, tree):
    known = row(1, 公民身份号码="11010519491231002X", 出生日期=None, 性别=None,
                入党日期=datetime.date(1975, 7, 1))
    result = MemberImporter(users.community_a).run(roster_file([known, row(2)]))
    assert [str(e) for e in result.errors] == [
        "第2行 C列（公民身份号码）：该公民身份号码已登记（张华娟），不能重复导入。"]
    # Someone out of reach: the name is not given away.
    other = row(1, org="JS-B1", 公民身份号码="11010519491231002X", 出生日期=None, 性别=None,
                入党日期=datetime.date(1975, 7, 1))
    result = MemberImporter(users.community_b).run(roster_file([other]))
    assert len(result.errors) == 1
    assert "不在您的管理范围内" in result.errors[0].message
    assert "张华娟" not in result.errors[0].message
    assert not imported_people().exists()


# ---- scope ------------------------------------------------------------------------------------

def test_rows_outside_the_importers_reach_are_refused(client, users, tree):
    client.force_login(users.community_b)
    response = upload(client, roster_file([row(1, org="JS-B1"), row(2, org="JS-A1"),
                                           row(3, org="NO-SUCH")]))
    page = text(response)
    assert "第3行" in page and "组织编码“JS-A1”不存在或不在您的管理范围内。" in page
    assert "组织编码“NO-SUCH”不存在或不在您的管理范围内。" in page
    assert not imported_people().exists()


def test_dissolved_organisation_is_refused(users, tree):
    from gongjian.orgs.models import Organization

    Organization.objects.filter(pk=tree.a1g.pk).update(dissolved_on=datetime.date(2024, 1, 1))
    result = MemberImporter(users.community_a).run(roster_file([row(1, org="JS-A1G")]))
    assert [e.message for e in result.errors] == ["“一号楼党小组”已撤销。"]


def test_grid_staff_and_members_may_not_import(client, users):
    for user in (users.grid_a, users.member, users.auditadmin):
        client.force_login(user)
        assert upload(client, roster_file([row(1)])).status_code == 403
    assert not imported_people().exists()


def test_reach_rechecked_inside_the_transaction(users, tree, monkeypatch):
    """An organisation moved out of reach between checking and writing: nothing is kept."""
    from gongjian.core.services import OutOfScope
    from gongjian.members import imports

    original = imports.MemberImporter.check_all

    def check_then_lose_reach(self, items, errors):
        from gongjian.core.models import RoleGrant

        original(self, items, errors)
        RoleGrant.objects.filter(user=users.community_a).update(org=tree.b)
        users.community_a._grants_cache = None

    monkeypatch.setattr(imports.MemberImporter, "check_all", check_then_lose_reach)
    with pytest.raises(OutOfScope):
        MemberImporter(users.community_a).run(roster_file([row(1)]))
    assert not imported_people().exists()


# ---- files refused as a whole -----------------------------------------------------------------

@pytest.mark.parametrize("data, message", [
    (b"not,a,workbook\n1,2,3\n", "不是 Excel 工作簿"),
    (None, "是空的，没有表头和数据"),
    ("headerless", "第 1 行不是表头"),
    ("header only", "只有表头，没有数据行"),
])
def test_bad_files_are_refused_with_a_reason(client, users, data, message):
    client.force_login(users.community_a)
    if data is None:
        data = roster_file([], headers=[])
    elif data == "headerless":
        data = roster_file([row(1)], headers=[])
        workbook = load_workbook(io.BytesIO(data))
        workbook.active.append(list(row(1).values()))
        buffer = io.BytesIO()
        workbook.save(buffer)
        data = buffer.getvalue()
    elif data == "header only":
        data = roster_file([])
    response = upload(client, data)
    assert response.status_code == 400
    assert message in text(response)
    assert not ImportJob.objects.exists()
    refused = AuditEntry.objects.get(event="import")
    assert not refused.success and message in refused.detail


def test_oversize_file_is_refused_before_reading(client, users, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_BYTES", 1024)
    client.force_login(users.community_a)
    response = upload(client, roster_file([row(i) for i in range(50)]))
    assert response.status_code == 400
    assert "文件过大" in text(response) and "不能超过" in text(response)


def test_oversize_upload_is_refused_from_its_declared_length(client, users, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_BYTES", 1024)
    client.force_login(users.community_a)
    response = upload(client, b"x" * 200_000)
    assert response.status_code == 413
    assert "文件过大" in text(response)


def test_no_file(client, users):
    client.force_login(users.community_a)
    response = client.post(reverse("member_import"), {})
    assert response.status_code == 400
    assert "请选择要上传的文件" in text(response)


# ---- large files in the background -------------------------------------------------------------

def test_large_file_becomes_a_background_job(client, users, tree, settings, monkeypatch):
    settings.TASKS = IMMEDIATE
    monkeypatch.setattr(jobs, "SYNC_ROWS", 5)
    client.force_login(users.community_a)
    response = upload(client, roster_file([row(i) for i in range(1, 13)]))
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("member_import_job", args=[job.pk])
    assert job.task_id and job.status == "succeeded" and job.imported == 12
    assert job.upload == b""  # the sealed upload is dropped once done
    page = client.get(response["Location"])
    assert "成功导入 12 名党员" in text(page)
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in text(partial)  # finished: the page stops polling


def test_queued_job_shows_progress_and_the_worker_runs_it(client, users, tree, settings,
                                                          monkeypatch):
    from django_tasks_db.models import DBTaskResult

    from gongjian.members.tasks import import_members

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(jobs, "SYNC_ROWS", 5)
    client.force_login(users.community_a)
    response = upload(client, roster_file([row(i) for i in range(1, 13)]))
    job = ImportJob.objects.get()
    assert job.status == "queued" and job.upload.startswith(b"sm4gcm:")
    assert b"\xe5\x85\x9a\xe5\x91\x98" not in bytes(job.upload)  # no plaintext "党员"
    task = DBTaskResult.objects.get()
    assert task.task_path == "gongjian.members.tasks.import_members"
    assert task.args_kwargs == {"args": [job.pk], "kwargs": {}}
    page = text(client.get(response["Location"], HTTP_HX_REQUEST="true"))
    assert 'hx-trigger="every 1s"' in page and "progress-bar" in page and "排队" in page
    # Someone else cannot see it.
    client.force_login(users.street)
    assert client.get(response["Location"]).status_code == 404
    # The worker's turn.
    assert import_members.call(job.pk) == "succeeded"
    assert import_members.call(job.pk) == "skipped"  # run once only
    job.refresh_from_db()
    assert (job.status, job.imported, job.percent) == ("succeeded", 12, 100)
    assert imported_people().count() == 12


def test_progress_is_reported_while_running(users, tree):
    job = ImportJob.objects.create(kind="members", user=users.community_a, total=10)
    seen = []
    progress = jobs._Progress(job, interval=0)
    for stage, done in (("reading", 5), ("validating", 10)):
        progress(stage, done, 10)
        job.refresh_from_db()
        seen.append((job.stage, job.processed, job.percent))
    assert seen == [("reading", 5, 12), ("validating", 10, 50)]
    # Inside the import's own transaction the row is written from a second connection
    # (PostgreSQL) or not at all (SQLite); the job in memory follows either way.
    with transaction.atomic():
        progress("writing", 4, 10)
    assert (progress.job.stage, progress.job.percent) == ("writing", 70)


def test_failed_job_keeps_only_the_sealed_error_workbook(users, tree, settings, monkeypatch):
    settings.TASKS = IMMEDIATE
    monkeypatch.setattr(jobs, "SYNC_ROWS", 1)
    data = roster_file([row(1), row(2, 联系电话="1")])
    upload_file = SimpleUploadedFile("x.xlsx", data)
    from gongjian.members.tasks import start_member_import

    job = start_member_import(users.community_a, upload_file)
    job.refresh_from_db()
    assert job.status == "failed" and job.error_count == 1 and job.upload == b""
    assert bytes(job.error_file).startswith(b"sm4gcm:")
    assert job.errors[0]["text"].startswith("第3行 L列（联系电话）")


# ---- export -----------------------------------------------------------------------------------

def export(client, query=""):
    response = client.get(reverse("member_export") + query)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["党员名册"]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    header = rows[0]
    return [dict(zip(header, r, strict=False)) for r in rows[1:]]


def test_export_reveals_for_staff_who_may_reveal(client, users, tree):
    client.force_login(users.community_a)
    rows = export(client)
    assert [r["姓名"] for r in rows] == ["张华娟"]
    assert rows[0]["公民身份号码"] == "11010519491231002X"
    assert rows[0]["联系电话"] == "13800138000"
    assert rows[0]["所在党支部"] == "JS-A1 达嘉馨园小区党支部"
    assert rows[0]["入党日期"].date() == datetime.date(1975, 7, 1)
    entry = AuditEntry.objects.get(event="export")
    assert entry.after == {"filter": {}, "count": 1, "revealed": 1,
                           "revealed_person_ids": [tree.person_a.pk]}
    assert entry.actor == users.community_a


def test_export_log_masks_an_id_number_searched_for(client, users, tree):
    client.force_login(users.community_a)
    assert [r["姓名"] for r in export(client, "?q=11010519491231002X")] == ["张华娟"]
    entry = AuditEntry.objects.get(event="export")
    assert entry.after["filter"] == {"q": "110105********002X"}
    assert "11010519491231002X" not in str(entry.after)


def test_export_is_masked_for_staff_without_the_reveal_right(client, users, tree):
    client.force_login(users.grid_a)
    rows = export(client)
    assert rows[0]["公民身份号码"] == "110105********002X"
    assert rows[0]["联系电话"] == "138****8000"
    assert AuditEntry.objects.get(event="export").after["revealed"] == 0


def test_export_follows_the_filters_and_the_scope(client, users, tree):
    client.force_login(users.street)
    assert {r["姓名"] for r in export(client)} == {"张华娟", "林急"}
    assert [r["姓名"] for r in export(client, "?q=lj")] == ["林急"]
    assert [r["姓名"] for r in export(client, "?org=JS-A")] == ["张华娟"]
    entry = AuditEntry.objects.filter(event="export").first()
    assert entry.after["filter"] == {"org": "JS-A"} and entry.after["count"] == 1
    client.force_login(users.community_b)
    assert [r["姓名"] for r in export(client)] == ["林急"]
    client.force_login(users.member)  # a member's own record only: none linked here
    assert export(client) == []


def test_exported_roster_can_be_imported_again(client, users, tree):
    client.force_login(users.community_a)
    MemberImporter(users.community_a).run(roster_file([row(i) for i in range(1, 4)]))
    response = client.get(reverse("member_export") + "?q=dangyuan")
    data = b"".join(response.streaming_content)
    Membership.objects.filter(person__name__startswith="党员").delete()
    Person.objects.filter(name__startswith="党员").delete()
    result = MemberImporter(users.community_a).run(data)
    assert result.ok and result.imported == 3


def test_export_queries_do_not_grow_with_rows(client, users, tree):
    client.force_login(users.community_a)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("member_export"))
    MemberImporter(users.community_a).run(roster_file([row(i) for i in range(1, 31)]))
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("member_export"))
    assert len(load_workbook(io.BytesIO(b"".join(response.streaming_content)))
               ["党员名册"]["A"]) == 32
    assert len(many) == len(few)


# ---- the benchmark entry point ----------------------------------------------------------------

def test_benchmark_rows_leaves_nothing_behind(db):
    figures = benchmark_rows(50)
    assert figures["rows"] == 50 and figures["rows_per_s"] > 0
    assert not Person.objects.exists() and not ImportJob.objects.exists()
