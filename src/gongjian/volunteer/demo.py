"""Demo volunteer service of the four streets, over the twelve months up to today.

What the seed reports tell, built so that the figures count it from the records:

- 陇海马路 (seed 002): the street's 全城清洁 — 36 city cleanings of the street's cleaning team,
  with volunteers, shopkeepers along the streets, property staff and residents, 3,500 and more
  person-times (人次) in all — and each community's team serving under its own brand (郑新里's
  党员志愿者服务队 among them): more than 90 service activities in the street;
- 金山 (seed 001): 金安社区's 16 professional volunteer teams — the 学雷锋 team of the
  national 学雷锋活动示范点, the 金哥安妹 legal team, the 四点钟学校 tutors, … — one of them the
  team of 厦门万科's party members, whose 党员义工活动中心 opened in 金安社区 on 16 July 2018; the
  万科 members join the other teams as well;
- 会展 (seed 003): the 12 party-member volunteer teams of non-public companies (医药超市,
  环卫驿站, 义诊, …), each kept by its unit, and a 红驿舫 team in each community;
- 金山桥 (seed 000): the 怡园 community's team and the volunteer association's.

Past activities are written as the services would have left them (the services refuse past
dates): published with their hours counting after the publicity days, the last fortnight's
reviewed or ended, a few in publicity still. A few activities of every street are recruiting
now, and one of 博览社区's is under way today. The demo accounts `member` and `resident` are
volunteers of 博览社区 with records, sign-ups and (the member) a certificate; some other
volunteers have certificates too. Rows go in with bulk_create; a sample of each model is
validated with full_clean().
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat, LPad
from django.utils import timezone

from gongjian.core.models import RoleGrant, User
from gongjian.core.pinyin import pinyin_keys
from gongjian.core.workflow import build_event
from gongjian.demo.build import _GIVEN_BY_SEX, _REAL_NAMES, _SURNAMES
from gongjian.members.models import Person
from gongjian.orgs.choices import Sector

from . import rules
from .models import (
    NUMBER_PREFIX,
    Activity,
    ActivityEvent,
    Certificate,
    CheckIn,
    Evaluation,
    ServiceRecord,
    Signup,
    SignupState,
    Speciality,
    State,
    Team,
    TeamMember,
    Volunteer,
    certificate_number,
    volunteer_number,
)
from .services import refresh_rollup

SEED = 2026_70
D = datetime.date
DAY = datetime.timedelta(days=1)
CLEANINGS = 36
CLEANING_PERSON_TIMES = 3_500  # "3500余人次": at least this many
WANKE_CENTRE_OPENED = D(2018, 7, 16)
DEMO_COMMUNITY = "CC-HZ-01"  # 博览社区: the demo member's and resident's

SP = Speciality

# ---- what each team does ---------------------------------------------------------------------
# (title, content, place, beneficiaries (low, high), (start hour, minute), minutes)

ACTIVITIES = {
    SP.ELDERLY: [
        ("独居老人上门探访", "上门探望独居、空巢老人，测量血压，帮助整理房间，登记生活需求。",
         "辖区独居老人家中", (10, 30), (9, 0), 150),
        ("爱心助餐送餐到户", "为行动不便的高龄老人送午餐到家，顺带检查燃气和用电安全。",
         "社区长者食堂", (20, 45), (10, 30), 120),
        ("银龄学用智能手机", "手把手教老人使用健康码、挂号和视频通话，防范电信诈骗。",
         "社区党群服务中心", (20, 40), (14, 30), 120),
    ],
    SP.ENVIRONMENT: [
        ("楼院环境卫生大扫除", "清理楼道堆物和绿化带垃圾，铲除小广告，整理非机动车。",
         "老旧小区楼院", (200, 600), (8, 30), 150),
        ("垃圾分类桶边督导", "在投放点指导居民分类投放，入户发放垃圾分类宣传单。",
         "小区垃圾分类投放点", (150, 400), (7, 0), 120),
        ("绿地认养与补植", "补种绿化带空缺苗木，给认养绿地浇水除草。", "小区中心绿地",
         (100, 300), (8, 30), 150),
    ],
    SP.SAFETY: [
        ("夜间平安巡逻", "分组巡查楼院、车棚和背街小巷，排查消防通道堵塞等安全隐患。",
         "辖区楼院和背街小巷", (300, 800), (19, 0), 120),
        ("防范电信诈骗宣传", "在小区门口设点讲解冒充客服、刷单返利等常见诈骗手法。",
         "小区北门宣传点", (80, 200), (9, 0), 120),
    ],
    SP.TRAFFIC: [
        ("文明交通劝导", "在路口劝导行人和电动自行车遵守信号灯，不闯红灯、不逆行。",
         "辖区主要路口", (300, 900), (7, 30), 120),
        ("护学岗值守", "上学时段在校门口疏导交通，护送学生安全过马路。", "辖区小学门口",
         (200, 500), (7, 0), 90),
    ],
    SP.LAW: [
        ("法律咨询进社区", "律师志愿者现场解答婚姻家庭、房屋租赁、劳动合同等法律问题。",
         "社区法律服务驿站", (15, 40), (9, 0), 150),
        ("老年人防骗普法讲座", "以案说法，讲解以房养老、保健品推销等骗局的识别与维权。",
         "社区党群服务中心", (40, 80), (14, 30), 90),
    ],
    SP.HEALTH: [
        ("义诊进社区", "测量血压血糖，讲解慢性病用药和饮食注意事项，登记需复诊的居民。",
         "社区党群服务中心广场", (60, 150), (8, 30), 180),
        ("急救知识培训", "讲解心肺复苏和海姆立克急救法，居民现场练习。", "社区党群服务中心",
         (30, 60), (14, 30), 120),
    ],
    SP.EDUCATION: [
        ("四点半课堂作业辅导", "为双职工家庭的孩子辅导作业，开展安全教育和手工课。",
         "社区青少年活动室", (15, 30), (16, 30), 120),
        ("暑期青少年读书会", "组织社区青少年共读红色经典，分享读书心得。", "社区书屋",
         (20, 40), (9, 0), 120),
    ],
    SP.CULTURE: [
        ("邻里文化节服务", "协助布置场地、引导居民入场，维护活动秩序。", "社区文化广场",
         (200, 500), (18, 30), 150),
        ("书法进社区写春联", "书法志愿者为居民现场书写春联、福字。", "社区党群服务中心",
         (100, 300), (9, 0), 180),
    ],
    SP.EMERGENCY: [
        ("消防安全隐患排查", "入户检查燃气、电动车充电和楼道消防设施，登记隐患并督促整改。",
         "辖区楼院", (100, 300), (9, 0), 150),
        ("应急疏散演练", "协助组织居民疏散演练，讲解灭火器使用方法。", "小区中心广场",
         (100, 250), (15, 0), 120),
    ],
    SP.OTHER: [
        ("便民服务集市", "义务理发、磨刀、维修小家电，提供政策咨询和代办服务。",
         "社区党群服务中心广场", (100, 300), (8, 30), 180),
        ("政策宣讲进楼院", "在楼院宣讲惠民政策，收集居民意见建议并登记转办。", "小区楼院议事点",
         (50, 120), (15, 0), 120),
    ],
}

CLEANING = ("全城清洁行动", "清扫背街小巷和楼院卫生死角，清理乱贴乱画，劝导沿街商户落实"
                        "“门前三包”，物业、商户和居民一同参加。")
CLEANING_PLACES = ["陇海东路沿线", "新郑路背街小巷", "紫荆山南路沿线", "南仓街及周边楼院",
                   "陇海马路沿线", "城东南路沿线", "郑新里街及周边楼院", "黄金叶社区老旧楼院",
                   "陇海里19号院周边"]
LONGHAI_MERCHANTS = ["陇海东路沿街商户", "新郑路农贸市场商户", "紫荆山南路沿街商户",
                     "南仓街沿街商户", "河南金盾物业服务有限公司", "郑州新郑路农贸市场管理有限公司",
                     "郑州陇新商务楼宇管理有限公司"]


@dataclass
class TeamSpec:
    org: str                      # the owning community or street (code)
    name: str
    speciality: str
    activities: int
    unit: str | None = None       # the unit's name (a unit's team)
    description: str = ""
    founded: datetime.date | None = None
    own: list[tuple] = field(default_factory=list)  # activities of its own (as ACTIVITIES)


JINSHAN_TEAMS = [  # 金安社区's 16 professional teams (seed 001)
    TeamSpec("XM-JS-01", "金安社区学雷锋志愿服务队", SP.OTHER, 3,
             description="福建唯一的“全国学雷锋活动示范点”的骨干队伍，常年开展便民服务。",
             own=[("学雷锋便民服务日", "义务理发、量血压、修雨伞、磨剪刀，为居民提供便民服务。",
                   "金安社区广场", (150, 300), (8, 30), 180)]),
    TeamSpec("XM-JS-01", "万科党员义工服务队", SP.OTHER, 3, unit="厦门万科企业有限公司",
             founded=WANKE_CENTRE_OPENED,
             description="厦门万科党员义工活动中心在金安社区揭牌后组建，万科党员成为社区专业志愿服务"
                         "队的新生力量。",
             own=[("万科党员义工进社区", "万科党员义工走访困难家庭，协助社区开展小区环境整治。",
                   "金安花园小区", (60, 150), (9, 0), 150)]),
    TeamSpec("XM-JS-01", "金哥安妹法律服务志愿服务队", SP.LAW, 3,
             unit="厦门市湖里区金哥安妹公益服务中心",
             description="依托金哥安妹法律驿站，为居民提供法律咨询和矛盾调解。"),
    TeamSpec("XM-JS-01", "弘爱医院健康服务志愿服务队", SP.HEALTH, 3, unit="厦门弘爱医院"),
    TeamSpec("XM-JS-01", "四点钟学校课业辅导志愿服务队", SP.EDUCATION, 3,
             unit="厦门市湖里区四点钟学校公益服务社"),
    TeamSpec("XM-JS-01", "金安社区助老助残志愿服务队", SP.ELDERLY, 3),
    TeamSpec("XM-JS-01", "金安社区平安巡逻志愿服务队", SP.SAFETY, 3),
    TeamSpec("XM-JS-01", "金安社区文明交通志愿服务队", SP.TRAFFIC, 2),
    TeamSpec("XM-JS-01", "金安社区环境保护志愿服务队", SP.ENVIRONMENT, 3),
    TeamSpec("XM-JS-01", "金安社区消防应急志愿服务队", SP.EMERGENCY, 2),
    TeamSpec("XM-JS-01", "金安社区心理关爱志愿服务队", SP.HEALTH, 2,
             own=[("心理健康讲座", "讲解情绪调适和家庭沟通，提供一对一心理咨询。",
                   "金安社区党群服务中心", (30, 60), (14, 30), 120)]),
    TeamSpec("XM-JS-01", "金安社区家电义修志愿服务队", SP.OTHER, 2,
             own=[("家电义修", "免费检修电风扇、电饭煲等小家电，讲解家电安全使用。",
                   "金安社区广场", (60, 150), (8, 30), 180)]),
    TeamSpec("XM-JS-01", "金安社区文体活动志愿服务队", SP.CULTURE, 2),
    TeamSpec("XM-JS-01", "金安社区政策宣讲志愿服务队", SP.OTHER, 2),
    TeamSpec("XM-JS-01", "金安社区爱心义卖志愿服务队", SP.OTHER, 2,
             own=[("爱心义卖", "义卖居民捐赠的闲置物品，所得用于帮扶社区困难家庭。",
                   "金安社区广场", (100, 300), (9, 0), 180)]),
    TeamSpec("XM-JS-01", "成长天空青少年志愿服务队", SP.EDUCATION, 2,
             description="依托“成长天空”社工项目，陪伴社区青少年成长。"),
]

# 会展's 12 party-member volunteer teams of non-public companies (seed 003).
HUIZHAN_COMPANY_TEAMS = [
    TeamSpec("", "博文物业党员志愿服务队", SP.OTHER, 3, unit="长春博文物业服务有限公司",
             own=[("物业党员进楼栋义务维修", "义务检修楼道照明、单元门禁和上下水管。",
                   "博览苑小区", (60, 150), (9, 0), 150)]),
    TeamSpec("", "益康大药房医药超市党员志愿服务队", SP.HEALTH, 3,
             unit="长春益康大药房连锁有限公司会展店",
             own=[("医药超市公益服务", "免费测血压血糖，药师讲解用药常识，为困难群众提供平价药品。",
                   "益康大药房会展店门前", (150, 400), (9, 0), 180)]),
    TeamSpec("", "洁美环卫驿站党员志愿服务队", SP.ENVIRONMENT, 3, unit="长春洁美环卫服务有限公司",
             own=[("环卫驿站爱心服务", "为环卫工人、快递小哥提供热水、休息和应急药品。",
                   "会展大街环卫驿站", (150, 400), (7, 0), 180)]),
    TeamSpec("", "长春骨伤医院党员志愿服务队", SP.HEALTH, 3, unit="长春骨伤医院",
             own=[("骨伤义诊进社区", "骨科医生义诊，讲解颈肩腰腿痛的预防和康复锻炼。",
                   "社区党群服务中心", (80, 200), (8, 30), 180)]),
    TeamSpec("", "汇智科技党员志愿服务队", SP.EDUCATION, 2, unit="长春汇智科技有限公司"),
    TeamSpec("", "鑫源汽车零部件党员志愿服务队", SP.TRAFFIC, 2,
             unit="吉林省鑫源汽车零部件有限公司"),
    TeamSpec("", "百汇超市党员志愿服务队", SP.ELDERLY, 2, unit="长春百汇超市有限公司"),
    TeamSpec("", "鑫诚建筑党员志愿服务队", SP.EMERGENCY, 2, unit="长春鑫诚建筑工程有限公司"),
    TeamSpec("", "金诺电子党员志愿服务队", SP.OTHER, 2, unit="长春金诺电子科技有限公司",
             own=[("家电义修进社区", "免费检修小家电，讲解用电安全。", "社区党群服务中心广场",
                   (60, 150), (9, 0), 150)]),
    TeamSpec("", "绿源园林党员志愿服务队", SP.ENVIRONMENT, 2,
             unit="长春绿源园林绿化工程有限公司"),
    TeamSpec("", "宏达机械党员志愿服务队", SP.SAFETY, 2, unit="长春宏达机械制造有限公司"),
    TeamSpec("", "天成软件党员志愿服务队", SP.ELDERLY, 2, unit="长春天成软件有限公司"),
]

LONGHAI_TEAMS = [  # each community's team under its own brand (seed 002)
    TeamSpec("ZZ-LHML-01", "新郑路社区平安志愿服务队", SP.SAFETY, 7),
    TeamSpec("ZZ-LHML-02", "紫薇社区传统文化志愿服务队", SP.CULTURE, 6,
             own=[("传统文化讲堂", "讲解二十四节气和传统节日习俗，带孩子们学写毛笔字。",
                   "紫薇社区党群服务中心", (40, 80), (9, 0), 120)]),
    TeamSpec("ZZ-LHML-03", "陇三社区五盟共建志愿服务队", SP.OTHER, 6),
    TeamSpec("ZZ-LHML-04", "紫荆社区民族团结志愿服务队", SP.OTHER, 6,
             own=[("民族团结一家亲", "走访少数民族困难家庭，开展民族政策宣讲和邻里联谊。",
                   "紫荆社区党群服务中心", (60, 150), (9, 0), 150)]),
    TeamSpec("ZZ-LHML-05", "陇二社区绿苑环保志愿服务队", SP.ENVIRONMENT, 7),
    TeamSpec("ZZ-LHML-06", "陇新社区楼宇党员志愿服务队", SP.OTHER, 6),
    TeamSpec("ZZ-LHML-07", "陇一社区大爱夕阳助老志愿服务队", SP.ELDERLY, 7),
    TeamSpec("ZZ-LHML-08", "黄金叶社区环境卫生联治志愿服务队", SP.ENVIRONMENT, 6),
    TeamSpec("ZZ-LHML-09", "郑新里社区党员志愿者服务队", SP.OTHER, 7,
             description="关注居民的“大事、小事、家务事”，倾听群众的“呼声、心声、叹息声”。"),
]
LONGHAI_CLEANING_TEAM = TeamSpec("ZZ-LHML", "陇海马路街道全城清洁志愿服务队", SP.ENVIRONMENT,
                                 0, description="组织志愿者、沿街商户、物业和居民群众参加全城清洁。")

JINSHANQIAO_TEAMS = [
    TeamSpec("XZ-JSQ-01", "怡园社区红盟同心志愿服务队", SP.OTHER, 5),
    TeamSpec("XZ-JSQ-01", "金山桥爱心志愿者协会服务队", SP.ELDERLY, 5,
             unit="徐州经济技术开发区金山桥爱心志愿者协会"),
]

HUIZHAN_COMMUNITIES = ["CC-HZ-01", "CC-HZ-02", "CC-HZ-03", "CC-HZ-04", "CC-HZ-05"]

# Residents (non-members) who volunteer, per street.
RESIDENTS = {"ZZ-LHML": 260, "XM-JS": 40, "CC-HZ": 40, "XZ-JSQ": 20}
VOLUNTEER_SHARE = 0.7  # of the street's people on the register


def _short(name: str) -> str:
    for suffix in ("大党委", "大党总支", "党委", "党总支", "党支部"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


@dataclass
class _Held:
    activity: Activity
    people: list[Volunteer]
    minutes: int


class _Demo:
    def __init__(self, builder):
        self.builder = builder
        self.rng = random.Random(SEED)
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.zone = timezone.get_current_timezone()
        self.publicity = int(rules.setting("publicity_days"))
        self.units = {u.name: u for u in builder.units.values()}
        self.staff: dict[str, User] = {}
        for grant in RoleGrant.objects.filter(
                role__in=("community_staff", "street_staff"),
                org__isnull=False).select_related("user", "org").order_by("id"):
            self.staff.setdefault(grant.org.path, grant.user)
        self.volunteers: dict[str, list[Volunteer]] = defaultdict(list)  # street → all
        self.by_community: dict[str, list[Volunteer]] = defaultdict(list)
        self.by_unit: dict[int, list[Volunteer]] = defaultdict(list)
        self.teams: list[tuple[Team, TeamSpec]] = []
        self.members: list[TeamMember] = []
        self.team_people: dict[int, list[Volunteer]] = {}  # id(team) → its members
        self.held: list[_Held] = []
        self.upcoming: list[tuple[Activity, list[Volunteer]]] = []
        self.under_way: tuple[Activity, list[Volunteer], list[Volunteer]] | None = None

    # -- who ------------------------------------------------------------------------------------

    def org(self, code):
        return self.builder.orgs[code]

    def user_for(self, org):
        step = len(org.path)
        while step > 0:
            user = self.staff.get(org.path[:step])
            if user is not None:
                return user
            step -= 4
        return None

    def name(self, sex):
        """A fictional name as the builder draws them, from our own generator (the capabilities
        built after this one draw from the builder's as before)."""
        given = _GIVEN_BY_SEX[sex]
        while True:
            name = self.rng.choice(_SURNAMES) + self.rng.choice(given)
            if name not in _REAL_NAMES and name not in self.builder.used_names:
                self.builder.used_names.add(name)
                return name

    def at(self, day, hour, minute=0):
        return datetime.datetime.combine(day, datetime.time(hour, minute), self.zone)

    def volunteer_people(self):
        """Most people of each street's register volunteer, and residents besides; the demo
        member and resident accounts too."""
        rng = self.rng
        people = []
        for code in ("XZ-JSQ", "XM-JS", "ZZ-LHML", "CC-HZ"):
            street = self.org(code)
            communities = [o for o in self.builder.orgs.values()
                           if o.path.startswith(street.path) and o.depth == street.depth + 1
                           and o.sector == Sector.COMMUNITY and o.is_active]
            for n in range(RESIDENTS[code]):
                sex = rng.choice(("男", "女"))
                name = self.name(sex)
                full, initials = pinyin_keys(name)
                work = ""
                if code == "ZZ-LHML" and n % 3 == 0:  # shopkeepers and property staff
                    work = rng.choice(LONGHAI_MERCHANTS)
                people.append(Person(
                    name=name, name_pinyin=full, name_initials=initials, sex=sex,
                    birth_date=D(rng.randint(1950, 2004), rng.randint(1, 12), rng.randint(1, 28)),
                    org=rng.choice(communities), work_unit=work))
        people[0].full_clean(exclude=["org"])
        Person.objects.bulk_create(people, batch_size=500)

        account_person = {u.person_id: u for u in User.objects.filter(
            username__in=("member", "resident"), person__isnull=False)}
        parties = {u.party_org_id: u for u in self.units.values() if u.party_org_id}
        rows = []
        for code in ("XZ-JSQ", "XM-JS", "ZZ-LHML", "CC-HZ"):
            street = self.org(code)
            persons = list(Person.objects.filter(org__path__startswith=street.path)
                           .select_related("org").order_by("pk"))
            for person in persons:
                unit = parties.get(person.org_id)
                if person.pk not in account_person and unit is None \
                        and rng.random() > VOLUNTEER_SHARE:
                    continue
                home = self.home(street, person.org, unit)
                rows.append(Volunteer(person=person, account=account_person.get(person.pk),
                                      name=person.name, org=home, unit=unit,
                                      registered_on=D(rng.randint(2017, 2024),
                                                      rng.randint(1, 12), rng.randint(1, 28))))
        resident = User.objects.filter(username="resident", person__isnull=True).first()
        if resident is not None:
            rows.append(Volunteer(account=resident, name=resident.display_name,
                                  org=self.org(DEMO_COMMUNITY),
                                  registered_on=self.today - 200 * DAY))
        rows[0].full_clean(exclude=["person", "account", "org", "unit"])
        Volunteer.objects.bulk_create(rows, batch_size=500)
        # The number the services give (volunteer_number), in one UPDATE.
        Volunteer.objects.filter(pk__in=[v.pk for v in rows]).update(number=Concat(
            Value(NUMBER_PREFIX), LPad(Cast("pk", CharField()), 8, Value("0"))))
        for v in rows:
            v.number = volunteer_number(v.pk)
        for v in rows:
            street = next(c for c in ("XZ-JSQ", "XM-JS", "ZZ-LHML", "CC-HZ")
                          if v.org.code == c or v.org.code.startswith(c + "-"))
            self.volunteers[street].append(v)
            self.by_community[v.org.code].append(v)
            if v.unit_id:
                self.by_unit[v.unit_id].append(v)
        self.demo_accounts = {v.account.username: v for v in rows if v.account_id}

    def home(self, street, org, unit):
        """A volunteer's home: the community their register entry is under, else the community
        their unit is located in, else the street."""
        if org.depth > street.depth and org.path[:len(street.path) + 4] in self.community_paths:
            return self.community_paths[org.path[:len(street.path) + 4]]
        if unit is not None and unit.org.depth > street.depth:
            return unit.org
        return street

    @property
    def community_paths(self):
        if not hasattr(self, "_communities"):
            self._communities = {o.path: o for o in self.builder.orgs.values()
                                 if o.sector == Sector.COMMUNITY and o.depth == 2}
        return self._communities

    # -- teams ----------------------------------------------------------------------------------

    def team(self, spec: TeamSpec, org, members: list[Volunteer], unit=None):
        rng = self.rng
        founded = spec.founded or D(rng.randint(2016, 2023), rng.randint(1, 12), rng.randint(1, 28))
        team = Team(name=spec.name, org=org, unit=unit, speciality=spec.speciality,
                    description=spec.description or f"{spec.name}，常年开展{SP(spec.speciality).label}"
                                                     "志愿服务。",
                    founded_on=founded, created_by=self.user_for(org),
                    created_at=self.at(founded, 10))
        team.leader = members[0] if members else None
        self.teams.append((team, spec))
        self.team_people[id(team)] = members
        for v in members:
            joined = max(founded, v.registered_on)
            if unit is not None and unit.name == "厦门万科企业有限公司":
                joined = WANKE_CENTRE_OPENED
            self.members.append(TeamMember(team=team, volunteer=v, joined_on=joined))
        return team

    def build_teams(self):
        rng = self.rng
        jinshan_pool = self.by_community["XM-JS-01"] + [
            v for v in self.volunteers["XM-JS"] if v.org.code == "XM-JS"]
        wanke = self.units["厦门万科企业有限公司"]
        wanke_people = self.by_unit.get(wanke.pk, [])
        for spec in JINSHAN_TEAMS:
            unit = self.units.get(spec.unit) if spec.unit else None
            if unit is wanke:
                members = list(wanke_people)
            else:
                members = rng.sample(jinshan_pool, min(len(jinshan_pool), rng.randint(6, 14)))
                # 万科's members join the community's professional teams as well.
                members += [v for v in wanke_people if rng.random() < 0.3]
                if unit is not None:
                    members = self.by_unit.get(unit.pk, []) + members
            self.team(spec, self.org(spec.org), list(dict.fromkeys(members)), unit)
        for spec in HUIZHAN_COMPANY_TEAMS:
            unit = self.units[spec.unit]
            pool = self.volunteers["CC-HZ"]
            members = self.by_unit.get(unit.pk, []) + rng.sample(pool, 6)
            self.team(spec, unit.org, list(dict.fromkeys(members)), unit)
        for code in HUIZHAN_COMMUNITIES:
            org = self.org(code)
            pool = self.by_community[code]
            members = rng.sample(pool, min(len(pool), 16))
            if code == DEMO_COMMUNITY:
                members = [self.demo_accounts[u] for u in ("member", "resident")
                           if u in self.demo_accounts] + members
            spec = TeamSpec(code, f"{_short(org.name)}红驿舫志愿服务队", SP.OTHER, 3,
                            description="“红驿舫”党建联盟的志愿服务队，常年服务社区居民。")
            self.team(spec, org, list(dict.fromkeys(members)))
        for spec in LONGHAI_TEAMS + JINSHANQIAO_TEAMS:
            org = self.org(spec.org)
            unit = self.units.get(spec.unit) if spec.unit else None
            pool = self.by_community[spec.org] or self.volunteers[spec.org[:len("XZ-JSQ")]]
            members = rng.sample(pool, min(len(pool), rng.randint(10, 20)))
            self.team(spec, org, members, unit)
        pool = self.volunteers["ZZ-LHML"]
        self.cleaning_team = self.team(LONGHAI_CLEANING_TEAM, self.org("ZZ-LHML"),
                                       rng.sample(pool, 40))
        Team.objects.bulk_create([t for t, _s in self.teams])
        self.teams[0][0].full_clean()
        for m in self.members:
            m.team_id = m.team.pk
        TeamMember.objects.bulk_create(self.members, batch_size=500)

    # -- activities -----------------------------------------------------------------------------

    def day_back(self, low, high, weekend=True):
        day = self.today - self.rng.randint(low, high) * DAY
        if weekend and day.weekday() < 5 and self.rng.random() < 0.7:
            day += (5 - day.weekday()) * DAY
            if day >= self.today:
                day -= 7 * DAY
        return day

    def participants(self, team: Team, street: str, size: int) -> list[Volunteer]:
        rng = self.rng
        own = list(self.team_people[id(team)])
        others = self.by_community.get(team.org.code) or self.volunteers[street]
        picks = own + rng.sample(others, min(len(others), size))
        rng.shuffle(picks)
        return list(dict.fromkeys(picks))[:size]

    def activity(self, org, team, item, day, people, *, place=None):
        title, content, where, (low, high), (hour, minute), minutes = item
        starts = self.at(day, hour, minute)
        ends = starts + datetime.timedelta(minutes=minutes)
        places = len(people) + self.rng.randint(0, 8)
        user = self.user_for(org)
        if place is None:
            short = _short(org.name)
            place = (short + where[2:] if short.endswith("社区") else short + where) \
                if where.startswith("社区") else where
        return Activity(org=org, team=team, title=title, content=content, place=place,
                        starts_at=starts, ends_at=ends, signup_deadline=starts - DAY,
                        places=places, beneficiaries_expected=high, created_by=user,
                        created_at=starts - self.rng.randint(6, 12) * DAY), (low, high), minutes

    def hold(self, org, team, item, day, people, place=None):
        activity, served, minutes = self.activity(org, team, item, day, people, place=place)
        activity.beneficiaries_served = self.rng.randint(*served)
        self.held.append(_Held(activity, people, minutes))
        return activity

    def items_of(self, spec: TeamSpec):
        pool = ACTIVITIES[spec.speciality]
        return spec.own + pool

    def build_activities(self):
        rng = self.rng
        for team, spec in self.teams:
            if spec is LONGHAI_CLEANING_TEAM:
                continue
            street = next(c for c in ("XZ-JSQ", "XM-JS", "ZZ-LHML", "CC-HZ")
                          if team.org.code.startswith(c))
            items = self.items_of(spec)
            for n in range(spec.activities):
                item = items[n % len(items)]
                day = self.day_back(13 + n * 300 // max(spec.activities, 1),
                                    20 + n * 300 // max(spec.activities, 1))
                people = self.participants(team, street, rng.randint(8, 22))
                self.hold(team.org, team, item, day, people)
        # 陇海马路's 36 city cleanings, about every ten days over the year.
        pool = self.volunteers["ZZ-LHML"]
        sizes = [rng.randint(88, 112) for _ in range(CLEANINGS)]
        while sum(sizes) < CLEANING_PERSON_TIMES + 40:
            sizes[rng.randrange(CLEANINGS)] += 1
        for n, size in enumerate(sizes):
            day = self.today - (6 + (CLEANINGS - 1 - n) * 10) * DAY
            day -= ((day.weekday() - 5) % 7) * DAY  # the Saturday before
            item = (CLEANING[0], CLEANING[1], "", (400, 1500), (8, 0), 150)
            self.hold(self.org("ZZ-LHML"), self.cleaning_team, item, day,
                      rng.sample(pool, min(size, len(pool))),
                      place=CLEANING_PLACES[n % len(CLEANING_PLACES)])
        self.recent_and_upcoming()

    def recent_and_upcoming(self):
        """The last fortnight's activities (in review and publicity), a few recruiting in every
        street, and one of 博览社区's under way today."""
        rng = self.rng
        by_org = {}
        for team, spec in sorted(self.teams, key=lambda ts: ts[0].unit is not None):
            by_org.setdefault(team.org.code, (team, spec))
        picks = [("XM-JS-01", 2), ("CC-HZ-01", 4), ("ZZ-LHML-09", 6), ("XZ-JSQ-01", 9),
                 ("CC-HZ-02", 11), ("ZZ-LHML-07", 3)]
        for code, days in picks:
            team, spec = by_org[code]
            street = code[:len("XZ-JSQ")]
            item = self.items_of(spec)[0]
            people = self.participants(team, street, rng.randint(10, 18))
            if code == DEMO_COMMUNITY:
                people = [self.demo_accounts[u] for u in ("member", "resident")
                          if u in self.demo_accounts] + people
            self.hold(team.org, team, item, self.today - days * DAY,
                      list(dict.fromkeys(people)))
        for code, days in [("XM-JS-01", 3), ("CC-HZ-01", 2), ("CC-HZ-03", 5), ("ZZ-LHML-01", 4),
                           ("ZZ-LHML-09", 6), ("XZ-JSQ-01", 8)]:
            team, spec = by_org[code]
            item = self.items_of(spec)[-1]
            activity, _served, _m = self.activity(team.org, team, item, self.today + days * DAY,
                                                  [])
            activity.places = rng.choice((20, 30, 40))
            pool = self.by_community.get(code) or self.volunteers[code[:6]]
            taken = rng.sample(pool, min(len(pool), rng.randint(3, activity.places // 2)))
            if code == DEMO_COMMUNITY:
                taken = [self.demo_accounts["member"]] + taken if "member" in \
                    self.demo_accounts else taken
            self.upcoming.append((activity, list(dict.fromkeys(taken))))
        # Under way: started an hour ago, for three hours.
        team, spec = by_org[DEMO_COMMUNITY]
        item = ("博览苑小区环境整治", "清理楼道堆物和小广告，整理非机动车，劝导文明养犬。",
                "", (100, 300), (0, 0), 180)
        start = (self.now - datetime.timedelta(hours=1)).replace(minute=0, second=0,
                                                                microsecond=0)
        activity, _served, _m = self.activity(team.org, team, item, self.today, [],
                                              place="博览苑小区")
        activity.starts_at, activity.ends_at = start, start + datetime.timedelta(hours=3)
        activity.signup_deadline = None
        activity.created_at = min(activity.created_at, start - 3 * DAY)
        pool = self.by_community[DEMO_COMMUNITY]
        signed = [self.demo_accounts[u] for u in ("member", "resident")
                  if u in self.demo_accounts] + rng.sample(pool, min(len(pool), 12))
        signed = list(dict.fromkeys(signed))
        activity.places = len(signed) + 5
        came = [v for v in signed if v.account is None or v.account.username == "member"][:9]
        self.under_way = (activity, signed, came)

    # -- writing --------------------------------------------------------------------------------

    def states(self):
        """State, publicity and counting dates of the activities held, by their end."""
        for h in self.held:
            a = h.activity
            end = timezone.localtime(a.ends_at).date()
            age = (self.today - end).days
            a.reviewed_by = a.created_by
            if age >= 12:
                a.state = State.PUBLISHED
                a.publicised_on = end + self.rng.randint(3, 6) * DAY
            elif age >= 5 and self.rng.random() < 0.5:
                a.state = State.PUBLISHED  # in publicity now
                a.publicised_on = self.today - 2 * DAY
            elif age >= 5:
                a.state = State.REVIEWED
            else:
                a.state = State.ENDED
                a.beneficiaries_served = None
                a.reviewed_by = None
            if a.state in (State.PUBLISHED, State.REVIEWED):
                a.reviewed_at = self.at(end + min(age, 2) * DAY, 17)
            if a.state == State.PUBLISHED:
                a.publicity_days = self.publicity
                a.counts_from = rules.counts_from(a.publicised_on, self.publicity)

    def write(self):
        rng = self.rng
        self.states()
        activities = [h.activity for h in self.held]
        upcoming = [a for a, _t in self.upcoming]
        for a in upcoming:
            a.state = State.RECRUITING
        under_way = self.under_way[0]
        under_way.state = State.IN_PROGRESS
        everything = activities + upcoming + [under_way]
        for sample in (activities[0], activities[-1], upcoming[0], under_way):
            sample.full_clean()
        Activity.objects.bulk_create(everything, batch_size=500)

        # Rows by id (not by instance): the ORM's per-row work is what takes the time here.
        signups, pairs, records, events = [], [], [], []
        self.made: list[tuple[ServiceRecord, Activity, Volunteer]] = []
        evaluations = [Evaluation.EXCELLENT, Evaluation.GOOD, Evaluation.GOOD,
                       Evaluation.QUALIFIED]
        for h in self.held:
            a, mine = h.activity, []
            day = timezone.localtime(a.starts_at).date()
            # Somebody signed up and did not come, now and then (a city cleaning has no list).
            absent = {v.pk for v in h.people if rng.random() < 0.03 and v.account_id is None
                      and a.team is not self.cleaning_team}
            for v in h.people:
                signups.append(Signup(activity_id=a.pk, volunteer_id=v.pk,
                                      created_at=a.created_at + DAY + rng.randint(0, 3) * DAY,
                                      state=SignupState.ABSENT if v.pk in absent
                                      else SignupState.ACCEPTED))
                if v.pk in absent:
                    continue
                start = a.starts_at + datetime.timedelta(minutes=rng.randint(-10, 8))
                out = a.ends_at + datetime.timedelta(minutes=rng.randint(-12, 12))
                pairs.append((len(signups) - 1, a.pk, v.pk, day, start, out))
                raw, counted, _open = rules.record_hours([(day, start, out)])
                record = ServiceRecord(
                    activity_id=a.pk, volunteer_id=v.pk, org_id=a.org_id, date=day,
                    counts_from=a.counts_from, raw_hours=raw, computed_hours=counted,
                    hours=counted, recorded_by_id=a.created_by_id,
                    evaluation="" if a.state == State.ENDED else rng.choice(evaluations),
                    created_at=a.ends_at + datetime.timedelta(minutes=30))
                mine.append(record)
                self.made.append((record, a, v))
            records += mine
            events += self.history(a, len(mine), len(absent), mine)
        for a, taken in self.upcoming:
            signups += [Signup(activity_id=a.pk, volunteer_id=v.pk, state=SignupState.ACCEPTED,
                               created_at=min(self.now, a.created_at + DAY))
                        for v in taken]
            events += self.history(a)
        activity, signed, came = self.under_way
        for v in signed:
            signups.append(Signup(activity_id=activity.pk, volunteer_id=v.pk,
                                  state=SignupState.ACCEPTED,
                                  created_at=activity.created_at + DAY))
            if v in came:
                start = activity.starts_at + datetime.timedelta(minutes=rng.randint(-5, 15))
                start = min(start, self.now)
                pairs.append((len(signups) - 1, activity.pk, v.pk,
                              timezone.localtime(start).date(), start, None))
        events += self.history(activity)
        signups[0].full_clean()
        Signup.objects.bulk_create(signups, batch_size=1000)
        checkins = [CheckIn(signup_id=signups[i].pk, activity_id=a_id, volunteer_id=v_id,
                            day=day, in_at=start, out_at=out)
                    for i, a_id, v_id, day, start, out in pairs]
        checkins[0].full_clean()
        CheckIn.objects.bulk_create(checkins, batch_size=1000)
        records[0].full_clean()
        ServiceRecord.objects.bulk_create(records, batch_size=1000)
        refresh_rollup({r.activity_id for r in records})
        ActivityEvent.objects.bulk_create(events, batch_size=1000)
        self.certificates()
        self.counts = {"activities": len(everything), "records": len(records),
                       "checkins": len(checkins), "signups": len(signups),
                       "teams": len(self.teams)}

    def history(self, a: Activity, present=0, absent=0, records=()):
        """The activity's history, as the services would have written it."""
        user = a.created_by
        rows = [build_event(a, "create", user, state_to=State.DRAFT, at=a.created_at,
                            text=f"登记活动：{a.title}"),
                build_event(a, "publish", user, state_from=State.DRAFT,
                            state_to=State.RECRUITING, at=a.created_at + datetime.timedelta(
                                hours=1), text=f"发布招募：名额 {a.places} 人")]
        if a.state == State.RECRUITING:
            return rows
        started = min(a.starts_at - datetime.timedelta(minutes=15), self.now)
        rows.append(build_event(a, "start", user, state_from=State.RECRUITING,
                                state_to=State.IN_PROGRESS, at=started))
        if a.state == State.IN_PROGRESS:
            return rows
        rows.append(build_event(a, "finish", user, state_from=State.IN_PROGRESS,
                                state_to=State.ENDED,
                                at=a.ends_at + datetime.timedelta(minutes=20),
                                text=f"结束活动：{present} 人签到，{absent} 人缺席"))
        if a.state == State.ENDED:
            return rows
        total = sum((r.hours for r in records), Decimal("0"))
        rows.append(build_event(a, "review", user, state_from=State.ENDED,
                                state_to=State.REVIEWED, at=a.reviewed_at,
                                text=f"审核时长：{len(records)} 人次共 {total} 小时，"
                                     f"服务对象 {a.beneficiaries_served} 人"))
        if a.state == State.PUBLISHED:
            rows.append(build_event(
                a, "publicize", user, state_from=State.REVIEWED, state_to=State.PUBLISHED,
                at=self.at(a.publicised_on, 10),
                text=f"公示 {a.publicity_days} 天，{a.counts_from:%Y-%m-%d} 起计入时长"))
        return rows

    def certificates(self):
        """Certificates of counted service for the demo member and a few keen volunteers."""
        counted = defaultdict(list)
        for record, activity, volunteer in self.made:
            if record.counts_from is not None and record.counts_from <= self.today:
                counted[(volunteer.pk, activity.org_id)].append((record, activity, volunteer))
        keen = sorted(counted.items(), key=lambda item: (-len(item[1]), item[0]))[:8]
        member = self.demo_accounts.get("member")
        if member is not None:
            mine = [(key, rows) for key, rows in counted.items() if key[0] == member.pk]
            keen = mine[:1] + [k for k in keen if k[0][0] != member.pk]
        certificates, links = [], []
        for (_volunteer, _org), rows in keen:
            rows.sort(key=lambda row: (row[0].date, row[0].pk))
            first, last = rows[0][0], rows[-1][0]
            volunteer, org = rows[0][2], rows[0][1].org
            titles = list(dict.fromkeys(activity.title for _r, activity, _v in rows))
            issued = min(self.today, last.counts_from + self.rng.randint(1, 20) * DAY)
            cert = Certificate(number=certificate_number(issued.year), volunteer=volunteer,
                               issuer=org, issued_on=issued, issued_by=volunteer.account,
                               hours=sum((r.hours for r, _a, _v in rows), Decimal("0")),
                               activity_count=len(rows), first_date=first.date,
                               last_date=last.date,
                               content="、".join(titles[:20])
                               + (f"等 {len(titles)} 项活动" if len(titles) > 20 else ""))
            certificates.append((cert, rows))
        if certificates:
            certificates[0][0].full_clean()
        Certificate.objects.bulk_create([c for c, _r in certificates])
        through = Certificate.records.through
        for cert, rows in certificates:
            links += [through(certificate_id=cert.pk, servicerecord_id=r.pk) for r, _a, _v in rows]
        through.objects.bulk_create(links, batch_size=1000)
        self.certificate_count = len(certificates)


def build(builder):
    demo = _Demo(builder)
    demo.volunteer_people()
    demo.build_teams()
    demo.build_activities()
    demo.write()
    c = demo.counts
    builder.say(f"志愿服务：服务队 {c['teams']} 支，活动 {c['activities']} 次，报名 {c['signups']} "
                f"条，签到 {c['checkins']} 次，服务记录 {c['records']} 条，"
                f"服务证明 {demo.certificate_count} 份")

