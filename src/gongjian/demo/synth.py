"""A synthetic city for load tests: 30,085 organisations (大连's count) under one extra root.

The tree is generated in memory with a seeded random generator, its materialized paths are
computed here in treebeard's format (4 base-36 characters a step), and everything is written
with bulk_create inside one transaction. Names are Chinese and varied (places, companies,
social organisations, projects) so that search by Chinese, full pinyin and initials has real
work to do. `build_city("small")` makes a ~1/50 copy for quick checks. The members (544,000,
大连's count) and the communities' teams are added by `synth_members.build_members`.
"""

import datetime
import random
import time
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.password_validation import validate_password
from django.db import connection, transaction

from gongjian.core import audit
from gongjian.core.models import RoleGrant, User
from gongjian.core.pinyin import pinyin_keys
from gongjian.orgs.choices import OrgKind, Sector, UnitType
from gongjian.orgs.models import Building, Grid, Organization, Unit

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEPLEN = 4
BATCH = 2000


@dataclass(frozen=True)
class Scale:
    code: str
    name: str
    total: int          # organisations, the root included
    districts: int
    streets: int
    city_user: str
    street_user: str
    members: int        # party members over the branches (synth_members)


CITY_NAME = "滨海市"
SCALES = {
    "city": Scale("SYN-CITY", f"{CITY_NAME}城市基层党建工作委员会（合成数据）", 30085, 10, 110,
                  "synth_city", "synth_street", 544_000),
    "small": Scale("SYN-SMALL", f"{CITY_NAME}小城基层党建工作委员会（合成数据）", 602, 2, 6,
                   "synth_small", "synth_small_street", 10_880),
}
# Printed by the command; both satisfy the password policy (≥8 chars of ≥3 classes).
CITY_PASSWORD = "Binhai@2026!"
STREET_PASSWORD = "Jiedao@2026!"

# --- vocabulary --------------------------------------------------------------------------

PLACE_FIRST = list("金安海星凌春泉松青华瑞兴和泰康宁福新阳明桥东西南北山湖港岭峰林丰庆德仁"
                   "嘉祥龙凤云霞虹翠锦兰桂梅竹樱杏柏枫荷莲芳晴澜涛沙洲滨渔远广雅怡欣荣昌裕泽"
                   "润溪红绿紫白黄长永万太平")
PLACE_SECOND = list("安泰华苑园湾港山河桥林峰岭庄屯堡岗台塘湖泉溪源岛洲滩坪川城街里坊宁兴盛"
                    "和平丰乐福康景秀明光辉阳春晖祥瑞新翠锦凤龙霞海")
DISTRICT_NAMES = ["海澄", "星湾", "金岭", "云港", "青屿", "南澳", "凤鸣", "松江", "东滨", "西岚",
                  "北岸", "泉山"]
ROADS = ["人民", "解放", "中山", "长江", "黄河", "友谊", "胜利", "建设", "民主", "和平", "滨海",
         "学苑", "工业", "港湾", "春柳", "五一", "东北", "西南", "迎宾", "新华"]
BRAND = list("华鑫瑞泰恒达盛远通宏博睿信诚德嘉航创联安融汇科智云天海星辰晨光明远卓越雅优"
             "佳美润丰源昊宇翔鹏腾骏龙凯")
INDUSTRY = ["科技", "信息技术", "软件", "电子", "物流", "供应链管理", "建设工程", "装饰工程",
            "贸易", "进出口", "餐饮管理", "物业服务", "医药", "医疗器械", "船舶", "海洋渔业",
            "水产品", "文化传媒", "广告", "新能源", "环保科技", "机械制造", "精密模具",
            "汽车销售服务", "人力资源", "教育咨询", "健康管理", "食品", "农业发展", "旅游发展",
            "酒店管理", "置业", "房地产开发", "商贸", "仓储", "港口服务", "化工", "电气"]
COMPANY_FORM = ["有限公司", "有限公司", "有限公司", "股份有限公司", "集团有限公司", "有限责任公司"]
SOCIAL_KINDS = ["社会工作服务中心", "志愿者协会", "养老服务中心", "居家养老服务站", "商会",
                "律师事务所", "会计师事务所", "行业协会", "民办幼儿园", "培训学校",
                "公益发展中心", "社区基金会", "青少年服务中心", "残疾人服务社", "调解服务中心"]
COMPANY_DEPTS = ["研发中心", "生产部", "营销中心", "综合管理部", "财务部", "技术部", "项目部",
                 "第一车间", "第二车间", "质量部", "客户服务中心", "物流部"]
COMMUNITY_BRANCHES = [("离退休党员", Sector.COMMUNITY), ("在职党员", Sector.COMMUNITY),
                      ("流动党员", Sector.COMMUNITY), ("物业服务", Sector.RESIDENTIAL),
                      ("志愿服务", Sector.COMMUNITY), ("老年协会", Sector.COMMUNITY)]
ORGAN_BRANCHES = ["党政办公室", "党建工作办公室", "社区建设办公室", "经济发展办公室",
                  "综合行政执法队", "社会事务服务中心", "平安建设办公室", "城市管理办公室",
                  "退役军人服务站", "社区卫生服务中心"]
PROJECTS = ["棚户区改造", "征迁安置", "返迁安置房建设", "老旧小区改造", "地铁站点建设",
            "道路提升改造", "城市综合体建设", "滨海绿道建设", "学校新建", "安置小区配套"]
SURNAMES = list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈"
                "曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白")
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红建国志强海燕"
             "晨宇浩然子轩欣怡梓涵一诺")

CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 35 → 三十五 (1 ≤ n ≤ 99; larger numbers as digits)."""
    if n < 10:
        return CN_DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return (CN_DIGITS[tens] if tens > 1 else "") + "十" + (CN_DIGITS[ones] if ones else "")
    return str(n)


# --- pinyin, cached per name part ----------------------------------------------------------

_PART_KEYS: dict[str, tuple[str, str]] = {}


def keys_of(parts: tuple[str, ...]) -> tuple[str, str]:
    full, initials = [], []
    for part in parts:
        cached = _PART_KEYS.get(part)
        if cached is None:
            cached = _PART_KEYS[part] = pinyin_keys(part)
        full.append(cached[0])
        initials.append(cached[1])
    return "".join(full), "".join(initials)


# --- materialized paths ----------------------------------------------------------------------

def encode_step(n: int) -> str:
    """Treebeard's step: n in base 36, left-padded to STEPLEN ('0001', ..., '000Z', '0010')."""
    if not 0 < n < len(ALPHABET) ** STEPLEN:
        raise ValueError(f"step {n} out of range")
    digits = []
    while n:
        n, rem = divmod(n, len(ALPHABET))
        digits.append(ALPHABET[rem])
    return "".join(reversed(digits)).rjust(STEPLEN, ALPHABET[0])


def decode_step(step: str) -> int:
    return int(step, len(ALPHABET))


def next_root_path() -> str:
    last = (Organization.objects.filter(depth=1).order_by("-path")
            .values_list("path", flat=True).first())
    return encode_step(decode_step(last) + 1 if last else 1)


# --- the in-memory tree ----------------------------------------------------------------------

class Node:
    __slots__ = ("parts", "kind", "sector", "role", "children", "is_regional", "project",
                 "code", "path", "obj", "place", "groups")

    def __init__(self, parts, kind, sector, role="", is_regional=False, project="", place=""):
        self.parts = tuple(parts)
        self.kind = kind
        self.sector = sector
        self.role = role
        self.children: list[Node] = []
        self.is_regional = is_regional
        self.project = project
        self.place = place
        self.groups = 0
        self.code = self.path = ""
        self.obj = None

    @property
    def name(self):
        return "".join(self.parts)

    def add(self, *args, **kwargs):
        child = Node(*args, **kwargs)
        self.children.append(child)
        return child

    def add_group(self):
        self.groups += 1
        return self.add(self.parts + (f"第{cn_number(self.groups)}党小组",), OrgKind.GROUP,
                        self.sector, role="group")

    def walk(self):
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def size(self):
        return sum(1 for _ in self.walk())


class Names:
    """Draws distinct place names, company brands and people's names from syllable lists."""

    def __init__(self, rng):
        self.rng = rng
        self.used: set[str] = set()

    def place(self):
        for _ in range(1000):
            name = self.rng.choice(PLACE_FIRST) + self.rng.choice(PLACE_SECOND)
            if name[0] != name[1] and name not in self.used:
                self.used.add(name)
                return name
        raise RuntimeError("ran out of place names")

    def brand(self):
        for _ in range(1000):
            a, b = self.rng.sample(BRAND, 2)
            name = a + b
            if name not in self.used:
                self.used.add(name)
                return name
        return self.rng.choice(BRAND) + self.rng.choice(BRAND) + self.rng.choice(BRAND)

    def person(self):
        given = self.rng.choice(GIVEN) + (self.rng.choice(GIVEN) if self.rng.random() < 0.6 else "")
        return self.rng.choice(SURNAMES) + given


def _split(total: int, parts: int, rng, spread=0.4) -> list[int]:
    """`total` split into `parts` uneven positive shares that add up exactly."""
    weights = [rng.uniform(1 - spread, 1 + spread) for _ in range(parts)]
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    shares = [int(r) for r in raw]
    for i in sorted(range(parts), key=lambda i: raw[i] - shares[i], reverse=True)[
            : total - sum(shares)]:
        shares[i] += 1
    return shares


def _groups(node, rng, low, high):
    for _ in range(rng.randint(low, high)):
        node.add_group()


def _community(street, names, rng):
    place = names.place()
    big = rng.random() < 0.7
    kind = OrgKind.COMMITTEE if big else OrgKind.GENERAL_BRANCH
    suffix = "社区党委" if big else "社区党总支"
    community = street.add((place, suffix), kind, Sector.COMMUNITY, role="community", place=place)
    for i in range(1, (rng.randint(3, 7) if big else rng.randint(2, 3)) + 1):
        branch = community.add((place, "社区", f"第{cn_number(i)}网格党支部"), OrgKind.BRANCH,
                               Sector.RESIDENTIAL, role="grid_branch", place=place)
        _groups(branch, rng, 0, 2 if big else 1)
    for label, sector in rng.sample(COMMUNITY_BRANCHES, rng.randint(1, 3) if big else 1):
        branch = community.add((place, "社区", label, "党支部"), OrgKind.BRANCH, sector)
        _groups(branch, rng, 0, 2)
    if big and rng.random() < 0.4:
        estate = names.place()
        for i in range(1, rng.randint(2, 4)):
            branch = community.add((estate, "小区", f"{i}号楼", "党支部"), OrgKind.BRANCH,
                                   Sector.BUILDING)
            _groups(branch, rng, 0, 1)
    return community


def _company(parent, names, rng, large=False):
    brand = names.brand()
    prefix = CITY_NAME[:2] if rng.random() < 0.5 else parent.place or CITY_NAME[:2]
    company = (prefix, brand, rng.choice(INDUSTRY), rng.choice(COMPANY_FORM))
    if large:
        node = parent.add(company + ("党委",), OrgKind.COMMITTEE, Sector.NON_PUBLIC_ENTERPRISE,
                          role="company")
        for dept in rng.sample(COMPANY_DEPTS, rng.randint(2, 5)):
            branch = node.add(company + (dept, "党支部"), OrgKind.BRANCH,
                              Sector.NON_PUBLIC_ENTERPRISE)
            _groups(branch, rng, 0, 3)
        return node
    node = parent.add(company + ("党支部",), OrgKind.BRANCH, Sector.NON_PUBLIC_ENTERPRISE,
                      role="company")
    if rng.random() < 0.25:
        _groups(node, rng, 1, 3)
    return node


def _social(parent, names, rng):
    place = parent.place if parent.place and rng.random() < 0.5 else names.place()
    # One part: pinyin of 会计/行业/调解 depends on the characters around the place name.
    name = CITY_NAME[:2] + place + rng.choice(SOCIAL_KINDS)
    node = parent.add((name, "党支部"), OrgKind.BRANCH, Sector.SOCIAL_ORGANIZATION, role="social")
    if rng.random() < 0.15:
        _groups(node, rng, 1, 2)
    return node


def _temporary(parent, names, rng):
    place = parent.place if parent.role == "community" else names.place()
    project = f"{place}{rng.choice(PROJECTS)}项目"
    node = parent.add((project, "临时党支部"), OrgKind.TEMPORARY_BRANCH, Sector.PROJECT,
                      project=project)
    _groups(node, rng, 0, 2)
    return node


def _street(street, budget, names, rng):
    """Fill a street's working committee with exactly `budget` descendants."""
    place = street.place
    organ = street.add((place, "街道机关党总支"), OrgKind.GENERAL_BRANCH, Sector.GOVERNMENT)
    for dept in rng.sample(ORGAN_BRANCHES, rng.randint(2, 4)):
        branch = organ.add((place, "街道", dept, "党支部"), OrgKind.BRANCH, Sector.GOVERNMENT)
        _groups(branch, rng, 0, 2)

    communities = []
    while street.size() - 1 < budget * 0.62:
        communities.append(_community(street, names, rng))

    economy = street.add((place, "街道非公有制经济组织综合党委"), OrgKind.COMMITTEE,
                         Sector.NON_PUBLIC_ENTERPRISE, place=place)
    social = street.add((place, "街道社会组织综合党委"), OrgKind.COMMITTEE,
                        Sector.SOCIAL_ORGANIZATION, place=place)
    tower = None
    if rng.random() < 0.5:
        tower_place = names.place()
        tower = street.add((tower_place, "商务大厦楼宇党委"), OrgKind.COMMITTEE,
                           Sector.NON_PUBLIC_ENTERPRISE, place=tower_place)
    for _ in range(rng.randint(0, 2)):
        _company(street, names, rng, large=True)
    for _ in range(rng.randint(1, 3)):
        _temporary(rng.choice(communities + [street]), names, rng)

    size = street.size() - 1
    while size < budget * 0.95:
        roll = rng.random()
        if roll < 0.62:
            node = _company(tower if tower and rng.random() < 0.3 else economy, names, rng)
        else:
            node = _social(social, names, rng)
        size += node.size()

    # Settle on the exact count: groups are leaves, so add or drop them.
    holders = [n for n in street.walk()
               if n.kind in (OrgKind.BRANCH, OrgKind.TEMPORARY_BRANCH)]
    while size < budget:
        holder = rng.choice(holders)
        holder.add_group()
        size += 1
    while size > budget:
        holder = rng.choice([n for n in holders if n.groups] or holders)
        if holder.groups:
            holder.children.pop()
            holder.groups -= 1
        else:
            parent = next(p for p in street.walk() if holder in p.children)
            parent.children.remove(holder)
            holders.remove(holder)
        size -= 1


def generate(scale: Scale, seed: int = 2026) -> Node:
    rng = random.Random(f"{seed}:{scale.code}")
    names = Names(rng)
    root = Node((scale.name,), OrgKind.WORKING_COMMITTEE, Sector.GOVERNMENT, role="city")
    root.code = scale.code
    district_names = rng.sample(DISTRICT_NAMES, scale.districts)
    streets_per_district = _split(scale.streets, scale.districts, rng)
    budget = scale.total - 1 - scale.districts - scale.streets
    budgets = iter(_split(budget, scale.streets, rng, spread=0.35))
    for d, (district_name, n_streets) in enumerate(
            zip(district_names, streets_per_district, strict=True), start=1):
        district = root.add((district_name, "区街道工作党工委"), OrgKind.WORKING_COMMITTEE,
                            Sector.GOVERNMENT, role="district", place=district_name)
        district.code = f"{scale.code}-D{d:02d}"
        for s in range(1, n_streets + 1):
            place = names.place()
            street = district.add((place, "街道党工委"), OrgKind.WORKING_COMMITTEE, Sector.STREET,
                                  role="street", is_regional=True, place=place)
            street.code = f"{district.code}-S{s:02d}"
            _street(street, next(budgets), names, rng)
            for i, node in enumerate(street.walk()):
                if i:
                    node.code = f"{street.code}-{i:04d}"
    return root


# --- writing ---------------------------------------------------------------------------------

def _random_date(rng, start_year=1985, end=datetime.date(2025, 12, 31)):
    start = datetime.date(start_year, 1, 1)
    return start + datetime.timedelta(days=rng.randrange((end - start).days))


def _phone(rng):
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def _organizations(root, root_path, rng):
    root.path = root_path
    objs = []
    for node in root.walk():
        for i, child in enumerate(node.children, start=1):
            child.path = node.path + encode_step(i)
        full, initials = keys_of(node.parts)
        established = _random_date(rng, 1990 if node.kind == OrgKind.GROUP else 1985)
        node.obj = Organization(
            path=node.path, depth=len(node.path) // STEPLEN, numchild=len(node.children),
            code=node.code, name=node.name[:100], kind=node.kind, sector=node.sector,
            is_regional=node.is_regional, project_name=node.project,
            established_on=(_random_date(rng, 2021) if node.project else established),
            name_pinyin=full, name_initials=initials[:100])
        objs.append(node.obj)
    return objs


def _grids_and_buildings(root, names, rng):
    grids, buildings = [], []
    for street in (n for n in root.walk() if n.role == "street"):
        serial = 0
        for community in (c for c in street.children if c.role == "community"):
            owners = [b for b in community.children if b.role == "grid_branch"]
            if community.kind == OrgKind.COMMITTEE:
                owners += [community] * rng.randint(0, 2)
            for owner in owners:
                serial += 1
                estate = names.place() if rng.random() < 0.5 else community.place
                if owner is community:
                    parts = (community.place, "社区", estate, "专属网格")
                else:
                    parts = owner.parts[:-1] + (owner.parts[-1].removesuffix("党支部"),)
                full, initials = keys_of(parts)
                grid = Grid(code=f"{street.code}-W{serial:03d}", name="".join(parts)[:100],
                            org=owner.obj, name_pinyin=full, name_initials=initials[:100],
                            note="合成数据")
                grids.append(grid)
                road = rng.choice(ROADS)
                for b in range(1, rng.randint(3, 9) + 1):
                    floors = rng.choice([6, 6, 7, 11, 18, 24, 26, 33])
                    buildings.append(Building(
                        grid=grid, name=f"{b}号楼", floors=floors,
                        address=f"{CITY_NAME}{road}路{rng.randint(1, 999)}号{estate}小区{b}号楼",
                        households=floors * rng.randint(2, 6)))
    return grids, buildings


PUBLIC_UNITS = [
    (UnitType.SCHOOL, ("{place}小学", "{place}中学", "{city}第{n}中学", "{place}实验学校")),
    (UnitType.HOSPITAL, ("{place}社区卫生服务中心", "{city}第{n}人民医院", "{place}中医医院")),
    (UnitType.BANK, ("中国工商银行{city}{place}支行", "中国建设银行{city}{place}支行",
                     "{city}农商银行{place}支行")),
    (UnitType.GOVERNMENT, ("{place}派出所", "{place}市场监督管理所", "{place}税务所")),
    (UnitType.PUBLIC_INSTITUTION, ("{place}图书馆", "{place}文化馆", "{place}供电所")),
    (UnitType.STATE_COMPANY, ("{city}{brand}港务集团有限公司", "{city}{brand}城建集团有限公司",
                              "{city}燃气集团{place}分公司")),
]


class _UnitMaker:
    """Units of one street: numbered codes, an address in its district, coordinates nearby."""

    def __init__(self, street, district, centre, names, rng):
        self.street, self.district, self.centre = street, district, centre
        self.names, self.rng = names, rng
        self.serial = 0

    def __call__(self, name, unit_type, party_org, at):
        rng = self.rng
        self.serial += 1
        full, initials = keys_of((name,))
        return Unit(
            code=f"{self.street.code}-U{self.serial:03d}", name=name[:100], unit_type=unit_type,
            org=at.obj, party_org=party_org.obj if party_org else None,
            address=f"{CITY_NAME}{self.district.place}区{rng.choice(ROADS)}路"
                    f"{rng.randint(1, 999)}号",
            lng=Decimal(f"{self.centre[0] + rng.uniform(0, 0.05):.6f}"),
            lat=Decimal(f"{self.centre[1] + rng.uniform(0, 0.05):.6f}"),
            contact_name=self.names.person(), contact_phone=_phone(rng),
            name_pinyin=full, name_initials=initials[:100])


def _units(root, names, rng):
    units = []
    for d, district in enumerate(root.children):
        centre = (121.45 + 0.06 * d, 38.85 + 0.03 * (d % 4))
        for street in district.children:
            unit = _UnitMaker(street, district, centre, names, rng)
            for node in street.walk():
                if node.role in ("company", "social"):
                    base = node.name.removesuffix("党委").removesuffix("党支部")
                    unit_type = (UnitType.PRIVATE_COMPANY if node.role == "company"
                                 else UnitType.SOCIAL_ORGANIZATION)
                    units.append(unit(base, unit_type, node, street))
            communities = [c for c in street.children if c.role == "community"]
            # 两新 without a party organisation yet: the coverage gap a street reports.
            for _ in range(rng.randint(2, 8)):
                at = rng.choice(communities) if communities else street
                if rng.random() < 0.7:
                    name = (f"{CITY_NAME[:2]}{names.brand()}{rng.choice(INDUSTRY)}"
                            f"{rng.choice(COMPANY_FORM)}")
                    units.append(unit(name, UnitType.PRIVATE_COMPANY, None, at))
                else:
                    name = f"{CITY_NAME[:2]}{at.place}{rng.choice(SOCIAL_KINDS)}"
                    units.append(unit(name, UnitType.SOCIAL_ORGANIZATION, None, at))
            # 驻区单位 whose party organisations belong to their own systems.
            for unit_type, patterns in rng.sample(PUBLIC_UNITS, rng.randint(3, 6)):
                at = rng.choice(communities) if communities else street
                name = rng.choice(patterns).format(place=at.place, city=CITY_NAME,
                                                   n=cn_number(rng.randint(1, 40)),
                                                   brand=names.brand())
                units.append(unit(name, unit_type, None, at))
    return units


def _account(username, display_name, password, org):
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, display_name=display_name)
    validate_password(password, user)
    user.display_name = display_name
    user.set_password(password)
    user.save()
    RoleGrant.objects.get_or_create(user=user, role="street_staff", org=org, unit=None)
    return user


def build_city(scale_name="city", *, seed=2026, log=print):
    """Write the synthetic city; returns a summary dict. Raises if it already exists."""
    scale = SCALES[scale_name]
    if Organization.objects.filter(code=scale.code).exists():
        raise ValueError(f"合成城市 {scale.code} 已存在。")
    started = time.perf_counter()
    rng = random.Random(f"{seed}:{scale.code}:rows")
    root = generate(scale, seed)
    names = Names(random.Random(f"{seed}:{scale.code}:names"))
    timings = {"generate_s": time.perf_counter() - started}
    log(f"generated {root.size()} organisations in {timings['generate_s']:.1f}s")

    with transaction.atomic(), audit.acting_as(suppress=True):
        root_path = next_root_path()
        orgs = _organizations(root, root_path, rng)
        Organization.objects.bulk_create(orgs, batch_size=BATCH)
        log(f"organisations written ({time.perf_counter() - started:.1f}s)")
        grids, buildings = _grids_and_buildings(root, names, rng)
        Grid.objects.bulk_create(grids, batch_size=BATCH)
        for building in buildings:
            building.grid_id = building.grid.pk
        Building.objects.bulk_create(buildings, batch_size=BATCH)
        log(f"grids and buildings written ({time.perf_counter() - started:.1f}s)")
        units = _units(root, names, rng)
        Unit.objects.bulk_create(units, batch_size=BATCH)
        street = next(n for n in root.walk() if n.role == "street")
        _account(scale.city_user, "合成城市·市级党建账户", CITY_PASSWORD, root.obj)
        _account(scale.street_user, f"合成城市·{street.name}账户", STREET_PASSWORD, street.obj)
    if connection.vendor == "postgresql":
        # Fresh planner statistics, so the first queries on the new rows are planned well.
        with connection.cursor() as cursor:
            for model in (Organization, Grid, Building, Unit):
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')
    timings["total_s"] = time.perf_counter() - started

    kinds: dict[str, int] = {}
    depths: dict[int, int] = {}
    for obj in orgs:
        kinds[obj.kind] = kinds.get(obj.kind, 0) + 1
        depths[obj.depth] = depths.get(obj.depth, 0) + 1
    return {
        "code": scale.code, "name": scale.name, "root_path": root_path,
        "organizations": len(orgs), "kinds": kinds, "depths": dict(sorted(depths.items())),
        "grids": len(grids), "buildings": len(buildings),
        "households": sum(b.households for b in buildings),
        "units": len(units), "non_public_units": sum(u.unit_type in (
            UnitType.PRIVATE_COMPANY, UnitType.SOCIAL_ORGANIZATION) for u in units),
        "units_with_party_org": sum(u.party_org_id is not None for u in units),
        "city_user": scale.city_user, "city_password": CITY_PASSWORD,
        "street_user": scale.street_user, "street_password": STREET_PASSWORD,
        "street_code": street.code, "seconds": round(timings["total_s"], 1),
    }


# --- checking --------------------------------------------------------------------------------

def check_tree(root, *, full=False):
    """Problems in the subtree under `root`, as treebeard's find_problems reports them
    (five lists of ids: bad characters, bad step length, orphans, wrong depth, wrong numchild).

    The default check reads the subtree once and recomputes everything in Python; treebeard's
    own find_problems (two queries a node) runs on one street's subtree, or on the whole
    subtree when `full` is set.
    """
    rows = list(Organization.objects.filter(path__startswith=root.path)
                .values_list("pk", "path", "depth", "numchild"))
    paths = {path for _, path, _, _ in rows}
    children: dict[str, int] = {}
    for _, path, _, _ in rows:
        children[path[:-STEPLEN]] = children.get(path[:-STEPLEN], 0) + 1
    evil, steplen, orphans, depth, numchild = [], [], [], [], []
    for pk, path, dep, nchild in rows:
        if set(path) - set(ALPHABET):
            evil.append(pk)
        elif len(path) % STEPLEN:
            steplen.append(pk)
        elif path != root.path and path[:-STEPLEN] not in paths:
            orphans.append(pk)
        elif dep != len(path) // STEPLEN:
            depth.append(pk)
        elif nchild != children.get(path, 0):
            numchild.append(pk)
    ours = (evil, steplen, orphans, depth, numchild)
    if full:
        sample = root
    else:
        sample = (Organization.objects.filter(path__startswith=root.path, depth=3)
                  .order_by("path").first() or root)
    theirs = Organization.objects.find_problems(parent=sample)
    return {"python": ours, "treebeard": tuple(theirs), "treebeard_checked": sample.code,
            "rows": len(rows),
            "descendants": Organization.objects.get_descendant_count(root)}
