"""Compliance of organisational life: what each branch of a subtree had to hold in a period,
what it held, what is missing, and the light and flags that prompt the level above to help.

Everything follows the rules in `rules.py` (kinds and their windows, light bounds, the hollow
window, branch size, the committee's term); nothing here is a figure of its own.

- A kind due once a month / quarter / year is due once in each calendar month / quarter /
  year (its *window*); a window is satisfied by a HELD meeting of that kind dated inside it.
  Meetings of a branch's party groups carry the branch as `org`, so they count for it.
- A period (a month, a quarter or a year) is charged with the windows that END inside it: a
  quarter with its three months of monthly kinds, its quarter of quarterly kinds and the
  year's yearly kinds only if it contains December; a month with the quarter's quarterly
  kinds only when it is the quarter's last month (judged over the whole quarter).
- A window not yet over on `today` is *pending* (still due), not missing; a window that has
  not started by `today` is not charged at all. Windows that ended before the branch was set
  up are not charged either.
- The light counts the missing items plus the meetings of the period whose absentees still
  owe their make-up study (one per meeting). It is a prompt to help, never a ranking.
- A 支委会 is due only where the branch has a committee in office (a current team); a branch
  of fewer than 7 full members has a secretary instead (条例第九条). A 党小组会 is due only
  where the branch has at least one active party group (a child organisation of kind
  `group`): groups exist where a branch is divided into them (条例第十三条).
- Flags: `hollow` (a whole hollow window — calendar blocks of `hollow_months` months, the
  quarters by default — ending in the period, over by today, without any held meeting),
  `joint_branch_needed` (fewer full members on the roster now than a branch needs),
  `term_due` (the current committee elected more than its term ago, as of today).

The subtree is answered with a few queries (the branches with their full-member probe, the
party groups, the held months as bit masks per branch and kind from the HeldMonths rollup,
the open make-ups, the teams) and Python per branch: no query per branch, so a whole city of
15,000 branches is one request. The rollup and make-up queries read one index each
(index-only on PostgreSQL) and are not joined to the organisations: a large subtree's rows
are kept by branch id in Python, a small one's are asked for by id.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value

from gongjian.members.choices import ON_ROSTER, Category
from gongjian.members.models import Membership, Team
from gongjian.orgs.choices import OrgKind
from gongjian.orgs.models import Organization

from . import rollup, rules
from .models import HeldMonths, MakeUp, MakeUpState, Meeting, State
from .rules import BRANCH_KINDS

# Organisations that hold organisational life of their own (a joint branch is a branch).
EVERY_MONTHS = {"month": 1, "quarter": 3, "year": 12}
EVERY_LABELS = {"month": "每月", "quarter": "每季度", "year": "每年"}

HELD, MISSING, PENDING, DUE, NOT_CHARGED = "held", "missing", "pending", "due", "not_charged"
STATUS_LABELS = {HELD: "已开展", MISSING: "未开展", PENDING: "待开展", DUE: "应开展",
                 NOT_CHARGED: "不作要求"}
FLAG_LABELS = {"hollow": "疑似空壳", "joint_branch_needed": "应建联合党支部",
               "term_due": "应换届"}
STREET_DIRECT = "街道直属"


def month_end(year: int, month: int) -> datetime.date:
    if month == 12:
        return datetime.date(year, 12, 31)
    return datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)


def months_mask(first: int, last: int) -> int:
    """Bit m-1 set for each month m of first..last."""
    return ((1 << last) - 1) & ~((1 << (first - 1)) - 1)


# ---- periods and windows --------------------------------------------------------------------

class MonthSpan:
    """Whole calendar months first_month..last_month of one year (a period or a window)."""

    year: int
    first_month: int
    last_month: int

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, self.first_month, 1)

    @property
    def end(self) -> datetime.date:
        return month_end(self.year, self.last_month)

    @property
    def mask(self) -> int:
        return months_mask(self.first_month, self.last_month)


@dataclass(frozen=True)
class Period(MonthSpan):
    """A calendar month, quarter or year (never across a year's end)."""

    year: int
    quarter: int | None = None
    month: int | None = None

    @classmethod
    def of(cls, year: int, quarter: int | None = None, month: int | None = None) -> Period:
        """ValueError (Chinese) for a period that does not exist."""
        if not 2000 <= year <= 2100:
            raise ValueError("年份须在 2000–2100 之间。")
        if quarter is not None and month is not None:
            raise ValueError("季度和月份只能选一个。")
        if quarter is not None and not 1 <= quarter <= 4:
            raise ValueError("季度须为 1–4。")
        if month is not None and not 1 <= month <= 12:
            raise ValueError("月份须为 1–12。")
        return cls(year, quarter, month)

    @classmethod
    def current_quarter(cls, today: datetime.date) -> Period:
        return cls(today.year, quarter=(today.month - 1) // 3 + 1)

    @property
    def first_month(self) -> int:  # type: ignore[override]
        if self.month:
            return self.month
        return (self.quarter - 1) * 3 + 1 if self.quarter else 1

    @property
    def last_month(self) -> int:  # type: ignore[override]
        if self.month:
            return self.month
        return self.quarter * 3 if self.quarter else 12

    @property
    def kind(self) -> str:
        return "month" if self.month else "quarter" if self.quarter else "year"

    @property
    def code(self) -> str:
        if self.month:
            return f"{self.year}-{self.month:02d}"
        return f"{self.year}Q{self.quarter}" if self.quarter else str(self.year)

    @property
    def label(self) -> str:
        if self.month:
            return f"{self.year}年{self.month}月"
        return f"{self.year}年第{self.quarter}季度" if self.quarter else f"{self.year}年"

    def query(self) -> dict[str, int]:
        """The query parameters that name this period."""
        params = {"year": self.year}
        if self.quarter:
            params["quarter"] = self.quarter
        if self.month:
            params["month"] = self.month
        return params

    def previous(self) -> Period:
        if self.month:
            return Period(self.year - 1, month=12) if self.month == 1 \
                else Period(self.year, month=self.month - 1)
        if self.quarter:
            return Period(self.year - 1, quarter=4) if self.quarter == 1 \
                else Period(self.year, quarter=self.quarter - 1)
        return Period(self.year - 1)

    def next(self) -> Period:
        if self.month:
            return Period(self.year + 1, month=1) if self.month == 12 \
                else Period(self.year, month=self.month + 1)
        if self.quarter:
            return Period(self.year + 1, quarter=1) if self.quarter == 4 \
                else Period(self.year, quarter=self.quarter + 1)
        return Period(self.year + 1)


@dataclass(frozen=True)
class Window(MonthSpan):
    """One kind's window: the calendar month, quarter or year in which one is due."""

    kind: str
    every: str
    year: int
    first_month: int
    last_month: int

    @property
    def code(self) -> str:
        """"2026-02", "2026Q1" or "2026", as the API names it."""
        if self.every == "month":
            return f"{self.year}-{self.first_month:02d}"
        if self.every == "quarter":
            return f"{self.year}Q{(self.first_month - 1) // 3 + 1}"
        return str(self.year)

    @property
    def label(self) -> str:
        if self.every == "month":
            return f"{self.year}年{self.first_month}月"
        if self.every == "quarter":
            return f"{self.year}年第{(self.first_month - 1) // 3 + 1}季度"
        return f"{self.year}年"

    @property
    def short_label(self) -> str:
        """Inside a period's year: "2月", "第1季度" or "全年"."""
        if self.every == "month":
            return f"{self.first_month}月"
        if self.every == "quarter":
            return f"第{(self.first_month - 1) // 3 + 1}季度"
        return "全年"

    @property
    def kind_label(self) -> str:
        return rules.kind_rule(self.kind).label


def by_kind(windows: list[Window]) -> list[tuple[str, str]]:
    """[(kind label, "1、2、4月")] — a row's items grouped by kind, for a page's cell."""
    grouped: dict[str, list[Window]] = {}
    for window in windows:
        grouped.setdefault(window.kind, []).append(window)
    out = []
    for items in grouped.values():
        labels = [w.short_label for w in items]
        if all(w.every == "month" for w in items):
            text = "、".join(label[:-1] for label in labels) + "月"
        else:
            text = "、".join(labels)
        out.append((items[0].kind_label, text))
    return out


def windows_of(kind: str, every: str, year: int) -> list[Window]:
    """The year's windows of one kind, in order."""
    step = EVERY_MONTHS[every]
    return [Window(kind, every, year, first, first + step - 1) for first in range(1, 13, step)]


def charged_windows(period: Period, *, today: datetime.date) -> list[Window]:
    """The required kinds' windows a period is charged with: ending inside it and started by
    `today` (in the order of the rules' kinds, then of time)."""
    charged = []
    for rule in rules.required_kinds():
        every = rules.every(rule.code) or ""
        for window in windows_of(rule.code, every, period.year):
            if period.start <= window.end <= period.end and window.start <= today:
                charged.append(window)
    return charged


def hollow_blocks(period: Period, *, today: datetime.date) -> list[Window]:
    """The hollow windows a period is judged on: calendar blocks of `hollow_months` months
    (quarters by default) ending inside the period and over before `today`."""
    size = rules.setting("hollow_months")
    if not isinstance(size, int) or size < 1 or 12 % size:
        raise ImproperlyConfigured("GONGJIAN_ORGLIFE['hollow_months'] 须能整除 12"
                                   "（1、2、3、4、6 或 12）。")
    blocks = [Window("", "block", period.year, first, first + size - 1)
              for first in range(1, 13, size)]
    return [b for b in blocks if period.start <= b.end <= period.end and b.end < today]


# ---- the answer -------------------------------------------------------------------------------

@dataclass(slots=True)
class BranchCompliance:
    org_id: int
    code: str
    name: str
    path: str
    sector: str
    # Filled by `name_communities` for the rows a page or an export shows.
    community: str = ""
    required: int = 0
    held: int = 0
    missing: list[Window] = field(default_factory=list)
    pending: list[Window] = field(default_factory=list)
    open_makeups: int = 0
    light: str = "green"
    flags: list[str] = field(default_factory=list)

    @property
    def light_label(self) -> str:
        return rules.LIGHT_LABELS[self.light]

    @property
    def flag_labels(self) -> list[str]:
        return [FLAG_LABELS[f] for f in self.flags]

    @property
    def missing_by_kind(self) -> list[tuple[str, str]]:
        return by_kind(self.missing)

    @property
    def outstanding(self) -> int:
        """What the light counts."""
        return len(self.missing) + self.open_makeups


@dataclass
class Report:
    root: Organization
    period: Period
    today: datetime.date
    branches: list[BranchCompliance]
    # Windows the period is charged with, whether or not a branch holds them.
    windows: list[Window]

    @property
    def summary(self) -> dict[str, int]:
        counts = {"branches": len(self.branches), "green": 0, "yellow": 0, "red": 0,
                  **{flag: 0 for flag in FLAG_LABELS}, "missing": 0, "open_makeups": 0}
        for row in self.branches:
            counts[row.light] += 1
            for flag in row.flags:
                counts[flag] += 1
            counts["missing"] += len(row.missing)
            counts["open_makeups"] += row.open_makeups
        return counts


# ---- the aggregate queries ----------------------------------------------------------------------

# Up to this many branches the month and make-up queries name them (an index probe each);
# above, they read the period's rows of every branch and keep the subtree's in Python (a
# city's whole list of ids would cost more to send and match than the rows left over).
BY_ID_UPTO = 1000


def _for_branches(rows: QuerySet, org_ids: set[int] | None) -> tuple[QuerySet, bool]:
    """(rows narrowed to `org_ids` when they are few, whether Python must still keep only
    `org_ids`'s rows)."""
    if org_ids is None:
        return rows, False
    if len(org_ids) <= BY_ID_UPTO:
        return rows.filter(org_id__in=sorted(org_ids)), False
    return rows, True


def _fetch(queryset: QuerySet) -> list[tuple]:
    """The rows of a values_list() queryset. On PostgreSQL straight from the cursor: the
    driver already gives ints and dates, and Django's per-value converters would cost more
    than the query for a city's 15,000 rows."""
    if connection.vendor != "postgresql":
        return list(queryset)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def held_months(start: datetime.date, end: datetime.date, codes: list[str], *,
                org_ids: set[int] | None = None) -> dict[int, tuple[int, ...]]:
    """{branch id: (any kind's months mask, the months mask of each of `codes`)} of the HELD
    meetings dated start..end (inside one calendar year) of the branches `org_ids` (default:
    all); bit m-1 stands for month m. Read from HeldMonths (one row per branch and year); a
    month cut by `start` or `end` is worked out from the meetings for the few branches that
    held one outside the cut (none in practice: a meeting is recorded as held on or before
    the day it is recorded)."""
    if start.year != end.year:
        raise ValueError("held_months works inside one calendar year")
    inside = months_mask(start.month, end.month)
    any_kind: Any = F(rollup.COLUMNS[0])
    for code in rollup.COLUMNS[1:]:
        any_kind = any_kind.bitor(F(code))
    columns = {"any_kind": any_kind.bitand(inside),
               **{f"k_{code}": F(code).bitand(inside) for code in codes}}
    rows, keep = _for_branches(HeldMonths.objects.filter(year=start.year), org_ids)
    result: dict[int, list[int]] = {}
    for org_id, *held in _fetch(rows.annotate(**columns).values_list("org_id", *columns)
                                .order_by()):
        if keep and org_id not in org_ids:  # type: ignore[operator]
            continue
        seen = result.get(org_id)
        if seen is None:
            result[org_id] = held
        else:  # a merge left two rows of the branch's year until its next refresh
            result[org_id] = [x | y for x, y in zip(seen, held, strict=True)]
    for first, last, lo, hi in _cut_months(start, end):
        _recount_cut(result, first, last, lo, hi, codes=codes, org_ids=org_ids)
    return {org_id: tuple(masks) for org_id, masks in result.items() if any(masks)}


def _cut_months(start: datetime.date, end: datetime.date):
    """(first day, last day, first inside, last inside) of each month `start` or `end` cuts."""
    for year, month in sorted({(start.year, start.month), (end.year, end.month)}):
        first, last = datetime.date(year, month, 1), month_end(year, month)
        inside = (max(start, first), min(end, last))
        if inside != (first, last):
            yield first, last, *inside


def _recount_cut(result: dict[int, list[int]], first: datetime.date, last: datetime.date,
                 lo: datetime.date, hi: datetime.date, *, codes: list[str],
                 org_ids: set[int] | None) -> None:
    """Work the bit of a month cut to lo..hi out from the meetings, for the branches that held
    one in the month outside lo..hi (the rollup counts those too)."""
    in_month = Meeting.objects.filter(state=State.HELD, date__range=(first, last))
    outside, _keep = _for_branches(in_month.exclude(date__range=(lo, hi)), org_ids)
    touched = sorted({org for org in outside.values_list("org_id", flat=True).distinct()
                      if org_ids is None or org in org_ids})
    if not touched:
        return
    bit = 1 << (first.month - 1)
    for org in touched:
        if org in result:
            result[org] = [mask & ~bit for mask in result[org]]
    at = {code: 1 + i for i, code in enumerate(codes)}
    for org, kind in in_month.filter(date__range=(lo, hi), org_id__in=touched) \
            .values_list("org_id", "kind").distinct():
        masks = result.setdefault(org, [0] * (1 + len(codes)))
        masks[0] |= bit
        if kind in at:
            masks[at[kind]] |= bit


def held_masks(start: datetime.date, end: datetime.date, *,
               org_ids: Iterable[int] | None = None,
               kinds: Iterable[str] | None = None) -> dict[int, dict[str, int]]:
    """{branch id: {kind: months mask, "": any kind's months}}: `held_months` by name, for
    `kinds` (default: every kind)."""
    codes = list(kinds) if kinds is not None else [rule.code for rule in rules.KINDS]
    wanted = set(org_ids) if org_ids is not None else None
    return {org_id: dict(zip(["", *codes], masks, strict=True))
            for org_id, masks in held_months(start, end, codes, org_ids=wanted).items()}


def _open_makeups(org_ids: set[int], period: Period) -> dict[int, int]:
    """{branch id: meetings dated in the period with a make-up still open}: an index-only
    count over orglife_makeup_by_date (state, meeting_date, org, meeting)."""
    rows, keep = _for_branches(
        MakeUp.objects.filter(state=MakeUpState.OPEN, meeting_date__gte=period.start,
                              meeting_date__lte=period.end), org_ids)
    counts = rows.values("org_id").annotate(n=Count("meeting_id", distinct=True)) \
        .values_list("org_id", "n").order_by()
    return {org_id: n for org_id, n in counts if not keep or org_id in org_ids}


def _teams(branch_ids: set[int]) -> dict[int, datetime.date]:
    """The election date of each branch's current team (not ended, latest elected). Current
    teams are few (one per organisation that has one): read them all, keep the branches'."""
    elected: dict[int, datetime.date] = {}
    for org_id, day in Team.objects.filter(ended_on__isnull=True).order_by() \
            .values_list("org_id", "elected_on"):
        if org_id in branch_ids and (org_id not in elected or day > elected[org_id]):
            elected[org_id] = day
    return elected


def _with_groups(root: Organization, branch_of_path: dict[str, int]) -> set[int]:
    """Ids of the branches (of `branch_of_path`, path → id) with at least one active party
    group among their children. One query over the subtree's groups."""
    step = Organization.steplen
    paths = Organization.objects.filter(path__startswith=root.path, kind=OrgKind.GROUP,
                                        dissolved_on__isnull=True) \
        .order_by().values_list("path", flat=True)
    return {branch_of_path[p[:-step]] for p in paths if p[:-step] in branch_of_path}


def has_groups(branch: Organization) -> bool:
    """Whether the branch is divided into party groups (an active child of kind `group`)."""
    return Organization.objects.filter(
        path__startswith=branch.path, depth=branch.depth + 1, kind=OrgKind.GROUP,
        dissolved_on__isnull=True).exists()


def committee_only(kind: str) -> bool:
    """A kind only a branch with a committee (支委会) holds: due where one is in office (a
    branch of fewer than 7 full members has a secretary, not a committee — 条例第九条)."""
    return rules.kind_rule(kind).where == "committee"


def groups_only(kind: str) -> bool:
    """A kind only a branch divided into party groups holds (党小组会, 条例第十三条)."""
    return rules.kind_rule(kind).where == "groups"


def charged(kind: str, *, committee: bool, groups: bool) -> bool:
    """Whether a branch with (or without) a committee in office and party groups is charged
    with `kind` at all."""
    return not (committee_only(kind) and not committee or groups_only(kind) and not groups)


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def name_communities(root: Organization, rows: list[BranchCompliance]) -> None:
    """Set each row's community: the organisation right below the street (the deepest working
    committee above); the branch itself for a community whose party organisation is one
    branch; "街道直属" for another branch straight under a street. Two queries."""
    step = Organization.steplen
    ancestors = [root.path[:i] for i in range(step, len(root.path) + 1, step)]
    streets = set(Organization.objects.filter(kind=OrgKind.WORKING_COMMITTEE)
                  .filter(Q(path__startswith=root.path) | Q(path__in=ancestors))
                  .values_list("path", flat=True))
    community_of: dict[str, str] = {}
    for row in rows:
        path = row.path
        street = next((path[:i] for i in range(len(path) - step, 0, -step)
                       if path[:i] in streets), path[:step])
        community_of[path] = path[:len(street) + step]
    names = dict(Organization.objects.filter(path__in=set(community_of.values()))
                 .values_list("path", "name"))
    for row in rows:
        community = community_of[row.path]
        if community != row.path:
            row.community = names.get(community, "")
        else:
            row.community = row.name if row.sector == "community" else STREET_DIRECT


def branches_under(root: Organization):
    """(id, code, name, path, sector, established_on, short) of the active branches under
    `root`; `short`: fewer full members on the roster than a branch needs (a joint branch is
    due). Whether a branch has its n-th full member is one short index probe (its n-th row),
    not a count of the city's half a million memberships."""
    needed = rules.setting("branch_min_full")
    rows = Organization.objects.filter(path__startswith=root.path, kind__in=BRANCH_KINDS,
                                       dissolved_on__isnull=True)
    if needed > 0:
        nth = (Membership.objects.filter(org=OuterRef("pk"), active=True,
                                         category=Category.FULL,
                                         standing__in=list(ON_ROSTER))
               .order_by().values("id")[needed - 1:needed])
        rows = rows.annotate(nth=Subquery(nth))
    else:
        rows = rows.annotate(nth=Value(0))
    return [(*row[:6], row[6] is None)
            for row in _fetch(rows.order_by("path").values_list(
                "id", "code", "name", "path", "sector", "established_on", "nth"))]


@contextlib.contextmanager
def collector_paused():
    """Pause the cyclic garbage collector while a city's rows are built (and, in the API,
    encoded): that makes some 100,000 small objects that all stay alive, and the collector's
    passes over the whole process in between would double the time while freeing nothing.
    Whatever cycles pile up meanwhile are collected once it runs again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# ---- the engine ------------------------------------------------------------------------------------

def compliance(root: Organization, period: Period, *, today: datetime.date) -> Report:
    """Each active branch under `root` (itself included) in `period`, as of `today`."""
    windows = charged_windows(period, today=today)
    blocks = hollow_blocks(period, today=today)
    branches = branches_under(root)
    rows: list[BranchCompliance] = []
    report = Report(root=root, period=period, today=today, branches=rows, windows=windows)
    if not branches:
        return report
    starts = [w.start for w in windows + blocks]
    first = min(starts, default=period.start)
    last = min(period.end, today)
    ids = {b[0] for b in branches}
    kinds = sorted({w.kind for w in windows})
    # Per branch: (any kind's months, then each of `kinds`'s months), as bit masks.
    held = held_months(first, last, kinds, org_ids=ids) if first <= last else {}
    makeups = _open_makeups(ids, period)
    teams = _teams(ids)
    grouped = _with_groups(root, {b[3]: b[0] for b in branches})
    term_from = years_before(today, rules.setting("committee_term_years"))
    judge = rules.light_rule()
    # Plain tuples: the loop below runs for every branch of a city.
    plan = [(w, 1 + kinds.index(w.kind), w.mask, w.end < today, w.end,
             committee_only(w.kind), groups_only(w.kind)) for w in windows]
    block_plan = [(b.mask, b.start) for b in blocks]
    earliest = min([w.end for w in windows] + [b.start for b in blocks], default=period.end)

    def judged(masks, committee_in_office, groups, established):
        """(held, missing, pending) of one branch's windows."""
        held_n, missing, pending = 0, [], []
        for window, at, mask, over, end, committee, by_groups in plan:
            if (established is not None and end < established) \
                    or (committee and not committee_in_office) or (by_groups and not groups):
                continue
            if masks[at] & mask:
                held_n += 1
            elif over:
                missing.append(window)
            else:
                pending.append(window)
        return held_n, missing, pending

    # Most branches of a city share one of a few outcomes (everything held, say): each is
    # worked out once, by what decides it.
    outcomes: dict[tuple, tuple[int, list[Window], list[Window]]] = {}
    nothing = (0,) * (1 + len(kinds))
    with collector_paused():
        for org_id, code, name, path, sector, established, short in branches:
            masks = held.get(org_id, nothing)
            late = established is not None and established > earliest
            elected = teams.get(org_id)
            in_office, groups = elected is not None, org_id in grouped
            if late:
                held_n, missing, pending = judged(masks, in_office, groups, established)
            else:
                key = (in_office, groups, masks)
                outcome = outcomes.get(key)
                if outcome is None:
                    outcome = outcomes[key] = judged(masks, in_office, groups, None)
                held_n, missing, pending = outcome
            open_makeups = makeups.get(org_id, 0)
            flags = []
            for mask, start in block_plan:
                if not masks[0] & mask and not (late and start < established):
                    flags.append("hollow")
                    break
            if short:
                flags.append("joint_branch_needed")
            if elected is not None and elected < term_from:
                flags.append("term_due")
            rows.append(BranchCompliance(
                org_id, code, name, path, sector, required=held_n + len(missing) + len(pending),
                held=held_n, missing=list(missing), pending=list(pending),
                open_makeups=open_makeups, light=judge(len(missing) + open_makeups),
                flags=flags))
    return report


# ---- one branch's calendar ----------------------------------------------------------------------

@dataclass
class CalendarCell:
    window: Window
    status: str
    held: list[dict] = field(default_factory=list)
    planned: list[dict] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def span(self) -> int:
        return self.window.last_month - self.window.first_month + 1

    @property
    def open(self) -> bool:
        """Still to be held (a planning link makes sense)."""
        return self.status in (MISSING, PENDING, DUE)


@dataclass
class CalendarRow:
    kind: str
    label: str
    every: str | None
    source: str
    cells: list[CalendarCell]
    note: str = ""

    @property
    def every_label(self) -> str:
        return self.note or EVERY_LABELS.get(self.every or "", "不作要求")


@dataclass
class Calendar:
    org: Organization
    year: int
    today: datetime.date
    rows: list[CalendarRow]
    planned: list[dict]
    has_committee: bool = True
    has_groups: bool = True
    # A dissolved (or merged) branch is charged with nothing: its calendar only tells.
    dissolved_on: datetime.date | None = None

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUS_LABELS, 0)
        for row in self.rows:
            if row.every:
                for cell in row.cells:
                    counts[cell.status] += 1
        return counts


def branch_calendar(org: Organization, year: int, *, today: datetime.date) -> Calendar:
    """The year's items of one branch from the rules: for each kind and window whether it is
    held (with its meetings), missing, pending (the window is open) or due (not yet open),
    and its planned meetings; 支委会 and 党小组会 not charged where the branch has no committee
    in office or no party groups, nothing charged once the branch is dissolved (its meetings
    may have gone to the branch it merged into). Three queries (meetings, committee, groups)."""
    meetings: list[dict[str, Any]] = list(Meeting.objects.filter(org=org, date__year=year)
                    .exclude(state=State.CANCELLED).order_by("date", "id")
                    .values("id", "kind", "date", "state", "title"))  # type: ignore[arg-type]
    established = org.established_on
    has_committee = Team.objects.filter(org=org, ended_on__isnull=True).exists()
    grouped = has_groups(org)
    rows = []
    for rule in rules.KINDS:
        every = rules.every(rule.code)
        note = ""
        if every and not charged(rule.code, committee=has_committee, groups=grouped):
            every, note = None, "未设支委会" if committee_only(rule.code) else "未划分党小组"
        windows = windows_of(rule.code, every or "month", year)
        cells = []
        for window in windows:
            inside = [m for m in meetings
                      if m["kind"] == rule.code and window.start <= m["date"] <= window.end]
            held = [m for m in inside if m["state"] == State.HELD]
            planned = [m for m in inside if m["state"] == State.PLANNED]
            if not every or org.dissolved_on or (established and window.end < established):
                status = NOT_CHARGED
            elif held:
                status = HELD
            elif window.end < today:
                status = MISSING
            elif window.start <= today:
                status = PENDING
            else:
                status = DUE
            cells.append(CalendarCell(window, status, held, planned))
        rows.append(CalendarRow(rule.code, rule.label, every, rule.source, cells, note))
    planned = [m for m in meetings if m["state"] == State.PLANNED]
    return Calendar(org=org, year=year, today=today, rows=rows, planned=planned,
                    has_committee=has_committee, has_groups=grouped,
                    dissolved_on=org.dissolved_on)
