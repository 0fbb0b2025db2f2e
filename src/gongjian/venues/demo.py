"""Demo positions and bookings of the four streets, as the seed reports tell them:

- 金山桥 (seed 000): 怡园社区党群服务中心, the centre of the 15-minute walking circle, at
  (117.265000, 34.285000), with its stations within about 1.2 km: the "两新"党组织活动示范区,
  the 党组织孵化中心, the 人才服务驿站, the 流动党员服务站, the 职工之家 and the 企服中心; 万邦党校
  as the "两新" organisations' education base; each community's centre;
- 金山 (seed 001): every community's activity rooms ≥ 1,000 m², the former villages (村改居:
  高林, 东宅) ≥ 1,600 m²; 12 venues of member units shared with the residents — 地税's
  multimedia meeting room, 金安小学's hall, 游艇集团's staff room, 金山小学's sports field
  (three groups at once) and others — with a year of bookings: used, no-shows, cancellations,
  declined requests, and confirmed and pending ones ahead;
- 陇海马路 (seed 002): nine branded centres, one per community (一社区一品牌), two of them short
  of space and negotiating with property companies; the 1,000 m² street centre being built;
- 会展 (seed 003): 24 红驿舫 stations (the 九台农商 station, the 博文物业 party-building
  complex, the 281 volunteer centre, 长春骨伤医院's 党员之家 among them) and the first six
  kinds of open 组织生活基地; 博文物业's hall (the demo liaison's unit) is booked by 博览社区.

Past bookings are written directly (the services refuse past dates) with their history; the
slots are given by the same rule the service applies, so nothing overlaps.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from gongjian.core.models import User
from gongjian.core.workflow import build_event

from . import services
from .models import (
    BaseType,
    Booking,
    BookingEvent,
    CommunityArea,
    Kind,
    Room,
    State,
    Status,
    Venue,
)

Q6 = Decimal("0.000001")
YIYUAN_CENTRE = (Decimal("117.265000"), Decimal("34.285000"))

# (name, offset east m, offset north m, area, services)
YIYUAN_STATIONS = [
    ("“两新”党组织活动示范区", 420, 310, 260, "两新党组织活动\n党员学习教育\n党建联建"),
    ("党组织孵化中心", -380, 520, 180, "党组织组建指导\n党建指导员驻点"),
    ("人才服务驿站", 650, -280, 150, "人才政策咨询\n人才公寓申请\n创业指导"),
    ("流动党员服务站", -560, -430, 120, "流动党员登记\n组织关系接转\n党费收缴"),
    ("职工之家", 880, 560, 220, "职工活动\n法律援助\n心理疏导"),
    ("企服中心", -240, -910, 200, "企业诉求受理\n融资对接\n用工服务"),
]

# 金山's shared venues of member units (seed 001: 10 多个阵地共享).
# (unit name, venue name, room name, capacity, groups, facilities)
JINSHAN_SHARED = [
    ("厦门市湖里区地方税务局", "湖里地税多媒体会议室", "多媒体会议室", 60, 1, "投影、音响、视频会议"),
    ("厦门市湖里区金安小学", "金安小学多功能厅", "多功能厅", 200, 1, "舞台、音响、投影"),
    ("厦门路桥游艇旅游集团有限公司", "游艇集团员工活动室", "员工活动室", 40, 1, "乒乓球桌、棋牌桌"),
    ("厦门市湖里区金山小学", "金山小学运动场", "运动场", 300, 3, "塑胶跑道、篮球场（可分三块场地）"),
    ("厦门万科企业有限公司", "厦门万科党员义工活动中心", "活动大厅", 80, 1, "桌椅、投影"),
    ("厦门弘爱医院", "弘爱医院健康讲堂", "健康讲堂", 100, 1, "投影、音响"),
    ("厦门市湖里区图书馆金山分馆", "图书馆金山分馆阅读活动室", "阅读活动室", 30, 1, "图书、桌椅"),
    ("厦门市湖里区金鼎小学", "金鼎小学礼堂", "礼堂", 240, 1, "舞台、音响"),
    ("厦门市湖里区湖边中学", "湖边中学篮球场", "篮球场", 60, 2, "两块标准篮球场"),
    ("厦门农村商业银行金山支行", "农商银行金山支行会议室", "会议室", 30, 1, "投影、白板"),
    ("中国建设银行厦门金山支行", "建设银行金山支行“劳动者港湾”", "活动室", 20, 1, "饮水、休息座椅"),
    ("厦门市湖里区金山社会工作服务中心", "金山社工服务中心活动室", "活动室", 40, 1, "桌椅、音响"),
]

# 陇海马路's nine branded centres (seed 002), by community suffix: (brand, area, status).
LONGHAI_BRANDS = {
    "01": ("平安示范型", 1100, Status.IN_USE),
    "02": ("传统文化型", 1050, Status.IN_USE),
    "03": ("学健游一体型", 980, Status.IN_USE),
    "04": ("民族团结型", 1200, Status.IN_USE),
    "05": ("绿色环保型", 1020, Status.IN_USE),
    "06": ("楼宇服务型", 1150, Status.IN_USE),
    "07": ("温馨养老型", 1080, Status.IN_USE),
    "08": ("四驱助力型", 720, Status.IN_USE),
    "09": ("康乐疗工型", 640, Status.IN_USE),
}
# Short of space: negotiating with the property company (seed 002).
LONGHAI_NEGOTIATING = {"08": ("黄金叶社区物业用房（洽谈中）", 320),
                       "09": ("郑新里社区物业配套用房（洽谈中）", 400)}

# 会展's 红驿舫 stations at units (seed 003) and the six kinds of bases.
HUIZHAN_UNIT_STATIONS = [
    ("九台农商银行会展支行", "九台农商党群服务站"),
    ("长春博文物业服务有限公司", "博文物业党建联合体"),
    ("长春市281志愿者服务中心", "281志愿者服务中心"),
    ("长春骨伤医院", "长春骨伤医院党员之家"),
    ("长春益康大药房连锁有限公司会展店", "医药超市红驿舫服务站"),
    ("长春洁美环卫服务有限公司", "环卫驿站"),
    ("长春信达律师事务所", "红驿舫法律服务站"),
    ("长春市会展社区养老服务中心", "红驿舫养老服务站"),
    ("长春国际会展中心有限公司", "会展中心红驿舫服务站"),
    ("长春汇智科技有限公司", "汇智科技红驿舫服务站"),
    ("长春百汇超市有限公司", "百汇超市红驿舫便民站"),
    ("中国建设银行长春会展支行", "建行“劳动者港湾”红驿舫站"),
]
HUIZHAN_BASES = [
    (BaseType.RED_HISTORY, "长春国际会展中心有限公司", "红色教育组织生活基地（会展中心）"),
    (BaseType.INTEGRITY, "长春经开区市场监督管理局会展所", "廉政文化组织生活基地"),
    (BaseType.INDUSTRY, "吉林省鑫源汽车零部件有限公司", "汽车产业党建组织生活基地"),
    (BaseType.INNOVATION, "长春天成软件有限公司", "科技创新组织生活基地"),
    (BaseType.VOLUNTEER, "长春市281志愿者服务中心", "志愿服务组织生活基地"),
    (BaseType.GOVERNANCE, "长春博文物业服务有限公司", "物业党建社区治理组织生活基地"),
]

PURPOSES = ["党员主题党日活动", "支部“三会一课”", "社区议事协商会", "居民健康讲座",
            "青少年课后托管", "老年人智能手机培训", "共建单位联席会议", "志愿者培训",
            "亲子阅读活动", "法律知识讲座", "文艺排练", "趣味运动会"]


def _offset(point, east_m, north_m):
    import math

    lng, lat = float(point[0]), float(point[1])
    dlat = north_m / 111_320.0
    dlng = east_m / (111_320.0 * math.cos(math.radians(lat)))
    return (Decimal(str(lng + dlng)).quantize(Q6), Decimal(str(lat + dlat)).quantize(Q6))


class _Demo:
    def __init__(self, builder):
        self.b = builder
        # Our own generator: the demo of this capability does not shift the others' draws.
        self.rng = random.Random(2026_90)
        self.units = {u.name: u for u in builder.units.values()}
        self.venues: list[Venue] = []

    def org(self, code):
        return self.b.orgs[code]

    def venue(self, org, name, kind, *, unit=None, area=0, point=None, brand="", status=Status.IN_USE,
              base_type="", bookable=False, services_text="", address="", rooms=(),
              opens=datetime.time(8, 30), closes=datetime.time(21, 0), open_days="1234567",
              description=""):
        if point is None and unit is not None and unit.lng is not None:
            point = (unit.lng, unit.lat)
        venue = Venue(org=unit.org if unit is not None else org, unit=unit, name=name, kind=kind,
                      base_type=base_type, brand=brand, status=status,
                      address=address or (unit.address if unit is not None else ""),
                      lng=point[0] if point else None, lat=point[1] if point else None,
                      area=Decimal(area), opens=opens, closes=closes, open_days=open_days,
                      bookable=bookable, services=services_text, description=description,
                      contact_name=self.b.person(), contact_phone=unit.contact_phone
                      if unit is not None else "")
        venue.full_clean()
        venue.save()
        for room_name, capacity, groups, facilities in rooms:
            room = Room(venue=venue, name=room_name, capacity=capacity, groups=groups,
                        facilities=facilities)
            room.full_clean()
            room.save()
        self.venues.append(venue)
        return venue

    def near(self, code, spread=0.006):
        """A point near the located units of an organisation's street (or the city centre)."""
        units = [u for u in self.b.units.values() if u.code.startswith(code) and u.lng]
        lng = sum(float(u.lng) for u in units) / len(units)
        lat = sum(float(u.lat) for u in units) / len(units)
        return (Decimal(str(lng + self.rng.uniform(-spread, spread))).quantize(Q6),
                Decimal(str(lat + self.rng.uniform(-spread, spread))).quantize(Q6))

    # ---- the four streets ---------------------------------------------------------------------

    def jinshanqiao(self):
        street = self.org("XZ-JSQ")
        self.venue(street, "金山桥街道党群服务中心", Kind.CENTRE, area=1200,
                   point=_offset(YIYUAN_CENTRE, -900, 700), brand="红盟同心",
                   services_text="党务政策咨询\n党员教育培训\n红盟同心联席会议",
                   rooms=[("多功能厅", 120, 1, "舞台、音响、投影"), ("党员活动室", 40, 1, "投影")],
                   description="“1+2+N”党建工作体系的主阵地。")
        self.venue(self.org("XZ-JSQ-01"), "怡园社区党群服务中心", Kind.CENTRE, area=1050,
                   point=YIYUAN_CENTRE, brand="一刻钟党建服务圈", bookable=True,
                   address="江苏省徐州市经济技术开发区桃园路怡园社区",
                   services_text="党员服务\n便民服务\n人才服务\n企业服务",
                   rooms=[("党员活动室", 50, 1, "投影、音响"), ("议事厅", 30, 1, "会议桌")],
                   description="以怡园社区党群服务中心为中心，以15分钟步行路程为半径，打造一刻钟党建服务圈。")
        for name, east, north, area, text in YIYUAN_STATIONS:
            self.venue(self.org("XZ-JSQ-01"), name, Kind.STATION, area=area,
                       point=_offset(YIYUAN_CENTRE, east, north), services_text=text,
                       brand="一刻钟党建服务圈", rooms=[("活动室", 30, 1, "桌椅、投影")],
                       description="怡园“一刻钟党建服务圈”站点。")
        wanbang = self.units.get("万邦党校")
        if wanbang is not None:
            self.venue(self.org("XZ-JSQ"), "万邦党校“两新”组织教育基地", Kind.BASE, unit=wanbang,
                       base_type=BaseType.RED_HISTORY, area=600, bookable=True,
                       services_text="党员培训\n党性教育\n学习交流",
                       rooms=[("培训教室", 80, 1, "投影、音响")])
        for suffix, area in (("02", 1010), ("03", 1030), ("04", 860)):
            org = self.org(f"XZ-JSQ-{suffix}")
            self.venue(org, f"{org.name.removesuffix('党委').removesuffix('党总支')}党群服务中心",
                       Kind.CENTRE, area=area, point=self.near("XZ-JSQ"),
                       rooms=[("党员活动室", 40, 1, "投影")])

    def jinshan(self):
        street = self.org("XM-JS")
        self.venue(street, "金山街道党群服务中心", Kind.CENTRE, area=1500, point=self.near("XM-JS"),
                   services_text="党务咨询\n四位一体服务", rooms=[("报告厅", 150, 1, "音响、投影")])
        areas = {"01": 1200, "02": 1150, "03": 1680, "04": 1320, "05": 1080, "06": 1040,
                 "07": 1260, "08": 1020, "09": 1750}
        for suffix, area in areas.items():
            org = self.org(f"XM-JS-{suffix}")
            name = org.name.removesuffix("大党委").removesuffix("大党总支")
            self.venue(org, f"{name}党群服务中心", Kind.CENTRE, area=area,
                       point=self.near("XM-JS"), rooms=[("活动室", 40, 1, "投影")])
        for suffix in ("03", "09"):  # 村改居 (the tree's notes)
            row = CommunityArea(org=self.org(f"XM-JS-{suffix}"), former_village=True,
                                note="村改居社区")
            row.full_clean()
            row.save()
        for unit_name, name, room, capacity, groups, facilities in JINSHAN_SHARED:
            unit = self.units[unit_name]
            weekdays = "67" if "小学" in unit_name or "中学" in unit_name else "12345"
            hours = (datetime.time(8, 0), datetime.time(20, 0))
            self.venue(None, name, Kind.SHARED, unit=unit, area=self.rng.choice((80, 120, 200)),
                       bookable=True, opens=hours[0], closes=hours[1], open_days=weekdays,
                       rooms=[(room, capacity, groups, facilities)],
                       description="共建单位阵地向社区居民开放共享。")

    def longhai(self):
        street = self.org("ZZ-LHML")
        self.venue(street, "陇海马路街道党建服务中心", Kind.CENTRE, area=1000, status=Status.PLANNED,
                   point=self.near("ZZ-LHML"),
                   services_text="党务政策咨询\n党内业务办理\n帮扶困难党员群众\n八大类服务活动",
                   description="建筑面积 1000 平方米的街道级党建服务中心，立项阶段。")
        for suffix, (brand, area, status) in LONGHAI_BRANDS.items():
            org = self.org(f"ZZ-LHML-{suffix}")
            name = org.name.removesuffix("党总支").removesuffix("党支部").removesuffix("党委")
            self.venue(org, f"{name}党群服务中心", Kind.CENTRE, area=area, brand=brand,
                       status=status, point=self.near("ZZ-LHML"),
                       rooms=[("党员活动室", 40, 1, "投影"), ("多功能室", 60, 1, "音响")],
                       description=f"一社区一品牌：{brand}党群服务中心。")
        for suffix, (name, area) in LONGHAI_NEGOTIATING.items():
            self.venue(self.org(f"ZZ-LHML-{suffix}"), name, Kind.CENTRE, area=area,
                       status=Status.NEGOTIATING, point=self.near("ZZ-LHML"),
                       description="场地面积不达标，正与辖区物业公司沟通洽谈。")

    def huizhan(self):
        street = self.org("CC-HZ")
        communities = [f"CC-HZ-{i:02d}" for i in range(1, 6)]
        self.venue(street, "会展街道“红驿舫”党群服务中心", Kind.CENTRE, area=1600,
                   point=self.near("CC-HZ"), brand="红驿舫",
                   rooms=[("报告厅", 200, 1, "音响、投影")])
        for code in communities:
            org = self.org(code)
            short = org.name.removesuffix("社区党委")
            self.venue(org, f"{short}社区“红驿舫”党群服务中心", Kind.CENTRE, area=1100,
                       point=self.near("CC-HZ"), brand="红驿舫",
                       rooms=[("党员活动室", 40, 1, "投影")])
            for n in (1, 2):
                self.venue(org, f"红驿舫·{short}第{'一二'[n - 1]}服务站", Kind.STATION,
                           area=120, point=self.near("CC-HZ"), brand="红驿舫",
                           services_text="党员报到\n便民服务\n志愿服务",
                           rooms=[("活动室", 20, 1, "桌椅")])
        for unit_name, name in HUIZHAN_UNIT_STATIONS:
            unit = self.units[unit_name]
            bookable = unit.code == "CC-HZ-U02"
            self.venue(None, name, Kind.STATION, unit=unit, area=self.rng.choice((150, 200, 300)),
                       brand="红驿舫", bookable=bookable,
                       opens=datetime.time(8, 0), closes=datetime.time(20, 0),
                       rooms=[("会议厅" if bookable else "活动室", 60, 1, "投影、音响")],
                       services_text="党员活动\n便民服务")
        for base_type, unit_name, name in HUIZHAN_BASES:
            unit = self.units[unit_name]
            self.venue(None, name, Kind.BASE, unit=unit, base_type=base_type, area=300,
                       brand="红驿舫", rooms=[("学习室", 40, 1, "投影")],
                       description="“红驿舫”首批开放式组织生活基地。")

    # ---- bookings -------------------------------------------------------------------------------

    def bookings(self):
        users = {u.username: u for u in User.objects.filter(username__in=[
            "jinshan", "jinan", "jinshansq", "gaolin", "hubian", "bolan", "donghu", "huizhan",
            "liaison"])}
        jinshan_staff = [users[n] for n in ("jinan", "jinshansq", "gaolin", "hubian")
                         if n in users]
        rooms = list(Room.objects.filter(venue__unit__isnull=False,
                                         venue__org__path__startswith=self.org("XM-JS").path,
                                         venue__bookable=True)
                     .select_related("venue__unit", "venue__org"))
        today = timezone.localdate()
        now = timezone.now()
        rows, events = [], []
        for room in rooms:
            count = self.rng.randint(5, 9)
            for _ in range(count):
                delta = self.rng.randint(-150, 30)
                day = today + datetime.timedelta(days=delta)
                if not room.venue.is_open_on(day):
                    continue
                hour = self.rng.randint(room.venue.opens.hour + 1, room.venue.closes.hour - 3)
                start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
                end = start + datetime.timedelta(hours=self.rng.choice((1, 2)))
                user = self.rng.choice(jinshan_staff) if jinshan_staff else None
                if user is None:
                    continue
                grant = user.grants.filter(org__isnull=False).select_related("org").first()
                if start > now + datetime.timedelta(hours=1):
                    state = self.rng.choice((State.CONFIRMED, State.CONFIRMED, State.REQUESTED,
                                             State.CANCELLED))
                elif end < now:
                    state = self.rng.choice((State.USED, State.USED, State.USED, State.NO_SHOW,
                                             State.DECLINED, State.CANCELLED))
                else:
                    continue
                active = state in (State.REQUESTED, State.CONFIRMED)
                slot = services.free_slot(room, start, end) if active else None
                if active and slot is None:
                    continue
                booking = Booking(code=services._booking_code(), room=room, venue=room.venue,
                                  org=grant.org, start=start, end=end, slot=slot, state=state,
                                  purpose=self.rng.choice(PURPOSES),
                                  attendees=min(room.capacity, self.rng.randint(10, 40)),
                                  contact_name=user.display_name or user.username,
                                  requested_by=user,
                                  created_at=self.asked(start, now))
                booking.full_clean()
                booking.save()
                rows.append(booking)
                events.extend(self.history(booking, user))
        # 会展: 博览社区 books 博文物业's hall (the demo liaison's unit) — one used, one ahead.
        hall = Room.objects.filter(venue__unit__code="CC-HZ-U02", venue__bookable=True).first()
        if hall is not None and "bolan" in users:
            bolan = users["bolan"]
            for days, state in ((-14, State.USED), (3, State.REQUESTED), (9, State.CONFIRMED)):
                day = today + datetime.timedelta(days=days)
                start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(14)))
                end = start + datetime.timedelta(hours=2)
                active = state in (State.REQUESTED, State.CONFIRMED)
                booking = Booking(code=services._booking_code(), room=hall, venue=hall.venue,
                                  org=self.org("CC-HZ-01"), start=start, end=end,
                                  slot=0 if active else None, state=state,
                                  purpose="博览社区党员主题党日活动", attendees=40,
                                  requested_by=bolan,
                                  created_at=self.asked(start, now))
                booking.full_clean()
                booking.save()
                events.extend(self.history(booking, bolan))
        BookingEvent.objects.bulk_create(events)
        return len(rows)

    def asked(self, start, now):
        """When a request was made: days before its date, and never after now."""
        return min(start - datetime.timedelta(days=self.rng.randint(3, 12)),
                   now - datetime.timedelta(hours=self.rng.randint(2, 60)))

    def history(self, booking, user):
        at = booking.created_at
        lines = [build_event(booking, "request", user, at=at, state_to=State.REQUESTED,
                             text=f"{booking.booker_label}申请预约 {booking.time_label}")]
        owner = booking.venue.unit.name if booking.venue.unit_id else booking.venue.org.name
        later = min(at + datetime.timedelta(days=1), timezone.now())
        if booking.state == State.DECLINED:
            lines.append(build_event(booking, "decline", None, at=later, actor_name=owner,
                                     state_from=State.REQUESTED, state_to=State.DECLINED,
                                     text="场地方驳回：当日单位内部活动", note="当日单位内部活动"))
            return lines
        if booking.state == State.REQUESTED:
            return lines
        if booking.state == State.CANCELLED:
            lines.append(build_event(booking, "cancel", user, at=later,
                                     state_from=State.REQUESTED, state_to=State.CANCELLED,
                                     text="预约方取消预约：活动改期", note="活动改期"))
            return lines
        lines.append(build_event(booking, "confirm", None, at=later, actor_name=owner,
                                 state_from=State.REQUESTED, state_to=State.CONFIRMED,
                                 text="场地方确认预约"))
        if booking.state == State.USED:
            lines.append(build_event(booking, "done", None, at=booking.end, actor_name=owner,
                                     state_from=State.CONFIRMED, state_to=State.USED,
                                     text="场地方登记已使用"))
        elif booking.state == State.NO_SHOW:
            lines.append(build_event(booking, "no_show", None, at=booking.end, actor_name=owner,
                                     state_from=State.CONFIRMED, state_to=State.NO_SHOW,
                                     text="场地方登记爽约（预约方未到场）"))
        return lines


def build(builder) -> None:
    demo = _Demo(builder)
    demo.jinshanqiao()
    demo.jinshan()
    demo.longhai()
    demo.huizhan()
    count = demo.bookings()
    builder.say(f"已建立阵地 {len(demo.venues)} 个、金山共享场地预约 {count} 条")
