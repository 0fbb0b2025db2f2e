"""Demonstration people of the four streets: party members, leadership teams (班子) and
full-time party workers, built so that the figures the seed reports quote can be counted.

On FIGURES_AS_OF (2018-06-30, "截至6月底" in seed 001) the statistics give:

- 陇海马路街道 (ZZ-LHML, seed 002): the teams its 9 communities elected in May–June 2018 —
  9 书记 and 18 委员, 27 people, average age 34.4 (ages sum to 929), 17 aged 35 and under,
  26 with 大专及以上 (96.3%); 2 full-time staff per community (党建社工 + 党建协理员, 18);
  8 党建指导员, one at each of the 8 non-public units whose party branch belongs to the street.
- 金山街道 (XM-JS, seed 001): the teams its 9 communities elected in April–June 2018 —
  50 people (9 书记, 5 副书记, 36 委员), average age 38.3 (ages sum to 1915), all 大专及以上;
  27 full-time staff, 1 分管领导 + 1 党建社工 + 1 党建协理员 per community (the 标配);
  8 党建指导员 at non-public units ("派驻8名党建指导员").

The teams these replaced (elected in 2015) stay as history; 金山桥 and 会展 have teams elected
in 2021 and staff of their own (one 金山桥 community falls short of the standard, one has
nobody yet). Around 80 further members per street vary in sex, ethnicity, education, age,
category and standing. ID numbers are valid GB 11643 numbers agreeing with birth date and sex;
names, numbers and phones are fictional. Rows are written with bulk_create.
"""

import datetime
import random

from django.utils import timezone

from gongjian.core.crypto import blind_index
from gongjian.core.models import User
from gongjian.core.pinyin import pinyin_keys
from gongjian.members import idnumber
from gongjian.members.choices import Category, Education, Post, StaffRole, Standing
from gongjian.members.models import (
    Membership,
    Person,
    StaffAssignment,
    Team,
    TeamSeat,
)
from gongjian.orgs.choices import NON_PUBLIC_UNIT_TYPES, OrgKind, Sector

NON_PUBLIC_SECTORS = {Sector.NON_PUBLIC_ENTERPRISE, Sector.SOCIAL_ORGANIZATION}

D = datetime.date
FIGURES_AS_OF = D(2018, 6, 30)
SEED = 2018

# Ages on FIGURES_AS_OF of the teams the seed reports describe.
LONGHAI_SECRETARIES = [44, 42, 42, 41, 40, 39, 38, 37, 36]
LONGHAI_MEMBERS = [36, 26, 27, 28, 29, 29, 30, 31, 31, 32, 32, 33, 33, 34, 34, 35, 35, 35]
LONGHAI_BELOW_COLLEGE = 0  # index into LONGHAI_MEMBERS: the one 委员 without 大专及以上
JINSHAN_SIZES = [6, 6, 6, 6, 6, 5, 5, 5, 5]
JINSHAN_SECRETARIES = [52, 49, 48, 47, 46, 45, 44, 43, 42]
JINSHAN_DEPUTIES = [44, 41, 40, 39, 38]
JINSHAN_MEMBERS = [27, 28, 29, 30, 30, 31, 31, 32, 32, 33, 33, 34, 34, 34, 35, 35, 35, 36,
                   36, 36, 37, 37, 37, 38, 38, 39, 39, 40, 40, 41, 41, 42, 42, 44, 45, 46]

assert len(LONGHAI_SECRETARIES + LONGHAI_MEMBERS) == 27
assert sum(LONGHAI_SECRETARIES + LONGHAI_MEMBERS) == 929  # 929 / 27 = 34.41 → 34.4
assert sum(1 for a in LONGHAI_SECRETARIES + LONGHAI_MEMBERS if a <= 35) == 17
assert sum(JINSHAN_SIZES) == len(JINSHAN_SECRETARIES + JINSHAN_DEPUTIES + JINSHAN_MEMBERS) == 50
assert sum(JINSHAN_SECRETARIES + JINSHAN_DEPUTIES + JINSHAN_MEMBERS) == 1915  # → 38.3

# Area codes (GB/T 2260) of each street's district, and nearby ones for people born elsewhere.
AREAS = {
    "XZ-JSQ": ["320371", "320371", "320303", "320311", "320382"],
    "XM-JS": ["350206", "350206", "350203", "350205", "350583"],
    "ZZ-LHML": ["410104", "410104", "410102", "410105", "410181"],
    "CC-HZ": ["220171", "220171", "220102", "220104", "220182"],
}
# Ethnicities besides 汉族 by street (管城回族区 has a large Hui community; 长春 Manchu and
# Korean; 厦门 She and Hui).
MINORITIES = {
    "XZ-JSQ": ["回族", "满族"],
    "XM-JS": ["畲族", "回族", "土家族"],
    "ZZ-LHML": ["回族", "回族", "回族", "满族", "蒙古族"],
    "CC-HZ": ["满族", "朝鲜族", "蒙古族", "回族"],
}
MINORITY_SHARE = {"XZ-JSQ": 0.04, "XM-JS": 0.05, "ZZ-LHML": 0.18, "CC-HZ": 0.12}
COLLEGE = [Education.POSTGRADUATE, Education.BACHELOR, Education.COLLEGE]
JOBS = [("社区居委会", "社区工作者"), ("街道办事处", "科员"), ("小学", "教师"), ("社区卫生服务中心", "医生"),
        ("物业服务公司", "项目经理"), ("商贸公司", "职员"), ("科技公司", "工程师"), ("银行", "客户经理"),
        ("", "退休"), ("", "退休"), ("", "退休"), ("个体经营", "店主"), ("建筑公司", "技术员")]
OTHER_TEAMS = {"XZ-JSQ": [D(2021, 3, 18), D(2021, 3, 25), D(2021, 4, 8), D(2021, 4, 15)],
               "CC-HZ": [D(2021, 4, 20), D(2021, 4, 22), D(2021, 4, 27), D(2021, 5, 6),
                         D(2021, 5, 11)]}
MEMBERS_PER_STREET = 80


def add_years(day, years):
    """The same day `years` later (29 February → 28 February, as Membership.clean counts)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def age_to_birth(rng, age, on):
    """A random birth date of someone exactly `age` full years old on `on`."""
    day = D(2001, 1, 1) + datetime.timedelta(days=rng.randrange(365))  # a common year
    year = on.year - age - (1 if (day.month, day.day) > (on.month, on.day) else 0)
    return day.replace(year=year)


class _People:
    def __init__(self, builder):
        from gongjian.demo import build

        self.builder = builder
        self.rng = random.Random(SEED)
        self.today = timezone.localdate()
        self.cities = {s["tree"]["suffix"]: s["city"] for s in build.STREETS}
        self.orgs = builder.orgs
        self.units = builder.units
        self.used_numbers: set[str] = set()
        self.people: list[Person] = []
        self.memberships: list[tuple[Person, dict]] = []
        self.teams: list[tuple[Team, list[tuple[Person, str]]]] = []
        self.staff: list[tuple[Person, dict]] = []

    # -- people --

    def id_number(self, street, birth, sex):
        while True:
            area = self.rng.choice(AREAS[street])
            sequence = self.rng.randrange(0, 100) * 10 + self.rng.choice(
                (1, 3, 5, 7, 9) if sex == "男" else (0, 2, 4, 6, 8))
            first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
            number = first17 + idnumber.check_char(first17)
            if number not in self.used_numbers:
                self.used_numbers.add(number)
                return number

    def phone(self):
        return "1" + self.rng.choice("3578") + "".join(self.rng.choice("0123456789")
                                                        for _ in range(9))

    def education(self, birth, college=None):
        if college is True:
            return self.rng.choices(COLLEGE, weights=(2, 6, 4))[0]
        if college is False:
            return self.rng.choice([Education.SECONDARY_VOCATIONAL, Education.HIGH_SCHOOL])
        year = birth.year
        if year >= 1985:
            weights = (10, 45, 30, 8, 5, 2)
        elif year >= 1965:
            weights = (4, 28, 30, 14, 16, 8)
        elif year >= 1950:
            weights = (1, 10, 16, 18, 30, 25)
        else:
            weights = (0, 4, 8, 14, 30, 44)
        return self.rng.choices(Education.values, weights=weights)[0]

    def ethnicity(self, street):
        if self.rng.random() < MINORITY_SHARE[street]:
            return self.rng.choice(MINORITIES[street])
        return "汉族"

    def person(self, street, org, birth, sex=None, college=None, job=None):
        sex = sex or self.rng.choice(("男", "男", "女", "女", "男"))
        name = self.builder.person(sex)
        number = self.id_number(street, birth, sex)
        phone = self.phone() if self.rng.random() < 0.92 else ""
        work_unit, job_post = job or self.rng.choice(JOBS)
        full, initials = pinyin_keys(name)
        person = Person(
            name=name, name_pinyin=full, name_initials=initials, sex=sex,
            ethnicity=self.ethnicity(street), birth_date=birth, id_number=number,
            id_number_index=blind_index("id", number), phone=phone,
            phone_index=blind_index("phone", phone) if phone else "",
            education=self.education(birth, college),
            address=self.builder.address(self.cities[street]), work_unit=work_unit,
            job_post=job_post, org=org)
        self.people.append(person)
        return person

    def member(self, person, org, joined=None, standing=Standing.NORMAL, probationary=False,
               confirmed_known=True, ended=None, end_reason=""):
        """A membership; `joined` defaults to a date between 18 and 40 years of age."""
        birth = person.birth_date
        if joined is None:
            earliest = max(add_years(birth, 18), D(1950, 1, 1))
            latest = min(add_years(birth, 40), self.today - datetime.timedelta(days=400))
            if latest <= earliest:
                latest = earliest + datetime.timedelta(days=30)
            joined = earliest + datetime.timedelta(
                days=self.rng.randrange((latest - earliest).days))
        confirmed = None
        if not probationary and confirmed_known:
            confirmed = add_years(joined, 1)
        self.memberships.append((person, {
            "org": org, "joined_on": joined, "confirmed_on": confirmed,
            "category": Category.PROBATIONARY if probationary else Category.FULL,
            "standing": standing, "active": ended is None, "ended_on": ended,
            "end_reason": end_reason}))

    # -- structure of a street --

    def communities(self, street):
        return [org for code, org in sorted(self.orgs.items())
                if code.startswith(street + "-") and code.count("-") == street.count("-") + 1
                and org.sector == Sector.COMMUNITY]

    def branch_of(self, community):
        """Where a community's cadres hold their membership: its first branch, or itself."""
        below = [org for code, org in sorted(self.orgs.items())
                 if code.startswith(community.code + "-") and org.is_active
                 and org.kind in (OrgKind.BRANCH, OrgKind.TEMPORARY_BRANCH)]
        return below[0] if below else community

    def branches(self, street):
        return [org for code, org in sorted(self.orgs.items())
                if code.startswith(street + "-") and org.is_active
                and org.kind in (OrgKind.BRANCH, OrgKind.TEMPORARY_BRANCH,
                                 OrgKind.GENERAL_BRANCH)]

    # -- teams --

    def team(self, org, elected_on, seats, ended_on=None, note=""):
        team = Team(org=org, elected_on=elected_on, ended_on=ended_on, note=note)
        self.teams.append((team, seats))
        return team

    def cadre(self, street, community, age, college=True, on=FIGURES_AS_OF, job=None):
        birth = age_to_birth(self.rng, age, on)
        person = self.person(street, self.branch_of(community), birth, college=college,
                             job=job or ("社区居委会", "社区工作者"))
        joined_latest = min(on - datetime.timedelta(days=400), add_years(birth, 30))
        joined_earliest = add_years(birth, 19)
        span = max((joined_latest - joined_earliest).days, 1)
        joined = joined_earliest + datetime.timedelta(days=self.rng.randrange(span))
        self.member(person, self.branch_of(community), joined=joined)
        return person

    def seed_teams(self, street, elections, line_ups, previous_on, note):
        """New teams (the seed's figures) and the teams they replaced."""
        for i, (community, elected_on, seats) in enumerate(
                zip(self.communities(street), elections, line_ups, strict=True)):
            people = [(self.cadre(street, community, age, college), post)
                      for age, post, college in seats]
            # The previous team: the secretary re-elected in every other community, the
            # rest older and without the same education profile.
            old = []
            if i % 2 == 0:
                old.append((people[0][0], Post.SECRETARY))
            else:
                old.append((self.cadre(street, community, self.rng.randint(48, 56),
                                       college=None), Post.SECRETARY))
            for _ in range(len(seats) - 1):
                old.append((self.cadre(street, community, self.rng.randint(40, 60),
                                       college=None), Post.MEMBER))
            self.team(community, previous_on, old, ended_on=elected_on, note="上一届")
            self.team(community, elected_on, people, note=note)

    def longhai(self):
        street = "ZZ-LHML"
        members = list(LONGHAI_MEMBERS)
        line_ups = []
        for i, secretary in enumerate(LONGHAI_SECRETARIES):
            pair = [(members[2 * i], Post.MEMBER, 2 * i != LONGHAI_BELOW_COLLEGE),
                    (members[2 * i + 1], Post.MEMBER, True)]
            line_ups.append([(secretary, Post.SECRETARY, True), *pair])
        elections = [D(2018, 5, 8) + datetime.timedelta(days=4 * i) for i in range(9)]
        self.seed_teams(street, elections, line_ups, D(2015, 5, 12),
                        "社区党组织换届选举产生")
        self.staff_for(street, [StaffRole.SOCIAL_WORKER, StaffRole.ASSISTANT], D(2018, 3, 1))
        self.instructors(street, D(2018, 4, 16), 8)

    def jinshan(self):
        street = "XM-JS"
        deputies = list(JINSHAN_DEPUTIES)
        members = list(JINSHAN_MEMBERS)
        self.rng.shuffle(members)
        line_ups = []
        for size, secretary in zip(JINSHAN_SIZES, JINSHAN_SECRETARIES, strict=True):
            seats = [(secretary, Post.SECRETARY, True)]
            if size == 6:
                seats.append((deputies.pop(0), Post.DEPUTY_SECRETARY, True))
            while len(seats) < size:
                seats.append((members.pop(0), Post.MEMBER, True))
            line_ups.append(seats)
        elections = [D(2018, 4, 10) + datetime.timedelta(days=8 * i) for i in range(9)]
        self.seed_teams(street, elections, line_ups, D(2015, 4, 20),
                        "社区党组织换届选举产生")
        self.staff_for(street, [StaffRole.LEADER, StaffRole.SOCIAL_WORKER, StaffRole.ASSISTANT],
                       D(2018, 5, 2))
        self.instructors(street, D(2018, 4, 20), 8)

    def other_street(self, street):
        communities = self.communities(street)
        for community, elected_on in zip(communities, OTHER_TEAMS[street], strict=True):
            seats = [(self.cadre(street, community, self.rng.randint(38, 52), True,
                                 on=elected_on), Post.SECRETARY),
                     (self.cadre(street, community, self.rng.randint(32, 48), True,
                                 on=elected_on), Post.DEPUTY_SECRETARY)]
            seats += [(self.cadre(street, community, self.rng.randint(26, 55), None,
                                  on=elected_on), Post.MEMBER) for _ in range(3)]
            self.team(community, elected_on, seats, note="社区“两委”换届选举产生")
        full = [StaffRole.LEADER, StaffRole.SOCIAL_WORKER, StaffRole.ASSISTANT]
        if street == "CC-HZ":
            self.staff_for(street, full, D(2021, 6, 1))
        else:  # 金山桥: two communities staffed in full, one lacks an assistant, one has none
            plan = [full, full, full[:2], []]
            for community, roles in zip(communities, plan, strict=True):
                self.staff_at(street, community, roles, D(2022, 3, 1))

    # -- staff --

    def staff_at(self, street, community, roles, started_on):
        for role in roles:
            age = self.rng.randint(24, 48) if role != StaffRole.LEADER else self.rng.randint(
                36, 52)
            job = ("街道办事处", "副主任") if role == StaffRole.LEADER else ("社区党群服务中心", role)
            person = self.cadre(street, community, age, True, on=started_on, job=job)
            self.staff.append((person, {"org": community, "role": role, "unit": None,
                                        "started_on": started_on}))

    def staff_for(self, street, roles, started_on):
        for i, community in enumerate(self.communities(street)):
            self.staff_at(street, community, roles,
                          started_on + datetime.timedelta(days=7 * i))

    def instructors(self, street, started_on, count):
        root = self.orgs[street]
        office = self.orgs[f"{street}-JG"]
        units = [u for code, u in sorted(self.units.items())
                 if code.startswith(street + "-") and u.party_org_id is not None
                 and (u.unit_type in NON_PUBLIC_UNIT_TYPES
                      or u.party_org.sector in NON_PUBLIC_SECTORS)]
        seen, chosen = set(), []
        for unit in units:  # one unit per party organisation
            if unit.party_org_id not in seen:
                seen.add(unit.party_org_id)
                chosen.append(unit)
        for i, unit in enumerate(chosen[:count]):
            birth = age_to_birth(self.rng, self.rng.randint(30, 50), started_on)
            person = self.person(street, office, birth, college=True,
                                 job=("街道办事处", "党建指导员"))
            self.member(person, office)
            self.staff.append((person, {"org": root, "role": StaffRole.INSTRUCTOR, "unit": unit,
                                        "started_on": started_on + datetime.timedelta(days=i)}))

    # -- rank-and-file members --

    def rank_and_file(self, street):
        branches = self.branches(street)
        # Every branch starts with three full members (RULES §9: fewer make a joint branch);
        # the draws are made all the same, so the rest of the demo stays as it was.
        founders = [org for _ in range(3) for org in branches]
        for n in range(max(MEMBERS_PER_STREET, len(founders) + 20)):
            org = self.rng.choice(branches)
            roll = self.rng.random()
            if n < len(founders):
                org, roll = founders[n], 1.0
            age = int(self.rng.triangular(20, 92, 52))
            birth = age_to_birth(self.rng, age, self.today)
            person = self.person(street, org, birth)
            if roll < 0.06 and age < 45:  # admitted within the last year: probationary
                joined = self.today - datetime.timedelta(days=self.rng.randrange(30, 330))
                self.member(person, org, joined=joined, probationary=True)
            elif roll < 0.11:
                self.member(person, org, standing=Standing.MOBILE)
            elif roll < 0.13:
                self.member(person, org, standing=Standing.LOST_CONTACT)
            elif roll < 0.15:  # transferred out: the membership ended, kept as history
                self.member(person, org, standing=Standing.TRANSFERRED_OUT,
                            ended=D(2024, 3, 1) + datetime.timedelta(days=self.rng.randrange(600)),
                            end_reason="组织关系转出")
            else:
                self.member(person, org, confirmed_known=self.rng.random() > 0.05)

    # -- writing --

    def save(self):
        Person.objects.bulk_create(self.people, batch_size=500)
        Membership.objects.bulk_create(
            [Membership(person=person, **fields) for person, fields in self.memberships],
            batch_size=500)
        Team.objects.bulk_create([team for team, _seats in self.teams])
        TeamSeat.objects.bulk_create([
            TeamSeat(team=team, person=person, post=post, started_on=team.elected_on,
                     ended_on=team.ended_on)
            for team, seats in self.teams for person, post in seats])
        StaffAssignment.objects.bulk_create(
            [StaffAssignment(person=person, **fields) for person, fields in self.staff])


def build_people(builder):
    """Add the people, teams and staff to the streets `builder` has just built."""
    people = _People(builder)
    people.longhai()
    people.jinshan()
    for street in ("XZ-JSQ", "CC-HZ"):
        people.other_street(street)
    for street in ("XZ-JSQ", "XM-JS", "ZZ-LHML", "CC-HZ"):
        people.rank_and_file(street)
    people.save()
    # The demo member account is somebody on the roster, so that it sees its own record.
    account = User.objects.filter(username="member").first()
    if account is not None and account.person_id is None:
        grant = account.grants.filter(org__isnull=False).first()
        mine = next((p for p, f in people.memberships
                     if grant and f["org"].pk == grant.org_id and f["active"]), None)
        if mine is not None:
            # The account is that member: one name on the account, the roster and the history.
            account.person = mine
            account.display_name = mine.name
            account.save(update_fields=["person", "display_name"])
    builder.say(f"已登记人员 {len(people.people)} 名、党籍 {len(people.memberships)} 条、"
                f"班子 {len(people.teams)} 届、专职党务工作人员 {len(people.staff)} 名")
    return people
