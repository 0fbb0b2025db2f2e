"""Demo of services for companies (seed 001, 金山街道): the leading group, four areas, 25 leaders
and community heads, 120-odd cadres linked to the street's companies, 8 party-building
instructors, and cases in plausible states; a few in 会展 (CC-HZ).

Rows are checked with full_clean() and written with bulk_create so the demo builds in seconds.
"""

import datetime

from django.utils import timezone

from gongjian.core.models import RoleGrant
from gongjian.core.pinyin import pinyin_keys
from gongjian.core.workflow import record_event
from gongjian.members.models import Person
from gongjian.orgs.models import Unit

from .models import (
    COMPANY_TYPES,
    Cadre,
    CadreLink,
    Case,
    CaseVisit,
    Category,
    Post,
    Satisfaction,
    ServiceArea,
    Source,
    State,
)

D = datetime.date

# 金山: communities 01 金安 02 金山 03 高林 04 湖边 05 金湖 06 林边 07 五缘 08 金鼎 09 东宅.
JINSHAN_AREAS = [
    ("第一片区（金安·金山）", ["01", "02"]),
    ("第二片区（高林·东宅）", ["03", "09"]),
    ("第三片区（湖边·林边）", ["04", "06"]),
    ("第四片区（金湖·五缘·金鼎）", ["05", "07", "08"]),
]
LEADER_TITLES = ["党工委书记", "办事处主任", "党工委副书记", "人大工委主任", "党工委委员、副主任",
                 "党工委委员、武装部长", "党工委委员、纪工委书记", "党工委委员、组织委员",
                 "党工委委员、宣传委员", "副主任", "副主任", "副主任", "四级调研员", "四级调研员",
                 "党建办主任", "经济服务办主任"]
PARTY_CADRES = 124
INSTRUCTORS = 8

# (category, title, description, resolution) — from 001's 融资难、升级难、用工难.
CASE_TEXTS = {
    Category.FINANCE: [
        ("流动资金贷款周转困难", "订单增长，原材料采购资金缺口约 300 万元，申请对接银行信用贷款。",
         "对接辖区银行，获批信用贷款 300 万元。"),
        ("申请政策性担保贷款", "希望了解市级中小企业融资担保政策并协助申报。",
         "协助提交材料，获得政策性担保贷款 500 万元。"),
        ("应收账款融资", "应收账款占用资金较多，希望开展应收账款质押融资。",
         "联系银行开展应收账款质押融资，盘活资金 200 万元。"),
    ],
    Category.LABOUR: [
        ("招聘一线员工", "新项目开工，急需招聘一线员工 30 名。",
         "推荐参加街道用工招聘会，招聘到岗 32 人。"),
        ("技术人员短缺", "软件开发岗位长期空缺，希望对接高校毕业生。",
         "对接高校就业指导中心举办专场招聘，录用 6 人。"),
        ("员工技能培训", "新员工较多，希望组织岗前技能培训。",
         "协调职业技能培训机构举办培训班两期，培训 80 人次。"),
    ],
    Category.UPGRADE: [
        ("数字化转型咨询", "希望引入信息化管理系统，需要政策和服务商推荐。",
         "组织专家上门诊断，申报数字化改造补贴。"),
        ("办公场地扩租", "业务扩大，现有办公场地不足，希望在辖区内扩租。",
         "协调楼宇业主，在两岸金融中心扩租 800 平方米。"),
        ("高新技术企业认定", "计划申报高新技术企业，不熟悉认定流程。",
         "协助梳理知识产权和研发费用，通过高新技术企业认定。"),
    ],
    Category.POLICY: [
        ("稳岗补贴申领", "不清楚稳岗补贴申领条件和流程。", "指导线上申领，补贴已到账。"),
        ("人才住房政策咨询", "引进人才希望了解人才住房申请政策。", "讲解政策并协助申报，3 人获批。"),
    ],
    Category.OTHER: [
        ("周边道路停车难", "员工上下班停车困难，希望协调周边停车资源。",
         "协调周边小区错时共享停车位 40 个。"),
    ],
}
OPEN_TEXTS = [
    (Category.FINANCE, "设备更新贷款", "计划更新生产设备，需融资约 800 万元。"),
    (Category.LABOUR, "旺季临时用工", "节前旺季需临时用工 50 人。"),
    (Category.UPGRADE, "申报专精特新企业", "希望申报省级专精特新中小企业。"),
    (Category.POLICY, "留抵退税办理", "对增值税留抵退税办理流程有疑问。"),
    (Category.OTHER, "园区路灯损坏", "企业门前道路路灯损坏，夜间下班不安全。"),
    (Category.LABOUR, "外地员工子女入学", "外地员工子女入学需要协调学位。"),
]
SATISFACTION_MIX = ([Satisfaction.SATISFIED] * 8 + [Satisfaction.FAIR] * 2
                    + [Satisfaction.UNSATISFIED])


def _person(builder, name, org, sex, birth):
    full, initials = pinyin_keys(name)
    return Person(name=name, name_pinyin=full, name_initials=initials, sex=sex,
                  birth_date=birth, org=org, work_unit=org.name[:100])


def _street_account(street):
    grant = (RoleGrant.objects.filter(role="street_staff", org=street)
             .select_related("user").first())
    return grant.user if grant else None


def _at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


class _Street:
    """Builds one street's areas, cadres, links and cases."""

    def __init__(self, builder, code):
        self.builder, self.rng = builder, builder.rng
        self.street = builder.orgs[code]
        self.code = code
        self.today = timezone.localdate()
        self.actor = _street_account(self.street)
        self.companies = list(Unit.objects.filter(
            org__path__startswith=self.street.path, unit_type__in=COMPANY_TYPES)
            .select_related("org").order_by("code"))

    def areas(self, spec):
        rows = []
        for order, (name, suffixes) in enumerate(spec, start=1):
            area = ServiceArea(street=self.street, name=name, order=order)
            area.full_clean(exclude=["leader"])
            rows.append((area, [self.builder.orgs[f"{self.code}-{s}"] for s in suffixes]))
        ServiceArea.objects.bulk_create([a for a, _ in rows])
        for area, communities in rows:
            area.communities.set(communities)
        self.area_rows = rows
        self.area_of_org = {org.pk: area for area, orgs in rows for org in orgs}
        return [a for a, _ in rows]

    def cadres(self, specs):
        """specs: (post, title, area, home org, in_leading_group) → bulk-created cadres."""
        people = []
        for _post, _title, _area, org, _lead in specs:
            sex = self.rng.choice(("男", "男", "女"))
            birth = D(self.rng.randint(1968, 1995), self.rng.randint(1, 12),
                      self.rng.randint(1, 28))
            people.append(_person(self.builder, self.builder.person(sex), org, sex, birth))
        Person.objects.bulk_create(people)
        rows = []
        for person, (post, title, area, _org, lead) in zip(people, specs, strict=True):
            cadre = Cadre(person=person, street=self.street, post=post, title=title, area=area,
                          in_leading_group=lead)
            cadre.full_clean(validate_unique=False, validate_constraints=False)
            rows.append(cadre)
        return Cadre.objects.bulk_create(rows)

    def links(self, pairs, since):
        rows = []
        for cadre, company in pairs:
            row = CadreLink(cadre=cadre, company=company,
                            started_on=since + datetime.timedelta(days=self.rng.randint(0, 60)))
            row.full_clean(validate_unique=False, validate_constraints=False)
            rows.append(row)
        CadreLink.objects.bulk_create(rows)
        return rows

    def cases(self, plan, linked_by_company):
        """plan: (company, category, title, description, state, resolution, satisfaction,
        raised_days_ago, deadline_days_from_raise) → cases with their history and visits."""
        cases, histories, visits = [], [], []
        for (company, category, title, text, state, resolution, satisfaction, ago,
             allow) in plan:
            raised = self.today - datetime.timedelta(days=ago)
            cadres = linked_by_company.get(company.pk) or []
            assignee = cadres[0] if cadres and state != State.SUBMITTED else None
            case = Case(company=company, category=category, title=title, description=text,
                        raised_on=raised, source=Source.CADRE if cadres else Source.STAFF,
                        on_behalf_of=cadres[0] if cadres else None, raised_by=self.actor,
                        state=state, created_at=_at(raised, 9))
            history = [("submitted", State.SUBMITTED, raised,
                        f"{case.get_source_display()}：{cadres[0].person.name}" if cadres
                        else "街道/社区代为提出")]
            if state != State.SUBMITTED:
                case.assignee = assignee
                case.assignee_org = company.org if assignee is None else None
                case.deadline = raised + datetime.timedelta(days=allow)
                who = assignee.person.name if assignee else company.org.name
                history.append(("assigned", State.ASSIGNED, raised + datetime.timedelta(days=1),
                                f"分派给 {who}，期限 {case.deadline:%Y-%m-%d}。"))
            visit_days = []
            if state in (State.FOLLOWING, State.RESOLVED, State.CLOSED):
                span = max(2, min(ago - 1, allow))
                for n in range(self.rng.randint(1, 2)):
                    day = raised + datetime.timedelta(days=min(span, 2 + n * 5))
                    if day <= self.today:
                        visit_days.append(day)
            for day in visit_days:
                name = assignee.person.name if assignee else "社区党务工作者"
                done = "上门了解企业具体需求，梳理问题清单。" if day == visit_days[0] else \
                    "协调相关部门和单位，跟进办理进度。"
                visits.append(CaseVisit(case=case, visited_on=day, visitor=assignee,
                                        visitor_name=name, done=done,
                                        next_step="联系对口部门" if day == visit_days[0] else "",
                                        recorded_by=self.actor))
                history.append(("visit", State.FOLLOWING, day, f"{day:%Y-%m-%d} {name} 走访：{done}"))
            if state == State.RESOLVED:
                done_on = min(self.today, (visit_days[-1] if visit_days else raised)
                              + datetime.timedelta(days=self.rng.randint(3, 20)))
                case.resolution, case.resolved_on = resolution, done_on
                history.append(("resolved", State.RESOLVED, done_on, resolution))
                if satisfaction:
                    comment = ("问题解决及时，感谢街道。" if satisfaction == Satisfaction.SATISFIED
                               else "基本解决，希望后续持续跟进。"
                               if satisfaction == Satisfaction.FAIR
                               else "问题仅部分解决，希望继续协调。")
                    case.satisfaction, case.satisfaction_comment = satisfaction, comment
                    case.rated_on = min(self.today, done_on + datetime.timedelta(days=3))
                    history.append(("rated", State.RESOLVED, case.rated_on,
                                    f"{case.get_satisfaction_display()}。{comment}"))
            if state == State.CLOSED:
                case.close_reason = resolution
                case.closed_on = min(self.today, raised + datetime.timedelta(days=20))
                history.append(("closed", State.CLOSED, case.closed_on, resolution))
            case.full_clean(validate_unique=False, validate_constraints=False)
            cases.append(case)
            histories.append((case, history))
        Case.objects.bulk_create(cases)
        for row in visits:
            row.case_id = row.case.pk
        CaseVisit.objects.bulk_create(visits)
        for case, history in histories:
            before = ""
            for hour, (step, after, day, note) in enumerate(history, start=9):
                record_event(case, step, self.actor, note=note, state_from=before,
                             state_to=after, at=_at(day, min(hour, 18)))
                before = after
        return cases


def _jinshan(builder):
    s = _Street(builder, "XM-JS")
    areas = s.areas(JINSHAN_AREAS)
    machine = builder.orgs["XM-JS-JG"]
    # 25 leaders and community heads in 4 areas, all in the leading group.
    specs = [(Post.LEADER, title, areas[i % 4], machine, True)
             for i, title in enumerate(LEADER_TITLES)]
    for area, communities in s.area_rows:
        for org in communities:
            specs.append((Post.COMMUNITY_HEAD, f"{org.name[:2]}社区党委书记", area, org, True))
    heads = s.cadres(specs)
    for area in areas:
        area.leader = next(c for c in heads if c.area_id == area.pk and c.post == Post.LEADER)
    ServiceArea.objects.bulk_update(areas, ["leader"])
    # 120-odd party cadres, each in the area of the company they serve.
    by_area = {a.pk: [] for a in areas}
    unlinked = {s.companies[-1].pk, s.companies[-2].pk}  # shown as "未挂钩" on the list
    served = [c for c in s.companies if c.pk not in unlinked]
    for company in served:
        area = s.area_of_org.get(company.org_id, areas[0])
        by_area[area.pk].append(company)
    cadre_specs, targets = [], []
    for n in range(PARTY_CADRES):
        company = served[n % len(served)]
        area = s.area_of_org.get(company.org_id, areas[0])
        cadre_specs.append((Post.CADRE, "", area, company.org if company.org.depth == 2
                            else machine, False))
        targets.append(company)
    cadres = s.cadres(cadre_specs)
    instructors = s.cadres([(Post.INSTRUCTOR, "党建指导员", areas[i % 4], machine, False)
                            for i in range(INSTRUCTORS)])
    pairs = list(zip(cadres, targets, strict=True))
    # Each leader and community head also links two companies of their area.
    for head in heads:
        pool = by_area[head.area_id]
        for company in s.rng.sample(pool, min(2, len(pool))):
            pairs.append((head, company))
    s.links(pairs, D(2018, 3, 1))
    linked = {}
    for cadre, company in pairs:
        linked.setdefault(company.pk, []).append(cadre)

    # Cases: many resolved and rated, some open, one overdue, one closed, one unsatisfied.
    plan = []
    zhongjin = next(c for c in s.companies if c.name.startswith("中金启融"))
    plan.append((zhongjin, Category.FINANCE, "协助完成增资扩股",
                 "基金管理公司拟增资扩股，需协调工商变更、外汇登记等手续。", State.RESOLVED,
                 "街道挂钩干部全程协调，协助中金启融完成 220 亿元的增资。",
                 Satisfaction.SATISFIED, 420, 60))
    cycle = [(cat, text) for cat, texts in CASE_TEXTS.items() for text in texts]
    others = [c for c in served if c.pk != zhongjin.pk]
    for n, company in enumerate(others[:44]):
        category, (title, text, resolution) = cycle[n % len(cycle)]
        satisfaction = SATISFACTION_MIX[n % len(SATISFACTION_MIX)]
        if n % 9 == 4:
            satisfaction = ""  # resolved, the company has not rated yet
        plan.append((company, category, title, text, State.RESOLVED, resolution, satisfaction,
                     40 + (n * 11) % 500, 30))
    for n, (category, title, text) in enumerate(OPEN_TEXTS):
        company = served[(n * 7 + 3) % len(served)]
        state = (State.SUBMITTED, State.ASSIGNED, State.FOLLOWING)[n % 3]
        plan.append((company, category, title, text, state, "", "", 3 + n * 4, 30))
    plan.append((served[5], Category.UPGRADE, "厂房消防改造审批",
                 "老厂房改造需消防审批，进度缓慢，影响投产。", State.FOLLOWING, "", "", 50, 30))
    plan.append((served[8], Category.OTHER, "商标纠纷咨询",
                 "与外地企业存在商标纠纷，希望街道协调。", State.CLOSED,
                 "属司法程序事项，已引导企业通过法律途径解决并推荐律师事务所。", "", 90, 30))
    s.cases(plan, linked)
    builder.say(f"已建立金山街道企业服务：片区 {len(areas)} 个、挂钩干部 "
                f"{len(heads) + len(cadres) + len(instructors)} 名、挂钩关系 {len(pairs)} 条、"
                f"企业诉求 {len(plan)} 件")


def _huizhan(builder):
    s = _Street(builder, "CC-HZ")
    areas = s.areas([("东片区", ["01", "02"]), ("西片区", ["03", "04", "05"])])
    machine = builder.orgs["CC-HZ-JG"]
    cadres = s.cadres([(Post.LEADER if i < 2 else Post.CADRE,
                        "党工委副书记" if i == 0 else "副主任" if i == 1 else "",
                        areas[i % 2], machine, i < 2) for i in range(6)])
    for area in areas:
        area.leader = next(c for c in cadres if c.area_id == area.pk)
    ServiceArea.objects.bulk_update(areas, ["leader"])
    pairs = [(cadres[i % len(cadres)], company) for i, company in enumerate(s.companies[:12])]
    s.links(pairs, D(2021, 4, 1))
    linked = {}
    for cadre, company in pairs:
        linked.setdefault(company.pk, []).append(cadre)
    bowen = next(c for c in s.companies if c.code == "CC-HZ-U02")  # the demo liaison's unit
    plan = [
        (bowen, Category.LABOUR, "物业保洁员招聘", "新接管小区需招聘保洁员 15 名。",
         State.RESOLVED, "通过会展街道用工招聘会招聘到岗 16 人。", "", 60, 30),
        (bowen, Category.POLICY, "老旧小区改造政策咨询", "希望了解老旧小区改造中物业企业可申请的补助。",
         State.FOLLOWING, "", "", 20, 30),
        (s.companies[3], Category.FINANCE, "冬季备货资金周转",
         "冬季备货需资金 150 万元。", State.RESOLVED, "对接九台农商银行，获批贷款 150 万元。",
         Satisfaction.SATISFIED, 120, 30),
        (s.companies[5], Category.UPGRADE, "生产线自动化改造",
         "计划改造生产线，希望申请技改补贴。", State.ASSIGNED, "", "", 10, 30),
    ]
    s.cases(plan, linked)
    builder.say(f"已建立会展街道企业服务：片区 {len(areas)} 个、诉求 {len(plan)} 件")


def build(builder):
    _jinshan(builder)
    _huizhan(builder)
