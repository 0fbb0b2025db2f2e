"""Demo demands, resources and projects of the four streets, from the seed reports:

- 会展 (003): 医药超市、环卫驿站、义务法官、爱心帮扶 — the public-service projects of the units;
- 金山 (001): 万科党员义工 at 金安社区; the monthly job fairs at 金安社区 with 鼎峰集团、弘爱医院、
  万科梅沙教育; 金林湾花园 返迁; 四点钟学校 and the shared venues (金山小学运动场 …);
- 金山桥 (000) and 陇海马路 (002): a few of their own.

Every row goes through the services as the account that would act, step after step, so the
history and the notifications are the ones those steps write (a "待立项" is settled by the
approval that follows it). Afterwards the dates are moved back so that the projects sit at
plausible points of their year, some of them late — the notifications with them, and the
deadlines they quote with the deadlines they were about.
"""

import datetime

from django.db.models import Max
from django.utils import timezone

from gongjian.core.models import Notification, User

from . import services
from .models import Demand, Project, ProjectClaim, ProjectEvent, ProjectState, Resource

S = ProjectState
ORDER = [S.DECLARED, S.APPROVED, S.CLAIMED, S.DOCKED, S.EXECUTING, S.ACCEPTED, S.CLOSED]

# (unit name, category, title, description, capacity, when)
RESOURCES = [
    ("厦门万科企业有限公司", "elderly", "万科党员义工服务队",
     "厦门万科党员义工活动中心的党员义工：为高龄、独居老人上门陪伴、代购、小家电维修。",
     200, "每周六上午"),
    ("厦门鼎峰集团有限公司", "employment", "鼎峰集团招聘岗位",
     "物业、保安、保洁、客服岗位，优先录用社区就业困难人员及应届大中专毕业生。", 60,
     "金安社区月度招聘会"),
    ("厦门弘爱医院", "employment", "弘爱医院招聘岗位",
     "护理员、导医、后勤岗位，提供岗前培训。", 30, "金安社区月度招聘会"),
    ("厦门弘爱医院", "health", "弘爱医院义诊与健康讲座",
     "内科、骨科专家义诊，测血压血糖，慢病健康讲座。", 300, "每月第二个周日上午"),
    ("万科梅沙教育", "employment", "万科梅沙教育招聘岗位",
     "教师助理、行政、后勤岗位，面向应届毕业生。", 20, "金安社区月度招聘会"),
    ("万科梅沙教育", "children", "暑期亲子国学班与手工课",
     "社区儿童亲子国学班、手工课、毛笔绘画课、科普学堂。", 80, "暑假每周一至周五下午"),
    ("厦门市湖里区金山小学", "space", "金山小学运动场周末开放",
     "周末和节假日向社区居民开放运动场。", 500, "周末及节假日 7:00–18:00"),
    ("厦门市湖里区地方税务局", "space", "多媒体会议室共享",
     "多媒体会议室可供社区开展党课、讲座、议事会。", 100, "工作日晚间、周末（提前三天预约）"),
    ("厦门市湖里区金哥安妹公益服务中心", "legal", "金哥安妹法律驿站",
     "律师志愿者坐班，提供法律咨询、纠纷调解、法律援助申请指导。", 150, "每周三下午"),
    ("厦门市湖里区四点钟学校公益服务社", "children", "四点钟学校",
     "放学后到家长下班前的作业辅导与看护。", 40, "上学日 16:00–18:30"),
    ("厦门鹭岛律师事务所", "legal", "返迁安置法律咨询",
     "征迁、返迁安置协议、房屋产权登记的法律咨询。", 80, "每月第一、三个周四"),
    ("长春益康大药房连锁有限公司会展店", "health", "医药超市：平价药品与送药上门",
     "常用药平价供应，为行动不便的老人和慢病患者送药上门，免费测血压。", 400,
     "每日 8:00–20:00"),
    ("长春洁美环卫服务有限公司", "environment", "环卫驿站",
     "为环卫工人和户外劳动者提供休息、热水、微波炉、应急药箱；组织楼院卫生清理。", 300,
     "全天开放"),
    ("长春信达律师事务所", "legal", "义务法官：法律咨询与调解",
     "律师担任社区义务法官，每周坐班，调解邻里、物业纠纷。", 120, "每周二上午"),
    ("长春市爱心帮扶协会", "relief", "爱心帮扶：困难家庭结对慰问",
     "为低保、残疾、独居困难家庭结对帮扶，节日慰问、助学。", 100, "长期"),
    ("长春博文物业服务有限公司", "environment", "博文物业维修志愿服务",
     "物业党员志愿者为老旧楼院免费维修楼道照明、单元门。", 60, "每月第一个周六"),
    ("长春骨伤医院", "health", "骨伤义诊进社区", "骨科、康复科医生义诊，老年人防跌倒讲座。",
     200, "每季度一次"),
    ("徐州经济技术开发区桃园路小学", "children", "校地共建：青少年思想道德教育课堂",
     "学校老师与街道机关党支部共同开设的青少年思想道德教育课堂。", 120, "每月一次"),
    ("徐州经济技术开发区金山桥爱心志愿者协会", "elderly", "爱心志愿者助老服务",
     "为高龄老人理发、助浴、代购。", 150, "每周四"),
    ("郑州乐善社会工作服务中心", "elderly", "“大爱夕阳”居家养老服务",
     "社工上门探访空巢老人，提供助餐、助洁服务。", 90, "工作日"),
]

# (poster, org code, category, title, description, place, beneficiaries, urgency, state)
DEMANDS = [
    ("resident", "CC-HZ-01", "environment", "博览苑3号楼楼道灯坏了",
     "3号楼2单元楼道灯坏了一个多月，老人晚上上下楼不方便。", "博览苑3号楼2单元", 36,
     "pressing", "open"),
    ("wangge", "CC-HZ-01-01", "elderly", "独居老人定期探访",
     "网格内有7位独居老人，希望有志愿者每周探访，帮忙代购。", "博览苑", 7, "normal",
     "accepted"),
    ("resident", "CC-HZ-01", "health", "慢病老人送药上门",
     "小区里几位慢病老人行动不便，买药困难。", "博览苑", 12, "pressing", "open"),
    ("jinan", "XM-JS-01", "employment", "就业困难人员求职",
     "社区登记的就业困难人员和应届大中专毕业生需要就业岗位。", "金安社区广场", 45,
     "normal", "accepted"),
    ("jinan", "XM-JS-01", "elderly", "高龄老人上门理发助浴",
     "金安花园高龄老人行动不便，需要上门理发、助浴。", "金安花园", 22, "normal", "open"),
    ("gaolin", "XM-JS-03-02", "legal", "返迁户交房与产权登记咨询",
     "金林湾花园返迁户对交房流程、产权登记有疑问，需要律师集中解答。", "金林湾花园", 300,
     "urgent", "open"),
    ("gaolin", "XM-JS-03-02", "environment", "返迁安置小区环境整治",
     "金林湾花园新交房，装修垃圾堆放，需要集中清运。", "金林湾花园", 800, "pressing",
     "open"),
    ("hubian", "XM-JS-04", "children", "暑期孩子无人看管",
     "双职工家庭孩子暑假白天无人照看，希望社区开设暑期课程。", "湖边花园A区", 60, "normal",
     "accepted"),
    ("jinding", "XM-JS-08", "culture", "广场舞音响设备",
     "金鼎花园广场舞队需要一套音响。", "金鼎花园广场", 40, "normal", "declined"),
    ("yiyuan", "XZ-JSQ-01", "culture", "高校文艺社团进社区演出",
     "居民希望高校文艺社团到社区演出。", "怡园社区党群服务中心", 200, "normal", "open"),
    ("longyi", "ZZ-LHML-07", "elderly", "空巢老人助餐",
     "辖区空巢老人午餐难，希望有助餐点。", "陇一社区", 50, "pressing", "open"),
]

# (street login, community login, org code, title, category, description, target,
#  final state, [(unit name, share)], rating, days since declaration)
PROJECTS = [
    ("huizhan", "bolan", "CC-HZ-01", "医药超市惠民送药", "health",
     "益康大药房会展店设“医药超市”：常用药平价供应，为慢病老人送药上门。", 500,
     S.EXECUTING, [("长春益康大药房连锁有限公司会展店", 100)], None, 70),
    ("huizhan", "xincheng", "CC-HZ-04", "环卫驿站", "environment",
     "洁美环卫在新城社区设环卫驿站，为环卫工人和户外劳动者提供休息补给。", 300,
     S.CLOSED, [("长春洁美环卫服务有限公司", 100)], 4, 160),
    ("huizhan", "bolan", "CC-HZ-01", "义务法官进社区", "legal",
     "信达律师事务所律师担任义务法官，每周坐班调解纠纷。", 400, S.CLAIMED,
     [("长春信达律师事务所", 60)], None, 40),
    ("huizhan", "linhe", "CC-HZ-03", "爱心帮扶困难家庭", "relief",
     "爱心帮扶协会与临河社区困难家庭结对，节日慰问、助学。", 120, S.ACCEPTED,
     [("长春市爱心帮扶协会", 70), ("长春骨伤医院", 30)], 5, 71),
    ("huizhan", "bolan", "CC-HZ-01", "老旧楼道照明维修", "environment",
     "博览苑、会展花园老旧楼道照明维修。", 240, S.APPROVED, [], None, 12),
    ("jinshan", "jinan", "XM-JS-01", "万科党员义工进社区", "elderly",
     "厦门万科党员义工活动中心在金安社区揭牌，党员义工加入社区志愿服务队，上门助老。",
     180, S.EXECUTING, [("厦门万科企业有限公司", 100)], None, 80),
    ("jinshan", "jinan", "XM-JS-01", "金安社区月度招聘会（{month}月）", "employment",
     "大党委成员单位到场招聘，为就业困难人员及应届大中专毕业生提供岗位。", 120, S.CLOSED,
     [("厦门鼎峰集团有限公司", 40), ("厦门弘爱医院", 30), ("万科梅沙教育", 30)], 5, 200),
    ("jinshan", "jinan", "XM-JS-01", "金安社区月度招聘会（{month}月）", "employment",
     "大党委成员单位到场招聘，为就业困难人员及应届大中专毕业生提供岗位。", 120, S.CLOSED,
     [("厦门鼎峰集团有限公司", 40), ("厦门弘爱医院", 30), ("万科梅沙教育", 30)], 4, 170),
    ("jinshan", "jinan", "XM-JS-01", "金安社区月度招聘会（{month}月）", "employment",
     "在金安社区广场，鼎峰集团、弘爱医院、万科梅沙教育到场招聘。", 150, S.ACCEPTED,
     [("厦门鼎峰集团有限公司", 40), ("厦门弘爱医院", 30), ("万科梅沙教育", 30)], 5, 72),
    ("jinshan", "jinan", "XM-JS-01", "金安社区月度招聘会（{month}月）", "employment",
     "大党委成员单位到场招聘。", 120, S.DOCKED,
     [("厦门鼎峰集团有限公司", 50), ("厦门弘爱医院", 50)], None, 24),
    ("jinshan", "gaolin", "XM-JS-03-02", "金林湾花园返迁交房法律服务", "legal",
     "返迁临时党支部组织律师集中解答交房、产权登记问题，党员带头签订返迁交房协议。", 300,
     S.DOCKED, [("厦门鹭岛律师事务所", 60), ("厦门金林湾置业有限公司", 40)], None, 45),
    ("jinshan", "hubian", "XM-JS-04", "湖边花园暑期课堂", "children",
     "亲子国学班、手工课、毛笔绘画课、科普学堂，让双职工家庭安心。", 60, S.ACCEPTED,
     [("万科梅沙教育", 60), ("厦门市湖里区四点钟学校公益服务社", 40)], 5, 70),
    ("jinshan", "jinding", "XM-JS-08", "金鼎花园健身路径更新", "culture",
     "更新金鼎花园健身器材。", 800, S.DECLARED, [], None, 12),
    ("jinshan", "dongzhai", "XM-JS-09", "东宅安置小区垃圾分类督导", "environment",
     "安置小区垃圾分类督导志愿服务。", 900, S.REJECTED, [], None, 50),
    ("jinshanqiao", "yiyuan", "XZ-JSQ-01", "一刻钟党建服务圈文艺进社区", "culture",
     "高校文艺社团走进怡园社区演出。", 300, S.APPROVED, [], None, 25),
    ("jinshanqiao", "taoyuan", "XZ-JSQ-03", "校地共建青少年课堂", "children",
     "桃园路小学与街道机关党支部共建的青少年思想道德教育课堂。", 200, S.EXECUTING,
     [("徐州经济技术开发区桃园路小学", 100)], None, 80),
    ("longhai", "longyi", "ZZ-LHML-07", "“大爱夕阳”助餐点", "elderly",
     "为空巢老人设社区助餐点。", 50, S.CLAIMED, [("郑州乐善社会工作服务中心", 80)], None, 35),
]

# Projects turned from demands (project title → demand titles): the demo resident's demand
# became the medicine project, which the resident follows from their notification.
SOURCES = {"医药超市惠民送药": ("慢病老人送药上门",)}

STEP_GAP_DAYS = {S.APPROVED: 5, S.CLAIMED: 8, S.DOCKED: 6, S.EXECUTING: 5, S.ACCEPTED: 40,
                 S.CLOSED: 5}


def _user(name):
    return User.objects.get(username=name)


def _liaison_or_street(unit, street_user):
    from gongjian.core.models import RoleGrant

    grant = RoleGrant.objects.filter(role="unit_liaison", unit=unit).select_related("user").first()
    return grant.user if grant else street_user


def build(builder):
    today = timezone.localdate()
    units = {u.name: u for u in builder.units.values()}
    for name, category, title, description, capacity, when in RESOURCES:
        unit = units[name]
        services.create_resource(unit=unit, category=category, title=title,
                                 description=description, capacity=capacity,
                                 available_text=when,
                                 user=_user("jinshan") if unit.code.startswith("XM-JS")
                                 else _street_of(unit))
    posted = {}
    for poster, org, category, title, description, place, n, urgency, state in DEMANDS:
        demand = services.create_demand(
            org=builder.orgs[org], category=category, title=title, description=description,
            place=place, beneficiaries=n, urgency=urgency, user=_user(poster))
        staff = _community_staff(org)
        if state == "accepted":
            services.accept_demand(demand, user=staff)
        elif state == "declined":
            services.decline_demand(demand, reason="已由社区自有经费解决，无需共建项目。",
                                    user=staff)
        Demand.objects.filter(pk=demand.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=builder.rng.randint(2, 20)))
        posted[title] = demand
    for spec in PROJECTS:
        _project(builder, units, today, posted, *spec)
    builder.say(f"三单：{Resource.objects.count()} 项资源、{Demand.objects.count()} 条需求、"
                f"{Project.objects.count()} 个共建项目")


def _street_of(unit):
    logins = {"CC-HZ": "huizhan", "XZ-JSQ": "jinshanqiao", "ZZ-LHML": "longhai",
              "XM-JS": "jinshan"}
    return _user(logins[unit.code.split("-U")[0]])


def _community_staff(org_code):
    from gongjian.core.models import RoleGrant

    path_codes = org_code.split("-")
    for n in range(len(path_codes), 1, -1):
        code = "-".join(path_codes[:n])
        grant = RoleGrant.objects.filter(role__in=("community_staff", "street_staff"),
                                         org__code=code).select_related("user").first()
        if grant:
            return grant.user
    raise LookupError(org_code)


def _project(builder, units, today, posted, street_login, community_login, org_code, title,
             category, description, target, final, claims, rating, days_ago):
    street, community = _user(street_login), _user(community_login)
    org = builder.orgs[org_code]
    start_day = today - datetime.timedelta(days=days_ago)
    planned_end = start_day + datetime.timedelta(days=90)
    title = title.format(month=(start_day + datetime.timedelta(days=20)).month)
    sent = []  # the notifications of each step, in the order of the history lines

    def step(call):
        last = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
        result = call()
        sent.append(list(Notification.objects.filter(pk__gt=last).values_list("pk", flat=True)))
        return result

    p = step(lambda: services.create_project(
        title=title, category=category, description=description, org=org,
        target_beneficiaries=target, planned_start=start_day + datetime.timedelta(days=20),
        planned_end=planned_end, demands=[posted[t] for t in SOURCES.get(title, ())],
        user=community))
    if final == S.REJECTED:
        step(lambda: services.reject(p, reason="与已立项的社区自治项目重复，请合并申报。",
                                     user=street))
    elif final != S.DECLARED:
        step(lambda: services.approve(p, note="同意立项。", user=street))
    reached = ORDER.index(final) if final in ORDER else 0
    if reached >= ORDER.index(S.CLAIMED):
        for name, share in claims:
            unit = units[name]
            step(lambda unit=unit, share=share: services.claim(
                p, share=share, unit=unit, user=_liaison_or_street(unit, street)))
    if reached >= ORDER.index(S.DOCKED):
        step(lambda: services.dock(
            p, date=start_day + datetime.timedelta(days=19), place=f"{org.name}党群服务中心",
            plan=f"{description}分工：认领单位按份额提供人员与物资，社区负责场地、组织居民和验收。",
            user=community))
    if reached >= ORDER.index(S.EXECUTING):
        step(lambda: services.start(p, note="按方案开始实施。", user=community))
        step(lambda: services.progress(p, text="第一次活动顺利开展，居民反响良好。",
                                       user=community))
    if reached >= ORDER.index(S.ACCEPTED):
        step(lambda: services.accept(p, rating=rating, beneficiary_count=int(target * 0.9),
                                     comment="居民满意，建议常态化开展。", user=community))
    if reached >= ORDER.index(S.CLOSED):
        step(lambda: services.close(p, note="资料归档。", user=community))
    _backdate(p, start_day, today, sent)


def _backdate(project, start_day, today, sent):
    """Spread the history over the days since declaration and set the step deadline from
    the last step's date, so that the late ones are late by a plausible margin. Each step's
    notifications move with its history line, and a deadline they quote (counted from the
    day the demo ran) is counted from the step's day instead."""
    events = list(ProjectEvent.objects.filter(project=project).order_by("id"))
    day = start_day
    stamps = {}
    gaps = {"declare": 0, "approve": 5, "reject": 6, "claim": 4, "dock": 6, "start": 4,
            "progress": 10, "accept": 30, "close": 5}
    for event, notes in zip(events, sent, strict=True):
        day = min(today, day + datetime.timedelta(days=gaps.get(event.step, 3)))
        at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
        ProjectEvent.objects.filter(pk=event.pk).update(at=at)
        stamps.setdefault(event.step, at)
        quoted = services.deadline_for(event.state_to, today)
        meant = services.deadline_for(event.state_to, day)
        for note in Notification.objects.filter(pk__in=notes):
            if quoted is not None:
                note.title = note.title.replace(f"{quoted:%Y-%m-%d}", f"{meant:%Y-%m-%d}")
                note.body = note.body.replace(f"{quoted:%Y-%m-%d}", f"{meant:%Y-%m-%d}")
            note.created_at = at
            note.save(update_fields=["title", "body", "created_at"])
    p = Project.objects.get(pk=project.pk)
    fields = {"declared_at": stamps.get("declare"), "approved_at": stamps.get("approve"),
              "started_at": stamps.get("start"), "accepted_at": stamps.get("accept"),
              "closed_at": stamps.get("close")}
    deadline = services.deadline_for(p.state, day)
    if p.state == S.EXECUTING and p.planned_end:
        deadline = p.planned_end
    Project.objects.filter(pk=p.pk).update(
        step_deadline=deadline, **{k: v for k, v in fields.items() if v is not None})
    ProjectClaim.objects.filter(project=p).update(step_deadline=deadline)
