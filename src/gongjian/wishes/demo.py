"""Demo micro-wishes. 陇海马路 (seed 002): two rounds of “微心愿” that made the wishes of 50+
young people and 10+ elderly come true, counted from the wish rows; a few wishes in 会展 (where
the demo resident, member and liaison accounts live) and in 金山桥.

Rows are written directly with full_clean() and their history in bulk (`build_event`, the
kit's history line unsaved): the steps happened in the past, which the services (acting now)
would not allow. Each wish's words come from one `Idea`, so its description, fulfilment note
and thanks belong to it.
"""

import datetime
import io
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.utils import timezone
from PIL import Image, ImageDraw

from gongjian.core.models import RoleGrant, User
from gongjian.core.workflow import build_event
from gongjian.members.models import Membership
from gongjian.orgs.models import Organization, Unit, ancestor_paths

from .models import Group, Round, State, Step, Wish, WishEvent, quoted


class Idea(NamedTuple):
    """One kind of wish, with the words that belong to it: what the community wrote, what the
    claimer reported, and a thank-you note that fits it (addressed to nobody in particular, so
    it fits a member and a unit alike)."""

    title: str
    description: str  # may name the child's school year: {grade}
    done: str
    thanks: str


IDEAS = {
    Group.YOUTH: [
        Idea("一个新书包", "孩子上小学{grade}年级，书包用了三年已经破了，家里经济困难，希望能有一个新书包。",
             "已把新书包送到孩子家中，当面交给了孩子。", "孩子背着新书包去上学，高兴得不得了，谢谢你们！"),
        Idea("一套课外读物", "孩子上小学{grade}年级，很喜欢看书，家里没有条件买课外书，希望能有一套课外读物。",
             "已把一套课外读物送到孩子家中。", "书收到了，孩子每天放学都捧着看，谢谢你们！"),
        Idea("一双运动鞋", "孩子上小学{grade}年级，体育课要跑步，脚上的鞋已经穿小了，希望能有一双新运动鞋。",
             "已按孩子的鞋码买好运动鞋，送到家中。", "孩子穿上新鞋，体育课跑得可带劲了，谢谢你们！"),
        Idea("一盏护眼台灯", "孩子上小学{grade}年级，家里灯光昏暗，晚上写作业费眼睛，希望能有一盏护眼台灯。",
             "已把护眼台灯送到孩子家中，并帮忙装好。", "有了护眼台灯，孩子晚上写作业亮堂多了，谢谢你们！"),
        Idea("一套文具", "孩子上小学{grade}年级，新学期就要开学了，希望能有一套新文具。",
             "已把一套文具送到孩子手中。", "新文具孩子可喜欢了，谢谢你们的关心！"),
        Idea("一件冬季羽绒服", "孩子上小学{grade}年级，旧棉衣已经穿不下了，冬天上学路上很冷，希望能有一件羽绒服。",
             "已按孩子的身高买好羽绒服，送到家中。", "孩子穿上新羽绒服，上学路上再也不冷了，谢谢你们！"),
        Idea("一个篮球", "孩子上小学{grade}年级，喜欢打篮球，希望能有一个属于自己的篮球。",
             "已把篮球送到孩子手中。", "孩子抱着篮球舍不得放下，谢谢你们！"),
        Idea("一本新华字典", "孩子上小学{grade}年级，写作文常要查字，希望能有一本新华字典。",
             "已把新华字典送到孩子手中。", "有了字典，孩子查字方便多了，谢谢你们！"),
        Idea("一套绘画工具", "孩子上小学{grade}年级，喜欢画画，希望能有一套绘画工具。",
             "已把一套绘画工具送到孩子家中。", "孩子用新画笔画了一幅画送给你们，谢谢你们！"),
        Idea("参观一次科技馆", "孩子上小学{grade}年级，从来没有去过科技馆，希望有人能带孩子去参观一次。",
             "已陪孩子和家长参观了市科技馆。", "孩子从科技馆回来说个不停，谢谢你们带孩子去开眼界！"),
        Idea("一副乒乓球拍", "孩子上小学{grade}年级，参加了学校的乒乓球兴趣班，希望能有一副乒乓球拍。",
             "已把乒乓球拍送到孩子手中。", "孩子拿着新球拍天天练球，谢谢你们！"),
        Idea("一支英语点读笔", "孩子上小学{grade}年级，英语发音跟不上，希望能有一支英语点读笔。",
             "已把点读笔送到孩子家中，并教会了使用方法。", "孩子每天用点读笔练英语，谢谢你们！"),
        Idea("一套英语绘本", "孩子上小学{grade}年级，正在学英语，希望能有一套英语绘本。",
             "已把一套英语绘本送到孩子家中。", "英语绘本孩子很喜欢，每天都读一本，谢谢你们！"),
        Idea("一个保温水杯", "孩子上小学{grade}年级，冬天在学校喝不上热水，希望能有一个保温水杯。",
             "已把保温水杯送到孩子手中。", "孩子冬天在学校也能喝上热水了，谢谢你们！"),
        Idea("一辆自行车", "孩子上初中，学校离家远，每天走路上学要四十分钟，希望能有一辆自行车。",
             "已把自行车送到孩子家中，并调好了车座高度。", "有了自行车，孩子上学方便多了，谢谢你们！"),
        Idea("一套初中数学辅导书", "孩子上初二，数学跟不上，家里买不起辅导书，希望能有一套初中数学辅导书。",
             "已把一套初中数学辅导书送到孩子家中。", "辅导书收到了，孩子说数学题没那么难了，谢谢你们！"),
    ],
    Group.ELDERLY: [
        Idea("上门陪老人聊聊天", "独居老人，子女在外地工作，平时很少有人说话，希望有人能常上门陪老人聊聊天。",
             "已上门陪老人聊了一下午，约好下周再来。", "谢谢你们常来陪我说说话，一点也不觉得孤单了。"),
        Idea("一副老花镜", "老人眼睛花了，看报纸、看药品说明书都很吃力，希望能有一副合适的老花镜。",
             "已陪老人到眼镜店验光，配好了老花镜。", "戴上新老花镜，看报纸清清楚楚，谢谢你们！"),
        Idea("一台收音机", "独居老人，平时爱听戏曲和新闻，家里的收音机坏了，希望能有一台新收音机。",
             "已把收音机送到老人家中，并调好了常听的频道。", "又能天天听戏了，谢谢你们惦记着我！"),
        Idea("一件保暖棉衣", "老人身体弱、怕冷，冬天的棉衣已经穿了十几年，希望能有一件保暖棉衣。",
             "已把保暖棉衣送到老人家中。", "新棉衣穿着真暖和，谢谢你们！"),
        Idea("上门理发", "老人腿脚不便，出门理发困难，希望有人能上门理发。",
             "已请理发师上门，为老人理好了头发。", "头发理得清清爽爽，谢谢你们专门上门来理发！"),
        Idea("一根助行拐杖", "老人腿脚不好，走路不稳，希望能有一根结实的助行拐杖。",
             "已把助行拐杖送到老人家中，调好了高度。", "有了这根拐杖，下楼散步踏实多了，谢谢你们！"),
        Idea("一次上门体检", "老人行动不便，很久没有体检了，希望有医生能上门做一次体检。",
             "已请社区卫生服务站的医生上门，为老人做了体检。", "医生上门给我量了血压、做了检查，谢谢你们！"),
        Idea("一台电暖器", "老人家里冬天阴冷，希望能有一台电暖器。",
             "已把电暖器送到老人家中，并讲清了安全用法。", "屋里暖和了，晚上睡得踏实，谢谢你们！"),
    ],
    Group.HARDSHIP: [
        Idea("一袋米面油", "低保家庭，家中有病人需要长期照顾，生活拮据，希望能得到一袋米面油。",
             "已把米面油送到受助人家中。", "米面油送到家里，解了我们的燃眉之急，谢谢你们！"),
        Idea("一套冬季被褥", "低保家庭，家里的被褥又旧又薄，冬天很冷，希望能得到一套厚实的冬季被褥。",
             "已把一套冬季被褥送到受助人家中。", "新被褥又厚又软，冬天不怕冷了，谢谢你们！"),
        Idea("一台二手洗衣机", "低保家庭，家中病人的衣物要常洗，洗衣机坏了，希望能得到一台能用的二手洗衣机。",
             "已把洗衣机送到受助人家中，并装好试用。", "洗衣机装好了，省了好多力气，谢谢你们！"),
    ],
    Group.DISABLED: [
        Idea("修好轮椅", "肢体残疾，轮椅的刹车和轮子坏了，出门很不方便，希望有人能帮忙修好轮椅。",
             "已上门换好轮椅的刹车和轮胎。", "轮椅修好了，又能出门晒太阳了，谢谢你们！"),
        Idea("安装卫生间扶手", "行动不便，上厕所、洗澡容易滑倒，希望有人能帮忙在卫生间装上扶手。",
             "已上门在卫生间装好扶手。", "扶手装好了，用起来安心多了，谢谢你们！"),
        Idea("维修助听器", "听力残疾，助听器出了故障，听不清别人说话，希望有人能帮忙修好助听器。",
             "已把助听器送到验配中心修好，送回受助人家中。", "助听器修好了，又能听清家里人说话了，谢谢你们！"),
    ],
    Group.OTHER: [
        Idea("陪同去医院复查", "家中只有一人，需要去医院复查，行动不便，希望有人能陪同去一次医院。",
             "已陪同受助人到医院完成复查。", "谢谢你们陪我跑前跑后，复查很顺利。"),
    ],
}
# Notes that fit any wish, by who claimed it.
THANKS_TO = {
    "member": ["感谢党员同志的帮助，温暖在心。", "谢谢党员同志，我们会把这份爱心传递下去。"],
    "unit": ["感谢爱心单位的关心和帮助，温暖在心。", "谢谢爱心单位，我们会把这份爱心传递下去。"],
}
THANKS_ANYONE = "感谢社区和好心人的关心，温暖在心。"
ALONG = "社区工作人员一同前往。"


def idea_for(group, title):
    return next(i for i in IDEAS[group] if i.title == title)


# Per round: (group, [confirmed, fulfilled, claimed, published]) — seed 002's “两期微心愿，
# 为辖区50余名青少年和10余名老人圆梦”.
LONGHAI_ROUNDS = [
    {"name": "陇海马路街道第一期微心愿圆梦行动", "days": (-240, -180),
     "description": "街道党工委联合辖区共建单位开展“微心愿”公益活动，聚焦困难家庭青少年和"
                    "独居老人的“燃眉之急”，党员和共建单位认领、帮助实现。",
     "groups": [(Group.YOUTH, [26, 0, 0, 0]), (Group.ELDERLY, [6, 0, 0, 0]),
                (Group.HARDSHIP, [2, 0, 0, 0]), (Group.DISABLED, [2, 0, 0, 0])]},
    {"name": "陇海马路街道第二期微心愿圆梦行动", "days": (-50, 40),
     "description": "第二期“微心愿”征集：社区收集、审核后发布，党员和共建单位线上认领。",
     "groups": [(Group.YOUTH, [22, 4, 2, 2]), (Group.ELDERLY, [5, 1, 1, 1]),
                (Group.HARDSHIP, [1, 0, 1, 1]), (Group.DISABLED, [1, 0, 0, 1])]},
]


class _Demo:
    def __init__(self, builder):
        self.builder = builder
        self.rng = builder.rng
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.photos = {}
        self.events = []
        self.count = 0
        self._staff_cache = {}

    def at(self, days, hour=10):
        day = self.today + datetime.timedelta(days=days)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))

    def photo(self, group):
        """One generated picture per group (no camera metadata), shared by its wishes."""
        if group not in self.photos:
            colours = {Group.YOUTH: (66, 133, 244), Group.ELDERLY: (230, 124, 115),
                       Group.HARDSHIP: (247, 203, 77), Group.DISABLED: (87, 187, 138),
                       Group.OTHER: (170, 170, 170)}
            image = Image.new("RGB", (800, 600), (250, 246, 240))
            draw = ImageDraw.Draw(image)
            colour = colours[group]
            draw.rectangle((0, 420, 800, 600), fill=(220, 210, 195))
            draw.rounded_rectangle((260, 180, 540, 460), radius=28, fill=colour)
            draw.rectangle((380, 120, 420, 200), fill=(183, 28, 28))
            draw.ellipse((600, 60, 720, 180), fill=(255, 214, 102))
            relative = f"wishes/demo-{group}.jpg"
            target = Path(settings.MEDIA_ROOT) / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            buffer = io.BytesIO()
            image.save(buffer, format="JPEG", quality=80)
            target.write_bytes(buffer.getvalue())
            self.photos[group] = relative
        return self.photos[group]

    def phone(self):
        return f"1{self.rng.choice('3578')}{self.rng.randrange(10 ** 8, 10 ** 9)}"

    def wish(self, *, org, group, state, poster, round_=None, claimer=None, start=-30,
             on_behalf=True, title=None, thanks=True):
        """One wish in `state`, with its history from `start` days ago. Its words come from
        its `Idea`, so the description, the fulfilment note and the thanks fit the wish."""
        ideas = IDEAS[group]
        idea = idea_for(group, title) if title else ideas[self.count % len(ideas)]
        self.count += 1
        step = 0

        def t():
            nonlocal step
            step += 1
            return self.at(min(start + step * 2, 0), hour=9 + step)

        wish = Wish(title=idea.title, group=group, org=org, round=round_, posted_by=poster,
                    on_behalf=on_behalf,
                    description=idea.description.format(grade=self.rng.randint(1, 6)),
                    recipient_name=self.builder.person(), recipient_phone=self.phone(),
                    recipient_address=f"{org.name.replace('党总支', '').replace('党支部', '').replace('党委', '')}"
                                      f"{self.rng.randint(1, 30)}号院{self.rng.randint(1, 6)}号楼",
                    estimated_value=self.rng.choice([None, 50, 80, 120, 150, 200, 300]))
        wish.posted_at = t()
        # (step, state before, state after, actor, actor's name, when, note)
        history = [(Step.SUBMIT, "", State.SUBMITTED, poster, None, wish.posted_at,
                    "社区代为提交" if on_behalf else "")]
        staff = self.staff(org)
        if state == State.REJECTED:
            wish.state = State.REJECTED
            wish.reject_reason = "经核实，受助人已纳入民政临时救助，建议通过救助渠道解决。"
            history.append((Step.REJECT, State.SUBMITTED, State.REJECTED, staff, None, t(),
                            wish.reject_reason))
        if state in (State.PUBLISHED, State.CLAIMED, State.FULFILLED, State.CONFIRMED):
            wish.published_at = t()
            history.append((Step.PUBLISH, State.SUBMITTED, State.PUBLISHED, staff, None,
                            wish.published_at, f"发布到{quoted(round_.name)}"))
        claimer_name = None
        if state in (State.CLAIMED, State.FULFILLED, State.CONFIRMED):
            kind, who = claimer
            wish.claimed_at = t()
            note = ""
            if kind == "unit":
                wish.claimer_unit = who
                note = f"以{quoted(who.name)}名义认领"
                wish.claimed_by = self.liaison(who)
            elif kind == "user":
                wish.claimed_by = who
                wish.claimer_person = who.person
            else:
                # A member of the roster without an account: named as the actor (shown only
                # to those who may see the recipient), not in the note everyone reads.
                wish.claimer_person = who
                claimer_name = who.name
            history.append((Step.CLAIM, State.PUBLISHED, State.CLAIMED, wish.claimed_by,
                            claimer_name, wish.claimed_at, note))
        if state in (State.FULFILLED, State.CONFIRMED):
            wish.fulfilled_at = t()
            # One draw of three, as the demo always made here, keeps its random sequence
            # (and so every module built after it) unchanged.
            wish.fulfil_note = idea.done + (ALONG if self.rng.randrange(3) == 2 else "")
            wish.photo = self.photo(group)
            history.append((Step.FULFIL, State.CLAIMED, State.FULFILLED, wish.claimed_by,
                            claimer_name, wish.fulfilled_at, wish.fulfil_note))
        if state == State.CONFIRMED:
            wish.confirmed_at = t()
            history.append((Step.CONFIRM, State.FULFILLED, State.CONFIRMED,
                            poster if not on_behalf else staff, None, wish.confirmed_at,
                            "社区代受助人确认" if on_behalf else ""))
            if thanks:
                wish.thanks = self.thanks(idea, claimer[0], self.rng.randrange(6))
                wish.thanked_at = t()
                history.append((Step.THANK, State.CONFIRMED, State.CONFIRMED,
                                poster if not on_behalf else staff, None, wish.thanked_at,
                                wish.thanks))
        if state != State.REJECTED:
            wish.state = state
        wish.full_clean()
        wish.save()
        for step_, before, after, actor, name, when, note in history:
            self.events.append(build_event(wish, step_, actor, note=note, state_from=before,
                                           state_to=after, actor_name=name, at=when))
        return wish

    @staticmethod
    def thanks(idea, claimer_kind, draw):
        """Half the notes are the wish's own; the others thank whoever claimed it (a member
        or a unit), or everyone."""
        if draw < 3:
            return idea.thanks
        if draw < 5:
            return THANKS_TO["unit" if claimer_kind == "unit" else "member"][draw - 3]
        return THANKS_ANYONE

    def staff(self, org):
        key = ("staff", org.pk)
        if key not in self._staff_cache:
            paths = ancestor_paths(org.path)
            grant = (RoleGrant.objects.filter(role__in=("community_staff", "street_staff"),
                                              org__path__in=paths)
                     .select_related("user").order_by("-org__depth").first())
            self._staff_cache[key] = grant.user if grant else None
        return self._staff_cache[key]

    def liaison(self, unit):
        grant = RoleGrant.objects.filter(role="unit_liaison", unit=unit).select_related(
            "user").first()
        return grant.user if grant else None

    def flush(self):
        WishEvent.objects.bulk_create(self.events)
        self.events = []


def _communities(street):
    return list(Organization.objects.communities().filter(path__startswith=street.path)
                .order_by("path"))


def _units(street):
    return list(Unit.objects.filter(org__path__startswith=street.path).order_by("code"))


def _members(street, limit):
    return [m.person for m in Membership.objects.filter(
        org__path__startswith=street.path, active=True).select_related("person")
        .order_by("pk")[:limit]]


def _round(name, org, start, end, description, demo):
    round_ = Round(name=name, org=org, starts_on=demo.today + datetime.timedelta(days=start),
                   ends_on=demo.today + datetime.timedelta(days=end), description=description,
                   created_at=demo.at(start - 5))
    round_.full_clean()
    round_.save()
    return round_


def longhai(demo, street):
    communities = _communities(street)
    units = _units(street)
    members = _members(street, 60)
    claimers = [("unit", u) for u in units] + [("person", p) for p in members]
    total = 0
    for spec in LONGHAI_ROUNDS:
        start, end = spec["days"]
        round_ = _round(spec["name"], street, start, end, spec["description"], demo)
        states = (State.CONFIRMED, State.FULFILLED, State.CLAIMED, State.PUBLISHED)
        for group, counts in spec["groups"]:
            for state, count in zip(states, counts, strict=True):
                for _ in range(count):
                    org = communities[total % len(communities)]
                    demo.wish(org=org, group=group, state=state, poster=demo.staff(org),
                              round_=round_, claimer=demo.rng.choice(claimers),
                              start=start + demo.rng.randint(0, 10),
                              thanks=demo.rng.random() < 0.85)
                    total += 1
    # Waiting for the community's review, and one the community did not publish.
    for group, state in ((Group.ELDERLY, State.SUBMITTED), (Group.YOUTH, State.SUBMITTED),
                         (Group.OTHER, State.REJECTED)):
        org = communities[total % len(communities)]
        demo.wish(org=org, group=group, state=state, poster=demo.staff(org), start=-3)
        total += 1
    return total


def huizhan(demo, street):
    """Where the demo resident, member and liaison live: something on each one's page."""
    communities = _communities(street)
    home = Organization.objects.filter(code="CC-HZ-01").first() or communities[0]
    resident = User.objects.filter(username="resident").first()
    member = User.objects.filter(username="member").first()
    liaison_unit = Unit.objects.filter(code="CC-HZ-U02").first()
    units = _units(street)
    round_ = _round("会展街道「红驿舫」微心愿认领季", street, -30, 60,
                    "红驿舫联盟成员单位和在职党员认领辖区困难群众的微心愿。", demo)
    staff = demo.staff(home)
    made = []
    if resident is not None:
        mine = dict(poster=resident, on_behalf=False, org=home)
        made.append(demo.wish(group=Group.ELDERLY, state=State.SUBMITTED, title="上门陪老人聊聊天",
                              start=-1, **mine))
        made.append(demo.wish(group=Group.YOUTH, state=State.PUBLISHED, round_=round_,
                              title="一套初中数学辅导书", start=-6, **mine))
        if liaison_unit is not None:
            made.append(demo.wish(group=Group.YOUTH, state=State.CONFIRMED, round_=round_,
                                  claimer=("unit", liaison_unit), title="一个新书包",
                                  start=-25, **mine))
        if member is not None:
            made.append(demo.wish(group=Group.ELDERLY, state=State.FULFILLED, round_=round_,
                                  claimer=("user", member), title="一副老花镜", start=-12,
                                  **mine))
    if member is not None:
        made.append(demo.wish(org=home, group=Group.DISABLED, state=State.CLAIMED,
                              round_=round_, poster=staff, claimer=("user", member),
                              title="修好轮椅", start=-5))
    for i, group in enumerate((Group.YOUTH, Group.ELDERLY, Group.HARDSHIP, Group.YOUTH)):
        org = communities[(i + 1) % len(communities)]
        made.append(demo.wish(org=org, group=group, state=State.PUBLISHED, round_=round_,
                              poster=demo.staff(org), start=-8 + i))
    for i, group in enumerate((Group.YOUTH, Group.ELDERLY, Group.YOUTH)):
        org = communities[i % len(communities)]
        made.append(demo.wish(org=org, group=group, state=State.CONFIRMED, round_=round_,
                              poster=demo.staff(org), claimer=("unit", units[i % len(units)]),
                              start=-28 + i))
    return len(made)


def jinshanqiao(demo, street):
    communities = _communities(street)
    units = _units(street)
    round_ = _round("金山桥街道「红盟同心」微心愿", street, -90, -10,
                    "“红盟同心”联盟成员单位认领辖区困难群众微心愿。", demo)
    plan = [(Group.YOUTH, State.CONFIRMED), (Group.ELDERLY, State.CONFIRMED),
            (Group.YOUTH, State.CLAIMED), (Group.HARDSHIP, State.PUBLISHED)]
    for i, (group, state) in enumerate(plan):
        org = communities[i % len(communities)]
        demo.wish(org=org, group=group, state=state, round_=round_, poster=demo.staff(org),
                  claimer=("unit", units[i % len(units)]), start=-80 + i * 5)
    return len(plan)


def build(builder):
    demo = _Demo(builder)
    counts = {}
    for code, make in (("ZZ-LHML", longhai), ("CC-HZ", huizhan), ("XZ-JSQ", jinshanqiao)):
        street = Organization.objects.filter(code=code).first()
        if street is not None:
            counts[street.name] = make(demo, street)
    demo.flush()
    builder.say("已登记微心愿：" + "、".join(f"{k} {v} 个" for k, v in counts.items()))
