"""Demo alliances of the four streets, their chairs, joint meetings, decisions and
co-building agreements (seeds 000, 001, 003), written through the services by each street's
staff account so that every row has its history.

- 金山桥 (000): “红盟同心”共建联盟 of the street's units, 农行、桃园路小学、通域空间、万邦党校 as
  兼职委员 taking turns in the chair.
- 金山 (001): the street 大党工委 (banks, state companies, offices, 万科) and the 9 community
  大党委 with the units located in each — 73 member units in all.
- 陇海马路 (002): the street's 区域化党建联合体 of a few units.
- 会展 (003): the “红驿舫”党建联盟 of the 46 units, 兼职委员 and a rotating chair; agreements
  for the 医药超市、环卫驿站、义务法官、爱心帮扶 services.
"""

import calendar
import datetime

from django.utils import timezone

from gongjian.core.models import User
from gongjian.members.models import Person
from gongjian.orgs.choices import UnitType
from gongjian.orgs.models import Unit

from . import services
from .models import Agreement, Alliance, Event, Meeting, Task

D = datetime.date
DAY = datetime.timedelta(days=1)
STREET_UNIT_TYPES = {UnitType.BANK, UnitType.STATE_COMPANY, UnitType.GOVERNMENT}

RIGHTS = [
    "甲方为乙方党组织和党员提供党建指导、阵地共享和学习教育服务，乙方党员可参加甲方组织的主题党日活动。",
    "甲方在评选先进党组织、考评干部时听取乙方党组织的意见，乙方评先评优时听取甲方意见。",
    "乙方按约定开放场地、提供服务资源，参与社区治理、志愿服务和应急处置。",
    "乙方在职党员到社区报到，每人每年参加社区志愿服务不少于 2 次。",
    "双方每季度沟通一次共建情况，共同研究解决共建中遇到的问题。",
]


class _Demo:
    def __init__(self, builder):
        self.builder = builder
        self.rng = builder.rng
        self.today = timezone.localdate()
        self.people_cache = {}
        self.roots = {o.path: o for o in builder.orgs.values() if o.depth == 1}

    def root(self, org):
        return self.roots[org.path[:org.steplen]]

    def staff(self, username):
        return User.objects.get(username=username)

    def units(self, root):
        return list(Unit.objects.filter(org__path__startswith=root.path).order_by("code"))

    def people(self, root):
        if root.pk not in self.people_cache:
            people = Person.objects.filter(org__path__startswith=root.path).order_by("id")
            self.people_cache[root.pk] = (list(people.exclude(phone_index="")[:200])
                                          or list(people[:200]))
        return self.people_cache[root.pk]

    def person(self, root):
        return self.rng.choice(self.people(root))

    def alliance(self, user, org, name, founded, description, members, concurrent=()):
        """An alliance with `members` (units) joining on dates after `founded`;
        units in `concurrent` sit on the committee."""
        alliance = services.create_alliance(user=user, org=org, name=name, founded_on=founded,
                                            description=description)
        root = self.root(org)
        span = max((self.today - founded).days // 3, 1)
        for n, unit in enumerate(members):
            joined = founded + datetime.timedelta(days=0 if n < 8 else self.rng.randint(0, span))
            role = "concurrent" if unit in concurrent else "member"
            # The committee sits for three years; the current term is the one running today.
            term_start = None
            if role == "concurrent":
                term_start = joined
                while _plus_years(term_start, 3) <= self.today:
                    term_start = _plus_years(term_start, 3)
            services.add_member(
                alliance, user=user, unit=unit, role=role, joined_on=joined,
                liaison=self.person(root),
                committee_person=self.person(root) if role == "concurrent" else None,
                term_start=term_start,
                term_end=_plus_years(term_start, 3) - DAY if term_start else None)
            _dated(Event.objects.filter(alliance=alliance, step="joined", unit=unit),
                   _moment(joined))
        _dated(Event.objects.filter(alliance=alliance, step="created"), _moment(founded))
        return alliance

    def rotation(self, user, alliance, units, months, starts_on, rounds=1):
        services.generate_rotation(alliance, user=user, units=units, months=months,
                                   starts_on=starts_on, rounds=rounds)
        _dated(Event.objects.filter(alliance=alliance, step="rotation"),
               _moment(starts_on - 10 * DAY))

    def meeting(self, user, alliance, title, when, place, agenda, *, minutes=None,
                decisions=(), absent=(), cancel=None):
        meeting = services.call_meeting(alliance, user=user, title=title, starts_at=when,
                                        place=place, agenda=agenda)
        # Called a week ahead; a meeting still to come was called a few days ago, not later.
        called_at = min(when - 7 * DAY, timezone.now() - 2 * DAY)
        Meeting.objects.filter(pk=meeting.pk).update(created_at=called_at)
        _dated(Event.objects.filter(meeting=meeting), called_at)
        if cancel:
            services.cancel(meeting, user=user, reason=cancel)
        elif minutes:
            invited = [i.unit for i in meeting.invitations.select_related("unit")]
            attended = [u for u in invited if u not in absent]
            services.hold(meeting, user=user, minutes=minutes, attended_units=attended,
                                  decisions=list(decisions))
            _dated(Event.objects.filter(meeting=meeting, step="held"), when + 3 * _HOUR)
            _dated(Event.objects.filter(task__meeting=meeting), when + 3 * _HOUR)
        return meeting

    def finish(self, user, task, note, on):
        services.progress(task, user=user, note="已召开专题会议部署，明确专人负责。")
        services.complete(task, user=user, note=note, completed_on=on)
        _dated(Event.objects.filter(task=task, step="progress"), _moment(on - 10 * DAY))
        _dated(Event.objects.filter(task=task, step="completed"), _moment(on))

    def agreement(self, user, number, org, unit, title, items, starts, years, *, sign=True,
                  terminate=None, ends=None):
        root = self.root(org)
        agreement = services.create_agreement(
            user=user, number=number, title=title, org=org, unit=unit,
            rights_obligations="\n".join(RIGHTS), service_items="\n".join(items),
            starts_on=starts, ends_on=ends or (_plus_years(starts, years) - DAY),
            org_liaison=self.person(root), unit_liaison=self.person(root))
        _dated(Event.objects.filter(agreement=agreement), _moment(starts - 20 * DAY))
        if sign:
            services.sign(agreement, user=user, signed_on=starts)
            _dated(Event.objects.filter(agreement=agreement, step="signed"), _moment(starts))
        if terminate:
            on, reason = terminate
            services.terminate(agreement, user=user, reason=reason, terminated_on=on)
            _dated(Event.objects.filter(agreement=agreement, step="terminated"), _moment(on))
        return agreement


_HOUR = datetime.timedelta(hours=1)


def _dated(events, at):
    """Move history lines written just now back to when the story has them happen; never
    into the future (a meeting still to come has been called, not held)."""
    events.update(at=min(at, timezone.now()))


def _moment(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))


def _plus_years(day, years):
    return services.add_months(day, 12 * years)


def _months_ago(today, months, day=15):
    first = services.add_months(today.replace(day=1), -months)
    return first.replace(day=min(day, calendar.monthrange(first.year, first.month)[1]))


def build(builder):
    demo = _Demo(builder)
    _jinshanqiao(demo)
    _jinshan(demo)
    _longhai(demo)
    _huizhan(demo)
    builder.say(f"已建立共建联盟 {Alliance.objects.count()} 个、联席会议 "
                f"{Meeting.objects.count()} 次、决议任务 {Task.objects.count()} 项、"
                f"共建协议 {Agreement.objects.count()} 份")


def _jinshanqiao(demo):
    orgs, today = demo.builder.orgs, demo.today
    street = orgs["XZ-JSQ"]
    user = demo.staff("jinshanqiao")
    units = demo.units(street)
    by_code = {u.code: u for u in units}
    # 农行、桃园路小学、通域空间、万邦党校 sit on the committee and take turns in the chair.
    committee = [by_code[f"XZ-JSQ-U0{n}"] for n in (1, 2, 3, 4)]
    alliance = demo.alliance(
        user, street, "红盟同心", D(2019, 7, 1),
        "金山桥街道“大党委”共建联盟：以街道党委为核心、街道党群服务中心为主阵地，"
        "按照“区域统筹、资源整合、优势互补、共建共享”的原则，依托“三协同四共享”工作法"
        "打造“一刻钟党组织服务圈”。",
        units, concurrent=committee)
    demo.rotation(user, alliance, committee, months=6,
                               starts_on=_months_ago(today, 14, 1), rounds=2)
    first = demo.meeting(
        user, alliance, "红盟同心共建联盟第五次联席会议",
        _moment(_months_ago(today, 5, 18)).replace(hour=14), "怡园社区党群服务中心三楼会议室",
        "一、通报上半年“互看互比互学”活动情况\n二、研究“一刻钟党组织服务圈”阵地共享清单\n"
        "三、审议下半年流动党员排查工作方案",
        minutes="会议由轮值主席单位主持。各成员单位交流了上半年共建情况，"
                "一致同意将怡园社区党群服务中心、万邦党校培训教室纳入阵地共享清单，"
                "由街道统一开放、按需分配。",
        absent=units[10:12],
        decisions=[
            {"title": "万邦党校开放培训教室，每月承接一期“两新”组织党员培训",
             "owner_unit": by_code["XZ-JSQ-U04"],
             "deadline": _months_ago(today, 3, 30)},
            {"title": "桃园路小学与街道机关党支部开展校地共建主题党日",
             "owner_unit": by_code["XZ-JSQ-U02"],
             "deadline": _months_ago(today, 2, 28)},
            {"title": "在街道、社区、企业公众号发布金融知识专题信息",
             "owner_unit": by_code["XZ-JSQ-U01"], "deadline": today - 12 * DAY},
            {"title": "完成辖区流动党员信息档案建立", "owner_org": orgs["XZ-JSQ-01"],
             "deadline": today + 25 * DAY},
        ])
    tasks = list(first.tasks.order_by("id"))
    demo.finish(user, tasks[0], "已开班 4 期，培训“两新”组织党员 160 余人次。",
                _months_ago(today, 3, 20))
    demo.finish(user, tasks[1], "6 月开展“红领巾心向党”校地共建主题党日，师生党员 45 人参加。",
                _months_ago(today, 2, 25))
    demo.meeting(
        user, alliance, "红盟同心共建联盟第六次联席会议",
        _moment(today + 9 * DAY).replace(hour=15), "万邦党校报告厅",
        "一、轮值主席单位交接\n二、总结全年共建项目\n三、研究明年“红盟”资源清单")
    demo.agreement(user, "JSQ-XY-2025-01", street, by_code["XZ-JSQ-U02"],
                   "金山桥街道与桃园路小学校地共建协议",
                   ["共同承担青少年思想道德教育，每学期开展一次主题党日活动",
                    "学校操场、多功能厅在节假日向社区居民开放",
                    "街道为学校提供校园周边安全巡防和法治宣传"],
                   D(2025, 9, 1), 2)
    demo.agreement(user, "JSQ-XY-2024-03", orgs["XZ-JSQ-01"], by_code["XZ-JSQ-U01"],
                   "怡园社区与农行徐州开发区支行共驻共建协议",
                   ["每月一次金融知识进社区", "为社区老年人提供防范电信诈骗讲座",
                    "支行营业厅设立党员服务岗"],
                   D(2024, 1, 1), 2, ends=today + 18 * DAY)
    demo.agreement(user, "JSQ-XY-2026-02", orgs["XZ-JSQ-01"], by_code["XZ-JSQ-U03"],
                   "怡园社区与徐州通域空间有限公司共驻共建协议",
                   ["协助查找流动党员，办理组织关系转接", "开放企业活动室作为“职工之家”"],
                   today + 15 * DAY, 2, sign=False)


def _jinshan(demo):
    """73 member units: the street 大党工委 takes the banks, state companies, offices and 万科;
    each community 大党委 takes the other units located in it."""
    orgs, today = demo.builder.orgs, demo.today
    street = orgs["XM-JS"]
    user = demo.staff("jinshan")
    units = demo.units(street)
    vanke = next(u for u in units if u.name == "厦门万科企业有限公司")
    at_street = [u for u in units if u.unit_type in STREET_UNIT_TYPES or u == vanke]
    alliance = demo.alliance(
        user, street, "金山街道大党工委", D(2017, 3, 1),
        "“街道大党工委—社区大党委（大党总支）—小区党支部—楼道党小组”四位一体组织体系中的"
        "街道层级，吸纳驻区重点单位党组织负责人兼任委员。",
        at_street, concurrent=at_street[:6])
    demo.rotation(user, alliance, at_street[:4], months=12,
                               starts_on=D(today.year - 1, 1, 1), rounds=1)
    demo.meeting(
        user, alliance, "基层党建工作重点任务暨深化小区党建工作推进会",
        _moment(_months_ago(today, 4, 10)).replace(hour=9), "金山街道党群服务中心",
        "一、明确下半年党建工作目标\n二、部署小区党建工作任务\n三、共建单位阵地开放",
        minutes="会议明确了下半年党建工作目标，落实落细工作任务。"
                "湖里地税、金安小学、路桥游艇集团、金山小学等单位同意继续开放阵地。",
        decisions=[
            {"title": "协调开放共建单位阵地 10 处以上并公示开放时间", "owner_org": street,
             "deadline": _months_ago(today, 2, 30)},
            {"title": "万科党员义工活动中心组织党员参加社区志愿服务队",
             "owner_unit": vanke, "deadline": today + 40 * DAY},
        ])
    first = Task.objects.filter(meeting__alliance=alliance).order_by("id").first()
    demo.finish(user, first, "已开放湖里地税多媒体会议室、金安小学多功能厅等 12 处阵地。",
                _months_ago(today, 2, 20))
    communities = [o for code, o in sorted(orgs.items())
                   if code.startswith("XM-JS-") and o.depth == 2 and o.sector == "community"
                   and o.is_active]
    for community in communities:
        located = [u for u in units if u.org_id == community.pk and u not in at_street]
        if not located:
            continue
        staff = user
        sub = demo.alliance(staff, community, community.name, D(2018, 4, 1),
                            f"{community.name}：吸纳驻社区单位党组织，与社区良性互动。", located,
                            concurrent=located[:2])
        if community.code == "XM-JS-01":
            demo.meeting(
                staff, sub, "金安社区大党委成员单位联席会议",
                _moment(_months_ago(today, 1, 8)).replace(hour=15), "金安社区广场",
                "一、研究每月一次的社区招聘会\n二、万科党员义工进社区",
                minutes="鼎峰集团、弘爱医院、万科梅沙教育等单位同意每月到金安社区广场参加招聘会，"
                        "为就业困难人员和应届大中专毕业生提供岗位。",
                decisions=[{"title": "每月举办一次社区招聘会", "owner_org": community,
                            "deadline": today + 60 * DAY}])
    demo.agreement(user, "JS-XY-2025-01", orgs["XM-JS-01"], vanke,
                   "金安社区与厦门万科企业有限公司共驻共建协议",
                   ["万科党员义工活动中心在金安社区揭牌运行", "万科党员加入社区 16 支专业志愿服务队",
                    "每季度开展一次社企党建融合活动"],
                   D(2025, 7, 16), 2)
    dingfeng = next(u for u in units if u.name == "厦门鼎峰集团有限公司")
    demo.agreement(user, "JS-XY-2024-02", orgs["XM-JS-01"], dingfeng,
                   "金安社区与鼎峰集团共驻共建协议",
                   ["每月参加社区招聘会，优先吸纳社区就业困难人员", "开放员工食堂为社区老人提供助餐"],
                   D(2024, 7, 1), 3)
    jinlin = next(u for u in units if u.name == "厦门金林湾置业有限公司")
    demo.agreement(user, "JS-XY-2023-05", jinlin.org, jinlin,
                   "高林社区与金林湾置业共驻共建协议",
                   ["返迁安置项目党员示范岗", "协助返迁户签订交房协议"],
                   D(2023, 6, 29), 3,
                   terminate=(D(2025, 12, 31), "返迁安置项目已完成，双方协商终止"))


def _longhai(demo):
    orgs, today = demo.builder.orgs, demo.today
    street = orgs["ZZ-LHML"]
    user = demo.staff("longhai")
    units = demo.units(street)[:9]
    alliance = demo.alliance(
        user, street, "陇海马路街道区域化党建联合体", D(2018, 5, 1),
        "“七联”工作机制：组织联建、活动联办、阵地联用、服务联做、文化联创、治安联防、发展联促。",
        units, concurrent=units[:3])
    demo.rotation(user, alliance, units[:3], months=4,
                               starts_on=_months_ago(today, 6, 1), rounds=1)
    demo.meeting(
        user, alliance, "区域化党建联合体季度联席会议",
        _moment(_months_ago(today, 2, 12)).replace(hour=9), "陇新社区楼宇党建指导站",
        "一、楼宇党建工作交流\n二、党建项目清单认领",
        minutes="会议交流了楼宇党建工作，各成员单位认领了党建项目清单。",
        decisions=[{"title": "金盾物业牵头开展老旧小区环境卫生联治", "owner_unit": units[1],
                    "deadline": today + 30 * DAY}])
    demo.meeting(user, alliance, "区域化党建联合体专题会议",
                 _moment(_months_ago(today, 1, 20)).replace(hour=15), "陇海马路街道会议室",
                 "研究“520”党建工作模式推广", cancel="与区委专题会议时间冲突，另行通知")
    demo.agreement(user, "LH-XY-2025-01", orgs["ZZ-LHML-01"], units[1],
                   "新郑路社区与河南金盾物业服务有限公司共驻共建协议",
                   ["物业党员亮身份、作表率", "小区环境卫生联治", "平安示范小区共建"],
                   D(2025, 3, 1), 2)


def _huizhan(demo):
    orgs, today = demo.builder.orgs, demo.today
    street = orgs["CC-HZ"]
    user = demo.staff("huizhan")
    units = demo.units(street)
    by_name = {u.name: u for u in units}
    committee = [by_name[n] for n in (
        "九台农商银行会展支行", "长春博文物业服务有限公司", "长春骨伤医院",
        "长春国际会展中心有限公司", "长春市281志愿者服务中心", "中国建设银行长春会展支行",
        "长春经开区会展小学", "国网长春供电公司经开供电中心")]
    alliance = demo.alliance(
        user, street, "红驿舫联盟", D(2018, 3, 20),
        "“红驿舫”互联共建区域化党建联盟：街道“大工委”+社区“大党委”，广泛吸纳驻区单位担任"
        "“兼职委员”，推行轮值主席制度，使辖区单位和街道社区党组织负责同志双向交叉任职。",
        units, concurrent=committee)
    demo.rotation(user, alliance, committee[:6], months=3,
                               starts_on=_months_ago(today, 7, 1), rounds=1)
    held = demo.meeting(
        user, alliance, "“红驿舫”党建联席会议（第三季度）",
        _moment(_months_ago(today, 3, 22)).replace(hour=14), "会展街道党群服务中心",
        "一、驻区单位公益服务项目推进情况\n二、“银行医疗法律进百家”活动安排\n"
        "三、非公企业党员志愿服务队建设",
        minutes="会议听取了医药超市、环卫驿站、义务法官、爱心帮扶等公益服务项目进展，"
                "研究了“银行医疗法律进百家”活动安排，明确了各项任务的责任单位和完成时限。",
        absent=units[30:33],
        decisions=[
            {"title": "益康大药房会展店设立“医药超市”便民服务点，为困难群众提供平价药品",
             "owner_unit": by_name["长春益康大药房连锁有限公司会展店"],
             "deadline": _months_ago(today, 1, 30)},
            {"title": "洁美环卫在东湖、临河社区建成两处“环卫驿站”",
             "owner_unit": by_name["长春洁美环卫服务有限公司"], "deadline": today - 5 * DAY},
            {"title": "信达律师事务所选派义务法官每月到社区坐班一次",
             "owner_unit": by_name["长春信达律师事务所"], "deadline": today + 2 * DAY},
            {"title": "博文物业党建联合体组建非公企业党员志愿服务队",
             "owner_unit": by_name["长春博文物业服务有限公司"], "deadline": today + 45 * DAY},
            {"title": "各社区摸排困难家庭，形成“爱心帮扶”对象清单", "owner_org": orgs["CC-HZ-01"],
             "deadline": today + 20 * DAY},
        ])
    tasks = list(held.tasks.order_by("id"))
    demo.finish(user, tasks[0], "医药超市已于上月开业，累计服务困难群众 320 人次。",
                _months_ago(today, 1, 25))
    demo.meeting(
        user, alliance, "“红驿舫”党建联席会议（第四季度）",
        _moment(today + 12 * DAY).replace(hour=9), "长春国际会展中心第三会议室",
        "一、轮值主席单位述职\n二、年度共建项目验收\n三、评选优秀共建单位")
    demo.agreement(user, "HZ-XY-2025-01", orgs["CC-HZ-01"],
                   by_name["长春益康大药房连锁有限公司会展店"],
                   "博览社区与益康大药房“医药超市”共驻共建协议",
                   ["设立医药超市便民服务点，困难群众购药九折", "每季度一次社区义诊和健康讲座"],
                   D(2025, 6, 1), 2)
    demo.agreement(user, "HZ-XY-2025-02", orgs["CC-HZ-04"], by_name["长春洁美环卫服务有限公司"],
                   "新城社区与洁美环卫“环卫驿站”共驻共建协议",
                   ["建设环卫驿站，为环卫工人提供饮水、休息、热饭服务", "组织环卫党员参加社区环境整治"],
                   D(2025, 1, 1), 2, ends=today + 25 * DAY)
    demo.agreement(user, "HZ-XY-2024-03", orgs["CC-HZ-01"], by_name["长春信达律师事务所"],
                   "博览社区与信达律师事务所“义务法官”共驻共建协议",
                   ["选派律师担任社区义务法官，每月坐班一次", "为居民提供免费法律咨询和纠纷调解"],
                   D(2024, 1, 1), 2, ends=today - 8 * DAY)
    demo.agreement(user, "HZ-XY-2026-04", orgs["CC-HZ-03"], by_name["长春市爱心帮扶协会"],
                   "临河社区与长春市爱心帮扶协会共驻共建协议",
                   ["结对帮扶困难家庭 20 户", "每年开展两次爱心义卖"],
                   today + 10 * DAY, 2, sign=False)
    bowen = by_name["长春博文物业服务有限公司"]
    demo.agreement(user, "HZ-XY-2025-05", bowen.org, bowen,
                   "东湖社区与博文物业党建联合体共驻共建协议",
                   ["博文物业党建联合体党员服务站常态开放", "小区党支部与物业党员双向交叉任职",
                    "每月一次“社区工作日”联合走访"],
                   D(2025, 4, 1), 2)
