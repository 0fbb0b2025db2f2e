"""The yearly import of dues bases: one row per member (by ID number, the name checked), the
year, the kind and the base. All rows are checked first; if any is bad nothing is written and
every bad cell is named by row and column. The writes go through services.set_base."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone

from gongjian.core.access import restrict
from gongjian.core.crypto import blind_index
from gongjian.core.services import DomainError
from gongjian.core.spreadsheets import Column, Importer, SheetSpec
from gongjian.members import idnumber
from gongjian.members.models import Membership

from . import services
from .models import Kind

KIND_OF_LABEL = {label: value for value, label in Kind.choices}
KIND_ALIASES = {"在职党员": Kind.IN_SERVICE, "离退休党员": Kind.RETIRED, "退休": Kind.RETIRED,
                "离休": Kind.RETIRED, "学生党员": Kind.STUDENT, "其他": Kind.OTHER,
                "失业": Kind.OTHER, "低保": Kind.OTHER}

SPEC = SheetSpec("党费基数", [
    Column("id_number", "身份证号", required=True, text_format=True, width=22,
           example="410103198605120038", help="18 位公民身份号码，用于查找党员。"),
    Column("name", "姓名", required=True, example="王建国", help="须与名册一致。"),
    Column("year", "年度", required=True, example=str(timezone.now().year), width=8),
    Column("kind", "党员类别", kind="choice", required=True, choices=list(KIND_OF_LABEL),
           aliases={**{k: Kind(v).label for k, v in KIND_ALIASES.items()}},
           example=Kind.IN_SERVICE.label, width=20,
           help="在职 / 离退休 / 学生 / 其他（失业、低保等）。"),
    Column("base", "月收入基数", example="8000", width=12,
           help="在职为税后月工资性收入，离退休为月离退休费（元）；学生、其他可不填。"),
    Column("note", "备注", max_length=100, width=20),
], notes=("每年导入一次；同一党员同一年度再次导入视为收入变化，按“变化后的收入何时适用”的设置生效。",))


class BaseImporter(Importer):
    spec = SPEC
    kind = "dues_bases"
    noun = "名党员的党费基数"
    object_type = "dues.base"

    def __init__(self, user, filename: str = ""):
        super().__init__(user)
        self.filename = filename

    def prepare(self, rows, errors):
        indexes = {}
        for _number, values in rows:
            raw = (values.get("id_number") or "").strip().upper()
            if raw:
                indexes[blind_index("id", idnumber.normalize(raw))] = raw
        found = (restrict(self.user, "view", Membership)
                 .filter(active=True, person__id_number_index__in=list(indexes))
                 .select_related("person", "org"))
        self.memberships = {m.person.id_number_index: m for m in found}

    def check_row(self, number, values, errors):
        raw = (values.get("id_number") or "").strip().upper()
        membership = None
        if raw:
            try:
                idnumber.parse(raw)
            except ValidationError as error:
                errors.add(number, "id_number", " ".join(error.messages))
                raw = ""
        if raw:
            membership = self.memberships.get(blind_index("id", idnumber.normalize(raw)))
            if membership is None:
                errors.add(number, "id_number", "名册中没有这名在册党员，或不在您的管理范围内。")
            elif values.get("name") and values["name"] != membership.person.name:
                errors.add(number, "name", f"姓名与名册不一致（名册为“{membership.person.name}”）。")
        year = None
        if values.get("year"):
            try:
                year = int(str(values["year"]).strip().removesuffix("年"))
            except ValueError:
                errors.add(number, "year", f"年度“{values['year']}”应为四位数字，如 2026。")
            else:
                if not 2000 <= year <= timezone.localdate().year + 1:
                    errors.add(number, "year", f"年度 {year} 不在有效范围内。")
                    year = None
        kind = KIND_OF_LABEL.get(values.get("kind") or "")
        base = values.get("base")
        if base not in (None, ""):
            try:
                base = Decimal(str(base).replace(",", "").replace("，", ""))
            except InvalidOperation:
                errors.add(number, "base", f"月收入基数“{base}”不是数字。")
                base = None
        if kind:
            try:
                base = services.check_base(kind, base)
            except DomainError as error:
                errors.add(number, "base", error.message)
        if membership is None or year is None or kind is None:
            return None
        return {"number": number, "membership": membership, "year": year, "kind": kind,
                "base": base, "note": values.get("note") or ""}

    def check_all(self, items, errors):
        seen = {}
        for item in items:
            key = (item["membership"].pk, item["year"])
            if key in seen:
                errors.add(item["number"], "id_number",
                           f"与第 {seen[key]} 行重复：同一党员同一年度只能有一行。")
            else:
                seen[key] = item["number"]

    def write(self, items, progress):
        for done, item in enumerate(items, start=1):
            services.set_base(item["membership"], user=self.user, year=item["year"],
                              kind=item["kind"], base=item["base"], note=item["note"])
            if done % 500 == 0:
                progress("writing", done, len(items))
        return {"years": sorted({i["year"] for i in items})}
