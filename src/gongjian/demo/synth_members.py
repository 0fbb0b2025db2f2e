"""Synthetic party members for the synthetic city: 544,000 (大连's count) over its branches.

Every member is a Person with one active Membership in a branch (党支部 or 临时党支部): varied
sex, ethnicity (mostly 汉族), education, birth dates 1935–2006, about 3% 预备党员, a few
流动/失联/停止党籍 standings, a citizen ID number that agrees with the birth date and sex
(GB 11643-1999 check character; under a province code that does not exist, so it is never a
real person's) and, for most, a mobile number. Branches differ the way real ones do: retirees'
branches are large and old, company and social-organisation branches small and young. Every
community organisation (社区党委/党总支) gets its leadership teams — the term elected in 2018
and the current one elected at the 2021 换届 (书记, 副书记, 3–5 委员) — seated with that
community's own members.

Rows are drawn with a seeded random generator and written with bulk_create in batches of 5,000
inside one transaction. bulk_create bypasses Person.save, so the blind indexes (HMAC-SM3) and
pinyin keys are computed here, the pinyin once per distinct name; the ID number and phone go
in as plaintext and EncryptedField encrypts them (SM4-GCM) as it writes, so what is stored is
exactly what a save would store. Encryption costs about 16 µs a value, some 18 s of CPU for
the city's 1.06 M values: a small share of a build that spends its time drawing rows, building
model instances and in PostgreSQL, so it is not farmed out to other processes.
"""

import datetime
import random
import time
from collections import Counter

from django.db import connection, transaction
from django.utils import timezone

from gongjian.core import audit, crypto
from gongjian.core.pinyin import pinyin_keys
from gongjian.members import idnumber
from gongjian.members.choices import COLLEGE_OR_ABOVE, Category, Education, Post, Standing
from gongjian.members.models import Membership, Person, Team, TeamSeat
from gongjian.orgs.choices import OrgKind, Sector
from gongjian.orgs.models import Organization

from .synth import CITY_NAME, ROADS, SURNAMES

BATCH = 5000
# Dates are drawn up to this day (or today, if earlier), so a rebuild gives the same roster.
REFERENCE_DAY = datetime.date(2026, 6, 30)
MIN_PER_BRANCH = 3  # a branch needs at least three full members

# --- vocabulary --------------------------------------------------------------------------

GIVEN_MALE = list("伟强磊军勇杰涛明超刚平辉鹏飞鑫波斌宇浩凯健俊帆旭宁龙林峰建国志海东文晨博"
                  "洋振兴德成永生宏亮庆胜利忠义松柏春江")
GIVEN_FEMALE = list("芳娜秀英敏静丽艳娟霞燕玲桂兰萍红梅琳莉婷雪慧颖洁倩琴云凤玉佳欣怡悦璐晶丹"
                    "蕾淑珍华素贞琪瑶")
GIVEN_EITHER = list("子一晓小思雨嘉新金立世天长家德永春秋")

# Area codes: province 97 does not exist (GB/T 2260), so no real person's number is ever made
# (the import benchmark's rows use 99). The city and county digits follow 大连's districts and
# counties, with some from elsewhere, as a real roster's would.
AREA_PROVINCE = "97"
AREAS = [("0202", 12), ("0203", 11), ("0204", 14), ("0211", 16), ("0212", 4), ("0213", 10),
         ("0214", 4), ("0224", 1), ("0281", 5), ("0283", 5), ("0102", 2), ("0302", 1.5),
         ("0602", 1.5), ("1002", 1), ("0502", 1.5), ("0702", 1.5), ("0802", 2), ("0902", 2.5),
         ("1102", 1), ("1202", 1.5), ("1302", 0.5), ("1402", 0.5)]
ETHNICITIES = [("汉族", 915), ("满族", 52), ("回族", 9), ("朝鲜族", 8), ("蒙古族", 7),
               ("锡伯族", 2), ("壮族", 2), ("土家族", 1.5), ("苗族", 1), ("达斡尔族", 0.5),
               ("藏族", 0.5), ("维吾尔族", 0.5), ("彝族", 0.5), ("白族", 0.5)]
# Education by birth cohort (GB/T 4658-2006 groups, highest first): older members studied less.
EDUCATIONS = list(Education)
EDUCATION_BY_COHORT = [
    (1949, [0.5, 6, 9, 12, 24, 48.5]),
    (1964, [1, 14, 17, 14, 24, 30]),
    (1979, [4, 31, 27, 11, 14, 13]),
    (1994, [12, 50, 24, 6, 5, 3]),
    (9999, [14, 56, 22, 5, 2, 1]),
]
STANDINGS = [(Standing.NORMAL, 940), (Standing.MOBILE, 40), (Standing.LOST_CONTACT, 15),
             (Standing.SUSPENDED, 5)]

# Branch profiles: birth-year bands (first, last, weight), share of women, relative size, jobs.
PROFILES = {
    "retired": ([(1935, 1944, 22), (1945, 1954, 40), (1955, 1963, 38)], 0.42, 110, ()),
    "working": ([(1962, 1969, 18), (1970, 1979, 30), (1980, 1989, 32), (1990, 1999, 17),
                 (2000, 2004, 3)], 0.38, 60,
                ("职员", "教师", "医务人员", "工程师", "公务员", "个体经营")),
    "resident": ([(1935, 1949, 11), (1950, 1959, 18), (1960, 1969, 18), (1970, 1979, 17),
                  (1980, 1989, 17), (1990, 1999, 14), (2000, 2006, 5)], 0.38, 48,
                 ("社区工作者", "个体经营", "自由职业", "职员", "工人", "教师", "医务人员",
                  "灵活就业", "快递员", "网约车司机")),
    "building": ([(1940, 1954, 25), (1955, 1969, 35), (1970, 1989, 30), (1990, 2006, 10)],
                 0.40, 20, ("职员", "个体经营", "工人", "自由职业")),
    "government": ([(1962, 1969, 15), (1970, 1979, 30), (1980, 1989, 32), (1990, 2002, 23)],
                   0.42, 30, ("公务员", "科员", "办事员", "事业编制人员", "社区工作者")),
    "company": ([(1962, 1974, 15), (1975, 1984, 30), (1985, 1994, 38), (1995, 2004, 17)],
                0.30, 12, ("职员", "技术员", "工程师", "销售经理", "管理人员", "工人",
                           "财务人员", "项目经理")),
    "social": ([(1960, 1974, 20), (1975, 1989, 40), (1990, 2004, 40)], 0.55, 8,
               ("社工", "项目专员", "律师", "会计", "教师", "志愿服务专员", "护理员")),
    "project": ([(1962, 1974, 25), (1975, 1989, 50), (1990, 2002, 25)], 0.15, 10,
                ("项目经理", "施工员", "安全员", "技术员", "工人", "监理工程师")),
}


def _profile(org) -> str:
    if org["sector"] == Sector.COMMUNITY:
        if "离退休" in org["name"] or "老年" in org["name"]:
            return "retired"
        return "working" if "在职" in org["name"] else "resident"
    return {Sector.RESIDENTIAL: "resident", Sector.BUILDING: "building",
            Sector.GOVERNMENT: "government", Sector.PUBLIC_INSTITUTION: "government",
            Sector.STATE_ENTERPRISE: "company", Sector.NON_PUBLIC_ENTERPRISE: "company",
            Sector.SOCIAL_ORGANIZATION: "social", Sector.PROJECT: "project"}.get(
        org["sector"], "resident")


class _Weighted:
    """rng.choices with the cumulative weights computed once."""

    def __init__(self, pairs):
        pairs = list(pairs)
        self.values = [v for v, _ in pairs]
        self.cum = []
        total = 0
        for _, w in pairs:
            total += w
            self.cum.append(total)

    def __call__(self, rng):
        return rng.choices(self.values, cum_weights=self.cum)[0]


# --- drawing members ---------------------------------------------------------------------------

def _eighteenth(birth):
    try:
        return birth.replace(year=birth.year + 18)
    except ValueError:  # 29 February
        return birth.replace(year=birth.year + 18, day=28)


def _age_on(birth, day):
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class _Drawer:
    """Draws one member at a time: person fields, membership fields and the two secrets."""

    def __init__(self, rng, reference, taken):
        self.rng = rng
        self.reference = reference
        self.taken = taken  # 17-digit ID prefixes already used
        self.surname = _Weighted([(s, 1 / (i + 6)) for i, s in enumerate(SURNAMES)])
        self.area = _Weighted(AREAS)
        self.ethnicity = _Weighted(ETHNICITIES)
        self.standing = _Weighted(STANDINGS)
        self.education = [(last, _Weighted(zip(EDUCATIONS, weights, strict=True)))
                          for last, weights in EDUCATION_BY_COHORT]
        self.births = {name: _Weighted([((a, b), w) for a, b, w in bands])
                       for name, (bands, *_rest) in PROFILES.items()}
        self.pinyin: dict[str, tuple[str, str]] = {}

    def name(self, sex):
        rng = self.rng
        own = GIVEN_MALE if sex == "男" else GIVEN_FEMALE
        if rng.random() < 0.7:
            first = rng.choice(GIVEN_EITHER) if rng.random() < 0.25 else rng.choice(own)
            given = first + rng.choice(own)
        else:
            given = rng.choice(own)
        name = self.surname(rng) + given
        keys = self.pinyin.get(name)
        if keys is None:
            keys = self.pinyin[name] = pinyin_keys(name)
        return name, keys

    def birth(self, profile):
        first, last = self.births[profile](self.rng)
        year = self.rng.randint(first, last)
        start = datetime.date(year, 1, 1)
        return start + datetime.timedelta(days=self.rng.randrange(
            (datetime.date(year + 1, 1, 1) - start).days))

    def id_number(self, birth, sex):
        rng = self.rng
        while True:
            area = AREA_PROVINCE + self.area(rng)
            serial = 2 * rng.randrange(1, 500) + (1 if sex == "男" else 0)
            prefix = f"{area}{birth:%Y%m%d}{serial:03d}"
            if prefix not in self.taken:
                self.taken.add(prefix)
                return prefix + idnumber.check_char(prefix)

    def phone(self, age):
        rng = self.rng
        if rng.random() < (0.12 if age >= 80 else 0.03):
            return ""
        return f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"

    def membership(self, birth, age):
        """(category, joined, confirmed, standing)."""
        rng, reference = self.rng, self.reference
        eighteen = _eighteenth(birth)
        # New members are mostly young: about 3% of the roster is probationary.
        if rng.random() < (0.12 if age <= 35 else 0.025 if age <= 50 else 0.003):
            joined = max(eighteen, reference - datetime.timedelta(days=rng.randrange(1, 360)))
            return Category.PROBATIONARY, joined, None, Standing.NORMAL
        latest = reference - datetime.timedelta(days=400)
        span = (latest - eighteen).days
        if span <= 0:
            joined = max(eighteen, reference - datetime.timedelta(days=rng.randrange(1, 360)))
            return Category.PROBATIONARY, joined, None, Standing.NORMAL
        if rng.random() < 0.7:  # most join in their twenties
            offset = min(span - 1, int(rng.uniform(1, 12) * 365))
        else:
            offset = rng.randrange(span)
        joined = eighteen + datetime.timedelta(days=offset)
        confirmed = joined + datetime.timedelta(days=365 + rng.randrange(0, 31))
        return Category.FULL, joined, confirmed, self.standing(rng)

    def member(self, branch):
        rng = self.rng
        profile = branch["profile"]
        _bands, female, _size, jobs = PROFILES[profile]
        sex = "女" if rng.random() < female else "男"
        name, (full, initials) = self.name(sex)
        birth = self.birth(profile)
        age = _age_on(birth, self.reference)
        education = next(table for last, table in self.education if birth.year <= last)(rng)
        if age >= 60 or profile == "retired":
            job = "离退休人员"
        else:
            job = rng.choice(jobs) if rng.random() < 0.85 else ""
        person = {
            "name": name, "name_pinyin": full, "name_initials": initials[:100], "sex": sex,
            "ethnicity": self.ethnicity(rng), "birth_date": birth, "education": education,
            "address": (f"{branch['address']}{rng.choice(ROADS)}路{rng.randint(1, 399)}号"
                        f"{rng.randint(1, 12)}号楼{rng.randint(1, 6)}单元"
                        f"{rng.randint(1, 18)}{rng.randint(1, 4):02d}室"),
            "job_post": job, "org_id": branch["pk"],
        }
        return person, self.id_number(birth, sex), self.phone(age), self.membership(birth, age)


# --- the city's branches -------------------------------------------------------------------------

def _branches(root, total, rng):
    """The branches under `root` with their member counts (adding up to `total`) and the
    community each belongs to."""
    rows = list(Organization.objects.filter(path__startswith=root.path, dissolved_on__isnull=True)
                .order_by("path").values("pk", "path", "name", "kind", "sector"))
    by_path = {row["path"]: row for row in rows}
    communities = {row["path"]: row for row in rows
                   if row["sector"] == Sector.COMMUNITY
                   and row["kind"] in (OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH)}
    branches = [row for row in rows
                if row["kind"] in (OrgKind.BRANCH, OrgKind.TEMPORARY_BRANCH)]
    if not branches:
        raise ValueError(f"{root.name} 下没有党支部，无法生成党员。")
    for branch in branches:
        branch["profile"] = _profile(branch)
        branch["community"] = None
        street = ""
        path = branch["path"]
        while len(path) > len(root.path):
            path = path[:-4]
            if branch["community"] is None and path in communities:
                branch["community"] = communities[path]["pk"]
            ancestor = by_path.get(path)
            if ancestor and ancestor["sector"] == Sector.STREET and not street:
                street = ancestor["name"].removesuffix("街道党工委") + "街道"
        branch["address"] = CITY_NAME + street

    weights = [PROFILES[b["profile"]][2] * rng.uniform(0.5, 1.5) for b in branches]
    floor = min(MIN_PER_BRANCH, total // len(branches))
    spare = total - floor * len(branches)
    scale = spare / sum(weights)
    raw = [w * scale for w in weights]
    counts = [floor + int(r) for r in raw]
    short = total - sum(counts)
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - int(raw[i]), reverse=True)[:short]:
        counts[i] += 1
    for branch, count in zip(branches, counts, strict=True):
        branch["members"] = count
    return branches, [communities[p] for p in sorted(communities)]


# --- teams -----------------------------------------------------------------------------------

CURRENT_TERM = (datetime.date(2021, 3, 15), datetime.date(2021, 6, 30))
PREVIOUS_TERM = (datetime.date(2018, 3, 15), datetime.date(2018, 6, 30))
RESERVOIR = 24


class _Candidates:
    """A uniform sample, per community, of members fit to sit on its team (full members born
    1955–1995 who joined before 2018), and of any members as a fallback."""

    def __init__(self, rng):
        self.rng = rng
        self.fit: dict[int, list] = {}
        self.any: dict[int, list] = {}
        self.seen: Counter = Counter()

    def offer(self, community, person, membership):
        self._keep(self.any, ("any", community), community, person)
        if (membership.category == Category.FULL and membership.standing == Standing.NORMAL
                and 1955 <= person.birth_date.year <= 1995
                and membership.joined_on < datetime.date(2018, 1, 1)):
            self._keep(self.fit, ("fit", community), community, person)

    def _keep(self, store, key, community, person):
        self.seen[key] += 1
        kept = store.setdefault(community, [])
        if len(kept) < RESERVOIR:
            kept.append(person)
        else:
            slot = self.rng.randrange(self.seen[key])
            if slot < RESERVOIR:
                kept[slot] = person

    def draw(self, community, n):
        fit = list(self.fit.get(community, []))
        self.rng.shuffle(fit)
        rest = [p for p in self.any.get(community, []) if p not in fit]
        self.rng.shuffle(rest)
        return (fit + rest)[:n]


def _day_between(rng, first, last):
    return first + datetime.timedelta(days=rng.randrange((last - first).days + 1))


def _teams(communities, candidates, rng):
    teams, seats = [], []
    for community in communities:
        size = 2 + rng.randint(3, 5)
        people = candidates.draw(community["pk"], size + 3)
        if len(people) < 3:
            continue
        current = people[:size]
        # Many are re-elected: the previous team shares most of its people with this one.
        previous = current[:]
        for i in range(len(previous)):
            if rng.random() < 0.35 and len(people) > size:
                previous[i] = people[size + rng.randrange(len(people) - size)]
        previous = list(dict.fromkeys(previous))
        if rng.random() < 0.4 and len(previous) > 1:
            previous[0], previous[1] = previous[1], previous[0]
        elected = _day_between(rng, *CURRENT_TERM)
        before = _day_between(rng, *PREVIOUS_TERM)
        for team, members, ended in (
                (Team(org_id=community["pk"], elected_on=before, ended_on=elected,
                      note="合成数据"), previous, elected),
                (Team(org_id=community["pk"], elected_on=elected, note="合成数据"), current,
                 None)):
            teams.append(team)
            for i, person in enumerate(members):
                post = Post.SECRETARY if i == 0 else Post.DEPUTY_SECRETARY if i == 1 \
                    else Post.MEMBER
                seats.append(TeamSeat(team=team, person=person, post=post,
                                      started_on=team.elected_on, ended_on=ended))
    return teams, seats


# --- writing ---------------------------------------------------------------------------------

def members_present(root) -> bool:
    return Membership.objects.filter(org__path__startswith=root.path).exists()


def build_members(root, total, *, seed=2026, batch=BATCH, log=print):
    """Write `total` members over the branches under `root`, and the communities' teams.

    Returns a summary dict with the time spent in each step."""
    started = time.perf_counter()
    rng = random.Random(f"{seed}:{root.code}:members")
    reference = min(REFERENCE_DAY, timezone.localdate())
    branches, communities = _branches(root, total, rng)
    drawer = _Drawer(rng, reference, taken=set())
    existing = set(Person.objects.exclude(id_number_index=None)
                   .values_list("id_number_index", flat=True))
    candidates = _Candidates(random.Random(f"{seed}:{root.code}:teams"))
    tally = Counter()
    timings = Counter()

    def clock(step, mark):
        now = time.perf_counter()
        timings[step] += now - mark
        return now

    with transaction.atomic(), audit.acting_as(suppress=True):
        rows = []
        todo = [(branch, n) for branch in branches for n in range(branch["members"])]
        for start in range(0, total, batch):
            mark = time.perf_counter()
            rows = [(branch, *drawer.member(branch)) for branch, _ in todo[start:start + batch]]
            mark = clock("draw_s", mark)
            people = []
            for _branch, fields, number, phone, _membership in rows:
                id_index = crypto.blind_index("id", number)
                while id_index in existing:  # somebody registered earlier holds this number
                    number = drawer.id_number(fields["birth_date"], fields["sex"])
                    id_index = crypto.blind_index("id", number)
                    tally["redrawn"] += 1
                people.append(Person(id_number=number, id_number_index=id_index, phone=phone,
                                     phone_index=crypto.blind_index("phone", phone)
                                     if phone else "", **fields))
            mark = clock("blind_index_s", mark)
            # EncryptedField encrypts id_number and phone here (SM4-GCM, one nonce each).
            Person.objects.bulk_create(people, batch_size=batch)
            mark = clock("people_insert_s", mark)
            memberships = []
            for person, (branch, fields, _n, _p, (category, joined, confirmed, standing)) in zip(
                    people, rows, strict=True):
                membership = Membership(person=person, org_id=branch["pk"], category=category,
                                        joined_on=joined, confirmed_on=confirmed,
                                        standing=standing)
                memberships.append(membership)
                if branch["community"]:
                    candidates.offer(branch["community"], person, membership)
                tally[category] += 1
                tally[fields["sex"]] += 1
                tally["college"] += fields["education"] in COLLEGE_OR_ABOVE
            Membership.objects.bulk_create(memberships, batch_size=batch)
            clock("memberships_insert_s", mark)
            tally["members"] += len(people)
            if tally["members"] % 50_000 < len(people) or tally["members"] == total:
                log(f"  {tally['members']:,} / {total:,} members written "
                    f"({time.perf_counter() - started:.1f}s)")
        mark = time.perf_counter()
        teams, seats = _teams(communities, candidates, rng)
        Team.objects.bulk_create(teams, batch_size=batch)
        for seat in seats:
            seat.team_id = seat.team.pk
        TeamSeat.objects.bulk_create(seats, batch_size=batch)
        mark = clock("teams_s", mark)
    clock("commit_s", mark)
    log(f"  {len(teams):,} teams, {len(seats):,} seats written "
        f"({time.perf_counter() - started:.1f}s)")
    if connection.vendor == "postgresql":
        mark = time.perf_counter()
        with connection.cursor() as cursor:
            for model in (Person, Membership, Team, TeamSeat):
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')
        clock("analyze_s", mark)
    members = tally["members"]
    return {
        "members": members, "branches": len(branches),
        "probationary": tally[Category.PROBATIONARY],
        "probationary_share": round(100 * tally[Category.PROBATIONARY] / members, 1),
        "female_share": round(100 * tally["女"] / members, 1),
        "college_share": round(100 * tally["college"] / members, 1),
        "communities": len(communities), "teams": len(teams), "seats": len(seats),
        "current_seats": sum(seat.ended_on is None for seat in seats),
        "distinct_names": len(drawer.pinyin), "redrawn_id_numbers": tally["redrawn"],
        "timings": {step: round(seconds, 1) for step, seconds in timings.items()},
        "seconds": round(time.perf_counter() - started, 1),
    }
