"""The member roster as a spreadsheet: the import template, the all-or-nothing import, and
the columns the export shares with it (an exported roster can be imported elsewhere).

Columns follow the roster fields of RULES.md §7. Each row is checked with the models' own
rules (Person.clean: ID number check digit, birth date and sex agreeing with the number,
mobile phone; Membership.clean: dates not in the future and in order, 18 at joining,
probationary members without a confirmation date, organisation not dissolved), the
organisation must be within the importer's reach for adding memberships, and the ID
number may appear neither twice in the file nor in the database (blind index).

Writing is one transaction of bulk inserts: blind indexes and pinyin keys are computed here
(bulk_create skips `save()`), and the audit log gets one summary entry instead of one entry
per row.
"""

import datetime
import io
import random
import time
from collections import Counter
from dataclasses import replace

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from gongjian.core.access import reach_orgs, restrict
from gongjian.core.crypto import blind_index
from gongjian.core.pinyin import pinyin_keys
from gongjian.core.services import DomainError, OutOfScope
from gongjian.core.spreadsheets import Column, Importer, SheetSpec, write_template, write_xlsx
from gongjian.orgs.models import Organization

from . import idnumber
from .choices import ETHNICITIES, ON_ROSTER, Category, Education, Sex, Standing
from .models import Membership, Person

ON_ROSTER_STANDINGS = [s for s in Standing if s in ON_ROSTER]
WRITE_BATCH = 2000
LOOKUP_BATCH = 900  # SQLite allows 999 parameters in older builds

COLUMNS = [
    Column("name", "姓名", required=True, max_length=50, example="张华娟", width=10),
    Column("sex", "性别", kind="choice", choices=Sex.values, example="女", width=6,
           help="可留空，按公民身份号码填写。"),
    Column("id_number", "公民身份号码", required=True, example="11010519491231002X", width=21,
           text_format=True, help="18 位，末位可为 X；系统校验校验位。同一号码不能重复登记。"),
    Column("ethnicity", "民族", kind="choice", choices=ETHNICITIES, default="汉族",
           example="汉族", width=9, help="留空按汉族。"),
    Column("birth_date", "出生日期", kind="date", example=datetime.date(1949, 12, 31), width=12,
           help="可留空，按公民身份号码填写；须与号码一致。"),
    Column("education", "学历", kind="choice", choices=Education.values, default="",
           example="大学本科", width=11),
    Column("category", "党员类别", kind="choice", required=True, choices=Category.values,
           aliases={"正式": Category.FULL, "预备": Category.PROBATIONARY},
           example="正式党员", width=10),
    Column("org", "所在党支部", kind="choice", required=True, choices_first_token=True,
           example="", width=30,
           help="从下拉列表选择，或填写组织编码；须在您的管理范围内。"),
    Column("joined_on", "入党日期", kind="date", required=True,
           example=datetime.date(1975, 7, 1), width=12,
           help="不能晚于今天；入党时须年满 18 周岁。"),
    Column("confirmed_on", "转正日期", kind="date", example=datetime.date(1976, 7, 1), width=12,
           help="正式党员填写；预备党员留空；不能早于入党日期。"),
    Column("job_post", "工作岗位", max_length=50, default="", example="退休", width=14),
    Column("phone", "联系电话", max_length=20, default="", example="13800138000", width=14,
           text_format=True, help="11 位手机号。"),
    Column("address", "家庭住址", max_length=200, default="", example="达嘉馨园 1 号楼 101 室",
           width=28),
    Column("standing", "党籍状态", kind="choice", choices=[s.label for s in ON_ROSTER_STANDINGS],
           aliases={s.label: s.value for s in ON_ROSTER_STANDINGS}
           | {s.value: s.value for s in ON_ROSTER_STANDINGS},
           default=Standing.NORMAL, example=Standing.NORMAL.label, width=10,
           help="留空按“正常”。已转出、已故的党员不在册，无需导入。"),
]
SPEC = SheetSpec(title="党员名册", columns=COLUMNS, notes=(
    "每行一名党员。“所在党支部”须是您管理范围内的组织。",
    "公民身份号码和联系电话列为文本格式，请勿改为数字格式（否则末几位会丢失）。",
))

# Field rules (choices, lengths, required) the columns already enforce with the model's own
# values — tests/test_member_import.py keeps them in step — are not run again per row; the
# models' clean() always is.
CHECKED_BY_COLUMNS = ["name", "sex", "ethnicity", "birth_date", "education", "job_post",
                      "address", "category", "joined_on", "confirmed_on", "standing"]
# Model fields whose errors belong to another column of the sheet.
FIELD_COLUMNS = {"person": "name"}


def org_label(org) -> str:
    """How an organisation appears in the sheet: "CODE 名称" (the code is what counts)."""
    return f"{org.code} {org.name}"


class _Item:
    """A checked row, ready to write."""

    __slots__ = ("number", "person", "membership", "id_index")

    def __init__(self, number, person, membership, id_index):
        self.number = number
        self.person = person
        self.membership = membership
        self.id_index = id_index


class MemberImporter(Importer):
    spec = SPEC
    kind = "members"
    noun = "名党员"
    object_type = "members.membership"

    def __init__(self, user):
        super().__init__(user)
        self.now = timezone.now()

    # -- template --

    def reachable_orgs(self):
        """Active organisations the importer may add members to, in tree order."""
        nodes = reach_orgs(self.user, "add", Membership)
        if not nodes:
            return Organization.objects.none()
        condition = None
        for node in nodes:
            q = Organization.objects.filter(path__startswith=node.path)
            condition = q if condition is None else condition | q
        return condition.filter(dissolved_on__isnull=True).order_by("path")

    def template_lists(self):
        return {"org": [org_label(o) for o in self.reachable_orgs().only("code", "name")]}

    def template(self):
        lists = self.template_lists()
        # The example row names an organisation the user can use.
        example = lists["org"][0] if lists["org"] else ""
        columns = [replace(c, example=example) if c.key == "org" else c for c in SPEC.columns]
        return write_template(replace(SPEC, columns=columns), lists=lists)

    # -- checking --

    def prepare(self, rows, errors):
        self.id_rows = []  # (row number, blind index) of every well-formed ID number
        codes = {values["org"] for _, values in rows if values.get("org")}
        reach = [node.path for node in reach_orgs(self.user, "add", Membership)]
        self.orgs = {}
        found = Organization.objects.filter(code__in=codes) if codes else []
        for org in found:
            # Out of reach reads like missing: the same answer as a 404 elsewhere.
            if any(org.path.startswith(path) for path in reach):
                self.orgs[org.code] = org

    def check_row(self, number, values, errors):
        org = self.orgs.get(values["org"])
        if org is None:
            errors.add(number, "org",
                       f"组织编码“{values['org']}”不存在或不在您的管理范围内。")
        number_text = idnumber.normalize(values["id_number"] or "")
        derived_birth = derived_sex = None
        try:
            derived_birth, derived_sex = idnumber.parse(number_text)
        except ValidationError:
            pass  # Person.clean reports it, on the ID number's column
        else:
            self.id_rows.append((number, blind_index("id", number_text)))
        person = Person(
            name=values["name"], sex=values["sex"] or derived_sex or "",
            ethnicity=values["ethnicity"] or "汉族",
            birth_date=values["birth_date"] or derived_birth, id_number=number_text,
            phone=values["phone"] or "", education=values["education"] or "",
            job_post=values["job_post"] or "", address=values["address"] or "",
            org=org, created_at=self.now)
        # Sex and birth date left empty are read from the ID number; when they are still
        # empty the number is wrong, and its own cell says so (one error, not three).
        skip = ["org"] + [field for field in ("birth_date", "sex")
                          if not getattr(person, field)]
        membership = Membership(
            org=org, category=values["category"], joined_on=values["joined_on"],
            confirmed_on=values["confirmed_on"], standing=values["standing"] or Standing.NORMAL,
            active=True)
        if person.birth_date is not None:
            # Membership.clean checks the age at joining against the person, who has no pk
            # yet: a stand-in id for checking only; the real one is set when writing.
            membership.person_id = -1
            Membership.person.field.set_cached_value(membership, person)
        self._clean(number, person, errors, skip + CHECKED_BY_COLUMNS)
        self._clean(number, membership, errors, ["person", "org", *CHECKED_BY_COLUMNS])
        if self.id_rows and self.id_rows[-1][0] == number:
            return _Item(number, person, membership, self.id_rows[-1][1])
        return None

    @staticmethod
    def _clean(number, instance, errors, exclude):
        """The model's field rules and clean(), without per-row queries (foreign keys and
        uniqueness are checked for all rows at once)."""
        problems = {}
        try:
            instance.clean_fields(exclude=exclude)
        except ValidationError as error:
            problems.update(error.message_dict)
        try:
            instance.clean()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                problems.setdefault(field, []).extend(messages)
        for field, messages in problems.items():
            key = FIELD_COLUMNS.get(field, field)
            for message in dict.fromkeys(messages):
                errors.add(number, None if key == "__all__" else key, message)
        return not problems

    def check_all(self, items, errors):
        """Duplicates by blind index, among all rows with a well-formed ID number (also
        rows with other errors) and against the database."""
        first: dict[str, int] = {}
        for number, index in self.id_rows:
            seen = first.setdefault(index, number)
            if seen != number:
                errors.add(number, "id_number", f"与第{seen}行的公民身份号码重复。")
        keys = list(first)
        existing = {}
        for start in range(0, len(keys), LOOKUP_BATCH):
            chunk = keys[start:start + LOOKUP_BATCH]
            existing.update(Person.objects.filter(id_number_index__in=chunk)
                            .values_list("id_number_index", "pk"))
        if not existing:
            return
        visible = set(restrict(self.user, "view", Person)
                      .filter(pk__in=list(existing.values())).values_list("pk", flat=True))
        names = dict(Person.objects.filter(pk__in=visible).values_list("pk", "name"))
        for number, index in self.id_rows:
            pk = existing.get(index)
            if pk is None:
                continue
            if pk in visible:
                errors.add(number, "id_number",
                           f"该公民身份号码已登记（{names[pk]}），不能重复导入。")
            else:
                errors.add(number, "id_number",
                           "该公民身份号码已在平台登记（不在您的管理范围内）；"
                           "如为转入党员，请办理组织关系转接。")

    # -- writing --

    def write(self, items, progress):
        total = len(items)
        per_org = Counter()
        try:
            for start in range(0, total, WRITE_BATCH):
                batch = items[start:start + WRITE_BATCH]
                for item in batch:
                    person = item.person
                    person.id_number_index = item.id_index
                    person.phone_index = blind_index("phone", person.phone) \
                        if person.phone else ""
                    person.name_pinyin, person.name_initials = pinyin_keys(person.name)
                    per_org[item.membership.org.code] += 1
                if connection.vendor == "postgresql":
                    self._copy(batch)
                else:
                    self._insert(batch)
                progress("writing", start + len(batch), total)
        except IntegrityError as error:
            raise DomainError("导入期间有相同公民身份号码的人员被登记，未导入任何数据；"
                              "请重新上传核对。") from error
        # Re-check inside the transaction that every organisation written to is still
        # within the importer's reach (it may have moved since the rows were checked).
        org_ids = {item.membership.org_id for item in items}
        reachable = set(restrict(self.user, "add", Membership)
                        .filter(org_id__in=org_ids).values_list("org_id", flat=True).distinct())
        if reachable != org_ids:
            raise OutOfScope("部分组织已不在您的管理范围内，未导入任何数据。")
        return {"orgs": dict(per_org)}

    @staticmethod
    def _insert(batch):
        """bulk_create: people first (their ids come back), then their memberships."""
        people = [item.person for item in batch]
        Person.objects.bulk_create(people)
        if not connection.features.can_return_rows_from_bulk_insert:
            ids = dict(Person.objects.filter(id_number_index__in=[i.id_index for i in batch])
                       .values_list("id_number_index", "pk"))
            for item in batch:
                item.person.pk = ids[item.id_index]
        memberships = []
        for item in batch:
            item.membership.person = item.person
            memberships.append(item.membership)
        Membership.objects.bulk_create(memberships)

    @staticmethod
    def _copy(batch):
        """PostgreSQL's COPY, several times faster than INSERT: ids for the people are drawn
        from their sequence first, so the memberships can name them. Values go through each
        field's get_db_prep_save, as bulk_create would send them (ID numbers and phones
        encrypted by EncryptedField)."""
        from psycopg import sql

        person_table = Person._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                           "FROM generate_series(1, %s)", [person_table, len(batch)])
            ids = [row[0] for row in cursor.fetchall()]
            for item, pk in zip(batch, ids, strict=True):
                item.person.pk = pk
                item.membership.person = item.person
            for model, objects in ((Person, [i.person for i in batch]),
                                   (Membership, [i.membership for i in batch])):
                fields = [f for f in model._meta.concrete_fields
                          if not (f.primary_key and model is Membership)]
                statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(model._meta.db_table),
                    sql.SQL(", ").join(sql.Identifier(f.column) for f in fields))
                with cursor.cursor.copy(statement) as copy:
                    for obj in objects:
                        copy.write_row([f.get_db_prep_save(getattr(obj, f.attname), connection)
                                        for f in fields])


# ---- export -----------------------------------------------------------------------------------

EXPORT_HEADERS = [c.header for c in COLUMNS] + ["年龄", "是否在册"]
EXPORT_WIDTHS = [c.width for c in COLUMNS] + [6, 8]


def export_rows(memberships, revealable: set[int], today=None):
    """Rows of the export: ID number, phone and birth date in full only for people in
    `revealable` (the others' birth date as its year: beside the masked ID number the date
    would give the number back)."""
    today = today or timezone.localdate()
    for m in memberships:
        p = m.person
        full = p.pk in revealable
        yield [p.name, p.sex, p.id_number if full else p.id_number_masked, p.ethnicity,
               p.birth_date if full else p.birth_date_masked, p.education, m.category, org_label(m.org), m.joined_on,
               m.confirmed_on, p.job_post, p.phone if full else p.phone_masked, p.address,
               Standing(m.standing).label if m.standing in Standing.values else m.standing,
               p.age_on(today), "是" if m.active else "否"]


def export_workbook(memberships, revealable) -> bytes:
    return write_xlsx(SPEC.title, EXPORT_HEADERS, export_rows(memberships, revealable),
                      EXPORT_WIDTHS)


# ---- benchmark --------------------------------------------------------------------------------

_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕"
_GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "建国", "志强",
          "秀英", "玉兰", "海燕", "晓东", "丽华", "文华", "红梅", "志刚", "俊杰", "子涵"]


def synthetic_workbook(n: int, org_codes, seed: int = 7) -> bytes:
    """A valid roster of `n` fictional members over `org_codes` (area code 99: no such
    province, so no real person's number)."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SPEC.title)
    sheet.append(SPEC.headers)
    start = datetime.date(1950, 1, 1)
    used = set()
    for i in range(n):
        while True:
            birth = start + datetime.timedelta(days=rng.randrange(0, 365 * 50))
            seq = rng.randrange(0, 1000)
            key = (birth, seq)
            if key not in used:
                used.add(key)
                break
        first17 = f"99{i % 100:02d}00{birth:%Y%m%d}{seq:03d}"
        number = first17 + idnumber.check_char(first17)
        sex = "男" if seq % 2 else "女"
        joined = birth.replace(year=birth.year + 25) if birth.month != 2 or birth.day != 29 \
            else birth.replace(year=birth.year + 25, day=28)
        sheet.append([rng.choice(_SURNAMES) + rng.choice(_GIVEN), sex, number, "汉族", birth,
                      rng.choice(Education.values), "正式党员", org_codes[i % len(org_codes)],
                      joined, joined.replace(year=joined.year + 1), "职员",
                      f"13{rng.randrange(0, 10**9):09d}", "某小区 1 号楼", "正常"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def benchmark_rows(n: int = 100_000, keep: bool = False) -> dict:
    """Import `n` generated rows as a street's staff and time it (everything rolled back
    unless `keep`). Returns {"rows", "seconds", "rows_per_s", ...} for bench/run.py."""
    from gongjian.core import audit
    from gongjian.core.models import RoleGrant, User
    from gongjian.orgs import services as org_services

    class _Rollback(Exception):
        pass

    figures = {}
    try:
        with transaction.atomic(), audit.acting_as(suppress=True):
            street = org_services.create_organization(
                user=None, parent=None, code=f"BENCH-IMP-{random.randrange(10**6)}",
                name="导入基准街道党工委", kind="working_committee", sector="street")
            branches = [org_services.create_organization(
                user=None, parent=street, code=f"{street.code}-{k}", name=f"基准第{k}党支部",
                kind="branch", sector="residential") for k in range(1, 21)]
            user = User.objects.create_user(f"bench_import_{street.pk}", password=None)
            RoleGrant.objects.create(user=user, role="street_staff", org=street)
            began = time.perf_counter()
            data = synthetic_workbook(n, [b.code for b in branches])
            figures["generate_s"] = round(time.perf_counter() - began, 2)
            figures["file_mb"] = round(len(data) / 1048576, 2)
            stages = {}

            def progress(stage, done, total):
                stages.setdefault(stage, time.perf_counter())

            began = time.perf_counter()
            result = MemberImporter(user).run(data, filename="benchmark.xlsx",
                                              progress=progress)
            elapsed = time.perf_counter() - began
            if not result.ok:
                raise RuntimeError(f"benchmark file refused: {result.errors[:3]}")
            figures.update({
                "rows": result.imported, "seconds": round(elapsed, 2),
                "rows_per_s": round(result.imported / elapsed),
                "read_and_check_s": round(stages.get("writing", began) - began, 2),
                "write_s": round(began + elapsed - stages.get("writing", began), 2),
                "database": connection.vendor,
            })
            if not keep:
                raise _Rollback
    except _Rollback:
        pass
    return figures
