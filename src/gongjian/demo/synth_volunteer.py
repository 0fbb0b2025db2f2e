"""A year of volunteer service for the synthetic city: about two million check-ins.

Per street, about two people in five of the register volunteer (a Volunteer row with its
person, homed in their community, numbered ZY…). Every community keeps three to five service
teams and the street a city-cleaning team; most volunteers belong to one team of their
community. Over the 365 days up to `today`, each community holds 35–65 service activities
(mostly at weekends, 8–40 volunteers each, mostly its own, some from elsewhere in the street)
and each street 36 city cleanings (60–140 volunteers each, seed 002's 全城清洁). Every volunteer
who came has an accepted sign-up, one check-in pair (a few two: morning and afternoon) and a
ServiceRecord with the hours `volunteer.rules` gives for those pairs; a few signed up and did not
come (缺席), a few activities were cancelled. The state follows the end date: published (公示)
from about twelve days after the end — its hours count from `counts_from`, after the publicity
days —, reviewed in the week before, ended in the last days; the next fortnight's activities
are recruiting with part of their places taken.

Rows are drawn with a seeded generator, street by street, and written with the organisational
life's machinery (demo/synth_orglife.py): ids reserved first, binary COPY on PostgreSQL
(bulk_create on SQLite), and at the city's size the volunteer tables' secondary indexes, unique
constraints and foreign keys dropped for the load and made again after, then VACUUM ANALYZE.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import Counter
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from gongjian.core import audit
from gongjian.demo.synth_orglife import _Table, bulk_load
from gongjian.members.models import Person
from gongjian.orgs.choices import Sector
from gongjian.orgs.models import Organization
from gongjian.volunteer import rules
from gongjian.volunteer.models import (
    Activity,
    CheckIn,
    Eligibility,
    Evaluation,
    RecordTally,
    ServiceDays,
    ServiceRecord,
    Signup,
    SignupState,
    Speciality,
    State,
    Team,
    TeamMember,
    Volunteer,
    volunteer_number,
)
from gongjian.volunteer.services import rebuild_rollup

# Parents first: each table's rows point only at tables written before it.
TABLES = (Volunteer, Team, TeamMember, Activity, Signup, CheckIn, ServiceRecord)
STREETS_PER_BATCH = 5
# Above this many people in the subtree the indexes are dropped for the load and rebuilt.
REBUILD_ABOVE_PEOPLE = 50_000
VOLUNTEER_SHARE = 0.4
CLEANINGS_PER_STREET = 36
DAY = datetime.timedelta(days=1)

# --- vocabulary --------------------------------------------------------------------------------

TEAMS = [  # (name after the community's, speciality)
    ("党员先锋志愿服务队", Speciality.OTHER), ("助老助残志愿服务队", Speciality.ELDERLY),
    ("环境保护志愿服务队", Speciality.ENVIRONMENT), ("平安巡逻志愿服务队", Speciality.SAFETY),
    ("文明交通志愿服务队", Speciality.TRAFFIC), ("法律服务志愿服务队", Speciality.LAW),
    ("医疗健康志愿服务队", Speciality.HEALTH), ("四点半课堂志愿服务队", Speciality.EDUCATION),
    ("文体活动志愿服务队", Speciality.CULTURE), ("应急救援志愿服务队", Speciality.EMERGENCY),
]
ACTIVITIES = {  # speciality → (title, content)
    Speciality.ELDERLY: [("独居老人上门探访", "上门探望独居老人，测量血压，帮助打扫卫生。"),
                         ("爱心助餐送餐到户", "为行动不便的老人送餐到家，了解生活需求。"),
                         ("义务理发进社区", "为辖区老人、残疾人义务理发。")],
    Speciality.ENVIRONMENT: [("小区环境卫生大扫除", "清理楼道堆物、绿化带垃圾和小广告。"),
                             ("垃圾分类桶边督导", "在投放点指导居民分类投放，入户发放宣传单。"),
                             ("河道沿岸清洁行动", "清理河道沿岸垃圾，劝导不文明行为。")],
    Speciality.SAFETY: [("夜间平安巡逻", "分组巡查楼院、车棚，排查消防通道堵塞和安全隐患。"),
                        ("防范电信诈骗宣传", "在小区门口设点讲解常见诈骗手法，发放宣传材料。")],
    Speciality.TRAFFIC: [("文明交通劝导", "在路口劝导行人和非机动车遵守信号灯、不闯红灯。"),
                         ("护学岗值守", "上下学时段在校门口疏导交通，护送学生过马路。")],
    Speciality.LAW: [("法律咨询进社区", "律师志愿者现场解答婚姻家庭、劳动合同等法律问题。")],
    Speciality.HEALTH: [("义诊进社区", "测量血压血糖，讲解慢性病用药和饮食注意事项。"),
                        ("健康知识讲座", "讲解夏季常见病预防和急救常识。")],
    Speciality.EDUCATION: [("四点半课堂作业辅导", "为双职工家庭的孩子辅导作业，开展安全教育。"),
                           ("暑期青少年读书会", "组织社区青少年共读红色经典，分享读后感。")],
    Speciality.CULTURE: [("社区文艺汇演服务", "协助布置场地、维持秩序、引导观众入场。"),
                         ("全民健身日服务", "协助组织健步走和趣味运动会。")],
    Speciality.EMERGENCY: [("应急救护技能培训", "学习心肺复苏和止血包扎，开展应急演练。"),
                           ("汛期隐患排查", "排查低洼楼栋和地下车库的排水口，登记隐患。")],
    Speciality.OTHER: [("新时代文明实践志愿服务", "宣讲政策，收集居民意见，帮办代办服务事项。"),
                       ("便民服务集市", "义务维修小家电、磨刀、缝补，提供政策咨询。")],
}
CLEANING = ("全城清洁行动", "清扫背街小巷和楼院死角，清理小广告和卫生死角，劝导沿街商户落实"
                        "“门前三包”。")
PLACES = ["社区党群服务中心", "小区中心广场", "社区新时代文明实践站", "小区北门", "社区文化广场",
          "社区卫生服务站", "社区志愿服务站", "老年人日间照料中心"]
CLEANING_PLACES = ["辖区主次干道", "背街小巷", "老旧小区楼院", "农贸市场周边", "沿街商铺门前"]
# (start, minutes): morning, afternoon and evening services of usual lengths.
SLOTS = [(datetime.time(8, 30), 150), (datetime.time(9, 0), 120), (datetime.time(9, 0), 160),
         (datetime.time(9, 30), 90), (datetime.time(14, 30), 120), (datetime.time(15, 0), 180),
         (datetime.time(19, 0), 90), (datetime.time(8, 0), 240)]
EVALUATIONS = [Evaluation.EXCELLENT] + [Evaluation.GOOD] * 3 + [Evaluation.QUALIFIED]


@lru_cache(maxsize=4096)
def _hours(seconds: int) -> tuple[Decimal, Decimal]:
    """(raw, counted) of one day's pairs lasting `seconds` in all, by the rules."""
    start = datetime.datetime(2000, 1, 1, 8)
    raw, counted, _open = rules.record_hours(
        [(start.date(), start, start + datetime.timedelta(seconds=seconds))])
    return raw, counted


class _Street:
    def __init__(self, pk: int, path: str):
        self.pk, self.path = pk, path
        self.communities: dict[str, int] = {}  # path → pk
        self.people: list[tuple[int, str, str]] = []  # (person, name, community path or "")


def _load_streets(root) -> list[_Street]:
    """The streets under (or at) `root`, their communities, and the people of their registers
    who are not volunteers yet."""
    streets = {path: _Street(pk, path) for pk, path in Organization.objects.filter(
        path__startswith=root.path, sector=Sector.STREET, dissolved_on__isnull=True)
        .order_by("path").values_list("pk", "path")}
    widths = sorted({len(path) for path in streets})
    step = Organization.steplen

    def street_of(path):
        return next((streets[path[:w]] for w in widths if path[:w] in streets), None)

    for pk, path in (Organization.objects.filter(path__startswith=root.path,
                                                 sector=Sector.COMMUNITY,
                                                 dissolved_on__isnull=True)
                     .order_by("path").values_list("pk", "path")):
        if path[:-step] in streets:
            streets[path[:-step]].communities[path] = pk
    people = (Person.objects.filter(org__path__startswith=root.path)
              .exclude(volunteer__isnull=False).order_by("pk")
              .values_list("pk", "name", "org__path"))
    for pk, name, path in people.iterator(chunk_size=20_000):
        street = street_of(path)
        if street is None:
            continue
        community = path[:len(street.path) + step]
        street.people.append((pk, name, community if community in street.communities else ""))
    return [s for s in streets.values() if s.people]


class _Year:
    """Draws one street's volunteers, teams and year of service into the tables."""

    def __init__(self, today: datetime.date, rng: random.Random, tables: dict[str, _Table]):
        self.today, self.rng, self.t = today, rng, tables
        self.first = today - datetime.timedelta(days=364)
        offset = timezone.get_current_timezone().utcoffset(
            datetime.datetime.combine(today, datetime.time(12)))
        self.tz = datetime.timezone(offset)  # a fixed offset: cheap to attach to millions
        # "Now" is the end of `today` when the year is drawn for another day (tests).
        self.now = timezone.now() if today == timezone.localdate() else \
            datetime.datetime.combine(today, datetime.time(23, 59), self.tz)
        self.publicity = int(rules.setting("publicity_days"))
        self.tally: Counter = Counter()

    def at(self, day: datetime.date, clock: datetime.time, minutes: int = 0):
        return (datetime.datetime.combine(day, clock, self.tz)
                + datetime.timedelta(minutes=minutes))

    def street(self, street: _Street):
        rng = self.rng
        chosen = [p for p in street.people if rng.random() < VOLUNTEER_SHARE]
        if not chosen:
            return
        # Volunteers, homed in their community (the street for those working in its units).
        pool: dict[str, list[int]] = {}
        everyone: list[int] = []
        for person, name, community in chosen:
            org = street.communities.get(community, street.pk)
            registered = self.first - datetime.timedelta(days=rng.randint(0, 1500))
            table = self.t["volunteer"]
            vid = table.add(number=volunteer_number(table.next_id), person_id=person, name=name,
                            org_id=org, registered_on=registered)
            # The keen come often: three entries in the draw for one in five.
            weight = 3 if rng.random() < 0.2 else 1
            pool.setdefault(community or "", []).extend([vid] * weight)
            everyone.extend([vid] * weight)
        self.tally["volunteers"] += len(chosen)

        cleaning_team = self.team(street.pk, "城市清洁志愿服务队", Speciality.ENVIRONMENT,
                                  rng.sample(everyone, min(len(everyone), 40)))
        for community, org in street.communities.items():
            own = pool.get(community) or everyone
            teams = []
            names = rng.sample(TEAMS, rng.randint(3, 5))
            members = list(dict.fromkeys(own))
            rng.shuffle(members)
            share = max(1, len(members) // (len(names) + 1))
            for i, (name, speciality) in enumerate(names):
                teams.append((self.team(org, name, speciality,
                                        members[i * share:(i + 1) * share]), speciality))
            for _ in range(rng.randint(35, 65)):
                team, speciality = rng.choice(teams) if rng.random() < 0.75 else (
                    None, rng.choice(list(ACTIVITIES)))
                title, content = rng.choice(ACTIVITIES[speciality])
                size = rng.randint(8, 40)
                people = self.draw(own, everyone, size)
                self.activity(org, team, title, content, rng.choice(PLACES), people,
                              weekend=True)
        for n in range(CLEANINGS_PER_STREET):
            # About three a month, on Saturdays.
            day = self.first + datetime.timedelta(days=int(n * 364 / CLEANINGS_PER_STREET)
                                                  + rng.randint(0, 6))
            people = self.draw(everyone, everyone, rng.randint(60, 140))
            self.activity(street.pk, cleaning_team, CLEANING[0], CLEANING[1],
                          rng.choice(CLEANING_PLACES), people, day=day)
            self.tally["cleanings"] += 1

    def draw(self, own: list[int], everyone: list[int], size: int) -> list[int]:
        """`size` distinct volunteers, four in five from `own`."""
        rng = self.rng
        picks = rng.choices(own, k=int(size * 0.8) + 2) + rng.choices(everyone, k=size // 5 + 2)
        return list(dict.fromkeys(picks))[:size]

    def team(self, org: int, name: str, speciality: str, members: list[int]) -> int:
        rng = self.rng
        members = list(dict.fromkeys(members))
        founded = self.first - datetime.timedelta(days=rng.randint(30, 2000))
        team = self.t["team"].add(name=name, org_id=org, speciality=speciality,
                                  leader_id=members[0] if members else None,
                                  description=f"{name}，常年开展志愿服务。", founded_on=founded,
                                  created_at=self.at(founded, datetime.time(10)))
        for vid in members:
            self.t["member"].add(team_id=team, volunteer_id=vid,
                                 joined_on=founded + datetime.timedelta(days=rng.randint(0, 300)))
        self.tally["teams"] += 1
        self.tally["team_members"] += len(members)
        return team

    def activity(self, org, team, title, content, place, people, *, weekend=False, day=None):
        rng, today = self.rng, self.today
        if day is None:
            day = self.first + datetime.timedelta(days=rng.randint(0, 378))  # two weeks ahead
            if weekend and day.weekday() < 5 and rng.random() < 0.6:
                day += datetime.timedelta(days=5 - day.weekday())
        clock, minutes = rng.choice(SLOTS)
        starts, ends = self.at(day, clock), self.at(day, clock, minutes)
        if starts <= self.now < ends:  # under way right now: held a week earlier instead
            day -= 7 * DAY
            starts, ends = self.at(day, clock), self.at(day, clock, minutes)
        places = len(people) + rng.randint(0, 10)
        fields: dict[str, Any] = {
            "org_id": org, "team_id": team, "title": title, "content": content, "place": place,
            "starts_at": starts, "ends_at": ends, "signup_deadline": starts - DAY,
            "places": places, "eligibility": Eligibility.ANYONE,
            "beneficiaries_expected": places * rng.randint(1, 4),
            "created_at": starts - datetime.timedelta(days=rng.randint(7, 20))}
        if starts > self.now:
            taken = people[:rng.randint(0, len(people))]
            activity = self.t["activity"].add(**fields, state=State.RECRUITING)
            for vid in taken:
                self.t["signup"].add(activity_id=activity, volunteer_id=vid,
                                     state=SignupState.ACCEPTED,
                                     created_at=min(self.now, starts - datetime.timedelta(
                                         days=rng.randint(1, 6))))
            self.tally["recruiting"] += 1
            return
        if rng.random() < 0.01:
            activity = self.t["activity"].add(**fields, state=State.CANCELLED,
                                              cancel_reason="天气原因，活动取消")
            for vid in people:
                self.t["signup"].add(activity_id=activity, volunteer_id=vid,
                                     state=SignupState.CANCELLED,
                                     created_at=starts - datetime.timedelta(days=2))
            self.tally["cancelled"] += 1
            return
        end_day = ends.date()
        age = (today - end_day).days
        counts_from = None
        if age >= 12:
            state = State.PUBLISHED
            published = end_day + datetime.timedelta(days=rng.randint(3, 8))
            counts_from = published + datetime.timedelta(days=self.publicity)
            fields.update(publicity_days=self.publicity, publicised_on=published,
                          counts_from=counts_from)
        elif age >= 5:
            state = State.REVIEWED
        else:
            state = State.ENDED
        if state != State.ENDED:
            served = places * rng.randint(1, 5)
            fields.update(beneficiaries_served=served,
                          reviewed_at=self.at(end_day + DAY * min(age, 3), datetime.time(17)))
        activity = self.t["activity"].add(**fields, state=state)
        absent = {vid for vid in people if rng.random() < 0.04}
        came = [vid for vid in people if vid not in absent]
        for vid in sorted(absent):
            self.t["signup"].add(activity_id=activity, volunteer_id=vid,
                                 state=SignupState.ABSENT,
                                 created_at=starts - datetime.timedelta(days=rng.randint(1, 6)))
        for vid in came:
            signup = self.t["signup"].add(activity_id=activity, volunteer_id=vid,
                                          state=SignupState.ACCEPTED,
                                          created_at=starts - datetime.timedelta(
                                              days=rng.randint(1, 6)))
            in_at = starts + datetime.timedelta(minutes=rng.randint(-10, 10))
            if minutes >= 180 and rng.random() < 0.1:  # a break at noon: two pairs
                half = minutes // 2
                pairs = [(in_at, starts + datetime.timedelta(minutes=half - 15)),
                         (starts + datetime.timedelta(minutes=half + 15),
                          ends + datetime.timedelta(minutes=rng.randint(-5, 10)))]
            else:
                pairs = [(in_at, ends + datetime.timedelta(minutes=rng.randint(-10, 15)))]
            for pin, pout in pairs:
                self.t["checkin"].add(activity_id=activity, signup_id=signup, volunteer_id=vid,
                                      day=day, in_at=pin, out_at=pout)
            raw, counted = _hours(sum(int((b - a).total_seconds()) for a, b in pairs))
            self.t["record"].add(activity_id=activity, volunteer_id=vid, org_id=org, date=day,
                                 counts_from=counts_from, raw_hours=raw,
                                 computed_hours=counted, hours=counted,
                                 evaluation=rng.choice(EVALUATIONS) if state != State.ENDED
                                 else "", created_at=ends)
        self.tally[state] += 1


# --- building ----------------------------------------------------------------------------------

def volunteer_present(root) -> bool:
    return ServiceRecord.objects.filter(org__path__startswith=root.path).exists()


def table_sizes() -> dict[str, str]:
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        sizes = {}
        for model in TABLES:
            name = model._meta.db_table
            cursor.execute("SELECT pg_size_pretty(pg_total_relation_size(%s))", [name])
            sizes[name] = cursor.fetchone()[0]
        return sizes


def build_volunteer(root, *, seed: int = 2026, today: datetime.date | None = None,
                    rebuild_indexes: bool | None = None, log=print) -> dict[str, Any]:
    """Write a year of volunteer service for the streets under `root` (see the module's
    docstring); returns counts, step timings and (PostgreSQL) table sizes."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    rng = random.Random(f"{seed}:{root.code}:volunteer")
    postgres = connection.vendor == "postgresql"
    timings: Counter = Counter()

    def clock(step, mark):
        now = time.perf_counter()
        timings[step] += now - mark
        return now

    streets = _load_streets(root)
    if not streets:
        raise ValueError(f"{root.name} 下还没有人员，无法生成志愿服务。")
    people = sum(len(s.people) for s in streets)
    if rebuild_indexes is None:
        rebuild_indexes = postgres and people > REBUILD_ABOVE_PEOPLE
    mark = clock("load_s", started)
    tables = {name: _Table(model, postgres) for name, model in (
        ("volunteer", Volunteer), ("team", Team), ("member", TeamMember),
        ("activity", Activity), ("signup", Signup), ("checkin", CheckIn),
        ("record", ServiceRecord))}
    year = _Year(today, rng, tables)
    order = list(tables.values())
    with transaction.atomic(), audit.acting_as(suppress=True), connection.cursor() as cursor:
        def progress(done):
            if done % 20 < STREETS_PER_BATCH or done == len(streets):
                log(f"  {done:,} / {len(streets):,} streets: "
                    f"{tables['activity'].written:,} activities, "
                    f"{tables['checkin'].written:,} check-ins "
                    f"({time.perf_counter() - started:.1f}s)")

        mark = bulk_load(cursor, order, streets, year.street, postgres=postgres,
                         rebuild_indexes=rebuild_indexes, per_batch=STREETS_PER_BATCH,
                         clock=clock, mark=mark, progress=progress, log=log,
                         work_mem="512MB")
    mark = clock("commit_s", mark)
    # The figures read the rollup of the records (set-based on PostgreSQL).
    rebuild_rollup()
    mark = clock("rollup_s", mark)
    if postgres:
        verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            for model in (*TABLES, RecordTally, ServiceDays):
                cursor.execute(f'{verb} "{model._meta.db_table}"')
        clock("vacuum_analyze_s", mark)
    tally = year.tally
    return {
        "streets": len(streets), "people": people, "volunteers": tables["volunteer"].written,
        "teams": tables["team"].written, "team_members": tables["member"].written,
        "activities": tables["activity"].written, "cleanings": tally["cleanings"],
        "published": tally[State.PUBLISHED], "reviewed": tally[State.REVIEWED],
        "ended": tally[State.ENDED], "recruiting": tally["recruiting"],
        "cancelled": tally["cancelled"], "signups": tables["signup"].written,
        "checkins": tables["checkin"].written, "records": tables["record"].written,
        "today": today.isoformat(), "rebuilt_indexes": bool(rebuild_indexes),
        "timings": {step: round(seconds, 1) for step, seconds in timings.items()},
        "sizes": table_sizes(),
        "seconds": round(time.perf_counter() - started, 1),
    }
