"""A year of 双报到 in 会展 street (seed 003: 在职党员进社区): members of the branches of the
street's units (博文物业, 281志愿者服务中心, 骨伤医院, 汇智科技, 鑫源汽车零部件, the joint branch
of non-public companies) report to the five communities where they live; most were received
last year or during this one, two wait to be received, one moved away, one withdrew.

Their hours are service records of activities the communities organised for reported
members ("在职党员进社区" activities, this demo's own — published, with sign-ups and check-in
pairs), dated through the year under evaluation: most reach the 50 hours expected, some do
not (one at 48 h). About half have already been evaluated by their community. The account
`zaizhi` is one of these members (博文物业), with the demo password; the unit's liaison
(`liaison`) holds the receipts of its members.

Past records are written directly (full_clean) with their history (build_event): the
services refuse past dates."""

import datetime
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from gongjian.core.models import RoleGrant, User
from gongjian.core.notifications import notify, unit_liaisons
from gongjian.core.workflow import build_event
from gongjian.members.choices import Standing
from gongjian.members.models import Membership
from gongjian.orgs.models import Grid, Organization, Unit, ancestor_paths
from gongjian.projects.models import Category
from gongjian.volunteer import rules as volunteer_rules
from gongjian.volunteer.models import (
    Activity,
    CheckIn,
    Eligibility,
    ServiceRecord,
    Signup,
    SignupState,
    Volunteer,
    volunteer_number,
)
from gongjian.volunteer.models import (
    State as ActivityState,
)
from gongjian.volunteer.services import refresh_rollup

from . import rules
from .models import (
    Availability,
    EndReason,
    Grade,
    Report,
    ReportEvaluation,
    ReportEvent,
    State,
)

STREET = "CC-HZ"
BRANCHES = ["F01", "F02", "F03", "F06", "F07", "F04"]
COMMUNITIES = ["01", "02", "03", "04", "05"]
DEMO_ACCOUNT = "zaizhi"
DEMO_PASSWORD = "Gongjian@2026"
DAY = datetime.timedelta(days=1)
# Hours each received member gives in the year under evaluation, in the order they are
# drawn: most reach the 50 expected; 48 is RULES' vector of one flagged at year end.
# Reports that went elsewhere than 已报到, by their place in the draw.
SPECIAL = {3: State.SUBMITTED, 8: State.SUBMITTED, 13: State.ENDED, 17: State.WITHDRAWN}
TARGETS = [62, 48, 55, 51, 70, 36, 58, 50, 44, 66, 53, 29, 60, 57, 52, 41, 64, 54, 50.5, 59]
THEMES = [
    ("楼院环境整治", "清理楼道杂物、小广告，整治楼院环境卫生。", "environment"),
    ("为老助餐送餐", "为社区高龄独居老人送餐上门，陪伴聊天。", "elderly"),
    ("四点半课堂辅导", "为双职工家庭子女辅导作业、开展阅读活动。", "children"),
    ("义务法律咨询", "在党群服务站为居民解答婚姻家庭、劳动纠纷等法律问题。", "legal"),
    ("健康义诊进楼院", "测量血压血糖，讲解慢病防治常识。", "health"),
    ("文明交通劝导", "在路口劝导行人、非机动车文明出行。", "other"),
    ("平安巡逻", "夜间沿小区周边巡逻，排查安全隐患。", "other"),
    ("垃圾分类宣传", "在投放点值守，指导居民分类投放。", "environment"),
]
SKILLS = ["法律咨询", "医疗护理", "电脑维修", "书法", "心理疏导", "财务咨询", "摄影", "家电维修",
          "教育辅导", "驾驶"]


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class _Year:
    """The year under evaluation and the days the demo's records may fall on."""

    def __init__(self, today):
        self.today = today
        self.year = rules.evaluation_year(today)
        self.first = datetime.date(self.year, 1, 1)
        # Service ends a week before today, so its publicity is over and it counts.
        self.last = min(datetime.date(self.year, 12, 31), today - 8 * DAY)


def _members(builder):
    """Active members on the roster of the street's unit branches, in a stable order."""
    codes = [f"{STREET}-{suffix}" for suffix in BRANCHES]
    rows = (Membership.objects.filter(org__code__in=codes, active=True,
                                      standing=Standing.NORMAL)
            .select_related("person", "org").order_by("org__code", "person__name", "id"))
    return list(rows)


def _unit_of(branch, units):
    candidates = [u for u in units if u.party_org_id and u.party_org.path in
                  ancestor_paths(branch.path)]
    return candidates[0] if candidates else None


def _activities(builder, community, year, creator):
    """The community's 在职党员进社区 activities through the year, every fortnight or so."""
    rng = builder.rng
    made = []
    day = year.first + datetime.timedelta(days=rng.randint(3, 9))
    n = 0
    while day <= year.last:
        title, content, _category = THEMES[n % len(THEMES)]
        start_hour = rng.choice((8, 9, 14))
        length = rng.choice((2.5, 3, 3, 3.5, 4))
        starts = _at(day, start_hour)
        ends = starts + datetime.timedelta(hours=length)
        publicised = day + 2 * DAY
        activity = Activity(
            org=community, title=f"在职党员进社区·{title}", content=content,
            place=f"{community.name.removesuffix('党委')}党群服务站", starts_at=starts,
            ends_at=ends, places=30, eligibility=Eligibility.MEMBERS,
            beneficiaries_expected=rng.randint(20, 80), beneficiaries_served=rng.randint(15, 90),
            state=ActivityState.PUBLISHED, publicity_days=volunteer_rules.setting("publicity_days"),
            publicised_on=publicised,
            counts_from=volunteer_rules.counts_from(publicised),
            review_note="在职党员报到服务，时长已核。", reviewed_by=creator,
            reviewed_at=_at(day + DAY, 10), created_by=creator, created_at=starts - 7 * DAY)
        activity.full_clean()
        made.append((activity, Decimal(str(length))))
        day += datetime.timedelta(days=rng.randint(10, 16))
        n += 1
    Activity.objects.bulk_create([a for a, _ in made])
    return made


def _volunteer(person, community):
    found = Volunteer.objects.filter(person=person).first()
    if found is not None:
        return found
    volunteer = Volunteer(person=person, org=community, name=person.name,
                          registered_on=datetime.date(2024, 3, 1))
    volunteer.full_clean(exclude=["number"])
    volunteer.save()
    volunteer.number = volunteer_number(volunteer.pk)
    Volunteer.objects.filter(pk=volunteer.pk).update(number=volunteer.number)
    return volunteer


def _serve(volunteer, target, activities, since, creator):
    """Records (with their sign-up and check-in pair) of activities from `since` on, adding up
    to `target` hours (a shorter stay at the last one)."""
    signups, pairs, records = [], [], []
    left = Decimal(str(target))
    for activity, length in activities:
        day = timezone.localtime(activity.starts_at).date()
        if day < since or left <= 0:
            continue
        hours = min(length, left)
        left -= hours
        signup = Signup(activity=activity, volunteer=volunteer, state=SignupState.ACCEPTED,
                        created_at=activity.starts_at - 3 * DAY)
        signups.append(signup)
        out_at = activity.starts_at + datetime.timedelta(hours=float(hours))
        pairs.append(CheckIn(activity=activity, signup=signup, volunteer=volunteer, day=day,
                             in_at=activity.starts_at, out_at=out_at))
        records.append(ServiceRecord(
            activity=activity, volunteer=volunteer, org_id=activity.org_id, date=day,
            counts_from=activity.counts_from, raw_hours=hours, computed_hours=hours,
            hours=hours, evaluation="good", recorded_by=creator,
            created_at=activity.ends_at))
    return signups, pairs, records


def _grade(rng, figures):
    if figures["short"]:
        return Grade.BASIC if figures["hours"] >= figures["expected"] * Decimal("0.6") \
            else Grade.INCOMPETENT
    return Grade.EXCELLENT if figures["hours"] >= 60 else rng.choice(
        (Grade.COMPETENT, Grade.COMPETENT, Grade.EXCELLENT))


def build(builder):
    from . import services

    street = Organization.objects.filter(code=STREET).first()
    if street is None:
        return
    rng = builder.rng
    year = _Year(timezone.localdate())
    communities = [Organization.objects.get(code=f"{STREET}-{c}") for c in COMMUNITIES]
    staff = {c.pk: User.objects.filter(grants__org=c, grants__role="community_staff").first()
             for c in communities}
    units = list(Unit.objects.filter(org__path__startswith=street.path,
                                     party_org__isnull=False).select_related("party_org"))
    members = _members(builder)
    if not members:
        return
    grids = {c.pk: list(Grid.objects.filter(org__path__startswith=c.path).order_by("code"))
             for c in communities}
    activities = {c.pk: _activities(builder, c, year, staff[c.pk]) for c in communities}

    # Who reports where, and how far they got: received last year (the whole year expected),
    # received during this one, waiting, ended, withdrawn.
    chosen = members[:len(TARGETS) + 4]
    reports, events, evaluations = [], [], []
    signups, pairs, records = [], [], []
    targets = iter(TARGETS)
    for n, membership in enumerate(chosen):
        person = membership.person
        community = communities[(n * 2 + 1) % len(communities)]
        creator = staff[community.pk]
        state = SPECIAL.get(n, State.RECEIVED)
        if state == State.RECEIVED:
            if n % 3 == 2:  # received during the year: the expectation is its share
                received = year.first + datetime.timedelta(days=rng.randint(20, 150))
            else:
                received = datetime.date(year.year - 1, rng.randint(3, 11), rng.randint(1, 28))
        else:
            received = None
        reported = (received - datetime.timedelta(days=rng.randint(2, 10)) if received
                    else year.today - datetime.timedelta(days=rng.randint(2, 12)))
        grid = rng.choice(grids[community.pk]) if received and grids[community.pk] else None
        estate = grid.note.split("，")[0] if grid else ""
        report = Report(
            person=person, membership=membership, branch=membership.org,
            unit=_unit_of(membership.org, units), community=community, grid=grid,
            address=f"吉林省长春市经济技术开发区{estate}{rng.randint(1, 30)}栋"
                    f"{rng.randint(1, 6)}单元{rng.randint(1, 18)}0{rng.randint(1, 4)}室",
            skills=rng.choice(SKILLS),
            fields=sorted(rng.sample([c.value for c in Category][:8], 2)),
            availability=rng.choice(Availability.values),
            state=state, reported_on=reported, received_on=received,
            received_by=creator if received else None,
            created_at=_at(reported, 20))
        if state == State.ENDED:
            report.received_on = datetime.date(year.year - 1, 5, 12)
            report.reported_on = report.received_on - 5 * DAY
            report.received_by = creator
            report.ended_on = datetime.date(year.year, 3, 20)
            report.end_kind, report.end_reason = EndReason.MOVED, "已搬至外区居住，转至新居住地社区报到。"
        report.full_clean()
        reports.append((report, next(targets) if state == State.RECEIVED else None))

    Report.objects.bulk_create([r for r, _ in reports])
    for report, target in reports:
        person, community = report.person, report.community
        creator = staff[community.pk]
        events.append(build_event(report, "submit", None, actor_name=person.name,
                                  state_to=State.SUBMITTED, at=report.created_at,
                                  note=report.branch.name))
        if report.received_on:
            events.append(build_event(
                report, "receive", creator, state_from=State.SUBMITTED, state_to=State.RECEIVED,
                at=_at(report.received_on, 10),
                text=f"{community.name}接收报到，回执已送{services.home_label(report)}"))
        if report.state == State.ENDED:
            events.append(build_event(report, "end", creator, state_from=State.RECEIVED,
                                      state_to=State.ENDED, at=_at(report.ended_on, 15),
                                      text="结束报到：搬离社区", note=report.end_reason))
        if report.state == State.WITHDRAWN:
            events.append(build_event(report, "withdraw", None, actor_name=person.name,
                                      state_from=State.SUBMITTED, state_to=State.WITHDRAWN,
                                      at=report.created_at + datetime.timedelta(days=1)))
        if target is None:
            continue
        volunteer = _volunteer(person, community)
        made = _serve(volunteer, target, activities[community.pk],
                      max(report.received_on, year.first), creator)
        signups += made[0]
        pairs += made[1]
        records += made[2]
    Signup.objects.bulk_create(signups)
    for pair in pairs:
        pair.signup_id = pair.signup.pk
    CheckIn.objects.bulk_create(pairs)
    ServiceRecord.objects.bulk_create(records)
    refresh_rollup({r.activity_id for r in records})  # the figures read the rollup

    # The community has graded about half of its members for the year already.
    for n, (report, target) in enumerate(reports):
        if target is None or n % 2:
            continue
        figures = services.year_figures(report, year.year, on=year.today)
        grade = _grade(rng, figures)
        evaluation = ReportEvaluation(
            report=report, year=year.year, grade=grade, hours=figures["hours"],
            expected=figures["expected"], evaluated_by=staff[report.community_id],
            evaluated_on=max(rules.evaluation_opens(year.year), year.today - 2 * DAY),
            note="积极参加社区志愿服务。" if not figures["short"] else "服务时长不足，请单位督促。")
        evaluation.full_clean()
        evaluations.append(evaluation)
        events.append(build_event(
            report, "evaluate", staff[report.community_id], state_from=report.state,
            state_to=report.state, at=_at(evaluation.evaluated_on, 16),
            text=f"{year.year} 年度评价：{grade.label}（服务 "
                 f"{services.hours_text(figures['hours'])} 小时，应达 "
                 f"{services.hours_text(figures['expected'])} 小时）", note=evaluation.note))
    ReportEvaluation.objects.bulk_create(evaluations)
    ReportEvent.objects.bulk_create(events)

    _receipts(reports)
    _account(builder, reports)
    short = sum(1 for r, t in reports if t is not None
                and services.year_figures(r, year.year, on=year.today)["short"])
    builder.say(f"会展街道在职党员报到 {len(reports)} 人次（{year.year} 年服务时长未达要求 "
                f"{short} 人）")


def _receipts(reports):
    """The liaisons' inboxes hold the receipts of their unit's members received lately."""
    for report, _target in reports:
        if report.unit is None or report.received_on is None \
                or report.received_on.year < timezone.localdate().year:
            continue
        name, community = report.person.name, report.community.name
        notify(unit_liaisons(report.unit), f"在职党员报到回执：{name}已到{community}报到",
               url=report.get_absolute_url(), kind="community_report",
               body=f"{name}（{report.branch.name}）已于 {report.received_on:%Y-%m-%d} 到"
                    f"{community}报到。")


def _account(builder, reports):
    """`zaizhi`: an in-service member of 博文物业 who reported and was received."""
    if User.objects.filter(username=DEMO_ACCOUNT).exists():
        return
    report = next((r for r, target in reports if target is not None and r.unit is not None
                   and r.unit.code == f"{STREET}-U02"), None)
    if report is None:
        return
    user = User.objects.create_user(DEMO_ACCOUNT, password=None, display_name=report.person.name)
    user.password = make_password(DEMO_PASSWORD)
    user.password_changed_at = timezone.now()
    user.person = report.person
    user.save(update_fields=["password", "password_changed_at", "person"])
    grant = RoleGrant(user=user, role="member", org=report.branch)
    grant.full_clean()
    grant.save()
    # The account reads its own service records (the volunteer app scopes them by account).
    Volunteer.objects.filter(person=report.person, account__isnull=True).update(account=user)
