"""Demo micro-wishes. 陇海马路 (seed 002): two rounds of “微心愿” that made the wishes of 50+
young people and 10+ elderly come true, counted from the wish rows; a few wishes in 会展 (where
the demo resident, member and liaison accounts live) and in 金山桥.

Rows are written directly with full_clean() and their history in bulk: the steps happened in
the past, which the services (acting now) would not allow.
"""

import datetime
import io
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from PIL import Image, ImageDraw

from gongjian.core.models import RoleGrant, User
from gongjian.members.models import Membership
from gongjian.orgs.models import Organization, Unit, ancestor_paths

from .models import Group, Round, State, Step, Wish, WishEvent

TITLES = {
    Group.YOUTH: ["一个新书包", "一套课外读物", "一双运动鞋", "一盏护眼台灯", "一套文具",
                  "一件冬季羽绒服", "一个篮球", "一本新华字典", "一套绘画工具",
                  "参观一次科技馆", "一副乒乓球拍", "一台复读机", "一套英语绘本",
                  "一个保温水杯", "一辆自行车"],
    Group.ELDERLY: ["上门探望陪聊", "一副老花镜", "一台收音机", "一件保暖棉衣", "上门理发",
                    "一根助行拐杖", "一次上门体检", "一台电暖器"],
    Group.HARDSHIP: ["一袋米面油", "冬季取暖被褥", "一台二手洗衣机"],
    Group.DISABLED: ["修好轮椅", "安装卫生间扶手", "维修助听器"],
    Group.OTHER: ["陪同就医一次"],
}
DESCRIPTIONS = {
    Group.YOUTH: "孩子上小学{n}年级，家里经济困难，希望能有{title}。",
    Group.ELDERLY: "独居老人，子女在外地工作，希望有人{title}。",
    Group.HARDSHIP: "低保家庭，家中有病人需要照顾，希望得到{title}。",
    Group.DISABLED: "行动不便，希望能{title}。",
    Group.OTHER: "{title}。",
}
THANKS = [
    "谢谢党员同志，孩子收到礼物高兴得不得了！",
    "感谢社区和爱心单位的关心，温暖在心。",
    "谢谢你们，老人家一直念叨着你们的好。",
    "非常感谢！我们会把这份爱心传递下去。",
    "感谢共产党员的帮助，孩子说长大了也要帮助别人。",
    "谢谢社区的好心人，解了我们的燃眉之急。",
]
NOTES = ["已送到受助人家中，当面交付。", "已上门完成，受助人很满意。", "已和社区工作人员一起送达。"]

# Per round: (group, [confirmed, fulfilled, claimed, published]) — seed 002's “两期微心愿，
# 为辖区50余名青少年和10余名老人圆梦”.
LONGHAI_ROUNDS = [
    {"name": "陇海马路街道第一期“微心愿”圆梦行动", "days": (-240, -180),
     "description": "街道党工委联合辖区共建单位开展“微心愿”公益活动，聚焦困难家庭青少年和"
                    "独居老人的“燃眉之急”，党员和共建单位认领、帮助实现。",
     "groups": [(Group.YOUTH, [26, 0, 0, 0]), (Group.ELDERLY, [6, 0, 0, 0]),
                (Group.HARDSHIP, [2, 0, 0, 0]), (Group.DISABLED, [2, 0, 0, 0])]},
    {"name": "陇海马路街道第二期“微心愿”圆梦行动", "days": (-50, 40),
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
        """One wish in `state`, with its history from `start` days ago."""
        titles = TITLES[group]
        title = title or titles[self.count % len(titles)]
        self.count += 1
        step = 0

        def t():
            nonlocal step
            step += 1
            return self.at(min(start + step * 2, 0), hour=9 + step)

        wish = Wish(title=title, group=group, org=org, round=round_, posted_by=poster,
                    on_behalf=on_behalf,
                    description=DESCRIPTIONS[group].format(n=self.rng.randint(1, 6),
                                                           title=title),
                    recipient_name=self.builder.person(), recipient_phone=self.phone(),
                    recipient_address=f"{org.name.replace('党总支', '').replace('党支部', '').replace('党委', '')}"
                                      f"{self.rng.randint(1, 30)}号院{self.rng.randint(1, 6)}号楼",
                    estimated_value=self.rng.choice([None, 50, 80, 120, 150, 200, 300]))
        wish.posted_at = t()
        history = [(Step.SUBMIT, "", State.SUBMITTED, poster, wish.posted_at,
                    "社区代为提交" if on_behalf else "")]
        staff = self.staff(org)
        if state == State.REJECTED:
            wish.state = State.REJECTED
            wish.reject_reason = "经核实，受助人已纳入民政临时救助，建议通过救助渠道解决。"
            history.append((Step.REJECT, State.SUBMITTED, State.REJECTED, staff, t(),
                            wish.reject_reason))
        if state in (State.PUBLISHED, State.CLAIMED, State.FULFILLED, State.CONFIRMED):
            wish.published_at = t()
            history.append((Step.PUBLISH, State.SUBMITTED, State.PUBLISHED, staff,
                            wish.published_at, f"发布到“{round_.name}”"))
        if state in (State.CLAIMED, State.FULFILLED, State.CONFIRMED):
            kind, who = claimer
            wish.claimed_at = t()
            actor = None
            if kind == "unit":
                wish.claimer_unit = who
                note = f"以“{who.name}”名义认领"
                actor = self.liaison(who)
                wish.claimed_by = actor
            elif kind == "user":
                wish.claimed_by = who
                wish.claimer_person = who.person
                actor, note = who, ""
            else:
                wish.claimer_person = who
                note = f"党员{who.name}认领"
            history.append((Step.CLAIM, State.PUBLISHED, State.CLAIMED, actor, wish.claimed_at,
                            note))
        if state in (State.FULFILLED, State.CONFIRMED):
            wish.fulfilled_at = t()
            wish.fulfil_note = self.rng.choice(NOTES)
            wish.photo = self.photo(group)
            history.append((Step.FULFIL, State.CLAIMED, State.FULFILLED, wish.claimed_by,
                            wish.fulfilled_at, wish.fulfil_note))
        if state == State.CONFIRMED:
            wish.confirmed_at = t()
            history.append((Step.CONFIRM, State.FULFILLED, State.CONFIRMED,
                            poster if not on_behalf else staff, wish.confirmed_at,
                            "社区代受助人确认" if on_behalf else ""))
            if thanks:
                wish.thanks = self.rng.choice(THANKS)
                wish.thanked_at = t()
                history.append((Step.THANK, State.CONFIRMED, State.CONFIRMED,
                                poster if not on_behalf else staff, wish.thanked_at,
                                wish.thanks))
        if state != State.REJECTED:
            wish.state = state
        wish.full_clean()
        wish.save()
        for step_, before, after, actor, when, note in history:
            self.events.append(WishEvent(
                wish=wish, step=step_, state_from=before, state_to=after, actor=actor,
                actor_name=(actor.display_name or actor.username) if actor else "",
                at=when, note=note))
        return wish

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
    round_ = _round("会展街道“红驿舫”微心愿认领季", street, -30, 60,
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
    round_ = _round("金山桥街道“红盟同心”微心愿", street, -90, -10,
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
