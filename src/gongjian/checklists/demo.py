"""Demo checklists of 陇海马路 street (seed 002: 清单式管理, 整改销号; 学习清单、资源清单、活动清单
公示): the street's 责任清单 claimed by its nine communities — some accepted, some in progress,
one overdue; a 问题清单 with problems closed out, being rectified, awaiting close-out and
overdue; the learning and activity lists of three communities on their public boards (their
资源清单 is the street's 服务资源 of the projects demo, shown from there).

Past records are written directly (full_clean) with their history (build_event): the services
refuse past dates."""

import datetime

from django.utils import timezone

from gongjian.core.models import User
from gongjian.core.workflow import build_event

from .models import ChecklistEvent, ChecklistItem, Kind, State

STREET = "ZZ-LHML"
COMMUNITIES = [("01", "xinzhenglu"), ("02", "ziwei"), ("03", "longsan"), ("04", "zijing"),
               ("05", "longer"), ("06", "longxin"), ("07", "longyi"), ("08", "huangjinye"),
               ("09", "zhengxinli")]
DAY = datetime.timedelta(days=1)

# (title, category, target, measures, days from today to the deadline, publish days ago)
RESPONSIBILITIES = [
    ("规范落实“三会一课”制度", "org_life", "全年支委会每月、党员大会每季度、党课每季度不少于一次",
     "建立年度计划，会议记录规范归档", -40, 320),
    ("开展“4+X”主题党日活动", "org_life", "每月固定一天，集中学习、过组织生活、民主议事、志愿服务",
     "结合社区特色确定“X”内容", -10, 200),
    ("党群服务中心提档升级", "position", "场地面积和功能布局达到党建示范社区标准",
     "与辖区物业、公共单位、非公企业沟通共享场地", 45, 120),
    ("打造“一社区一党建品牌”", "service", "形成特色鲜明的社区党建品牌并公示",
     "梳理社区资源，提炼工作法", 75, 20),
]
# Which communities reached which point, per item (index into COMMUNITIES → state).
PROGRESS = {
    0: {i: State.DONE for i in range(9)} | {8: State.SUBMITTED},
    1: {0: State.DONE, 1: State.DONE, 2: State.DONE, 3: State.DONE, 4: State.DONE,
        5: State.DONE, 6: State.IN_PROGRESS, 7: State.DONE, 8: State.DONE},
    2: {0: State.IN_PROGRESS, 1: State.IN_PROGRESS, 2: State.SUBMITTED, 3: State.CLAIMED,
        4: State.IN_PROGRESS, 5: State.DONE, 6: State.CLAIMED, 7: State.IN_PROGRESS,
        8: State.CLAIMED},
    3: {0: State.CLAIMED, 1: State.CLAIMED, 3: State.CLAIMED},
}
EVIDENCE = {
    0: "全年召开支委会 12 次、党员大会 4 次、党课 4 次，会议记录已归档。",
    1: "每月 5 日开展主题党日，“X”为楼院环境整治和为老服务。",
    2: "已与辖区物业签订场地共享协议，活动室面积达到 200 平方米。",
    3: "已梳理社区资源，品牌方案待社区党组织讨论。",
}

# (community index, source, title, description, measures, days to deadline, state, filed
# days ago)
PROBLEMS = [
    (0, "inspection", "党员活动室台账不全", "检查发现 2025 年第三季度活动记录缺失。",
     "补齐台账，明确专人管理", -60, State.CLOSED, 150),
    (3, "appraisal", "流动党员联系不经常", "述职评议中指出流动党员一年未参加组织生活。",
     "建立流动党员微信联系群，每季度联系一次", -30, State.CLOSED, 120),
    (5, "resident", "楼宇党建指导站开放时间短", "居民反映指导站周末不开放。",
     "调整为周六上午开放", 20, State.RECTIFYING, 25),
    (6, "inspection", "支部换届材料未归档", "检查发现离退休党员党支部换届材料未按要求归档。",
     "整理换届请示、批复和选举结果材料", 15, State.APPLIED, 40),
    (7, "appraisal", "党员发展计划执行慢", "述职评议中指出近两年未发展党员。",
     "制定发展计划，培养入党积极分子 2 名", -12, State.RECTIFYING, 90),
    (2, "resident", "党务公开栏内容未更新", "居民反映公开栏仍是半年前的内容。", "",
     -5, State.REGISTERED, 35),
    (8, "inspection", "党费收缴台账不规范", "检查发现党费收缴未按月登记。", "", 25,
     State.REGISTERED, 8),
]

# Community index → (learning lines, activity lines): (title, content, period, place)
PUBLIC_LISTS = {
    0: ([("学习党的二十届三中全会精神", "集中学习与交流研讨", "每月第一个周五下午", "社区党群服务中心"),
         ("“微党课”进楼院", "党员骨干轮流讲授", "每季度一次", "新郑路113号院")],
        [("平安巡逻志愿服务", "党员先锋队夜间巡逻", "每周三晚", "新郑路沿线"),
         ("健康义诊进社区", "联合社区卫生服务中心义诊", "每月 15 日上午", "社区广场")]),
    1: ([("传统文化大讲堂", "书画、诗词与家风家训", "每月第二个周六", "紫薇书画院")],
        [("“我们的节日”主题活动", "重阳敬老、春节写春联", "传统节日", "紫薇社区")]),
    2: ([("“学健游”党员学习日", "学习与健身、参观结合", "每月第三个周四", "陇三社区党总支")],
        [("清洁家园志愿服务", "党员带头清理楼道", "每月最后一个周六", "辖区各楼院"),
         ("“童心向党”假期课堂", "辖区青少年红色教育", "寒暑假", "社区活动室")]),
}


def _at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))


class _Demo:
    def __init__(self, builder):
        self.builder = builder
        self.today = timezone.localdate()
        self.street = builder.orgs[STREET]
        self.communities = [builder.orgs[f"{STREET}-{code}"] for code, _ in COMMUNITIES]
        names = [login for _, login in COMMUNITIES] + ["longhai"]
        self.users = {u.username: u for u in User.objects.filter(username__in=names)}
        self.events: list[ChecklistEvent] = []

    def user(self, index):
        return self.users.get(COMMUNITIES[index][1])

    def save(self, item):
        item.full_clean()
        item.save()
        return item

    def event(self, item, step, user, day, *, before="", after="", note="", text="",
              actor_name=None):
        self.events.append(build_event(item, step, user, state_from=before, state_to=after,
                                       note=note, text=text, at=_at(day),
                                       actor_name=actor_name))

    def responsibilities(self):
        street_user = self.users.get("longhai")
        for n, (title, category, target, measures, due, ago) in enumerate(RESPONSIBILITIES):
            published = self.today - ago * DAY
            deadline = self.today + due * DAY
            for index, org in enumerate(self.communities):
                state = PROGRESS[n].get(index, State.PUBLISHED)
                item = ChecklistItem(
                    kind=Kind.RESPONSIBILITY, org=org, publisher=self.street, title=title,
                    category=category, target=target, measures=measures, deadline=deadline,
                    original_deadline=deadline, public=True, state=state,
                    filed_by=street_user, created_at=_at(published))
                community = self.user(index)
                self.event(item, "publish", street_user, published, after=State.PUBLISHED,
                           note=f"{self.street.name}发布，完成时限 {deadline:%Y-%m-%d}")
                if state != State.PUBLISHED:
                    claimed = published + (2 + index % 3) * DAY
                    self.event(item, "claim", community, claimed, before=State.PUBLISHED,
                               after=State.CLAIMED, note=f"{org.name}认领")
                if state in (State.IN_PROGRESS, State.SUBMITTED, State.DONE):
                    worked = min(published + (ago // 2) * DAY, self.today - DAY)
                    item.evidence = EVIDENCE[n]
                    self.event(item, "progress", community, worked, before=State.CLAIMED,
                               after=State.IN_PROGRESS, note=EVIDENCE[n])
                if state in (State.SUBMITTED, State.DONE):
                    sent = min(deadline - (3 + index) * DAY, self.today - DAY)
                    self.event(item, "submit", community, sent, before=State.IN_PROGRESS,
                               after=State.SUBMITTED, note=EVIDENCE[n])
                if state == State.DONE:
                    # One community finished the 4+X item a few days late.
                    done_on = min(deadline - index * DAY, self.today - DAY)
                    if n == 1 and index == 8:
                        done_on = deadline + 4 * DAY
                    item.completed_on, item.checked_by = done_on, street_user
                    item.result = "资料齐全，验收通过"
                    late = (f"（逾期 {(done_on - deadline).days} 天完成）"
                            if done_on > deadline else "")
                    self.event(item, "accept", street_user, done_on, before=State.SUBMITTED,
                               after=State.DONE, note=item.result + late)
                self.save(item)

    def problems(self):
        street_user = self.users.get("longhai")
        for index, source, title, description, measures, due, state, ago in PROBLEMS:
            org = self.communities[index]
            filed = self.today - ago * DAY
            deadline = self.today + due * DAY
            item = ChecklistItem(
                kind=Kind.PROBLEM, org=org, publisher=self.street, title=title, source=source,
                content=description, measures=measures, deadline=deadline,
                original_deadline=deadline, state=state, created_at=_at(filed))
            community = self.user(index)
            # Filed by the street's inspection team (not the account that closes it out).
            self.event(item, "register", None, filed, after=State.REGISTERED,
                       actor_name="街道党建工作督查组",
                       note=f"{item.get_source_display()}发现，整改时限 {deadline:%Y-%m-%d}")
            if state != State.REGISTERED:
                self.event(item, "rectify", community, filed + 3 * DAY,
                           before=State.REGISTERED, after=State.RECTIFYING, note=measures)
            if state in (State.APPLIED, State.CLOSED):
                item.evidence = f"已按措施整改：{measures}。"
                applied = min(deadline - 5 * DAY, self.today - DAY)
                self.event(item, "apply_close", community, applied, before=State.RECTIFYING,
                           after=State.APPLIED, note=item.evidence)
            if state == State.CLOSED:
                item.completed_on = min(deadline - 2 * DAY, self.today - DAY)
                item.checked_by, item.result = street_user, "整改到位，同意销号"
                self.event(item, "close_out", street_user, item.completed_on,
                           before=State.APPLIED, after=State.CLOSED, note=item.result)
            self.save(item)

    def public_lists(self):
        for index, (learning, activities) in PUBLIC_LISTS.items():
            org = self.communities[index]
            for kind, rows in ((Kind.LEARNING, learning), (Kind.ACTIVITY, activities)):
                for title, content, period, place in rows:
                    listed = self.today - 60 * DAY
                    item = self.save(ChecklistItem(
                        kind=kind, org=org, publisher=org, title=title, content=content,
                        period=period, place=place, public=True, state=State.LISTED,
                        filed_by=self.user(index), created_at=_at(listed)))
                    self.event(item, "list", self.user(index), listed, after=State.LISTED,
                               note="公示")

    def run(self):
        self.responsibilities()
        self.problems()
        self.public_lists()
        ChecklistEvent.objects.bulk_create(self.events)


def build(builder):
    if STREET not in builder.orgs:
        return
    demo = _Demo(builder)
    demo.run()
    builder.say(f"已建立 {demo.street.name}的责任清单、问题清单和社区学习、活动清单")
