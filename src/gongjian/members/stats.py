"""Figures of leadership teams, members and full-time staff, for any subtree on any date.

Everything is counted by the database: one aggregate query per figure set, with conditional
counts. Age is the number of full years (周岁) on the reference date (RULES.md §7), so an age
band is a range of birth dates, and the sum of ages is

    Σ age = n × year(day) − Σ year(birth) − #(birthday not yet reached in year(day))

which gives the average age without reading a single row into Python. Shares are percentages
with one decimal, rounded half up as reports print them (26 of 27 → 96.3).

Who counts on a date:

- a team seat from its start date up to (not including) its end date — an election ends the
  old team on the day the new one starts, so the new team counts from the election day;
- a membership from the joining date up to (not including) its end date; a membership
  ended without a date counts only while it is still active (that is: never, once ended);
- a member is probationary on the date unless confirmed on or before it;
- a staff assignment from its start date up to (not including) its end date.

Education, sex, ethnicity and party standing are the person's and membership's current
entries: the roster keeps no history of them.
"""

import datetime
import re

from django.db import connection
from django.db.models import Count, F, Func, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear, Substr
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from gongjian.core.access import restrict
from gongjian.core.figures import one_decimal, percent
from gongjian.core.pinyin import search_filter
from gongjian.orgs.models import Organization
from gongjian.orgs.queries import tree_roots

from .choices import (
    AGE_BANDS,
    COLLEGE_OR_ABOVE,
    ON_ROSTER,
    Category,
    Education,
    Post,
    Sex,
    StaffRole,
    Standing,
)
from .models import Membership, Person, StaffAssignment, StaffingStandard, TeamSeat

YOUTH_AGE = 35  # "35岁及以下", as the reports count young cadres
# The young are counted as the age bands up to 35, so 35 must end a band.
assert any(high == YOUTH_AGE for _label, _low, high in AGE_BANDS), "35 must end an age band"
UNKNOWN = "未填"

# 党龄 counts from the day of becoming a full member (RULES.md §4); bands as party
# statistics tables print them. Probationary members have no party standing years yet.
STANDING_YEAR_BANDS = [
    ("不满5年", 0, 4), ("5-9年", 5, 9), ("10-19年", 10, 19), ("20-29年", 20, 29),
    ("30-39年", 30, 39), ("40-49年", 40, 49), ("50年及以上", 50, 500),
]
# Standing is the membership's current one: those who have left the roster since the date
# (transferred out, deceased) are counted apart, their standing on the date being unknown.
ON_ROSTER_ORDER = [value for value in Standing.values if value in ON_ROSTER]
LEFT_SINCE = "统计日后已离册"
NO_STANDING_YEARS = "预备党员（未计党龄）"
STANDING_YEARS_UNKNOWN = "转正日期未填"

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_ERROR = "统计日期须为 YYYY-MM-DD 格式的有效日期（如 2019-06-30）。"


# ---- dates and numbers ----------------------------------------------------------------------

def parse_day(value):
    """The reference date of a request: today when empty; ValueError (DATE_ERROR) when bad."""
    value = (value or "").strip()
    if not value:
        return timezone.localdate()
    if not _ISO_DATE.match(value):
        raise ValueError(DATE_ERROR)
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueError(DATE_ERROR) from None


def years_before(day, years):
    """The same calendar day `years` earlier (29 February → 28 February in a common year).

    Someone born on or before this date is at least `years` full years old on `day`."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def born_between(day, low, high):
    """(earliest, latest) birth dates of people aged `low`..`high` full years on `day`."""
    latest = years_before(day, low)
    earliest = years_before(day, high + 1) + datetime.timedelta(days=1)
    return earliest, latest


# ---- scope ------------------------------------------------------------------------------------

def default_org(user):
    """The organisation a figures page opens on: the user's (first) top node."""
    roots = tree_roots(user)
    return roots[0] if roots else None


def find_org(user, code):
    """The organisation with `code` if the user may see it, else None (missing or out of reach
    look the same)."""
    code = (code or "").strip()
    if not code:
        return None
    return restrict(user, "view", Organization).filter(code=code).first()


CANDIDATES_SHOWN = 5


def _listing(orgs) -> str:
    """"名称（编码，上级名称）、…" for a message that lets the user tell namesakes apart."""
    parents = dict(Organization.objects.filter(path__in={o.parent_path for o in orgs
                                                          if o.parent_path})
                   .values_list("path", "name"))
    shown = []
    for org in orgs[:CANDIDATES_SHOWN]:
        parent = parents.get(org.parent_path)
        shown.append(f"{org.name}（{org.code}{'，' + parent if parent else ''}）")
    more = f" 等 {len(orgs)} 个" if len(orgs) > CANDIDATES_SHOWN else ""
    return "、".join(shown) + more


def resolve_org(user, text):
    """(organisation, None) for an organisation code or an exact name the user may see, else
    (None, a message in Chinese naming a few organisations within reach that the user may
    have meant). A name shared by several is refused with the namesakes listed, unless only
    one of them is active."""
    text = (text or "").strip()
    org = find_org(user, text)
    if org is not None:
        return org, None
    visible = restrict(user, "view", Organization)
    named = list(visible.filter(name=text).order_by("path")[:50])
    active = [o for o in named if o.dissolved_on is None]
    if len(named) == 1 or len(active) == 1:
        return (named[0] if len(named) == 1 else active[0]), None
    if named:
        return None, (f"有 {len(named)} 个组织名为“{text}”：{_listing(named)}。"
                      "请从输入框下方的建议中选择，或填写组织编码。")
    condition, rank = search_filter(text[:50])
    close = list(visible.filter(condition, dissolved_on__isnull=True).annotate(rank=rank)
                 .order_by("rank", "depth", "path")[:CANDIDATES_SHOWN])
    if close:
        return None, (f"没有名为“{text}”的组织。您要找的是否是：{_listing(close)}？"
                      "请从输入框下方的建议中选择，或填写完整名称或组织编码。")
    return None, f"没有找到名称或编码为“{text}”的组织，或该组织不在您的管理范围内。"


# ---- shared aggregates ------------------------------------------------------------------------

def _date_part(part, field):
    """The year, month or day of a date as an integer. On PostgreSQL EXTRACT returns numeric,
    whose arithmetic costs a city-wide aggregate about 40 ms; date_part's double cast to an
    integer does not."""
    if connection.vendor == "postgresql":
        return Func(Value(part), F(field), function="date_part", template=(
            "(%(function)s(%(expressions)s))::integer"), output_field=IntegerField())
    return {"year": ExtractYear, "month": ExtractMonth, "day": ExtractDay}[part](field)


def _person_aggregates(prefix, day):
    """Conditional counts over rows reaching a person's attributes through `prefix`: "" on
    people, "person_" on memberships (their copies of the person's attributes)."""
    birth = f"{prefix}birth_date"
    education = f"{prefix}education"
    sex = f"{prefix}sex"
    month_day = _date_part("month", birth) * 100 + _date_part("day", birth)
    aggregates = {
        "n": Count("pk"),
        "birth_years": Coalesce(Sum(_date_part("year", birth)), Value(0),
                                output_field=IntegerField()),
        "before_birthday": Count("pk", filter=Q(GreaterThan(month_day,
                                                            day.month * 100 + day.day))),
    }
    # "35 and under", 大专及以上 and unknown education are sums of these counts (see
    # _person_figures): every aggregate costs a pass of its condition over all the rows.
    for i, (_label, low, high) in enumerate(AGE_BANDS):
        aggregates[f"band{i}"] = Count("pk", filter=Q(**{f"{birth}__range":
                                                         born_between(day, low, high)}))
    for i, value in enumerate(Education.values):
        aggregates[f"edu{i}"] = Count("pk", filter=Q(**{education: value}))
    for i, value in enumerate(Sex.values):
        aggregates[f"sex{i}"] = Count("pk", filter=Q(**{sex: value}))
    return aggregates


def _person_figures(row, day):
    n = row["n"]
    age_sum = n * day.year - int(row["birth_years"] or 0) - row["before_birthday"]
    by_education = {label: row[f"edu{i}"] for i, label in enumerate(Education.labels)}
    unknown_education = n - sum(by_education.values())
    if unknown_education:
        by_education[UNKNOWN] = unknown_education
    college = sum(row[f"edu{i}"] for i, value in enumerate(Education.values)
                  if value in COLLEGE_OR_ABOVE)
    young = sum(row[f"band{i}"] for i, (_label, _low, high) in enumerate(AGE_BANDS)
                if high <= YOUTH_AGE)
    return {
        "average_age": one_decimal(age_sum, n),
        "aged_35_and_under": young,
        "aged_35_and_under_share": percent(young, n),
        "college_or_above": college,
        "college_or_above_share": percent(college, n),
        "by_sex": {label: row[f"sex{i}"] for i, label in enumerate(Sex.labels)},
        "by_education": by_education,
        "by_age_band": {label: row[f"band{i}"] for i, (label, _l, _h) in enumerate(AGE_BANDS)},
    }


def _by_child(queryset, path_field, org, count):
    """Counts of `queryset` per direct child of `org` (rows of `org` itself under its own
    name), in tree order: one GROUP BY on the path prefix."""
    width = len(org.path) + Organization.steplen
    rows = (queryset.order_by().values(branch=Substr(path_field, 1, width))
            .annotate(n=count).values_list("branch", "n"))
    return _children_named(dict(rows))


def _children_named(counts):
    """[{code, name, count}] in tree order for counts keyed by organisation path."""
    if not counts:
        return []
    orgs = {path: (code, name) for path, code, name in Organization.objects.filter(
        path__in=counts).values_list("path", "code", "name")}
    return [{"code": orgs.get(path, ("", ""))[0], "name": orgs.get(path, ("", ""))[1],
             "count": counts[path]} for path in sorted(counts)]


# ---- teams ------------------------------------------------------------------------------------

def seats_on(user, org, day):
    """Team seats in the subtree of `org` held on `day`, as far as `user` may see."""
    return (restrict(user, "view", TeamSeat)
            .filter(team__org__path__startswith=org.path, started_on__lte=day)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day)))


def team_figures(user, org, as_of):
    """The figures reports quote about the leadership teams of a subtree on a date:
    headcount (people, each once), average age, 35 and under, 大专及以上, by post."""
    seats = seats_on(user, org, as_of)
    people = Person.objects.filter(pk__in=seats.values("person_id"))
    row = people.aggregate(**_person_aggregates("", as_of))
    posts = dict(seats.order_by().values("post").annotate(n=Count("pk")).values_list("post", "n"))
    by_post = {post: posts.pop(post) for post in Post.values if post in posts}
    by_post.update(sorted(posts.items(), key=lambda item: (-item[1], item[0])))
    teams = seats.order_by().values("team_id").distinct().count()
    figures = {"org": org.code, "org_name": org.name, "as_of": as_of.isoformat(),
               "teams": teams, "headcount": row["n"]}
    figures.update(_person_figures(row, as_of))
    figures["by_post"] = by_post
    figures["by_org"] = _by_child(seats, "team__org__path", org,
                                  Count("person_id", distinct=True))
    return figures


def team_sentence(figures):
    """The report's sentence, e.g. 9个班子共有书记、委员27名，平均年龄34.4岁，……"""
    if not figures["headcount"]:
        return ""
    posts = "、".join(figures["by_post"]) or "班子成员"
    text = (f"{figures['teams']}个班子共有{posts}{figures['headcount']}名，"
            f"平均年龄{figures['average_age']}岁，"
            f"其中35岁及以下人员{figures['aged_35_and_under']}名，"
            f"大专及以上学历{figures['college_or_above']}人，"
            f"占比{figures['college_or_above_share']}%。")
    return text


# ---- members ----------------------------------------------------------------------------------

def memberships_on(user, org, day):
    """Memberships in the subtree of `org` on the roster on `day`, as far as `user` may see."""
    return (restrict(user, "view", Membership)
            .filter(org__path__startswith=org.path, joined_on__lte=day)
            .filter(Q(ended_on__gt=day) | Q(ended_on__isnull=True, active=True)))


def member_figures(user, org, as_of):
    """Members of a subtree on a date: totals by category, sex, ethnicity, education, age band,
    standing and party standing years. One aggregate query over memberships, grouped by the
    child of `org` each row lies under and by ethnicity (the person's attributes are copied
    onto the membership): the totals, the ethnicities and the children come from one scan."""
    rows = memberships_on(user, org, as_of)
    full = Q(confirmed_on__lte=as_of) | Q(confirmed_on__isnull=True, category=Category.FULL)
    # The person's attributes as copied onto the membership: one table, no join to people.
    aggregates = _person_aggregates("person_", as_of)
    aggregates["full"] = Count("pk", filter=full)
    aggregates["confirmed_unknown"] = Count("pk", filter=Q(confirmed_on__isnull=True,
                                                           category=Category.FULL))
    for i, value in enumerate(ON_ROSTER_ORDER):
        aggregates[f"standing{i}"] = Count("pk", filter=Q(active=True, standing=value))
    aggregates["left_since"] = Count("pk", filter=Q(active=False))
    for i, (_label, low, high) in enumerate(STANDING_YEAR_BANDS):
        aggregates[f"years{i}"] = Count("pk", filter=Q(
            confirmed_on__range=born_between(as_of, low, high)))
    # One pass over the rows: counts per (child, ethnicity), which add up to the totals (a few
    # hundred groups at most, summed here).
    width = len(org.path) + Organization.steplen
    groups = list(rows.order_by().values("person_ethnicity",
                                         branch=Substr("org__path", 1, width))
                  .annotate(**aggregates))
    row = {key: sum(group[key] or 0 for group in groups) for key in aggregates}
    ethnicity_counts, branch_counts = {}, {}
    for group in groups:
        ethnicity = group["person_ethnicity"]
        ethnicity_counts[ethnicity] = ethnicity_counts.get(ethnicity, 0) + group["n"]
        branch_counts[group["branch"]] = branch_counts.get(group["branch"], 0) + group["n"]
    ethnicities = list(ethnicity_counts.items())
    total = row["n"]
    probationary = total - row["full"]
    by_standing_years = {label: row[f"years{i}"]
                         for i, (label, _l, _h) in enumerate(STANDING_YEAR_BANDS)}
    by_standing_years[NO_STANDING_YEARS] = probationary
    if row["confirmed_unknown"]:
        by_standing_years[STANDING_YEARS_UNKNOWN] = row["confirmed_unknown"]
    by_standing = {Standing(value).label: row[f"standing{i}"]
                   for i, value in enumerate(ON_ROSTER_ORDER)}
    by_standing[LEFT_SINCE] = row["left_since"]
    other = total - sum(by_standing.values())
    if other:
        by_standing[UNKNOWN] = other
    figures = {"org": org.code, "org_name": org.name, "as_of": as_of.isoformat(),
               "total": total}
    figures.update(_person_figures(row, as_of))
    figures.update({
        "by_category": {Category.FULL.label: row["full"],
                        Category.PROBATIONARY.label: probationary},
        "by_ethnicity": dict(sorted(((e or UNKNOWN, n) for e, n in ethnicities),
                                    key=lambda item: (-item[1], item[0]))),
        "by_standing": by_standing,
        "by_standing_years": by_standing_years,
        "by_org": _children_named(branch_counts),
    })
    return figures


# ---- full-time staff --------------------------------------------------------------------------

def _current(queryset, day):
    return queryset.filter(started_on__lte=day).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=day))


def staff_on(user, org, day):
    return _current(restrict(user, "view", StaffAssignment)
                    .filter(org__path__startswith=org.path), day)


def staff_figures(user, org, as_of):
    """Full-time party workers and instructors of a subtree on a date, by role."""
    counts = dict(staff_on(user, org, as_of).order_by().values("role")
                  .annotate(n=Count("person_id", distinct=True)).values_list("role", "n"))
    by_role = {StaffRole(role).label: counts.get(role, 0) for role in StaffRole.values}
    return {
        "full_time": sum(n for role, n in counts.items() if role != StaffRole.INSTRUCTOR),
        "instructors": counts.get(StaffRole.INSTRUCTOR, 0),
        "by_role": by_role,
    }


def standard():
    """The configured staffing standard: [(role, label, count)] for roles with a count."""
    rows = dict(StaffingStandard.objects.values_list("role", "count"))
    return [(role, StaffRole(role).label, rows[role]) for role in StaffRole.values
            if rows.get(role)]


def communities(user, org):
    """Community party organisations in the subtree of `org` (see OrgQuerySet.communities)."""
    return (restrict(user, "view", Organization).communities()
            .filter(path__startswith=org.path, dissolved_on__isnull=True).order_by("path"))


def staffing_table(user, org, day=None):
    """Every community of the subtree with its current staff per standard role, what it lacks,
    and its other full-time staff: one query (a counting subquery per role)."""
    day = day or timezone.localdate()
    roles = standard()
    visible = _current(restrict(user, "view", StaffAssignment), day)
    rows = communities(user, org)
    for i, (role, _label, _count) in enumerate(roles):
        held = (visible.filter(org=OuterRef("pk"), role=role).order_by()
                .values("org").annotate(c=Count("person_id", distinct=True)).values("c"))
        rows = rows.annotate(**{f"n{i}": Coalesce(Subquery(held), Value(0))})
    others = (visible.filter(org=OuterRef("pk")).exclude(role__in=[r for r, _l, _c in roles])
              .exclude(role=StaffRole.INSTRUCTOR).order_by().values("org")
              .annotate(c=Count("person_id", distinct=True)).values("c"))
    rows = rows.annotate(others=Coalesce(Subquery(others), Value(0)))
    table = []
    for community in rows:
        held = [(label, getattr(community, f"n{i}"), count)
                for i, (_role, label, count) in enumerate(roles)]
        lacking = [(label, count - n) for label, n, count in held if n < count]
        table.append({"org": community, "held": held, "others": community.others,
                      "lacking": lacking, "short": bool(lacking)})
    return table


def staffing_shortfall(user, org):
    """The communities of the subtree that fall short of the staffing standard today."""
    return [row for row in staffing_table(user, org) if row["short"]]
