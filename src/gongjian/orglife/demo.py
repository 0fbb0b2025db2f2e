"""Demo organisational life of the four streets: this year from January up to today, held
and recorded, the rest of this month planned, and last December's 组织生活会 and 民主评议党员
(last year's grades).

Every active branch with members due holds what RULES §1/§9 ask (三会一课, the monthly 主题党日
“4+X” of seed 002 with the branch's own X — 陇海马路's communities take their 党建品牌 —, 组织生活会
and 民主评议党员 in December or, for some, already in late November, a 谈心谈话
once a year, a 支委会 monthly where the branch has a committee, a 党小组会 monthly where it
is divided into party groups — 21 of the demo's 86 branches), with each due member's
attendance, a make-up study (补学) for everyone absent — most confirmed, a few still open —
votes now and then at the 党员大会, and 民主评议 grades (优秀 at most a third of those graded,
probationary members ungraded).

Most branches are fully compliant. A few are not, so that the street's compliance page has
something to show (the light is a prompt to help, never a ranking):

- YELLOW: no 党小组会 in the summer months (no 主题党日 then, for a branch without party
  groups), no 主题党日 in the Spring Festival month and no 党课 in the third quarter;
- RED: a 党员大会 every quarter (only in the second half, for a branch without party groups)
  but 主题党日 and 党小组会 only now and then;
- HOLLOW: a branch that stopped meeting for the two last whole quarters (seed 001 dissolved
  five such 空壳党支部) and was helped back by the street in the quarter after;
- DEMO_BRANCH (the demo branch secretary's, `zhibu`): compliant, with this month's 主题党日
  still planned and one make-up study waiting for confirmation (the demo member's).

Rows are written with bulk_create; a sample of each model is validated with full_clean().
Branches without anyone due (no members, or only lost-contact ones) hold nothing: there is
nobody to hold it.
"""

from __future__ import annotations

import calendar
import datetime
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from gongjian.core.models import RoleGrant, User
from gongjian.core.workflow import build_event
from gongjian.members.choices import Category, Post, StaffRole, Standing
from gongjian.members.models import Membership, StaffAssignment, TeamSeat
from gongjian.orgs.choices import OrgKind, Sector
from gongjian.orgs.models import Organization

from . import rollup, rules
from .models import (
    ATTENDING,
    Appraisal,
    Attendance,
    Grade,
    MakeUp,
    MakeUpState,
    Meeting,
    MeetingEvent,
    Presence,
    State,
    Vote,
)
from .rules import BRANCH_KINDS, NOT_DUE

D = datetime.date
DAY = datetime.timedelta(days=1)
STREETS = ("XZ-JSQ", "XM-JS", "ZZ-LHML", "CC-HZ")
# Our own generator, so that the capabilities built after this one get the same data as before.
SEED = 2026_40

DEMO_BRANCH = "CC-HZ-01-01"
HOLLOW = "XZ-JSQ-13"  # 徐州金桥物业服务有限公司党支部
RED = ("ZZ-LHML-F05", "CC-HZ-F04")
YELLOW = ("XM-JS-F08", "ZZ-LHML-06-02", "XZ-JSQ-08-01", "CC-HZ-02-02", "XM-JS-04-02",
          "ZZ-LHML-JG")

# What the yellow and red branches left out (months of this year, once the month is over).
# A branch without party groups holds no 党小组会, so its gaps fall on other kinds.
YELLOW_SKIPS = {("group", 7), ("group", 8), ("theme_day", 2), ("lecture", 9)}
YELLOW_SKIPS_WITHOUT_GROUPS = {("theme_day", 2), ("theme_day", 7), ("theme_day", 8),
                               ("lecture", 9)}
RED_THEME_MONTHS = {1, 3, 6, 7, 9, 10}
RED_GROUP_MONTHS = {3, 6, 9, 11}
RED_LECTURE_MONTHS = {3, 9}
RED_CONGRESS_MONTHS_WITHOUT_GROUPS = {9, 12}

# When each kind is held: a day range in the month (党员大会 at the quarter's end, 党课 in
# the quarter's last month but one in the fourth quarter, before the December meetings).
LECTURE_MONTHS = {3, 6, 9, 11}
CONGRESS_MONTHS = {3, 6, 9, 12}
START = {"committee": datetime.time(9, 30), "group": datetime.time(19, 0),
         "theme_day": datetime.time(9, 0), "party_congress": datetime.time(14, 30),
         "lecture": datetime.time(15, 0), "life_meeting": datetime.time(9, 0),
         "appraisal": datetime.time(14, 30), "talk": datetime.time(10, 0)}
WORKPLACE_START = {"group": datetime.time(16, 30), "theme_day": datetime.time(15, 0)}

# ---- texts ---------------------------------------------------------------------------------

# 集中学习 of the month's 主题党日 and 党小组会.
STUDY = {
    1: "学习《中国共产党章程》总纲",
    2: "学习《中国共产党支部工作条例（试行）》",
    3: "学习全国两会精神",
    4: "开展全民国家安全教育日学习",
    5: "学习习近平总书记关于青年工作的重要论述",
    6: "学习《中国共产党纪律处分条例》",
    7: "学习党史，重温党的光辉历程",
    8: "学习《整治形式主义为基层减负若干规定》",
    9: "学习伟大抗战精神",
    10: "学习贯彻党的二十届四中全会精神",
    11: "学习《中国共产党党员教育管理工作条例》",
    12: "学习宪法，开展国家宪法日学习",
}
# 过组织生活 of the month.
LIFE = {1: "交纳党费，通报上年度党费收缴情况", 2: "党员谈新年学习打算",
        3: "为本月入党的党员过政治生日", 4: "交纳党费，党员交流学习体会",
        5: "通报支部近期工作", 6: "党员过政治生日", 7: "重温入党誓词",
        8: "交纳党费，通报党费收缴情况", 9: "党员交流学习体会", 10: "为本月入党的党员过政治生日",
        11: "通报支部全年工作进展", 12: "交纳党费，通报全年党费收缴情况"}
# 民主议事 (topic, what was agreed): residents' branches and workplace branches.
AFFAIRS_RESIDENTS = [
    ("小区电动车集中充电棚选址", "在3号楼东侧空地建设充电棚，方案报社区审核后实施。"),
    ("老旧楼院加装电梯意见征集", "党员分楼栋入户征求意见，两周内汇总报社区。"),
    ("楼道堆物清理方案", "本月底前组织党员志愿者集中清理，清理前张贴通知。"),
    ("小区停车位划线与管理", "请物业按居民议定方案划线，党员带头规范停车。"),
    ("垃圾分类投放点调整", "投放点移至小区北门，设定时定点督导岗。"),
    ("物业服务费使用情况公示", "请物业每季度在公示栏公示收支，支部跟踪监督。"),
    ("小区绿地补种与认养", "组织党员家庭认养绿地，补种由物业负责。"),
    ("困难群众节日走访名单", "确定走访困难家庭名单，党员分组结对走访。"),
    ("汛期排水设施排查", "对地下车库、低洼楼栋排水口逐一排查并登记。"),
    ("冬季供暖问题收集", "汇总供暖不热的楼栋，反映给供热公司并跟踪解决。"),
    ("楼道照明维修", "统计损坏灯具，协调物业一周内修复。"),
    ("小区健身器材更新", "向社区申报更新健身器材，征求居民意见确定位置。"),
]
AFFAIRS_WORKPLACE = [
    ("党员先锋岗设置", "在一线岗位设立党员先锋岗，挂牌上岗。"),
    ("党费使用计划", "党费主要用于困难党员慰问和党员教育，报上级党组织备案。"),
    ("与社区结对共建项目", "与所在社区签订结对共建清单，每季度开展一次共建活动。"),
    ("职工合理化建议征集", "汇总职工合理化建议，提交单位研究。"),
    ("困难职工帮扶名单", "确定帮扶对象，党员一对一结对。"),
    ("在职党员到社区报到安排", "在职党员本季度到居住地社区报到并参加志愿服务。"),
    ("安全生产隐患排查", "党员带头开展岗位隐患排查，登记整改。"),
    ("党员学习阵地建设", "利用会议室设立党员学习角，配备学习资料。"),
]
# 志愿服务 of the month; cold cities clear snow in winter.
SERVICE = {1: "走访慰问困难党员和独居老人", 2: "春节期间小区安全巡查",
           3: "学雷锋志愿服务，义务理发、维修小家电", 4: "小区绿化补植与环境清洁",
           5: "垃圾分类入户宣传", 6: "防范电信诈骗宣传", 7: "汛期值守与积水点排查",
           8: "为环卫工人送清凉", 9: "文明交通劝导", 10: "重阳节敬老助老服务",
           11: "消防安全宣传与楼道隐患排查", 12: "关爱独居老人上门送温暖"}
SNOW = {1: "扫雪除冰，清理小区主干道", 12: "扫雪除冰，清理楼前通道"}
COLD_STREETS = ("CC-HZ", "XZ-JSQ", "ZZ-LHML")
SERVICE_WORKPLACE = "党员到结对社区开展志愿服务（{}）"

# The branch's own X: 陇海马路's communities take their 党建品牌 (seed 002).
X_BY_COMMUNITY = {
    "ZZ-LHML-01": "平安巡逻（平安示范型）", "ZZ-LHML-02": "传统文化讲堂",
    "ZZ-LHML-03": "五盟共建惠民服务", "ZZ-LHML-04": "民族团结一家亲",
    "ZZ-LHML-05": "绿苑环保行动", "ZZ-LHML-06": "楼宇党建联谊",
    "ZZ-LHML-07": "大爱夕阳助老服务", "ZZ-LHML-08": "环境卫生联治",
    "ZZ-LHML-09": "康乐疗工志愿服务",
}
X_BY_STREET = {
    "XZ-JSQ": ["红盟同心共建联学", "一刻钟服务圈走访", "流动党员线上联学", "红色观影"],
    "XM-JS": ["学雷锋志愿服务", "小区治理议事会", "党员义工进楼道", "红色观影"],
    "ZZ-LHML": ["政策宣讲进楼院", "党员亮身份", "红色观影"],
    "CC-HZ": ["红驿舫志愿服务", "一格五员联合走访", "党员亮身份", "红色观影"],
}
X_WORKPLACE = ["党员先锋岗亮身份", "红色观影", "业务知识学习分享", "结对共建联学"]

LECTURES = ["以党的创新理论凝心铸魂", "牢记初心使命，做新时代合格党员", "从党史中汲取奋进力量",
            "严守纪律规矩，永葆清廉本色", "践行群众路线，把服务做到居民心坎上",
            "弘扬伟大建党精神", "发挥党支部战斗堡垒作用", "学习贯彻党的二十届四中全会精神"]
# The secretary's own 党课 (at least one a year, 条例第十六条), before 七一.
SECRETARY_LECTURE_MONTH = 6

CONGRESS = {
    1: ("第一季度支部党员大会", "一、传达学习上级党组织年度工作部署\n二、审议支部年度工作计划\n"
                          "三、通报党费收缴情况", "审议支部年度工作计划"),
    2: ("第二季度支部党员大会", "一、学习《中国共产党章程》\n二、推荐“七一”表彰人选\n"
                          "三、通报上半年支部工作", "推荐“七一”优秀共产党员人选"),
    3: ("第三季度支部党员大会", "一、通报第三季度支部工作\n二、讨论结对帮扶困难群众方案\n"
                          "三、通报党费收缴情况", "审议支部结对帮扶困难群众方案"),
    4: ("第四季度支部党员大会", "一、通报支部全年工作\n二、审议支部年度工作总结\n"
                          "三、部署组织生活会和民主评议党员工作", "审议支部年度工作总结"),
}
COMMITTEE_TOPICS = "一、研究本月主题党日安排\n二、分析党员思想动态\n三、研究困难党员、困难群众慰问"
ELECTION = "选举出席街道党员代表会议代表"

REASONS = {
    Presence.SICK: ["住院治疗", "腰椎手术后康复", "感冒发烧", "慢性病复查", "腿脚不便，行动困难"],
    Presence.PERSONAL: ["照顾住院的老人", "照顾生病的孩子", "外出探亲", "家中有急事",
                        "陪老人看病"],
    Presence.OFFICIAL: ["出差", "单位加班值守", "参加区里培训", "防汛值班", "单位安排外出学习"],
    Presence.ABSENT: ["未请假", "联系不上，事后说明忘记时间"],
}
MOBILE_REASON = "外出务工，在流入地参加学习"
DEMO_AWAY = "单位安排出差，已请假"
MAKEUP_CONTENT = ["自学会议学习材料，提交学习心得", "由党小组长上门传达会议精神",
                  "观看会议录像，学习会议记录", "参加线上学习并交流学习体会"]


# ---- the plan ---------------------------------------------------------------------------

@dataclass
class Branch:
    org: Organization
    street: str
    community: str  # what the place is called: "博览社区", "徐州金桥物业服务有限公司"
    workplace: bool
    profile: str  # green | yellow | red | hollow | demo
    user: User | None
    due: list[Membership]
    committee: set[int]  # person ids of the current committee
    groups: list[Organization]
    secretary: Membership | None = None
    recorder: Membership | None = None
    theme_day: int = 15
    x_item: str = ""
    lecturers: list[str] = field(default_factory=list)
    observers: str = ""
    early_year_end: bool = False  # this year's 组织生活会 and 民主评议 already held in November
    talk_month: int = 6
    quiet_group_month: int | None = None


def _last_day(year, month):
    return calendar.monthrange(year, month)[1]


def _day(year, month, day):
    return D(year, month, min(day, _last_day(year, month)))


def _months(start, end):
    """(year, month) from `start`'s month to `end`'s month."""
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def _quarter(month):
    return (month - 1) // 3 + 1


def _silent_months(today):
    """The months of the last two whole quarters before today's (the hollow branch's silence):
    from last year's fourth quarter on, so the demo shows it whatever the date."""
    start = D(today.year - 1, 10, 1)
    quarters = []
    for y, m in _months(start, today):
        q = (y, _quarter(m))
        last = _day(y, _quarter(m) * 3, 31)
        if last < today and q not in quarters:
            quarters.append(q)
    chosen = quarters[-2:]
    return {(y, m) for y, q in chosen for m in range(3 * q - 2, 3 * q + 1)}


class _Demo:
    def __init__(self, builder):
        self.builder = builder
        self.rng = random.Random(SEED)
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.start = D(self.today.year, 1, 1)
        self.silent = _silent_months(self.today)
        self.meetings: list[Meeting] = []
        # meeting index → [(membership, presence, reason)]
        self.attendance: dict[int, list[tuple[Membership, str, str]]] = {}
        self.votes: dict[int, list[dict]] = defaultdict(list)
        self.grades: dict[int, list[tuple[Membership, str]]] = {}
        self.branch_of: list[Branch] = []
        self.open_ok: dict[int, bool] = {}

    # -- who and where --

    def branches(self) -> list[Branch]:
        orgs = [o for code, o in sorted(self.builder.orgs.items())
                if _street(code) and o.kind in BRANCH_KINDS and o.is_active]
        by_path = {o.path: o for o in self.builder.orgs.values()}
        paths = [o.path for o in orgs]
        subtree = Q()
        for path in paths:
            subtree |= Q(org__path__startswith=path)
        memberships = defaultdict(list)
        rows = (Membership.objects.filter(subtree, active=True,
                                          category__in=(Category.FULL, Category.PROBATIONARY))
                .exclude(standing__in=NOT_DUE).select_related("person", "org")
                .order_by("joined_on", "id"))
        for m in rows:
            branch_path = next(p for p in paths if m.org.path.startswith(p))
            memberships[branch_path].append(m)
        seats = defaultdict(dict)
        for seat in TeamSeat.objects.filter(
                team__org__in=orgs, team__ended_on__isnull=True, ended_on__isnull=True,
                team__elected_on__lte=self.start).select_related("team"):
            seats[seat.team.org_id][seat.person_id] = seat.post
        groups = defaultdict(list)
        for org in self.builder.orgs.values():
            if org.kind == OrgKind.GROUP and org.is_active:
                groups[org.path[:-Organization.steplen]].append(org)
        community_secretaries = {
            s.team.org.path: s.person.name for s in TeamSeat.objects.filter(
                post=Post.SECRETARY, team__ended_on__isnull=True, ended_on__isnull=True)
            .select_related("team__org", "person")}
        instructors, social_workers = {}, {}
        for s in StaffAssignment.objects.filter(
                role__in=(StaffRole.INSTRUCTOR, StaffRole.SOCIAL_WORKER),
                ended_on__isnull=True).select_related("unit", "person", "org"):
            if s.role == StaffRole.INSTRUCTOR and s.unit_id and s.unit.party_org_id:
                instructors[s.unit.party_org_id] = s.person.name
            elif s.role == StaffRole.SOCIAL_WORKER:
                social_workers[s.org.path] = s.person.name
        staff = {}
        for grant in RoleGrant.objects.filter(
                role__in=("branch_committee", "community_staff", "street_staff"),
                org__isnull=False).select_related("user", "org").order_by("id"):
            staff.setdefault(grant.org.path, grant.user)
        result = []
        greens = 0
        for org in orgs:
            due = memberships[org.path]
            if not due:
                continue
            street = _street(org.code)
            parent = by_path.get(org.path[:-Organization.steplen])
            workplace = org.sector not in (Sector.RESIDENTIAL, Sector.COMMUNITY, Sector.PROJECT)
            # Residents' branches meet at their community's 党群服务中心, workplaces at work.
            if not workplace and parent is not None and parent.depth > 1:
                place_name = _short(parent.name)
            elif "机关" in org.name or "联合" in org.name or "流动" in org.name:
                place_name = _short(self.builder.orgs[street].name)
            else:
                place_name = _short(org.name)
            profile = ("demo" if org.code == DEMO_BRANCH else "hollow" if org.code == HOLLOW
                       else "red" if org.code in RED else "yellow" if org.code in YELLOW
                       else "green")
            user = next((staff[p] for p in _ancestors(org.path) if p in staff), None)
            branch = Branch(org=org, street=street, community=place_name, workplace=workplace,
                            profile=profile, user=user, due=due,
                            committee=set(seats.get(org.pk, {})),
                            groups=sorted(groups.get(org.path, []), key=lambda g: g.code))
            secretary_id = next((p for p, post in seats.get(org.pk, {}).items()
                                 if post == Post.SECRETARY), None)
            full = [m for m in due if m.category == Category.FULL
                    and m.standing == Standing.NORMAL and m.joined_on <= self.start]
            branch.secretary = next((m for m in due if m.person_id == secretary_id), None) \
                or (full[0] if full else due[0])
            others = [m for m in full if m != branch.secretary]
            branch.recorder = others[-1] if others else branch.secretary
            branch.theme_day = self.rng.choice((5, 8, 10, 15, 18, 20, 25))
            if profile == "demo":
                branch.theme_day = 18
            community = next((X_BY_COMMUNITY[c] for c in X_BY_COMMUNITY
                              if org.code.startswith(c)), None)
            branch.x_item = community or self.rng.choice(
                X_WORKPLACE if workplace else X_BY_STREET[street])
            community_secretary = next((community_secretaries[p] for p in _ancestors(org.path)
                                        if p in community_secretaries and p != org.path), None)
            instructor = instructors.get(org.pk)
            social_worker = next((social_workers[p] for p in _ancestors(org.path)
                                  if p in social_workers), None)
            if community_secretary:
                branch.lecturers.append(f"{community_secretary}（社区党组织书记）")
            if social_worker:
                branch.lecturers.append(f"{social_worker}（社区党建社工）")
            if instructor:
                branch.lecturers.append(f"{instructor}（党建指导员）")
                branch.observers = f"{instructor}（街道党建指导员）"
            branch.talk_month = self.rng.choice((4, 5, 6, 8, 10))
            if profile == "green":
                greens += 1
                branch.early_year_end = greens % 3 == 0
                branch.quiet_group_month = 8 if greens % 4 == 1 else None
            result.append(branch)
        return result

    # -- the calendar --

    def schedule(self, b: Branch):
        """(kind, date, note) of the branch's meetings from January to this month's end, and
        last December's 组织生活会 and 民主评议 (last year's grades)."""
        today, rng = self.today, self.rng
        this_year = today.year
        last_december = _day(this_year - 1, 12, rng.randint(15, 22))
        items = [("life_meeting", last_december), ("appraisal", last_december)]
        for y, m in _months(self.start, today):
            def at(lo, hi, y=y, m=m):
                return _day(y, m, rng.randint(lo, hi))
            if b.committee:
                items.append(("committee", at(2, 6)))
            group_day = at(8, 14)  # drawn either way: the other draws stay as they were
            if b.groups:  # only a branch divided into party groups holds 党小组会 (第十三条)
                items.append(("group", group_day))
            theme = _day(y, m, b.theme_day)
            if b.profile == "demo" and (y, m) == (today.year, today.month) \
                    and today.day < _last_day(y, m):
                theme = max(theme, today + DAY)  # this month's 主题党日 is still to come
            items.append(("theme_day", theme))
            if m in CONGRESS_MONTHS:
                items.append(("party_congress", at(20, 26)))
            if m in LECTURE_MONTHS:
                items.append(("lecture", at(16, 24) if m != 11 else at(10, 16)))
            if m == b.talk_month:
                items.append(("talk", at(10, 20)))
            if m == 12 and not b.early_year_end:
                day = at(15, 22)
                items += [("life_meeting", day), ("appraisal", day)]
            if m == 11 and b.early_year_end:
                day = at(20, 27)
                items += [("life_meeting", day), ("appraisal", day)]
        rectify = None
        if b.profile == "hollow":
            # The street found the silence and helped the branch meet again the month after.
            after = [(y, m) for y, m in _months(self.start, today)
                     if (y, m) > max(self.silent, default=(0, 0))]
            if after and _day(*after[0], 14) <= today:
                rectify = after[0]
        kept = []
        for kind, date in items:
            this_month = (date.year, date.month) == (today.year, today.month)
            if (date.year, date.month) == rectify and not this_month:
                continue
            if this_month or self.keeps(b, kind, date):
                kept.append((kind, date, ""))
        if rectify:
            kept.append(("party_congress", _day(*rectify, 14), "rectify"))
        return sorted(kept, key=lambda item: (item[1], item[0]))

    def keeps(self, b: Branch, kind: str, date: datetime.date) -> bool:
        """Whether the branch held a meeting its calendar asked for (this year's records of
        the yellow, red and hollow branches have gaps; last year's fourth quarter is full)."""
        m = date.month
        if b.profile == "hollow" and (date.year, m) in self.silent:
            return False
        if date.year < self.today.year:
            return True
        if b.profile == "hollow":  # slipping already before it stopped
            return kind in ("theme_day", "party_congress") or (kind == "group" and m == 1)
        if b.profile == "yellow":
            return (kind, m) not in (YELLOW_SKIPS if b.groups else YELLOW_SKIPS_WITHOUT_GROUPS)
        if b.profile == "red":
            if kind == "theme_day":
                return m in RED_THEME_MONTHS
            if kind == "group":
                return m in RED_GROUP_MONTHS
            if kind == "lecture":
                return m in RED_LECTURE_MONTHS
            if kind == "party_congress" and not b.groups:
                return m in RED_CONGRESS_MONTHS_WITHOUT_GROUPS
            return kind != "talk"
        if b.profile == "green" and kind == "group" and m == b.quiet_group_month:
            return False
        return True

    # -- the meetings --

    def meeting(self, b: Branch, kind: str, date: datetime.date, note: str):
        held = date <= self.today
        y, m, q = date.year, date.month, _quarter(date.month)
        place = self.place(b, kind)
        host = b.secretary
        meeting = Meeting(org=b.org, kind=kind, date=date, place=place,
                          state=State.HELD if held else State.PLANNED,
                          start_time=(WORKPLACE_START.get(kind) if b.workplace else None)
                          or START[kind],
                          host=host.person, recorder=b.recorder.person, created_by=b.user)
        due = [ms for ms in b.due if ms.joined_on <= date]
        if kind == "committee":
            due = [ms for ms in due if ms.person_id in b.committee]
        affairs = AFFAIRS_WORKPLACE if b.workplace else AFFAIRS_RESIDENTS
        affair, agreed = affairs[(m + b.org.pk) % len(affairs)]
        if kind == "theme_day":
            service = SERVICE[m]
            if m in SNOW and b.street in COLD_STREETS:
                service = SNOW[m]
            if b.workplace:
                service = SERVICE_WORKPLACE.format(service)
            meeting.title = f"{m}月主题党日：{STUDY[m].removeprefix('开展')}"
            meeting.x_item = b.x_item
            meeting.topics = (f"一、集中学习：{STUDY[m]}\n二、过组织生活：{LIFE[m]}\n"
                              f"三、民主议事：{affair}\n四、志愿服务：{service}\n"
                              f"X、{b.x_item}")
            minutes = (f"{host.person.name}主持。一、集中学习：{STUDY[m]}，党员轮流领学并交流体会。"
                       f"二、过组织生活：{LIFE[m]}。三、民主议事：围绕{affair}听取党员和群众意见，"
                       f"提出建议{self.rng.randint(3, 9)}条。四、志愿服务：{service}。"
                       f"自选动作：{b.x_item}。")
            resolutions = f"1. {agreed}\n2. 下月主题党日按计划开展。"
        elif kind == "group":
            group = b.groups[m % len(b.groups)] if b.groups else None
            meeting.group = group
            meeting.title = f"{m}月党小组会" + (f"（{group.name}）" if group else "")
            meeting.topics = f"一、{STUDY[m]}\n二、交流学习体会\n三、收集党员群众意见建议"
            minutes = (f"党小组长主持。组织党员{STUDY[m]}，{self.rng.randint(2, 5)}名党员发言交流"
                       f"学习体会；收集到群众反映的{affair}等意见，汇总报支部。")
            resolutions = "将收集的意见建议报支部委员会研究。"
        elif kind == "committee":
            meeting.title = f"{m}月支部委员会会议"
            meeting.topics = COMMITTEE_TOPICS
            minutes = (f"{host.person.name}主持。研究确定本月主题党日安排；分析党员思想动态；"
                       f"研究{affair}，提请党员大会或主题党日民主议事。")
            resolutions = f"1. 本月主题党日定于{b.theme_day}日召开。\n2. {agreed}"
        elif kind == "party_congress":
            name, topics, _subject = CONGRESS[q]
            if note == "rectify":
                meeting.title = "支部党员大会（整顿恢复组织生活）"
                meeting.topics = ("一、通报支部组织生活停顿的情况和原因\n二、开展批评和自我批评\n"
                                  "三、制定恢复组织生活的计划")
                minutes = ("街道党工委发现支部连续两个季度未开展组织生活，派人指导支部召开党员大会。"
                           "与会党员分析了原因（企业生产任务重、支部书记工作调动后无人牵头），"
                           "逐一作了批评和自我批评，明确此后按月开展主题党日和党小组会。")
                resolutions = "1. 恢复每月主题党日。\n2. 支部书记每月向社区党组织报告组织生活开展情况。"
                meeting.observers = "\n".join(
                    ["街道党工委组织委员", "街道党建办工作人员"] + ([b.observers] if b.observers else []))
            else:
                meeting.title = name
                meeting.topics = topics
                minutes = (f"{host.person.name}主持。会议按议题逐项进行，与会党员充分讨论，"
                           f"形成决议。")
                resolutions = f"1. {topics.splitlines()[1][2:]}。\n2. {agreed}"
                if b.observers and self.rng.random() < 0.5:
                    meeting.observers = b.observers
        elif kind == "lecture":
            own = m == SECRETARY_LECTURE_MONTH or not b.lecturers
            topic = LECTURES[(q + y + b.org.pk) % len(LECTURES)]
            if own:
                meeting.lecturer = f"{host.person.name}（支部书记）"
                meeting.title = f"书记讲党课：{topic}"
            else:
                meeting.lecturer = b.lecturers[(q + b.org.pk) % len(b.lecturers)]
                meeting.title = f"党课：{topic}"
            meeting.topics = f"专题党课：{topic}"
            minutes = (f"{meeting.lecturer.split('（')[0]}以“{topic}”为题讲授党课，"
                       f"结合身边事例讲解，课后党员交流了学习体会。")
            resolutions = ""
        elif kind == "life_meeting":
            meeting.title = f"{y}年度组织生活会"
            meeting.topics = ("一、支部书记代表支部委员会作对照检查\n二、党员逐一发言，开展批评和自我批评\n"
                              "三、制定整改措施")
            minutes = (f"会前广泛征求意见，开展谈心谈话。会上{host.person.name}代表支部作对照检查，"
                       f"党员逐一发言，开展批评和自我批评，查找问题{self.rng.randint(3, 8)}条。")
            resolutions = "针对查找的问题建立整改清单，明确措施和时限，明年第一季度前完成整改。"
        elif kind == "appraisal":
            meeting.title = f"{y}年度民主评议党员"
            meeting.topics = "一、个人自评\n二、党员互评\n三、民主测评\n四、支部评定等次"
            minutes = "采取个人自评、党员互评、民主测评的方式进行，支部委员会综合测评结果提出等次。"
            resolutions = ""
        else:  # talk
            meeting.title = f"{y}年度谈心谈话"
            meeting.topics = "支部书记与党员逐一谈心谈话，了解思想、工作和生活情况，听取对支部工作的意见建议"
            minutes = f"{host.person.name}与党员逐一谈心谈话，收集意见建议{self.rng.randint(2, 6)}条。"
            resolutions = "意见建议分类梳理，能解决的即时解决，不能解决的向社区党组织反映。"
        if held:
            # Most records typed; the rest kept in the branch's paper book (a scan may follow).
            if self.rng.random() < 0.75 or kind in ("party_congress", "appraisal"):
                meeting.minutes = minutes
            else:
                meeting.minutes = f"会议记录见支部会议记录本第{self.rng.randint(3, 96)}页（纸质）。"
            meeting.resolutions = resolutions
        self.meetings.append(meeting)
        self.branch_of.append(b)
        if held:
            self.attendance[len(self.meetings) - 1] = self.attend(b, meeting, due)
        return meeting

    def place(self, b: Branch, kind: str) -> str:
        if b.workplace:
            if b.community.endswith("街道"):
                return f"{b.community}党群服务中心" + ("党员活动室" if kind == "theme_day"
                                                    else "二楼会议室")
            return f"{b.community}" + ("党员活动室" if kind == "theme_day" else "会议室")
        rooms = {"party_congress": "一楼多功能厅", "lecture": "二楼党员教育室",
                 "theme_day": "一楼多功能厅", "life_meeting": "二楼会议室",
                 "appraisal": "二楼会议室", "committee": "书记工作室", "group": "二楼会议室",
                 "talk": "书记工作室"}
        return f"{b.community}党群服务中心{rooms[kind]}"

    def attend(self, b: Branch, meeting: Meeting, due):
        rate = {"green": 0.9, "demo": 0.9, "yellow": 0.82, "red": 0.72, "hollow": 0.6}[b.profile]
        rows = []
        for ms in due:
            roll = self.rng.random()
            if meeting.kind == "talk" or roll < rate:
                presence = Presence.LATE if self.rng.random() < 0.03 else Presence.PRESENT
                rows.append((ms, presence, ""))
                continue
            if ms.standing == Standing.MOBILE:
                rows.append((ms, self.rng.choice((Presence.PERSONAL, Presence.OFFICIAL)),
                             MOBILE_REASON))
                continue
            old = ms.person.birth_date.year < meeting.date.year - 70
            presence = self.rng.choices(
                (Presence.SICK, Presence.PERSONAL, Presence.OFFICIAL, Presence.ABSENT),
                weights=(5 if old else 2, 3, 1 if old else 3, 1))[0]
            rows.append((ms, presence, self.rng.choice(REASONS[presence])))
        return rows

    def vote(self, b: Branch, index: int, meeting: Meeting, note: str):
        voting = [(ms, p) for ms, p, _r in self.attendance[index] if ms.category == Category.FULL]
        entitled = len(voting)
        present = sum(1 for _ms, p in voting if p in ATTENDING)
        if entitled < 3 or note:
            return
        q = _quarter(meeting.date.month)
        subjects = []
        if self.rng.random() < 0.5 or q == 4:
            subjects.append((CONGRESS[q][2], False))
        if q == 2 and entitled >= 10 and meeting.date.year == self.today.year:
            subjects.append((ELECTION, True))
        for subject, election in subjects:
            against = 1 if present > 4 and self.rng.random() < 0.2 else 0
            abstain = 1 if present > 5 and self.rng.random() < 0.2 else 0
            in_favour = present - against - abstain
            quorate = rules.has_quorum(present, entitled, election=election)
            if election and not quorate:
                continue  # fewer than 4/5 there: the election waits for another meeting
            # As orglife.services.vote: an election needs more than half of those present,
            # a motion more than half of those entitled.
            passed = quorate and rules.motion_passes(in_favour, present if election else entitled)
            self.votes[index].append({
                "subject": subject, "election": election, "entitled": entitled,
                "present": present, "in_favour": in_favour, "against": against,
                "abstain": abstain, "quorate": quorate, "passed": passed})

    def grade(self, index: int):
        graded = [ms for ms, _p, _r in self.attendance[index]
                  if ms.category == Category.FULL or rules.setting("grade_probationary")]
        if not graded:
            return
        limit = int(len(graded) * rules.setting("excellent_share"))
        excellent = max(0, limit - self.rng.choice((0, 0, 1)))
        order = list(graded)
        self.rng.shuffle(order)
        grades = []
        for n, ms in enumerate(order):
            if n < excellent:
                grade = Grade.EXCELLENT
            elif n == len(order) - 1 and len(order) >= 10 and self.rng.random() < 0.3:
                grade = Grade.BASICALLY
            else:
                grade = Grade.QUALIFIED
            grades.append((ms, grade))
        self.grades[index] = grades

    # -- writing --

    def build(self):
        branches = self.branches()
        for b in branches:
            for kind, date, note in self.schedule(b):
                meeting = self.meeting(b, kind, date, note)
                index = len(self.meetings) - 1
                if meeting.state != State.HELD:
                    continue
                if kind == "party_congress":
                    self.vote(b, index, meeting, note)
                elif kind == "appraisal":
                    self.grade(index)
        self.story_of_the_demo_branch()
        self.decide_open_makeups()
        self.write()
        return branches

    def story_of_the_demo_branch(self):
        """The demo member was away on business at the branch's last 主题党日 and has still to
        make it up; everyone else at the demo branch attended or has made up."""
        member = User.objects.filter(username="member").values_list("person_id", flat=True)
        person_id = member.first()
        last = max((i for i, m in enumerate(self.meetings)
                    if m.org.code == DEMO_BRANCH and m.kind == "theme_day" and i in self.attendance),
                   default=None)
        if last is None:
            return
        rows = self.attendance[last]
        pick = next((n for n, (ms, _p, _r) in enumerate(rows) if ms.person_id == person_id),
                    len(rows) - 1)
        ms = rows[pick][0]
        rows[pick] = (ms, Presence.OFFICIAL, DEMO_AWAY)
        self.open_ok[last] = True

    def decide_open_makeups(self):
        """Which meetings may still have make-ups open: a compliant branch only its latest
        meeting (the make-up is under way), a yellow one an older one too, a red or hollow
        one any (the light counts each such meeting)."""
        latest = {}
        for i, m in enumerate(self.meetings):
            if i in self.attendance:
                latest[m.org_id] = i
        for i, m in enumerate(self.meetings):
            if i not in self.attendance or i in self.open_ok:
                continue
            b = self.branch_of[i]
            latest_recent = latest[m.org_id] == i and (self.today - m.date).days <= 21
            if b.profile == "demo":
                self.open_ok[i] = False
            elif b.profile == "green":
                self.open_ok[i] = latest_recent
            elif b.profile == "yellow":
                self.open_ok[i] = latest_recent or (m.date.month == 5 and m.kind == "theme_day")
            else:
                self.open_ok[i] = latest_recent or self.rng.random() < 0.25

    def write(self):
        # Dates first, so that the history and the make-ups follow the meetings' story.
        plans, records = {}, {}
        for i, m in enumerate(self.meetings):
            plan_at = _moment(m.date - datetime.timedelta(days=self.rng.randint(7, 14)), 9)
            plans[i] = min(plan_at, self.now - datetime.timedelta(hours=2))
            m.created_at = plans[i]
            m.notified_at = min(plans[i] + datetime.timedelta(hours=2), self.now)
            if m.state == State.HELD:
                rows = self.attendance[i]
                m.due_count = len(rows)
                m.present_count = sum(1 for _ms, p, _r in rows if p in ATTENDING)
                records[i] = min(_moment(m.date + DAY * self.rng.randint(0, 2), 17), self.now)
                m.held_recorded_at = records[i]
        sample = {(m.kind, m.state): m for m in self.meetings}
        _validate(sample.values(), exclude=["minutes_scan"])
        Meeting.objects.bulk_create(self.meetings, batch_size=500)
        # bulk_create bypasses Meeting.save: the held months are worked out in one go.
        rollup.rebuild(Organization.objects.filter(pk__in={m.org_id for m in self.meetings}))

        # Rows by id (not by instance): the ORM's per-row work is what takes the time here.
        attendance, of_meeting, makeups, events = [], [], [], []
        for i, rows in self.attendance.items():
            m = self.meetings[i]
            for ms, presence, reason in rows:
                attendance.append(Attendance(meeting_id=m.pk, membership_id=ms.pk,
                                             presence=presence, reason=reason,
                                             voting=ms.category == Category.FULL))
                of_meeting.append(i)
        _validate(attendance[:3])
        Attendance.objects.bulk_create(attendance, batch_size=1000)
        absentees = defaultdict(int)
        for a, i in zip(attendance, of_meeting, strict=True):
            if a.presence in ATTENDING:
                continue
            absentees[i] += 1
            m = self.meetings[i]
            done_on = m.date + DAY * self.rng.randint(2, 15)
            if self.branch_of[i].profile == "demo":
                open_ = self.open_ok.get(i, False) and a.reason == DEMO_AWAY
            else:
                # Where make-ups may be open, those of the last days are still to be done.
                open_ = self.open_ok.get(i, False) and (done_on > self.today
                                                        or self.rng.random() < 0.7)
            if open_:
                makeups.append(MakeUp(attendance_id=a.pk, org_id=m.org_id, meeting_id=m.pk,
                                      meeting_date=m.date, state=MakeUpState.OPEN))
            else:
                content = self.rng.choice(MAKEUP_CONTENT)
                if a.reason == MOBILE_REASON:
                    content = "在流入地党组织参加学习，提交学习心得"
                makeups.append(MakeUp(attendance_id=a.pk, org_id=m.org_id, meeting_id=m.pk,
                                      meeting_date=m.date, state=MakeUpState.DONE, content=content,
                                      done_on=min(done_on, self.today),
                                      confirmed_by_id=m.created_by_id))
        _validate(makeups[:2])
        MakeUp.objects.bulk_create(makeups, batch_size=1000)

        votes = [Vote(meeting=self.meetings[i], **v) for i, vs in self.votes.items() for v in vs]
        appraisals = [Appraisal(meeting=self.meetings[i], membership=ms, grade=g)
                      for i, gs in self.grades.items() for ms, g in gs]
        _validate(votes[:2] + appraisals[:2])
        Vote.objects.bulk_create(votes, batch_size=500)
        Appraisal.objects.bulk_create(appraisals, batch_size=1000)

        # One history line per meeting (its plan, or once held its record), and the votes and
        # grades taken at it.
        for i, m in enumerate(self.meetings):
            user = m.created_by
            if m.state != State.HELD:
                events.append(build_event(m, "plan", user, state_to=State.PLANNED, at=plans[i],
                                          text=f"计划{m.get_kind_display()}：{m.title}"))
                continue
            absent = absentees[i]
            events.append(build_event(
                m, "record", user, state_from=State.PLANNED, state_to=State.HELD, at=records[i],
                text=f"登记召开：应到 {m.due_count} 人，实到 {m.present_count} 人"
                     + (f"，{absent} 人列入补学" if absent else "")))
            for v in self.votes.get(i, ()):
                outcome = "通过" if v["passed"] else (
                    "未达到法定人数，表决无效" if not v["quorate"] else "未通过")
                events.append(build_event(
                    m, "vote", user, at=records[i],
                    text=f"{'选举' if v['election'] else '表决'}“{v['subject']}”：应到 "
                         f"{v['entitled']}、实到 {v['present']}，赞成 {v['in_favour']}、反对 "
                         f"{v['against']}、弃权 {v['abstain']}，{outcome}"))
            if i in self.grades:
                counts = Counter(g for _ms, g in self.grades[i])
                summary = "、".join(f"{label} {counts[code]}" for code, label in Grade.choices
                                   if counts[code])
                events.append(build_event(m, "grade", user, at=records[i],
                                          text=f"登记评议等次：{summary}"))
        MeetingEvent.objects.bulk_create(events, batch_size=1000)
        self.counts = {"meetings": len(self.meetings), "attendance": len(attendance),
                       "makeups": len(makeups), "votes": len(votes),
                       "appraisals": len(appraisals)}


def _short(name: str) -> str:
    """"博览社区党委" → "博览社区"; "徐州金桥物业服务有限公司党支部" → "徐州金桥物业服务有限公司"."""
    return re.sub(r"(大?党工委|大?党委|大?党总支|(第[一二三四五]|返迁临时)?党支部)$", "", name)


def _street(code: str) -> str | None:
    return next((s for s in STREETS if code == s or code.startswith(s + "-")), None)


def _ancestors(path: str):
    """The path and its ancestors' paths, nearest first."""
    step = Organization.steplen
    return [path[:n] for n in range(len(path), 0, -step)]


def _moment(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _validate(rows, exclude=()):
    for row in rows:
        row.full_clean(exclude=list(exclude))


def build(builder):
    demo = _Demo(builder)
    demo.build()
    c = demo.counts
    open_ = MakeUp.objects.filter(state=MakeUpState.OPEN).count()
    builder.say(f"组织生活：会议 {c['meetings']} 次、出席记录 {c['attendance']} 条、补学 "
                f"{c['makeups']} 项（待补学 {open_} 项）、表决 {c['votes']} 项、"
                f"评议等次 {c['appraisals']} 条")
