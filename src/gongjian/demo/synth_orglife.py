"""A year of organisational life for the synthetic city: every branch's meetings from 1 January
to today (held, with each due member's attendance) and those planned to the end of the month.

Per branch the required items of `orglife.rules` (monthly 支委会 / 党小组会 / 主题党日,
quarterly 党员大会 / 党课, yearly 组织生活会 / 民主评议 / 谈心谈话), as a branch keeps them:
most hold everything, some miss an item or three, a few miss many, about 1% hold nothing for a
whole quarter (possibly hollow, 空壳). A 支委会 is held where the branch has a committee (7 or
more full members, 《中国共产党支部工作条例（试行）》第九条) — elected here as a Team with 3–7 seats
from its own members, a few past their term — and a 党小组会 by each of the branch's party
groups (a branch without groups has none, 第十三条), the branch's members split between its
groups. Held meetings carry one Attendance row per due member (probationary members without a
vote; suspended and lost-contact members not due; mobile members often on leave) with
due_count / present_count agreeing, a MakeUp (补学) for each member not attending — done for
older meetings, open for recent ones — the grades of 民主评议 (优秀 within its share) and the
votes of some 党员大会. A few meetings were cancelled and held again a few days later.

Rows are drawn with a seeded random generator, branch by branch, and written in batches. On
PostgreSQL they go in with binary COPY (psycopg's write_row); at the city's size (about 18 million attendance rows) the
secondary indexes and the foreign keys of the orglife tables are dropped for the load and built
again afterwards from their saved definitions, in the same transaction (one index build per
index and one validating join per foreign key instead of a B-tree insert and two look-ups per
row). On SQLite the same rows go through bulk_create.
"""

from __future__ import annotations

import calendar
import datetime
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from gongjian.core import audit
from gongjian.members.choices import Category, Post, Standing
from gongjian.members.models import Membership, Team, TeamSeat
from gongjian.orglife import rollup, rules
from gongjian.orglife.models import (
    Appraisal,
    Attendance,
    Grade,
    HeldMonths,
    MakeUp,
    MakeUpState,
    Meeting,
    Presence,
    State,
    Vote,
)
from gongjian.orglife.services import NOT_DUE
from gongjian.orgs.choices import OrgKind
from gongjian.orgs.models import Organization

BRANCHES_PER_BATCH = 300
# Above this many members the indexes are dropped for the load and rebuilt (see the docstring).
REBUILD_ABOVE_MEMBERS = 50_000
TABLES = (Meeting, Attendance, MakeUp, Appraisal, Vote)

# --- vocabulary --------------------------------------------------------------------------------

STUDY = ["学习贯彻党的二十届四中全会精神", "学习《中国共产党章程》", "学习《中国共产党纪律处分条例》",
         "深入贯彻中央八项规定精神学习教育", "学习习近平总书记关于基层治理的重要论述",
         "学习《中国共产党支部工作条例（试行）》", "学习党史“四史”专题", "学习《信访工作条例》",
         "学习安全生产有关规定", "学习《中国共产党党员教育管理工作条例》"]
COMMITTEE_TOPICS = ["研究本月党建工作安排", "研究发展党员工作", "研究主题党日活动安排",
                    "研究党费收缴使用情况", "研究困难党员帮扶", "研究党员积分管理",
                    "研究组织生活会准备工作", "研究流动党员管理"]
X_ITEMS = ["社区环境整治志愿服务", "走访慰问困难党员", "垃圾分类入户宣传", "关爱空巢老人",
           "文明城市创建志愿服务", "参观红色教育基地", "反诈宣传进楼院", "义务植树",
           "楼道清理“微治理”", "为民办实事认领", "消防安全隐患排查", "无偿献血",
           "政策宣讲进小区", "党员先锋岗值守", "助老助残结对帮扶", "节日慰问老党员"]
THEME_DAY_TITLES = ["集中学习、过组织生活、民主议事、志愿服务：{x}", "“4+X”主题党日：{x}"]
LECTURE_TITLES = ["专题党课：{s}", "书记讲党课：{s}", "微党课：{s}"]
LECTURERS = ["支部书记", "街道党工委委员", "社区党委书记", "党校讲师", "老党员宣讲员"]
CONGRESS_TOPICS = ["通报支部工作，{s}", "讨论发展党员事项，{s}", "听取支部委员会工作报告，{s}",
                   "讨论预备党员转正，{s}", "收缴党费、通报党费使用情况，{s}"]
VOTE_SUBJECTS = ["接收发展对象为预备党员", "预备党员按期转为正式党员", "通过支部年度工作计划",
                 "确定入党积极分子为发展对象"]
PLACES = ["党群服务中心会议室", "支部党员活动室", "社区党群服务站", "单位会议室", "党员之家",
          "新时代文明实践站"]
START_TIMES = [datetime.time(9, 0), datetime.time(9, 30), datetime.time(14, 30),
               datetime.time(15, 0), datetime.time(19, 0)]
CANCEL_REASONS = ["与社区重点工作时间冲突，改期举行", "恶劣天气，改期举行", "主讲人临时出差，改期举行"]
REASONS = {
    Presence.SICK.value: ["住院治疗", "身体不适", "术后休养"],
    Presence.PERSONAL.value: ["外出探亲", "照顾家人", "家中有事"],
    Presence.OFFICIAL.value: ["单位出差", "参加上级培训", "单位值班"],
    Presence.ABSENT.value: ["", "未请假", "联系未果"],
    Presence.LATE.value: ["", "交通拥堵"],
}
MOBILE_REASON = "外出务工"
MAKEUP_CONTENT = "自学{title}相关材料，撰写学习心得，向支部汇报"

# Presence by the member's standing and the branch's habit: cumulative thresholds in the order
# PRESENT, LATE, SICK, PERSONAL, OFFICIAL (the rest ABSENT). Plain strings: the hot loop.
PRESENCE_ORDER = [p.value for p in (Presence.PRESENT, Presence.LATE, Presence.SICK,
                                    Presence.PERSONAL, Presence.OFFICIAL, Presence.ABSENT)]
PRESENT = Presence.PRESENT.value
PERSONAL = Presence.PERSONAL.value


def _cumulative(*weights):
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


PRESENCE = {
    # habit: (members of normal standing, mobile members)
    "steady": (_cumulative(0.895, 0.03, 0.02, 0.03, 0.015),
               _cumulative(0.45, 0.02, 0.03, 0.40, 0.02)),
    "lax": (_cumulative(0.78, 0.05, 0.03, 0.07, 0.02),
            _cumulative(0.30, 0.03, 0.04, 0.45, 0.02)),
}
# Profiles of branches: (share, items missed (low, high), attendance habit).
PROFILES = [("complete", 0.75, (0, 0), "steady"), ("patchy", 0.18, (1, 3), "steady"),
            ("lax", 0.06, (4, 14), "lax"), ("hollow", 0.01, (0, 0), "lax")]


# --- the branches ------------------------------------------------------------------------------

@dataclass(slots=True, eq=False)
class _Member:
    membership: int
    person: int
    voting: bool
    mobile: bool


@dataclass
class _Branch:
    pk: int
    path: str
    groups: list[int] = field(default_factory=list)
    due: list[_Member] = field(default_factory=list)
    committee: list[_Member] = field(default_factory=list)


def _load_branches(root) -> list[_Branch]:
    rows = (Organization.objects.filter(path__startswith=root.path, dissolved_on__isnull=True,
                                        kind__in=(OrgKind.BRANCH, OrgKind.TEMPORARY_BRANCH,
                                                  OrgKind.GROUP))
            .order_by("path").values_list("pk", "path", "kind"))
    branches: dict[int, _Branch] = {}
    by_path: dict[str, _Branch] = {}
    groups = []
    for pk, path, kind in rows:
        if kind == OrgKind.GROUP:
            groups.append((pk, path))
        else:
            by_path[path] = branches[pk] = _Branch(pk, path)
    for pk, path in groups:
        parent = by_path.get(path[:-4])
        if parent is not None:
            parent.groups.append(pk)
    memberships = (Membership.objects.filter(active=True, org__path__startswith=root.path)
                   .exclude(standing__in=NOT_DUE).order_by("pk")
                   .values_list("pk", "org_id", "person_id", "category", "standing"))
    for pk, org_id, person_id, category, standing in memberships.iterator(chunk_size=20_000):
        branch = branches.get(org_id)
        if branch is None:  # a member kept at group level belongs to the group's branch
            continue
        branch.due.append(_Member(pk, person_id, category == Category.FULL,
                                  standing == Standing.MOBILE))
    return [b for b in by_path.values() if b.due]


def _committee_size(full: int) -> int:
    """Seats on a branch committee by its full members: none under 7 (第九条), then 3, 5, 7."""
    if full < rules.setting("committee_min_members"):
        return 0
    return 3 if full < 15 else 5 if full < 50 else 7


# --- dates -------------------------------------------------------------------------------------

def _day(year, month, day):
    return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _quarter_months(q):
    return range(3 * q - 2, 3 * q + 1)


# --- the tables --------------------------------------------------------------------------------

class _Table:
    """Rows of one model gathered as tuples in its column order, then written in one go."""

    def __init__(self, model: type[models.Model], postgres: bool):
        self.model = model
        self.postgres = postgres
        fields = model._meta.concrete_fields
        self.attnames = [f.attname for f in fields]
        self.columns = [f.column for f in fields]
        self.defaults = {f.attname: None if f.primary_key else f.get_default() for f in fields}
        self.rows: list[tuple] = []
        self.next_id = 0
        self.written = 0
        self.types: list[int] | None = None

    def add(self, **values) -> int:
        """Append a row; values for columns the model does not have are left out."""
        pk = values["id"] = self.next_id
        self.next_id += 1
        self.rows.append(tuple(values[a] if a in values else self.defaults[a]
                               for a in self.attnames))
        return pk

    def flush(self, raw_cursor):
        if not self.rows:
            return
        if self.postgres:
            name = self.model._meta.db_table
            if self.types is None:  # binary COPY needs each column's type
                raw_cursor.execute("SELECT attname, atttypid FROM pg_attribute WHERE attrelid "
                                   "= %s::regclass AND attnum > 0 AND NOT attisdropped", [name])
                oids = dict(raw_cursor.fetchall())
                self.types = [oids[column] for column in self.columns]
            columns = ", ".join(f'"{c}"' for c in self.columns)
            with raw_cursor.copy(f'COPY "{name}" ({columns}) FROM STDIN (FORMAT BINARY)'
                                 ) as copy:
                copy.set_types(self.types)
                write = copy.write_row
                for row in self.rows:
                    write(row)
        else:
            self.model.objects.bulk_create(
                [self.model(**dict(zip(self.attnames, row, strict=True))) for row in self.rows],
                batch_size=2000)
        self.written += len(self.rows)
        self.rows = []


# --- ids, indexes and constraints on PostgreSQL -----------------------------------------------

def _reserve_ids(cursor, tables: Sequence[_Table], postgres: bool):
    """Ids are assigned here, so attendance can point at its meeting before COPY returns."""
    for table in tables:
        name = table.model._meta.db_table
        if postgres:
            # EXCLUSIVE: nobody inserts (and so draws from the sequence) until we commit.
            cursor.execute(f'LOCK TABLE "{name}" IN EXCLUSIVE MODE')
            cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{name}', 'id'))")
            table.next_id = cursor.fetchone()[0]
        else:
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{name}"')
            table.next_id = cursor.fetchone()[0]


def _advance_sequences(cursor, tables: Sequence[_Table]):
    for table in tables:
        name = table.model._meta.db_table
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), %s)",
                       [max(table.next_id - 1, 1)])


def _drop_secondary(cursor, names: Sequence[str]) -> list[str]:
    """Drop the foreign keys, unique constraints and indexes (not the primary keys) of the
    tables; returns the statements that make them again, indexes first, foreign keys last."""
    indexes, uniques, foreign = [], [], []
    for name in names:
        cursor.execute("SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY conname",
                       [name])
        for constraint, kind, definition in cursor.fetchall():
            (foreign if kind == "f" else uniques).append(
                f'ALTER TABLE "{name}" ADD CONSTRAINT "{constraint}" {definition}')
            cursor.execute(f'ALTER TABLE "{name}" DROP CONSTRAINT "{constraint}"')
        cursor.execute("SELECT i.indexname, i.indexdef FROM pg_indexes i "
                       "WHERE i.schemaname = current_schema() AND i.tablename = %s "
                       "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = "
                       "i.indexname AND c.conrelid = %s::regclass) ORDER BY i.indexname",
                       [name, name])
        for index, definition in cursor.fetchall():
            indexes.append(definition)
            cursor.execute(f'DROP INDEX "{index}"')
    return indexes + uniques + foreign


def table_sizes() -> dict[str, str]:
    """pg_size_pretty(pg_total_relation_size(...)) of the orglife tables (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        sizes = {}
        for model in TABLES:
            name = model._meta.db_table
            cursor.execute("SELECT pg_size_pretty(pg_total_relation_size(%s))", [name])
            sizes[name] = cursor.fetchone()[0]
        return sizes


# --- drawing one branch's year -----------------------------------------------------------------

@dataclass
class _Slot:
    """A meeting the branch is due to hold (`key` is the required item it answers)."""
    key: tuple[str, int]
    kind: str
    date: datetime.date
    due: list[_Member]
    group: int | None = None


class _Year:
    """Draws and writes the meetings of one year up to the end of `today`'s month."""

    def __init__(self, today: datetime.date, rng: random.Random, tables: dict[str, _Table]):
        self.today = today
        self.year = today.year
        self.last = _day(today.year, today.month, 31)
        self.rng = rng
        self.t = tables
        # A fixed offset (the zone's on `today`): adapting it costs a fraction of a zoneinfo's.
        offset = timezone.get_current_timezone().utcoffset(
            datetime.datetime.combine(today, datetime.time(12)))
        self.tz = datetime.timezone(offset)
        self.now = timezone.now()
        self.windows = {code: rules.every(code) for code in (k.code for k in
                                                             rules.required_kinds())}
        # Quarters wholly past: where a hollow branch's silent quarter is drawn.
        self.finished_quarters = [q for q in range(1, 5)
                                  if _day(self.year, 3 * q, 31) < today]
        self.tally: Counter = Counter()

    # -- the plan -------------------------------------------------------------------------------

    def _slots(self, branch: _Branch, fixed_day: int) -> list[_Slot]:
        rng, year = self.rng, self.year
        slots = []
        for kind, every in self.windows.items():
            if kind == "committee" and not branch.committee:
                continue
            if kind == "group" and not branch.groups:
                continue
            if every == "month":
                for m in range(1, self.today.month + 1):
                    slots.extend(self._monthly(branch, kind, m, fixed_day))
            elif every == "quarter":
                for q in range(1, (self.today.month - 1) // 3 + 2):
                    month = rng.choice(_quarter_months(q))
                    slots.append(_Slot((kind, q), kind, _day(year, month, rng.randint(3, 26)),
                                       branch.due))
                    if kind == "party_congress" and rng.random() < 0.2:  # 发展党员, 转正
                        month = rng.choice(_quarter_months(q))
                        slots.append(_Slot(("extra", 0), kind,
                                           _day(year, month, rng.randint(3, 26)), branch.due))
            elif every == "year":
                slots.append(_Slot((kind, 1), kind, self._yearly(kind, rng), branch.due))
        if "talk" in self.windows and rng.random() < 0.4:  # a second round at mid-year
            slots.append(_Slot(("extra", 0), "talk", _day(year, rng.choice((6, 7)),
                                                          rng.randint(1, 28)), branch.due))
        return [s for s in slots if s.date <= self.last]

    def _monthly(self, branch, kind, month, fixed_day):
        rng, year = self.rng, self.year
        if kind == "theme_day":  # 每月相对固定 1 天
            return [_Slot((kind, month), kind, _day(year, month, fixed_day), branch.due)]
        if kind == "committee":
            slots = [_Slot((kind, month), kind, _day(year, month, rng.randint(1, 8)),
                           branch.committee)]
            if rng.random() < 0.12:
                slots.append(_Slot(("extra", 0), kind, _day(year, month, rng.randint(15, 25)),
                                   branch.committee))
            return slots
        if kind == "group":
            n = len(branch.groups)
            return [_Slot((kind, month), kind, _day(year, month, rng.randint(10, 22)),
                          branch.due[i::n], group=g)
                    for i, g in enumerate(branch.groups) if branch.due[i::n]]
        return [_Slot((kind, month), kind, _day(year, month, rng.randint(1, 28)), branch.due)]

    def _yearly(self, kind, rng):
        # Most hold the year's 组织生活会 (with 谈心谈话 before and 民主评议 after) in January–
        # March; some in December.
        if rng.random() < 0.8:
            base = _day(self.year, rng.choice((1, 2)), rng.randint(8, 26))
        else:
            base = _day(self.year, 12, rng.randint(10, 26))
        offset = {"talk": -rng.randint(5, 12), "life_meeting": 0,
                  "appraisal": rng.randint(0, 10)}.get(kind, 0)
        return max(datetime.date(self.year, 1, 2), base + datetime.timedelta(days=offset))

    # -- one branch -----------------------------------------------------------------------------

    def branch(self, branch: _Branch):
        rng = self.rng
        roll, profile = rng.random(), PROFILES[-1]
        for candidate in PROFILES:
            roll -= candidate[1]
            if roll < 0:
                profile = candidate
                break
        name, _share, (low, high), habit = profile
        if name == "hollow" and not self.finished_quarters:
            name = "complete"
        self.tally[f"branches_{name}"] += 1
        slots = self._slots(branch, fixed_day=rng.randint(5, 25))
        past_keys = sorted({s.key for s in slots if s.date <= self.today and s.key[0] != "extra"})
        missed = set(rng.sample(past_keys, min(len(past_keys), rng.randint(low, high))))
        silent = rng.choice(self.finished_quarters) if name == "hollow" else None
        host = branch.committee[0] if branch.committee else next(
            (m for m in branch.due if m.voting), branch.due[0])
        recorder = branch.committee[1] if len(branch.committee) > 1 else host
        for slot in sorted(slots, key=lambda s: (s.date, s.kind)):
            if slot.date > self.today:
                self._meeting(branch, slot, State.PLANNED, host, recorder)
            elif silent and (slot.date.month - 1) // 3 + 1 == silent:
                # A hollow quarter: at most the plan of the theme day, never recorded.
                if slot.kind == "theme_day":
                    self._meeting(branch, slot, State.PLANNED, host, recorder)
                    self.tally["never_recorded"] += 1
            elif slot.key in missed:
                if rng.random() < 0.3:
                    self._meeting(branch, slot, State.PLANNED, host, recorder)
                    self.tally["never_recorded"] += 1
                self.tally["missed_items"] += 1
            elif rng.random() < 0.012:
                self._meeting(branch, slot, State.CANCELLED, host, recorder)
                again = slot.date + datetime.timedelta(days=rng.randint(3, 9))
                if again.month != slot.date.month:
                    again = _day(slot.date.year, slot.date.month, 31)
                redo = _Slot(slot.key, slot.kind, again, slot.due, slot.group)
                state = State.HELD if again <= self.today else State.PLANNED
                self._meeting(branch, redo, state, host, recorder, habit=habit)
            else:
                self._meeting(branch, slot, State.HELD, host, recorder, habit=habit)

    def _meeting(self, branch, slot, state, host, recorder, habit="steady"):
        rng, kind = self.rng, slot.kind
        study = rng.choice(STUDY)
        x_item = lecturer = ""
        if kind == "theme_day":
            x_item = rng.choice(X_ITEMS)
            title = rng.choice(THEME_DAY_TITLES).format(x=x_item)
            topics = f"{study}；{x_item}"
        elif kind == "committee":
            title = topics = rng.choice(COMMITTEE_TOPICS)
        elif kind == "party_congress":
            title = f"{slot.date.month}月支部党员大会"
            topics = rng.choice(CONGRESS_TOPICS).format(s=study)
        elif kind == "lecture":
            title = rng.choice(LECTURE_TITLES).format(s=study.removeprefix("学习"))
            topics, lecturer = study, rng.choice(LECTURERS)
        elif kind == "group":
            title, topics = f"{slot.date.month}月党小组学习", study
        elif kind == "life_meeting":
            year = self.year if slot.date.month == 12 else self.year - 1
            title = f"{year}年度组织生活会"
            topics = "通报上年度整改情况；开展批评和自我批评；明确整改措施"
        elif kind == "appraisal":
            year = self.year if slot.date.month == 12 else self.year - 1
            title, topics = f"{year}年度民主评议党员", "个人自评、党员互评、民主测评"
        else:
            title, topics = f"{self.year}年谈心谈话", "支部委员之间、支部委员与党员之间谈心谈话"
        start = rng.choice(START_TIMES)
        at = datetime.datetime.combine(slot.date, start, tzinfo=self.tz)
        created = at - datetime.timedelta(days=rng.randint(7, 20), hours=4)
        notified = at - datetime.timedelta(days=rng.randint(2, 5)) if (
            state != State.PLANNED or rng.random() < 0.5) else None
        due = slot.due
        fields: dict[str, Any] = {
            "org_id": branch.pk, "group_id": slot.group, "kind": kind, "state": state,
            "title": title[:120], "date": slot.date, "start_time": start,
            "place": rng.choice(PLACES), "topics": topics, "x_item": x_item,
            "host_id": host.person, "recorder_id": recorder.person, "lecturer": lecturer,
            "due_count": len(due), "present_count": 0, "notified_at": notified,
            "created_at": created,
        }
        if state == State.CANCELLED:
            fields["cancel_reason"] = rng.choice(CANCEL_REASONS)
            self.t["meeting"].add(**fields)
            self.tally["meetings_cancelled"] += 1
            return
        if state == State.PLANNED:
            self.t["meeting"].add(**fields)
            self.tally["meetings_planned"] += 1
            return
        meeting = self.t["meeting"].next_id
        attendance = self.t["attendance"]
        present = voting_present = voting_due = 0
        random_, append, pk = rng.random, attendance.rows.append, attendance.next_id
        steady, mobile = PRESENCE[habit]
        absent: list[int] = []
        for member in due:
            voting = member.voting
            voting_due += voting
            thresholds = mobile if member.mobile else steady
            r = random_()
            if r < thresholds[0]:  # most rows: present, no reason
                present += 1
                voting_present += voting
                append((pk, meeting, member.membership, PRESENT, "", voting))
                pk += 1
                continue
            i = 1
            while i < 5 and r >= thresholds[i]:
                i += 1
            presence = PRESENCE_ORDER[i]
            if i == 1:  # late
                present += 1
                voting_present += voting
            else:
                absent.append(pk)
            reason = (MOBILE_REASON if member.mobile and presence == PERSONAL
                      else rng.choice(REASONS[presence]))
            append((pk, meeting, member.membership, presence, reason, voting))
            pk += 1
        attendance.next_id = pk
        recorded = min(self.now, at + datetime.timedelta(days=rng.randint(0, 3), hours=3))
        fields.update(present_count=present, held_recorded_at=recorded,
                      minutes=f"会议由{'支部书记' if branch.committee else '支部负责人'}"
                              f"主持。{topics}。应到{len(due)}人，实到{present}人。")
        if kind == "party_congress" and rng.random() < 0.35:
            subject = rng.choice(VOTE_SUBJECTS)
            in_favour = max(0, voting_present - (rng.random() < 0.2))
            against = voting_present - in_favour
            quorate = rules.has_quorum(voting_present, voting_due)
            passed = quorate and rules.motion_passes(in_favour, voting_due)
            fields["resolutions"] = f"表决{subject}：{'通过' if passed else '未通过'}。"
            self.t["vote"].add(meeting_id=meeting, subject=subject, election=False,
                               entitled=voting_due, present=voting_present,
                               in_favour=in_favour, against=against, abstain=0,
                               quorate=quorate, passed=passed)
        self.t["meeting"].add(**fields)
        self.tally["meetings_held"] += 1
        self.tally["attendance"] += len(due)
        for attendance_id in absent:
            self._makeup(branch, meeting, attendance_id, slot.date, title)
        if kind == "appraisal":
            self._grades(meeting, due)

    def _makeup(self, branch, meeting, attendance_id, held_on, title):
        rng = self.rng
        age = (self.today - held_on).days
        done = age > 30 and rng.random() < 0.95 or age > 7 and rng.random() < 0.5
        # The meeting and its date are kept on the make-up (a subtree's open make-ups of a
        # period are one index-only count).
        fields = {"attendance_id": attendance_id, "org_id": branch.pk, "meeting_id": meeting,
                  "meeting_date": held_on}
        if done:
            done_on = min(self.today, held_on + datetime.timedelta(days=rng.randint(3, 20)))
            self.t["makeup"].add(**fields, state=MakeUpState.DONE, done_on=done_on,
                                 content=MAKEUP_CONTENT.format(title=title))
        else:
            self.t["makeup"].add(**fields, state=MakeUpState.OPEN)
        self.tally[f"makeups_{'done' if done else 'open'}"] += 1

    def _grades(self, meeting, due):
        rng = self.rng
        graded = [m for m in due if m.voting or rules.setting("grade_probationary")]
        cap = int(len(graded) * rules.setting("excellent_share"))
        excellent = 0
        for member in graded:
            r = rng.random()
            if r < 0.2 and excellent < cap:
                grade, excellent = Grade.EXCELLENT, excellent + 1
            elif r < 0.965:
                grade = Grade.QUALIFIED
            elif r < 0.995:
                grade = Grade.BASICALLY
            else:
                grade = Grade.UNQUALIFIED
            self.t["appraisal"].add(meeting_id=meeting, membership_id=member.membership,
                                    grade=grade)
        self.tally["appraisals"] += len(graded)


# --- branch committees -------------------------------------------------------------------------

def _committees(branches: list[_Branch], today: datetime.date, rng: random.Random):
    """Seat a committee on each branch with 7 or more full members: 3–7 of its full members,
    elected within its term; about 4% elected longer ago than the term (due for 换届). The
    branch's Team is the one the services read (`current_committee`)."""
    term = rules.setting("committee_term_years")
    teams, seats = [], []
    for branch in branches:
        full = [m for m in branch.due if m.voting and not m.mobile]
        size = _committee_size(len(full))
        if not size:
            continue
        branch.committee = full[:size]
        if rng.random() < 0.04:
            years_ago = term + rng.random()
        else:
            years_ago = rng.uniform(0.1, term - 0.1)
        elected = today - datetime.timedelta(days=int(years_ago * 365))
        team = Team(org_id=branch.pk, elected_on=elected, note="合成数据：支部委员会")
        teams.append(team)
        for i, member in enumerate(branch.committee):
            post = Post.SECRETARY if i == 0 else Post.DEPUTY_SECRETARY if (
                i == 1 and size >= 5) else Post.MEMBER
            seats.append(TeamSeat(team=team, person_id=member.person, post=post,
                                  started_on=elected))
    Team.objects.bulk_create(teams, batch_size=5000)
    for seat in seats:
        seat.team_id = seat.team.pk
    TeamSeat.objects.bulk_create(seats, batch_size=5000)
    return len(teams), len(seats)


# --- building ----------------------------------------------------------------------------------

def orglife_present(root) -> bool:
    return Meeting.objects.filter(org__path__startswith=root.path).exists()


def bulk_load(cursor, order, items, draw, *, postgres: bool, rebuild_indexes: bool,
              per_batch: int, clock, mark: float, progress, log, work_mem: str) -> float:
    """COPY the tables of `order` (parents first) while `draw(item)` fills them, a batch of
    `items` at a time, inside the caller's transaction; with `rebuild_indexes` (PostgreSQL)
    their secondary indexes and foreign keys are dropped for the load and made again after.
    `progress(done)` is told after each batch. Returns the clock's mark."""
    raw = cursor.cursor
    _reserve_ids(cursor, order, postgres)
    restore = []
    if rebuild_indexes:
        # Check what is pending now: ALTER TABLE refuses tables with pending trigger events
        # (rows written earlier in the same transaction, e.g. the committees or a caller's).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        restore = _drop_secondary(cursor, [t.model._meta.db_table for t in order])
        mark = clock("drop_indexes_s", mark)
    for start in range(0, len(items), per_batch):
        for item in items[start:start + per_batch]:
            draw(item)
        mark = clock("draw_s", mark)
        for table in order:
            table.flush(raw)
        mark = clock("write_s", mark)
        progress(min(start + per_batch, len(items)))
    if postgres:
        _advance_sequences(cursor, order)
    if restore:
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{work_mem}'")
        for statement in restore:
            step = time.perf_counter()
            cursor.execute(statement)
            log(f"  {statement[:90]}… {time.perf_counter() - step:.1f}s")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        mark = clock("rebuild_indexes_s", mark)
    return mark


def build_orglife(root, *, seed: int = 2026, today: datetime.date | None = None,
                  rebuild_indexes: bool | None = None, log=print) -> dict[str, Any]:
    """Write a year of organisational life for the branches under `root` (see the module's
    docstring). `rebuild_indexes` (PostgreSQL): drop the orglife tables' secondary indexes and
    foreign keys for the load and build them again after; by default at the city's size.
    Returns a summary dict with counts, step timings and (PostgreSQL) table sizes."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    rng = random.Random(f"{seed}:{root.code}:orglife")
    postgres = connection.vendor == "postgresql"
    timings: Counter = Counter()

    def clock(step, mark):
        now = time.perf_counter()
        timings[step] += now - mark
        return now

    branches = _load_branches(root)
    if not branches:
        raise ValueError(f"{root.name} 下的党支部还没有党员，无法生成组织生活。")
    members = sum(len(b.due) for b in branches)
    if rebuild_indexes is None:
        rebuild_indexes = postgres and members > REBUILD_ABOVE_MEMBERS
    mark = clock("load_s", started)
    tables = {name: _Table(model, postgres) for name, model in (
        ("meeting", Meeting), ("attendance", Attendance), ("makeup", MakeUp),
        ("appraisal", Appraisal), ("vote", Vote))}
    assert tables["attendance"].attnames == ["id", "meeting_id", "membership_id", "presence",
                                             "reason", "voting"], "Attendance's columns changed"
    year = _Year(today, rng, tables)
    order = list(tables.values())  # parents first
    with transaction.atomic(), audit.acting_as(suppress=True), connection.cursor() as cursor:
        team_count, seat_count = _committees(branches, today, random.Random(
            f"{seed}:{root.code}:committees"))
        mark = clock("committees_s", mark)

        def progress(done):
            if done % 3000 < BRANCHES_PER_BATCH or done == len(branches):
                log(f"  {done:,} / {len(branches):,} branches: "
                    f"{tables['meeting'].written:,} meetings, "
                    f"{tables['attendance'].written:,} attendance rows "
                    f"({time.perf_counter() - started:.1f}s)")

        mark = bulk_load(cursor, order, branches, year.branch, postgres=postgres,
                         rebuild_indexes=rebuild_indexes, per_batch=BRANCHES_PER_BATCH,
                         clock=clock, mark=mark, progress=progress, log=log,
                         work_mem="1GB")
        # COPY bypasses Meeting.save: the held months of the subtree in one INSERT … SELECT.
        held_months = rollup.rebuild(Organization.objects.filter(path__startswith=root.path))
        mark = clock("held_months_s", mark)
    mark = clock("commit_s", mark)
    if postgres:
        # VACUUM sets the visibility map (index-only scans) besides the statistics; inside a
        # transaction (tests) only ANALYZE is possible.
        verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            for model in (*TABLES, HeldMonths, Team, TeamSeat):
                cursor.execute(f'{verb} "{model._meta.db_table}"')
        clock("vacuum_analyze_s", mark)
    tally = year.tally
    return {
        "branches": len(branches), "members_due": members,
        "branches_with_groups": sum(1 for b in branches if b.groups),
        "committees": team_count, "committee_seats": seat_count,
        "meetings": tables["meeting"].written, "held": tally["meetings_held"],
        "planned": tally["meetings_planned"], "cancelled": tally["meetings_cancelled"],
        "attendance": tables["attendance"].written, "makeups": tables["makeup"].written,
        "makeups_open": tally["makeups_open"], "appraisals": tables["appraisal"].written,
        "votes": tables["vote"].written, "held_months": held_months,
        "missed_items": tally["missed_items"],
        "profiles": {name: tally[f"branches_{name}"] for name, *_ in PROFILES},
        "today": today.isoformat(), "rebuilt_indexes": bool(rebuild_indexes),
        "timings": {step: round(seconds, 1) for step, seconds in timings.items()},
        "sizes": table_sizes(),
        "seconds": round(time.perf_counter() - started, 1),
    }
