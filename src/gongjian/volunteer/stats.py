"""Figures of volunteer service for any subtree, team, unit and period (RULES §10).

What is counted, as `figures.py` counts it (the pages, these figures and the reports agree):

- 活动 (activities): the activities held in the period — ended, reviewed or publicised, by
  their start; drafts, those recruiting or under way, and cancelled ones are not;
- 人次 (person-times): service records, one per (volunteer, activity) — a volunteer at three
  activities is 3 人次; 人数 (people): distinct volunteers;
- 时长 (hours): the hours of those records that count on the day — their publicity is over
  (`counts_from` ≤ the day, as `services.counted_records` reads them); hours still under
  review or in publicity are not added;
- 服务对象 (beneficiaries): the people served, as recorded at the review of each activity.

The period is that of the service (a record's first day, an activity's start, in local time).
Records and activities are read through `restrict()`: street and community staff see their
subtrees; a unit's liaison sees the activities of the unit's teams. Breakdowns: by the direct
children of the organisation (its own activities under its own name) — or, without an
organisation, by organiser — and by month. A subtree's figures read the rollup the services
keep beside the records (RecordTally: 人次 and hours per activity, day and counting date;
PeopleBits: who served within each subtree per day and month, for the distinct people — or,
for a user who reaches only part of the subtree, ServiceDays: the days each volunteer served
per organiser and year) and Activity; a team's, a unit's and a liaison's are counted from ServiceRecord itself (which
carries copies of the organiser, the date and the counting date).
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Case, Count, F, Max, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Substr, TruncMonth
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from gongjian.core.access import (
    ROLE_PERMISSIONS,
    ROLES_AT_UNIT,
    grants_of,
    permission_name,
    reach_orgs,
    restrict,
)
from gongjian.orgs.models import Organization, Unit

from . import people as people_bits
from . import rules
from .figures import Turnout, turnout_of
from .models import Activity, RecordTally, ServiceDays, ServiceRecord, State, Team, Volunteer
from .services import total_hours

HELD = (State.ENDED, State.REVIEWED, State.PUBLISHED)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A period longer than this is refused: the figures are read per month.
MAX_PERIOD_DAYS = 366 * 10


@dataclass(frozen=True)
class Query:
    """What the figures are about: a subtree (or, for a liaison, the unit's teams), an
    optional team and unit, and a period (both days included)."""

    org: Organization | None
    start: datetime.date
    end: datetime.date
    team: Team | None = None
    unit: Unit | None = None


# ---- who reads the figures ---------------------------------------------------------------------

def org_reach(user) -> list[Organization]:
    """The nodes whose subtrees' service records the user reads (organisers)."""
    return reach_orgs(user, "view", ServiceRecord)


def unit_reach(user) -> list[int]:
    """Ids of the units whose teams' activities the user reads (a unit's liaison)."""
    perm = permission_name(Activity, "view")
    return [g.unit_id for g in grants_of(user) if g.unit_id and g.role in ROLES_AT_UNIT
            and perm in ROLE_PERMISSIONS.get(g.role, ())]


def may_read(user) -> bool:
    """Organisers and liaisons read the figures; members and residents read their own
    records on their own page."""
    return bool(org_reach(user) or unit_reach(user))


def _units_teams(user) -> QuerySet[Team]:
    return restrict(user, "view", Team).filter(unit_id__in=unit_reach(user))


def _in_reach(user, model, team_lookup: str) -> QuerySet:
    rows = model.objects.none()
    if org_reach(user):
        # A member's own rows are no figure of anyone's: read through the organiser's grants.
        rows = restrict(user, "view", model).filter(_org_paths(user, "org__path"))
    if unit_reach(user):
        rows = rows | model.objects.filter(**{f"{team_lookup}__in": _units_teams(user)})
    return rows


def records_in_reach(user) -> QuerySet[ServiceRecord]:
    return _in_reach(user, ServiceRecord, "activity__team")


def activities_in_reach(user) -> QuerySet[Activity]:
    return _in_reach(user, Activity, "team")


def _org_paths(user, lookup: str) -> Q:
    condition = Q(pk__in=[])
    for org in org_reach(user):
        condition |= Q(**{f"{lookup}__startswith": org.path})
    return condition


# ---- the query's parts -----------------------------------------------------------------------

def parse_day(value: str | None, default: datetime.date, label: str) -> datetime.date:
    value = (value or "").strip()
    if not value:
        return default
    message = f"{label}须为 YYYY-MM-DD 格式的有效日期（如 2026-01-01）。"
    if not _ISO_DATE.match(value):
        raise ValueError(message)
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueError(message) from None


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """This year up to today."""
    today = today or timezone.localdate()
    return datetime.date(today.year, 1, 1), today


def parse_period(start: str | None, end: str | None) -> tuple[datetime.date, datetime.date]:
    """(from, to) of a request; ValueError with the Chinese message when bad."""
    default_start, default_end = default_period()
    first = parse_day(start, default_start, "起始日期")
    last = parse_day(end, default_end if not start or first <= default_end
                     else first, "截止日期")
    if last < first:
        raise ValueError("截止日期不能早于起始日期。")
    if (last - first).days > MAX_PERIOD_DAYS:
        raise ValueError("统计期间不能超过十年。")
    return first, last


def default_org(user) -> Organization | None:
    """The organisation the figures open on: the user's top node (none for a liaison)."""
    from gongjian.orgs.queries import tree_roots

    roots = [o for o in tree_roots(user) if any(o.path.startswith(r.path)
                                                for r in org_reach(user))]
    return roots[0] if roots else None


def find_org(user, code: str) -> Organization | None:
    """The organisation with `code` inside the user's reach, else None (missing and out of
    reach look the same)."""
    code = (code or "").strip()
    if not code:
        return None
    org = restrict(user, "view", Organization).filter(code=code).first()
    if org is None or not any(org.path.startswith(r.path) for r in org_reach(user)):
        return None
    return org


def teams_for(user, org: Organization | None) -> QuerySet[Team]:
    """The teams the figures may be narrowed to: those of `org`'s subtree the user reads (a
    liaison: the unit's)."""
    if org is not None:
        return restrict(user, "view", Team).filter(org__path__startswith=org.path)
    return _units_teams(user)


def find_team(user, org: Organization | None, value: Any) -> Team | None:
    try:
        pk = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return teams_for(user, org).filter(pk=pk).first()


def units_for(user, org: Organization | None) -> QuerySet[Unit]:
    """Units with a team the figures may be narrowed to."""
    return Unit.objects.filter(pk__in=teams_for(user, org).filter(unit__isnull=False)
                               .values("unit_id")).order_by("code")


def find_unit(user, org: Organization | None, code: Any) -> Unit | None:
    code = str(code or "").strip()
    return units_for(user, org).filter(code=code).first() if code else None


# ---- the figures ------------------------------------------------------------------------------

def _bounds(query: Query) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_current_timezone()
    first = datetime.datetime.combine(query.start, datetime.time.min, zone)
    after = datetime.datetime.combine(query.end + datetime.timedelta(days=1),
                                      datetime.time.min, zone)
    return first, after


def records_of(user, query: Query) -> QuerySet[ServiceRecord]:
    rows = records_in_reach(user).filter(date__range=(query.start, query.end))
    if query.org is not None:
        rows = rows.filter(org__path__startswith=query.org.path)
    if query.team is not None:
        rows = rows.filter(activity__team=query.team)
    if query.unit is not None:
        rows = rows.filter(activity__team__unit=query.unit)
    return rows


def activities_of(user, query: Query) -> QuerySet[Activity]:
    first, after = _bounds(query)
    rows = activities_in_reach(user).filter(state__in=HELD, starts_at__gte=first,
                                            starts_at__lt=after)
    if query.org is not None:
        rows = rows.filter(org__path__startswith=query.org.path)
    if query.team is not None:
        rows = rows.filter(team=query.team)
    if query.unit is not None:
        rows = rows.filter(team__unit=query.unit)
    return rows


def plain_hours(value) -> Decimal:
    """Hours as reports print them: 12.5, 7949, 2.67 (no trailing zeros, never 7.9E+3)."""
    hours = Decimal(value or 0).quantize(Decimal("0.01"))
    return hours.to_integral_value() if hours == hours.to_integral_value() else hours.normalize()


def _groups(records, activities, key_records, key_activities, today,
            normal=lambda key: key) -> dict[Any, dict]:
    """Per group: activities, beneficiaries, person-times, people and counted hours — the
    same counts as `figures.turnout_of` / `hours_of`, grouped. `normal` makes the two
    queries' keys alike (a month of dates and one of times)."""
    out: dict[Any, dict] = {}

    def row(key):
        return out.setdefault(normal(key), {"activities": 0, "person_times": 0, "people": 0,
                                    "hours": Decimal("0"), "beneficiaries": 0})

    for group in (records.order_by().values(key=key_records)
                  .annotate(n=Count("id"), people=Count("volunteer_id", distinct=True),
                            counted=Sum("hours", filter=Q(counts_from__lte=today)))):
        entry = row(group["key"])
        entry["person_times"], entry["people"] = group["n"], group["people"]
        entry["hours"] = plain_hours(group["counted"])
    for group in (activities.order_by().values(key=key_activities)
                  .annotate(n=Count("id"), served=Sum("beneficiaries_served"))):
        entry = row(group["key"])
        entry["activities"], entry["beneficiaries"] = group["n"], group["served"] or 0
    return out


def _month_key(value) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value:%Y-%m}"


def months_between(start: datetime.date, end: datetime.date) -> list[str]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def figures(user, query: Query, today: datetime.date | None = None) -> dict[str, Any]:
    """The figures of `query` as far as `user` may see (see the module's docstring).

    A city's year is about two million records: even from the rollup (some seven hundred
    thousand rows of days for the distinct people) it takes seconds. The figures are
    kept (in the cache, `CACHE_SECONDS` at most) under the query, the reach, the day and a
    stamp of the last change — every write that moves a figure (finishing, adjusting,
    reviewing, publicising, cancelling an activity, a sign-out entered by hand; merging
    organisations) adds a history line, so the newest history lines and records tell whether
    anything changed."""
    today = today or timezone.localdate()
    key = _cache_key(user, query, today)
    cached = cache.get(key)
    if cached is not None:
        return cached
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One scan per figure set over millions of rows: compiling it (JIT) costs more than
            # it saves, and the distinct counts sort in memory rather than on disk.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL work_mem = '64MB'")
        result = _figures(user, query, today)
    cache.set(key, result, CACHE_SECONDS)
    return result


CACHE_SECONDS = 600


def _stamp() -> tuple:
    from gongjian.orgs.models import OrgEvent

    from .models import ActivityEvent

    # The newest row of each and its time (an id alone may come back after a rollback).
    return tuple(model.objects.order_by("-pk").values_list("pk", moment).first()
                 for model, moment in ((ActivityEvent, "at"), (ServiceRecord, "created_at"),
                                       (Activity, "created_at"), (OrgEvent, "at")))


def _cache_key(user, query: Query, today: datetime.date) -> str:
    reach = sorted((g.role, g.org.path if g.org_id else "", g.unit_id or 0)
                   for g in grants_of(user))
    parts = (reach, query.org.pk if query.org else None, query.start, query.end,
             query.team.pk if query.team else None, query.unit.pk if query.unit else None,
             today, _stamp())
    return "volunteer-figures:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _figures(user, query: Query, today: datetime.date) -> dict[str, Any]:
    if query.org is not None and query.team is None and query.unit is None \
            and not unit_reach(user):
        by_key, by_month, turnout = _rolled_up(user, query, today)
    else:
        by_key, by_month, turnout = _counted(user, query, today)
    if query.org is not None:  # by child, in tree order
        orgs = Organization.objects.filter(path__in=list(by_key))
        named = {o.path: o for o in orgs.only("path", "code", "name")}
    else:  # a liaison: by organiser
        orgs = Organization.objects.filter(pk__in=list(by_key))
        named = {o.pk: o for o in orgs.only("path", "code", "name")}
    # Every record and activity lies under exactly one child: the sums are the totals.
    groups = list(by_key.values())
    result: dict[str, Any] = {
        "org": query.org.code if query.org else None,
        "org_name": query.org.name if query.org else None,
        "team": query.team.pk if query.team else None,
        "team_name": query.team.name if query.team else None,
        "unit": query.unit.code if query.unit else None,
        "unit_name": query.unit.name if query.unit else None,
        "from": query.start.isoformat(), "to": query.end.isoformat(),
        "as_of": today.isoformat(),
        "activities": sum(g["activities"] for g in groups),
        "person_times": turnout.person_times,
        "people": turnout.people,
        "hours": plain_hours(sum((g["hours"] for g in groups), Decimal("0"))),
        "beneficiaries": sum(g["beneficiaries"] for g in groups),
    }
    result["by_org"] = [
        {"code": named[key].code, "name": named[key].name, **values}
        for key, values in sorted(by_key.items(), key=lambda item: named[item[0]].path
                                  if item[0] in named else "")
        if key in named]
    empty = {"activities": 0, "person_times": 0, "people": 0, "hours": plain_hours(0),
             "beneficiaries": 0}
    result["by_month"] = [{"month": month, **by_month.get(month, empty)}
                          for month in months_between(query.start, query.end)]
    return result


def _counted(user, query: Query, today: datetime.date) -> tuple[dict, dict, Turnout]:
    """The groups counted from the records themselves (a team, a unit, a liaison's reach)."""
    records = records_of(user, query)
    activities = activities_of(user, query)
    if query.org is not None:
        width = len(query.org.path) + Organization.steplen
        by_key = _groups(records, activities, Substr("org__path", 1, width),
                         Substr("org__path", 1, width), today)
    else:
        by_key = _groups(records, activities, F("org_id"), F("org_id"), today)
    by_month = _groups(records, activities, TruncMonth("date"), TruncMonth("starts_at"), today,
                       normal=_month_key)
    return by_key, by_month, turnout_of(records)


def _month_masks(query: Query) -> list[tuple[int, int, int]]:
    """(year, month, bits of the period's days in that month) for ServiceDays."""
    masks = []
    for month in months_between(query.start, query.end):
        year, number = int(month[:4]), int(month[5:])
        first = max(query.start, datetime.date(year, number, 1))
        following = datetime.date(year + number // 12, number % 12 + 1, 1)
        last = min(query.end, following - datetime.timedelta(days=1))
        bits = ((1 << last.day) - 1) ^ ((1 << (first.day - 1)) - 1)
        masks.append((year, number, bits))
    return masks


def _served_in(year: int, month: int, bits: int) -> Q:
    return Q(year=year) & Q(GreaterThan(F(f"m{month:02d}").bitand(bits), 0))


def _rolled_up(user, query: Query, today: datetime.date) -> tuple[dict, dict, Turnout]:
    """The same groups from the rollup kept by the services (RecordTally: records per
    activity, day and counting date; ServiceDays: the days each volunteer served per organiser
    and year), for an organisation's subtree as far as the user's grants reach: a city's year
    is some seventy thousand tallies and a few hundred thousand day rows instead of two
    million records."""
    assert query.org is not None
    width = len(query.org.path) + Organization.steplen
    child = Substr("org__path", 1, width)
    within = Q(org__path__startswith=query.org.path) & _org_paths(user, "org__path")
    by_key: dict[Any, dict] = {}
    by_month: dict[str, dict] = {}

    def add(key, month, **counts):
        for table, name in ((by_key, key), (by_month, month)):
            entry = table.setdefault(name, {"activities": 0, "person_times": 0, "people": 0,
                                            "hours": Decimal("0"), "beneficiaries": 0})
            for field, value in counts.items():
                entry[field] += value

    person_times = 0
    for group in (RecordTally.objects.filter(within, date__range=(query.start, query.end))
                  .order_by().values(key=child, month=TruncMonth("date"))
                  .annotate(n=Sum("records"),
                            counted=Sum("hours", filter=Q(counts_from__lte=today)))):
        add(group["key"], _month_key(group["month"]), person_times=group["n"],
            hours=group["counted"] or Decimal("0"))
        person_times += group["n"]
    first, after = _bounds(query)
    for group in (Activity.objects.filter(within, state__in=HELD, starts_at__gte=first,
                                          starts_at__lt=after)
                  .order_by().values(key=child, month=TruncMonth("starts_at"))
                  .annotate(n=Count("id"), served=Sum("beneficiaries_served"))):
        add(group["key"], _month_key(group["month"]), activities=group["n"],
            beneficiaries=group["served"] or 0)
    for table in (by_key, by_month):
        for entry in table.values():
            entry["hours"] = plain_hours(entry["hours"])

    if any(query.org.path.startswith(org.path) for org in org_reach(user)):
        people = _people_from_bits(query, add)
    else:
        people = _people_from_days(query, within, child, add)
    by_key.pop(None, None)
    by_month.pop(None, None)
    return by_key, by_month, Turnout(person_times=person_times, people=people or 0)


def _period_days(query: Query) -> tuple[list[tuple[int, int, int]], Q]:
    masks = _month_masks(query)
    period = Q(pk__in=[])
    for year, month, bits in masks:
        period |= _served_in(year, month, bits)
    return masks, period


def _people_from_bits(query: Query, add) -> int:
    """Distinct people of a subtree the user reaches whole: from the people bitmaps of the
    organisation and of its children; those of its own activities from its own days."""
    assert query.org is not None
    org = query.org
    children = dict(Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1)
                    .values_list("pk", "path"))
    counted = people_bits.people([org.pk, *children], query.start, query.end)
    for pk, path in children.items():
        if counted[pk]["total"]:
            add(path, None, people=counted[pk]["total"])
    _masks, period = _period_days(query)
    own = ServiceDays.objects.filter(period, org=org).values("volunteer_id").distinct().count()
    if own:
        add(org.path, None, people=own)
    for month, n in counted[org.pk]["months"].items():
        if n:
            add(None, month, people=n)
    return counted[org.pk]["total"]


def _people_from_days(query: Query, within: Q, child, add) -> int:
    """Distinct people where the user reaches only part of the subtree: from the days each
    volunteer served (ServiceDays) within the reach."""
    masks, period = _period_days(query)
    days = ServiceDays.objects.filter(within, period).order_by()
    # A volunteer may have rows at several organisers and years: one row each first.
    per_volunteer = days.values("volunteer_id").annotate(**{
        f"in_{i}": Max(Case(When(_served_in(*mask), then=Value(1)), default=Value(0)))
        for i, mask in enumerate(masks)})
    sql, params = per_volunteer.query.sql_with_params()
    columns = ", ".join(f"SUM(in_{i})" for i in range(len(masks)))
    per_child = days.values("volunteer_id", child=child).distinct()
    child_sql, child_params = per_child.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), {columns} FROM ({sql}) per_volunteer", params)
        people, *monthly = cursor.fetchone()
        cursor.execute(f"SELECT child, COUNT(*) FROM ({child_sql}) per_child GROUP BY child",
                       child_params)
        for key, n in cursor.fetchall():
            add(key, None, people=n)
    for (year, month, _bits), n in zip(masks, monthly, strict=True):
        if n:
            add(None, f"{year:04d}-{month:02d}", people=int(n))
    return people or 0


# ---- one volunteer -----------------------------------------------------------------------------

def find_volunteer(user, number: str) -> Volunteer | None:
    """The volunteer numbered `number` if the user reads their record: an organiser, for one
    homed in their subtrees or with service there; else None (missing and out of reach look
    the same)."""
    number = (number or "").strip().upper()
    if not number or not org_reach(user):
        return None
    volunteer = Volunteer.objects.filter(number=number).select_related("org").first()
    if volunteer is None:
        return None
    homed = restrict(user, "view", Volunteer).filter(pk=volunteer.pk).filter(
        _org_paths(user, "org__path"))
    if homed.exists() or records_in_reach(user).filter(volunteer=volunteer).exists():
        return volunteer
    return None


RECORDS_SHOWN = 50


def volunteer_record(user, volunteer: Volunteer, today: datetime.date | None = None
                     ) -> dict[str, Any]:
    """One volunteer's service as far as `user` sees it: activities (人次), counted hours and
    the star level they give, hours not counted yet (under review or in publicity), by year,
    and the latest records."""
    today = today or timezone.localdate()
    rows = records_in_reach(user).filter(volunteer=volunteer)
    counted = Q(counts_from__lte=today)
    totals = rows.aggregate(n=Count("id"), counted=Sum("hours", filter=counted),
                            pending=Sum("hours", filter=~counted | Q(counts_from__isnull=True)))
    hours = plain_hours(totals["counted"])
    years = {}
    for group in (rows.order_by().values("date__year")
                  .annotate(n=Count("id"), counted=Sum("hours", filter=counted))
                  .order_by("-date__year")):
        years[group["date__year"]] = {"person_times": group["n"],
                                      "hours": plain_hours(group["counted"])}
    latest = []
    for record in (rows.select_related("activity", "org")
                   .order_by("-date", "-id")[:RECORDS_SHOWN]):
        latest.append({"date": record.date.isoformat(), "activity": record.activity.title,
                       "activity_id": record.activity_id, "org": record.org.name,
                       "hours": plain_hours(record.hours), "counts": record.counts_from is not None
                       and record.counts_from <= today,
                       "counts_from": record.counts_from.isoformat()
                       if record.counts_from else None,
                       "evaluation": record.get_evaluation_display()})
    return {
        "number": volunteer.number, "name": volunteer.name, "org": volunteer.org.code,
        "org_name": volunteer.org.name, "registered_on": volunteer.registered_on.isoformat(),
        "person_times": totals["n"] or 0, "hours": hours,
        "hours_pending": plain_hours(totals["pending"]),
        # The star level is the volunteer's, from all their counted hours wherever served.
        "star": rules.star_label(total_hours(volunteer, today)),
        "by_year": [{"year": year, **values} for year, values in years.items()],
        "records": latest,
    }

