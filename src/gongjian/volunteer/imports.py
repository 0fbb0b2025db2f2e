"""Volunteer ledgers as spreadsheets (a street brings its paper ledgers in): a team's members,
and past activities with their hours — one row per volunteer per activity. Both use the
core.spreadsheets machinery: a template, every bad cell named by row and column, nothing
written unless every row is right.

A volunteer is found by volunteer number, else by phone (a person of the register within the
importer's reach; registered as a volunteer if they are not yet), and the name must agree.

Past activities: rows with the same organiser, title and date are one activity, written as
published (its hours counted after the usual publicity from the import day). Each row's hours
go through rules.py as a check-in pair would (whole rounding units, the daily cap across the
volunteer's rows and records of that day); the sign-up and pair are written flagged manual
with the file's name, the activity's history says it came from a ledger, and the import is
one entry of the audit log.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from gongjian.core.access import reach_orgs, restrict
from gongjian.core.crypto import blind_index
from gongjian.core.services import DomainError, OutOfScope
from gongjian.core.spreadsheets import Column, Importer, SheetReader, SheetSpec, write_template
from gongjian.core.workflow import build_event
from gongjian.members.models import Person
from gongjian.orgs.models import Organization

from . import rules, services
from .models import (
    Activity,
    ActivityEvent,
    CheckIn,
    Eligibility,
    ServiceRecord,
    Signup,
    SignupState,
    State,
    Team,
    Volunteer,
)

# Ledgers are checked and written in the request: a street's year is a few thousand rows.
MAX_ROWS = 20_000
IMPORTED = "台账导入"


def _who(required_note: str) -> list[Column]:
    return [
        Column("name", "志愿者姓名", required=True, max_length=50, example="王秀英", width=12),
        Column("phone", "联系电话", max_length=20, default="", example="13800138000", width=14,
               text_format=True, help=f"11 位手机号；与志愿者编号至少填一项。{required_note}"),
        Column("number", "志愿者编号", max_length=20, default="", example="", width=13,
               text_format=True, help="如 ZY00000012；已注册的志愿者优先按编号查找。"),
    ]


LEDGER_SPEC = SheetSpec(title="志愿服务台账", columns=[
    Column("title", "活动名称", required=True, max_length=120, example="楼院环境整治", width=22),
    Column("date", "服务日期", kind="date", required=True, example=datetime.date(2025, 6, 14),
           width=12, help="不能晚于今天。"),
    Column("place", "地点", required=True, max_length=150, example="博览苑小区", width=16),
    Column("content", "服务内容", required=True, max_length=4000,
           example="清理楼道杂物、小广告", width=26),
    Column("org", "组织单位", kind="choice", required=True, choices_first_token=True, example="",
           width=28, help="从下拉列表选择，或填写组织编码；须在您的管理范围内（谁组织谁记录）。"),
    *_who("按电话查找的须是人员名册中已登记的人员。"),
    Column("hours", "服务时长（小时）", required=True, example="2.5", width=12,
           help="实际服务时间，不含往返路程；按半小时计，同一人一天合计不超过 8 小时。"),
], notes=(
    "每行一名志愿者参加一次活动。组织单位、活动名称和服务日期相同的行为同一次活动。",
    "导入的记录标记为“台账导入”，活动按已公示处理，时长在公示期满后计入。",
))

TEAM_SPEC = SheetSpec(title="服务队队员", columns=[
    *_who("按电话查找的须是人员名册中已登记的人员。"),
    Column("joined_on", "加入日期", kind="date", example=datetime.date(2024, 3, 5), width=12,
           help="留空按今天；不能晚于今天。"),
], notes=("每行一名队员。已在本队的志愿者不能重复加入。",))


def org_label(org: Organization) -> str:
    return f"{org.code} {org.name}"


class _VolunteerLookup:
    """Finds the volunteers of a sheet's rows within the importer's reach, in a few
    queries: by number, else by phone (a person of the register)."""

    def __init__(self, user: Any, rows: list[tuple[int, dict]]):
        numbers = {v["number"].upper() for _, v in rows if v.get("number")}
        phones = {v["phone"] for _, v in rows if v.get("phone") and not v.get("number")}
        self.by_number = {v.number: v for v in restrict(user, "view", Volunteer)
                          .filter(number__in=numbers)}
        indexes = {blind_index("phone", p): p for p in phones}
        people: dict[str, list[Person]] = defaultdict(list)
        for person in restrict(user, "view", Person).filter(phone_index__in=list(indexes)):
            people[indexes[person.phone_index]].append(person)
        self.by_phone = people
        self.volunteers = {v.person_id: v for v in Volunteer.objects.filter(
            person_id__in=[p.pk for found in people.values() for p in found])}

    def find(self, number: int, values: dict, errors: Any) -> tuple[Volunteer | None,
                                                                     Person | None]:
        """(the volunteer, or the person to register), errors added to the row."""
        name = values.get("name") or ""
        if values.get("number"):
            code = values["number"].upper()
            found = self.by_number.get(code)
            if found is None:
                errors.add(number, "number", f"志愿者编号“{code}”不存在或不在您的管理范围内。")
            elif name and found.name != name:
                errors.add(number, "name", f"志愿者编号 {code} 登记的姓名是“{found.name}”，"
                                           f"与“{name}”不一致。")
            return found, None
        phone = values.get("phone") or ""
        if not phone:
            errors.add(number, "phone", "请填写联系电话或志愿者编号。")
            return None, None
        people = self.by_phone.get(phone, [])
        named = [p for p in people if p.name == name]
        if not people:
            errors.add(number, "phone", f"人员名册中没有联系电话为 {phone} 的人员（或不在您的管理"
                                        "范围内）；请先登记人员或填写志愿者编号。")
            return None, None
        if not named:
            errors.add(number, "name", f"联系电话 {phone} 登记的是“{people[0].name}”，"
                                       f"与“{name}”不一致。")
            return None, None
        if len(named) > 1:
            errors.add(number, "phone", f"联系电话 {phone} 对应多名同名人员，请填写志愿者编号。")
            return None, None
        person = named[0]
        return self.volunteers.get(person.pk), person


class _Row:
    __slots__ = ("number", "values", "volunteer", "person", "hours", "org")

    def __init__(self, number, values, volunteer, person, hours=None, org=None):
        self.number, self.values = number, values
        self.volunteer, self.person, self.hours, self.org = volunteer, person, hours, org


def _register(row: _Row, user: Any, registered: dict[int, Volunteer]) -> Volunteer:
    """The row's volunteer, registering its person once (volunteer.services)."""
    if row.volunteer is not None:
        return row.volunteer
    assert row.person is not None
    if row.person.pk not in registered:
        registered[row.person.pk] = services.register_person(row.person, user=user)
    return registered[row.person.pk]


class _VolunteerImporter(Importer):
    def open(self, data: bytes) -> SheetReader:
        return SheetReader(self.spec, data, max_rows=MAX_ROWS)

    def prepare(self, rows, errors):
        self.lookup = _VolunteerLookup(self.user, rows)
        self.today = timezone.localdate()


# ---- past activities and their hours ------------------------------------------------------------

class LedgerImporter(_VolunteerImporter):
    spec = LEDGER_SPEC
    kind = "volunteer_ledger"
    noun = "条志愿服务记录"
    object_type = "volunteer.servicerecord"

    def __init__(self, user, filename: str = ""):
        super().__init__(user)
        self.filename = filename

    def reachable_orgs(self):
        nodes = reach_orgs(self.user, "add", Activity)
        if not nodes:
            return Organization.objects.none()
        condition = None
        for node in nodes:
            q = Organization.objects.filter(path__startswith=node.path)
            condition = q if condition is None else condition | q
        return condition.filter(dissolved_on__isnull=True).order_by("path")

    def template_lists(self):
        return {"org": [org_label(o) for o in self.reachable_orgs().only("code", "name")[:500]]}

    def template(self):
        lists = self.template_lists()
        example = lists["org"][0] if lists["org"] else ""
        columns = [replace(c, example=example) if c.key == "org" else c
                   for c in LEDGER_SPEC.columns]
        return write_template(replace(LEDGER_SPEC, columns=columns), lists=lists)

    def prepare(self, rows, errors):
        super().prepare(rows, errors)
        codes = {v["org"] for _, v in rows if v.get("org")}
        reach = [node.path for node in reach_orgs(self.user, "add", Activity)]
        self.orgs = {o.code: o for o in Organization.objects.filter(code__in=codes)
                     if any(o.path.startswith(p) for p in reach)}

    def check_row(self, number, values, errors):
        org = self.orgs.get(values.get("org") or "")
        if values.get("org") and org is None:
            errors.add(number, "org", f"组织编码“{values['org']}”不存在或不在您的管理范围内。")
        elif org is not None and not org.is_active:
            errors.add(number, "org", f"“{org.name}”已撤销。")
        day = values.get("date")
        if day is not None and day > self.today:
            errors.add(number, "date", "服务日期不能晚于今天。")
        hours = self._hours(number, values.get("hours"), day, errors)
        volunteer, person = self.lookup.find(number, values, errors)
        return _Row(number, values, volunteer, person, hours, org)

    def _hours(self, number, raw, day, errors) -> Decimal | None:
        if raw is None:
            return None
        try:
            hours = Decimal(str(raw).strip())
        except InvalidOperation:
            errors.add(number, "hours", f"“{raw}”不是数字（小时）。")
            return None
        if hours <= 0:
            errors.add(number, "hours", "服务时长须大于 0。")
            return None
        cap = Decimal(str(rules.setting("daily_cap_hours")))
        if hours > cap:
            errors.add(number, "hours", f"一天的服务时长不能超过 {cap} 小时。")
            return None
        # The hours a check-in pair of this length earns under rules.py must be the hours
        # written: whole rounding units only.
        if day is not None and _pair_hours(day, hours)[1] != hours:
            unit = rules.setting("rounding_unit")
            errors.add(number, "hours", f"服务时长须按 {unit} 小时计（如 2、2.5），"
                                        f"“{hours}”不符合计时规则。")
            return None
        return hours

    def check_all(self, items, errors):
        cap = Decimal(str(rules.setting("daily_cap_hours")))
        seen: dict[tuple, int] = {}
        per_day: dict[tuple, Decimal] = defaultdict(Decimal)
        for row in items:
            who = row.volunteer.pk if row.volunteer else f"p{row.person.pk}"
            key = (row.org.pk, row.values["title"], row.values["date"], who)
            if key in seen:
                errors.add(row.number, "name", f"与第{seen[key]}行重复：同一活动同一志愿者只记录一次。")
                continue
            seen[key] = row.number
            per_day[(who, row.values["date"])] += row.hours
        # The day's records already kept count towards the cap too.
        volunteers = {row.volunteer.pk for row in items if row.volunteer}
        kept = defaultdict(Decimal)
        for vid, day, total in (ServiceRecord.objects.filter(volunteer_id__in=volunteers)
                                .filter(date__in={r.values["date"] for r in items})
                                .values_list("volunteer_id", "date").annotate(h=Sum("hours"))):
            kept[(vid, day)] = total
        existing = self._existing(items)
        for row in items:
            who = row.volunteer.pk if row.volunteer else f"p{row.person.pk}"
            day = row.values["date"]
            total = per_day[(who, day)] + kept.get((who, day), Decimal("0"))
            if total > cap and row.number not in errors.rows:
                errors.add(row.number, "hours", f"{row.values['name']} {day:%Y-%m-%d} 的服务时长"
                                                f"合计 {total} 小时，超过每天 {cap} 小时的上限。")
            activity = existing.get((row.org.pk, row.values["title"], day))
            if activity is not None and row.volunteer is not None and ServiceRecord.objects \
                    .filter(activity=activity, volunteer=row.volunteer).exists():
                errors.add(row.number, "title", f"{row.values['name']}在“{activity.title}”"
                                                f"（{day:%Y-%m-%d}）的记录已登记，不能重复导入。")

    def _existing(self, items) -> dict[tuple, Activity]:
        """Activities already on record with the same organiser, title and day."""
        found = {}
        keys = {(r.org.pk, r.values["title"], r.values["date"]) for r in items}
        titles = {k[1] for k in keys}
        for activity in Activity.objects.filter(org_id__in={k[0] for k in keys},
                                                title__in=titles):
            day = timezone.localtime(activity.starts_at).date()
            if (activity.org_id, activity.title, day) in keys:
                found[(activity.org_id, activity.title, day)] = activity
        return found

    def write(self, items, progress):
        registered: dict[int, Volunteer] = {}
        existing = self._existing(items)
        groups: dict[tuple, list[_Row]] = defaultdict(list)
        for row in items:
            groups[(row.org.pk, row.values["title"], row.values["date"])].append(row)
        note = f"{IMPORTED}：{self.filename}"[:200]
        counts_from = rules.counts_from(self.today)
        activities, created = {}, []
        for key, rows in groups.items():
            activity = existing.get(key)
            if activity is None:
                first = rows[0]
                starts = _at(first.values["date"])
                longest = max(r.hours for r in rows)
                activity = Activity(
                    org=first.org, title=first.values["title"], content=first.values["content"],
                    place=first.values["place"], starts_at=starts,
                    ends_at=starts + datetime.timedelta(hours=float(longest)),
                    places=max(len(rows), 1), eligibility=Eligibility.ANYONE,
                    state=State.PUBLISHED, publicity_days=rules.setting("publicity_days"),
                    publicised_on=self.today, counts_from=counts_from,
                    review_note=note, reviewed_by=self.user, reviewed_at=timezone.now(),
                    created_by=self.user)
                activity.full_clean()
                created.append(activity)
            activities[key] = activity
        Activity.objects.bulk_create(created)
        signups, pairs, records = [], [], []
        for key, rows in groups.items():
            activity = activities[key]
            for row in rows:
                volunteer = _register(row, self.user, registered)
                day = row.values["date"]
                in_at = _at(day)
                out_at = in_at + datetime.timedelta(hours=float(row.hours))
                raw, counted, _open = rules.record_hours([(day, in_at, out_at)])
                signup = Signup(activity=activity, volunteer=volunteer,
                                state=SignupState.ACCEPTED, note=IMPORTED,
                                decided_by=self.user, decided_at=timezone.now())
                signups.append(signup)
                pairs.append(CheckIn(activity=activity, signup=signup, volunteer=volunteer,
                                     day=day, in_at=in_at, out_at=out_at, in_manual=True,
                                     out_manual=True, note=note, recorded_by=self.user))
                records.append(ServiceRecord(
                    activity=activity, volunteer=volunteer, org_id=activity.org_id, date=day,
                    counts_from=activity.counts_from or counts_from, raw_hours=raw,
                    computed_hours=counted, hours=counted, recorded_by=self.user))
        Signup.objects.bulk_create(signups)
        CheckIn.objects.bulk_create(pairs)
        ServiceRecord.objects.bulk_create(records)
        services.refresh_rollup({r.activity_id for r in records})
        ActivityEvent.objects.bulk_create([
            build_event(a, "create", self.user, state_to=a.state,
                        text=f"{IMPORTED}：{len(groups[k])} 名志愿者，时长待公示期满后计入",
                        note=self.filename)
            for k, a in activities.items()])
        # The organisers written to must still be within reach (they may have moved).
        org_ids = {a.org_id for a in activities.values()}
        reachable = set(restrict(self.user, "change", Activity)
                        .filter(pk__in=[a.pk for a in activities.values()])
                        .values_list("org_id", flat=True))
        if reachable != org_ids:
            raise OutOfScope("部分组织单位已不在您的管理范围内，未导入任何数据。")
        progress("writing", len(records), len(records))
        return {"activities": len(created), "records": len(records),
                "registered": len(registered)}


def _at(day: datetime.date) -> datetime.datetime:
    # A ledger gives the day, not the time: service is written as starting at 09:00.
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))


def _pair_hours(day: datetime.date, hours: Decimal) -> tuple[Decimal, Decimal, int]:
    start = _at(day)
    return rules.record_hours([(day, start, start + datetime.timedelta(hours=float(hours)))])


# ---- a team's members -------------------------------------------------------------------------

class TeamMemberImporter(_VolunteerImporter):
    spec = TEAM_SPEC
    kind = "volunteer_team"
    noun = "名队员"
    object_type = "volunteer.teammember"

    def __init__(self, user, team: Team):
        super().__init__(user)
        self.team = team

    def prepare(self, rows, errors):
        super().prepare(rows, errors)
        self.current = set(self.team.members.filter(left_on__isnull=True)
                           .values_list("volunteer_id", flat=True))

    def check_row(self, number, values, errors):
        joined = values.get("joined_on")
        if joined is not None and joined > self.today:
            errors.add(number, "joined_on", "加入日期不能晚于今天。")
        if joined is not None and joined < self.team.founded_on:
            errors.add(number, "joined_on",
                       f"加入日期不能早于服务队成立日期（{self.team.founded_on:%Y-%m-%d}）。")
        volunteer, person = self.lookup.find(number, values, errors)
        if volunteer is not None and volunteer.pk in self.current:
            errors.add(number, "name", f"{volunteer.name}已是“{self.team.name}”的队员。")
        return _Row(number, values, volunteer, person)

    def check_all(self, items, errors):
        seen: dict[Any, int] = {}
        for row in items:
            who = row.volunteer.pk if row.volunteer else f"p{row.person.pk}"
            if who in seen:
                errors.add(row.number, "name", f"与第{seen[who]}行是同一名志愿者。")
            else:
                seen[who] = row.number

    def write(self, items, progress):
        if not self.team.is_active:
            raise DomainError(f"服务队“{self.team.name}”已解散，不能加入队员。")
        registered: dict[int, Volunteer] = {}
        for row in items:
            volunteer = _register(row, self.user, registered)
            member = services.add_member(self.team, user=self.user, volunteer=volunteer)
            joined = row.values.get("joined_on")
            if joined is not None and joined != member.joined_on:
                member.joined_on = joined
                member.save(update_fields=["joined_on"])
        progress("writing", len(items), len(items))
        return {"team": self.team.pk, "members": len(items), "registered": len(registered)}
