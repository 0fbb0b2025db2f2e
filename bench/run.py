"""Response-time benchmark on the synthetic city (see bench/README.md).

    .venv/bin/python bench/run.py [--n 50] [--warmup 5] [--cases tree_page,pinyin_search]

Uses DATABASE_URL (default: a local PostgreSQL database `gongjian_bench`, created if missing),
migrates, builds the synthetic city and its members once (`synth --scale city --if-missing`),
then times requests in-process with django.test.Client. Prints one JSON object on stdout;
progress goes to stderr. A case whose request answers anything but 200 (or raises) is
reported as {"error": "<status>"} and the others still run; the exit code is then 1.

A case is a function registered with @case("name") that makes one request and returns its
elapsed milliseconds (use ctx.get, which times and checks the status). A case registered with
@case("name", once=True) runs once with (ctx, args) and returns its own dict of figures; it
may return {"skipped": "<why>"}.
"""

import argparse
import datetime
import json
import math
import os
import platform
import random
import statistics
import sys
import time
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gongjian_bench"
CITY_CODE = "SYN-CITY"
CITY_USER = "synth_city"


def log(message):
    print(message, file=sys.stderr, flush=True)


class BenchError(RuntimeError):
    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


class BenchSkip(Exception):
    """The case cannot run on this database (e.g. no members yet); reported, not a failure."""


# --- the database ----------------------------------------------------------------------------

def ensure_database(url: str):
    """Create the PostgreSQL database named in `url` if it does not exist yet."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        return
    params = {"dbname": "postgres", "user": config.get("USER") or None,
              "password": config.get("PASSWORD") or None, "host": config.get("HOST") or None,
              "port": config.get("PORT") or None}
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                              [config["NAME"]]).fetchone()
        if not exists:
            log(f"creating database {config['NAME']}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


def setup_django():
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjian.settings")
    import django
    from django.conf import settings

    # WhiteNoise warns about the not-yet-collected static directory; irrelevant to timings.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append("testserver")
    settings.DEBUG = False  # no query log growing in memory while we time


def prepare():
    from django.core.management import call_command

    log("migrating")
    call_command("migrate", interactive=False, verbosity=0, stdout=sys.stderr)
    log("building the synthetic city (skipped if present)")
    call_command("synth", scale="city", if_missing=True, stdout=sys.stderr, stderr=sys.stderr)
    from gongjian.projects import synth as project_synth

    log("building the three lists on the city (skipped if present)")
    project_synth.build(CITY_CODE, log=log)
    # Index-only scans need the visibility map, which autovacuum keeps in production; where it
    # is off (as on the bench machine), a migration's backfill would leave it unset.
    from django.db import connection

    log("vacuuming the tables the organisational-life cases read")
    with connection.cursor() as cursor:
        for table in ("orglife_meeting", "orglife_makeup", "orglife_heldmonths",
                      "members_membership", "members_team", "orgs_organization"):
            cursor.execute(f'VACUUM (ANALYZE) "{table}"')


# --- cases -----------------------------------------------------------------------------------

CASES: dict[str, Callable] = {}
ONCE: set[str] = set()
# Median targets in milliseconds (100 unless listed); the import target is in rows per second.
# Statistics answer within the statistics target, a street's as well as the whole city's.
TARGET_MS = {"member_stats_city": 500, "team_stats_city": 500, "member_stats_subtree": 500,
             "project_matching": 200, "project_supervision_city": 200,
             "orglife_compliance_city": 500, "circle_point": 200,
             "circle_suggest_street": 2000}
IMPORT_TARGET_ROWS_PER_S = 2000
AS_OF_DAYS = ["2021-12-31", "2022-12-31", "2023-12-31", "2024-12-31", "2025-12-31"]


def case(name, once=False):
    def register(fn):
        CASES[name] = fn
        if once:
            ONCE.add(name)
        return fn
    return register


class Context:
    """What the cases share: logged-in clients, a seeded random source and sample data."""

    def __init__(self, seed: int):
        from django.db.models import Count, Q
        from django.test import Client
        from rest_framework.authtoken.models import Token

        from gongjian.core.models import User
        from gongjian.demo.synth import CITY_PASSWORD
        from gongjian.orgs.models import Organization

        self.seed = seed
        self.rng = random.Random(seed)
        self.user = User.objects.get(username=CITY_USER)
        if self.user.password_expired:  # the bench database outlives the password policy
            self.user.set_password(CITY_PASSWORD)
            self.user.save(update_fields=["password", "password_changed_at"])
        self.root = Organization.objects.get(code=CITY_CODE)
        self.web = Client()
        self.web.force_login(self.user)
        token, _ = Token.objects.get_or_create(user=self.user)
        self.api = Client(headers={"Authorization": f"Token {token.key}"})

        inner = (Organization.objects.filter(path__startswith=self.root.path, depth__in=(2, 3))
                 .order_by("path"))
        self.within = []  # (code, pages) for districts and streets
        for org in inner:
            count = Organization.objects.filter(path__startswith=org.path).count() - 1
            self.within.append((org.code, max(1, math.ceil(count / 50))))
        self.nav_codes = [code for code, _ in self.within]

        ids = list(Organization.objects.filter(path__startswith=self.root.path)
                   .values_list("pk", flat=True))
        sample = Organization.objects.filter(pk__in=self.rng.sample(ids, min(300, len(ids))))
        self.queries = []
        for org in sample.order_by("pk"):
            self.queries.append(self._chinese_fragment(org.name))
            self.queries.append(org.name_pinyin[: self.rng.randint(4, 10)])
            self.queries.append(self._ordered_initials(org.name_initials))
        self.rng.shuffle(self.queries)

        self.stats = Organization.objects.filter(path__startswith=self.root.path).aggregate(
            organizations=Count("pk"), groups=Count("pk", filter=Q(kind="group")))
        self._sample_members()

    def _sample_members(self):
        """Names and initials of ~400 random members; streets with their roster pages."""
        from django.db.models import Count, Max, Min
        from django.db.models.functions import Substr

        from gongjian.members.models import Membership, Person
        from gongjian.orgs.models import Organization

        people = Person.objects.filter(org__path__startswith=self.root.path)
        bounds = people.aggregate(low=Min("pk"), high=Max("pk"))
        self.member_names, self.member_initials, self.member_streets = [], [], []
        self.member_counts = {"members": 0}
        if bounds["low"] is None:
            return
        rng = random.Random(f"{self.seed}:members")  # the other cases' draws stay as they were
        span = range(bounds["low"], bounds["high"] + 1)
        picks = rng.sample(span, min(400, len(span)))
        for name, initials in people.filter(pk__in=picks).order_by("pk").values_list(
                "name", "name_initials"):
            # A surname and the start of the given name (张华 for 张华娟), or the whole name.
            self.member_names.append(name[: rng.randint(2, max(2, len(name)))])
            self.member_initials.append(initials)  # zhw for 张华娟
        street_depth = self.root.depth + 2
        streets = dict(Organization.objects.filter(path__startswith=self.root.path,
                                                   depth=street_depth)
                       .values_list("path", "code"))
        counts = (Membership.objects.filter(active=True, org__path__startswith=self.root.path)
                  .annotate(street=Substr("org__path", 1, street_depth * 4))
                  .values("street").annotate(n=Count("pk")).values_list("street", "n"))
        for path, n in counts:
            if path in streets:
                self.member_streets.append((streets[path], max(1, math.ceil(n / 50))))
                self.member_counts["members"] += n
        self.member_streets.sort()

    def members_needed(self):
        if not self.member_names or not self.member_streets:
            raise BenchSkip("the synthetic city has no members yet "
                            "(build them with `gongjian synth --scale city --if-missing`)")

    def as_of(self):
        return self.rng.choice(AS_OF_DAYS + [datetime.date.today().isoformat()])

    def _chinese_fragment(self, name):
        length = self.rng.randint(2, 4)
        start = self.rng.randrange(0, max(1, len(name) - length))
        return name[start:start + length]

    def _ordered_initials(self, initials):
        """`jaq` for jasq: the first letter, then letters in order with gaps."""
        rest = initials[1:8]
        picks = sorted(self.rng.sample(range(len(rest)), min(2, len(rest))))
        return initials[:1] + "".join(rest[i] for i in picks)

    def get(self, client, path, params=None, headers=None):
        """GET, timed; anything but 200 raises BenchError. Returns elapsed milliseconds."""
        url = path + ("?" + urlencode(params) if params else "")
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        if response.status_code == 200 and not getattr(response, "streaming", False):
            response.content  # noqa: B018  (rendered already; make sure of it)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            body = b"" if getattr(response, "streaming", False) else response.content
            raise BenchError(f"GET {url} answered {response.status_code}"
                             f" {response.get('Location', '')}\n"
                             f"{body[:500].decode('utf-8', 'replace')}",
                             status=response.status_code)
        return elapsed


@case("tree_page")
def tree_page(ctx):
    """The organisation tree page, as the city-wide street_staff account."""
    return ctx.get(ctx.web, "/orgs/")


@case("tree_children")
def tree_children(ctx):
    """Expanding a district or street in the tree (an htmx fragment)."""
    code = ctx.rng.choice(ctx.nav_codes)
    return ctx.get(ctx.web, f"/orgs/{code}/children/", headers={"HX-Request": "true"})


@case("subtree_api_list")
def subtree_api_list(ctx):
    """One random page of a district's or street's subtree through the API, by token."""
    code, pages = ctx.rng.choice(ctx.within)
    return ctx.get(ctx.api, "/api/v1/orgs/",
                   {"within": code, "page": ctx.rng.randint(1, pages)})


@case("pinyin_search")
def pinyin_search(ctx):
    """The search box: Chinese fragments, full-pinyin prefixes and ordered initials (jaq)."""
    return ctx.get(ctx.web, "/orgs/search/", {"q": ctx.rng.choice(ctx.queries)})


@case("member_search_name")
def member_search_name(ctx):
    """The roster's search box with a surname and given-name fragment (张华)."""
    ctx.members_needed()
    return ctx.get(ctx.web, "/members/", {"q": ctx.rng.choice(ctx.member_names)})


@case("member_search_initials")
def member_search_initials(ctx):
    """The roster's search box with a member's initials in order (zhw)."""
    ctx.members_needed()
    return ctx.get(ctx.web, "/members/", {"q": ctx.rng.choice(ctx.member_initials)})


@case("member_list_subtree")
def member_list_subtree(ctx):
    """A random page (50 rows) of one street's roster."""
    ctx.members_needed()
    code, pages = ctx.rng.choice(ctx.member_streets)
    return ctx.get(ctx.web, "/members/", {"org": code, "page": ctx.rng.randint(1, pages)})


@case("member_stats_subtree")
def member_stats_subtree(ctx):
    """A street's member statistics on a reference date, through the API."""
    ctx.members_needed()
    code, _ = ctx.rng.choice(ctx.member_streets)
    return ctx.get(ctx.api, "/api/v1/stats/members/", {"org": code, "as_of": ctx.as_of()})


@case("team_stats_city")
def team_stats_city(ctx):
    """City-wide statistics of the leadership teams on a reference date, through the API."""
    ctx.members_needed()
    return ctx.get(ctx.api, "/api/v1/stats/teams/", {"org": CITY_CODE, "as_of": ctx.as_of()})


@case("member_stats_city")
def member_stats_city(ctx):
    """City-wide member statistics (544,000 members) on a reference date, through the API."""
    ctx.members_needed()
    return ctx.get(ctx.api, "/api/v1/stats/members/", {"org": CITY_CODE, "as_of": ctx.as_of()})


def _project_demands(ctx):
    """Ids of 300 random open demands of the city (drawn once, from their own seed)."""
    if not hasattr(ctx, "project_demands"):
        from gongjian.projects.models import Demand

        ids = list(Demand.objects.filter(org__path__startswith=ctx.root.path,
                                         state__in=("open", "accepted"))
                   .values_list("pk", flat=True))
        if not ids:
            raise BenchSkip("the synthetic city has no demands yet (bench prepare() builds them)")
        ctx.project_demands = random.Random(f"{ctx.seed}:projects").sample(ids, min(300, len(ids)))
    return ctx.project_demands


@case("project_matching")
def project_matching(ctx):
    """Suggested resources, with reasons, for one random demand among the city's 10,000
    resources (`/api/v1/demands/<id>/matches/`)."""
    demand = ctx.rng.choice(_project_demands(ctx))
    return ctx.get(ctx.api, f"/api/v1/demands/{demand}/matches/")


@case("project_supervision_city")
def project_supervision_city(ctx):
    """The supervision page over the city's 100,000 projects: pipeline, per district, per
    unit, overdue list."""
    return ctx.get(ctx.web, "/projects/supervision/")


def _orglife(ctx):
    """(this year, its finished quarters, 300 random branch codes), drawn once from their own
    seed; BenchSkip when the city has no meetings this year."""
    if not hasattr(ctx, "orglife"):
        from django.utils import timezone

        from gongjian.orglife.models import Meeting
        from gongjian.orgs.models import Organization

        today = timezone.localdate()  # the server's today, which the API and the synth use
        meetings = Meeting.objects.filter(org__path__startswith=ctx.root.path,
                                          date__year=today.year)
        if not meetings.exists():
            raise BenchSkip("the synthetic city has no meetings yet "
                            "(build them with `gongjian synth --scale city --if-missing`)")
        codes = list(Organization.objects.filter(
            path__startswith=ctx.root.path, kind__in=("branch", "temporary_branch"),
            dissolved_on__isnull=True).order_by("code").values_list("code", flat=True))
        rng = random.Random(f"{ctx.seed}:orglife")
        quarters = [q for q in range(1, 5) if 3 * q < today.month] or [(today.month - 1) // 3 + 1]
        ctx.orglife = (today.year, quarters, rng.sample(codes, min(300, len(codes))))
    return ctx.orglife


@case("orglife_compliance_city")
def orglife_compliance_city(ctx):
    """Compliance of every branch of the city (15,217) in a finished quarter of this year:
    required items, held, missing by kind and month, light and flags, through the API."""
    year, quarters, _ = _orglife(ctx)
    return ctx.get(ctx.api, "/api/v1/orglife/compliance/",
                   {"org": CITY_CODE, "year": year, "quarter": ctx.rng.choice(quarters)})


@case("orglife_calendar_branch")
def orglife_calendar_branch(ctx):
    """One random branch's calendar page for this year (the rules' items per month, held,
    missing, planned)."""
    from django.urls import reverse

    year, _, codes = _orglife(ctx)
    return ctx.get(ctx.web, reverse("orglife_calendar", args=[ctx.rng.choice(codes), year]))


# Volunteer service: the city's figures over a year (about two million check-ins).
TARGET_MS["volunteer_figures_city"] = 500


def _volunteer(ctx):
    """(the last 365 days, 300 random volunteer numbers of the city), drawn once."""
    if not hasattr(ctx, "volunteer"):
        from gongjian.volunteer.models import ServiceRecord, Volunteer

        if not ServiceRecord.objects.filter(org__path__startswith=ctx.root.path).exists():
            raise BenchSkip("the synthetic city has no volunteer service yet "
                            "(build it with `gongjian synth --scale city --if-missing`)")
        today = datetime.date.today()
        period = {"from": (today - datetime.timedelta(days=364)).isoformat(),
                  "to": today.isoformat()}
        ids = list(Volunteer.objects.filter(org__path__startswith=ctx.root.path)
                   .values_list("pk", flat=True))
        rng = random.Random(f"{ctx.seed}:volunteer")
        picks = rng.sample(ids, min(300, len(ids)))
        numbers = list(Volunteer.objects.filter(pk__in=picks).values_list("number", flat=True))
        ctx.volunteer = (period, numbers)
    return ctx.volunteer


@case("volunteer_figures_city")
def volunteer_figures_city(ctx):
    """The whole city's volunteer figures over the last year (activities, 人次, people, counted
    hours, beneficiaries; by district and by month), through the API, computed every time: the
    cache the pages keep is emptied first, so the timing is that of the count."""
    from django.core.cache import cache

    period, _ = _volunteer(ctx)
    cache.clear()
    return ctx.get(ctx.api, "/api/v1/volunteer-stats/", {"org": CITY_CODE, **period})


@case("volunteer_person_record")
def volunteer_person_record(ctx):
    """One random volunteer's record (totals, star level, by year, latest records)."""
    _, numbers = _volunteer(ctx)
    return ctx.get(ctx.api, f"/api/v1/volunteer-stats/volunteers/{ctx.rng.choice(numbers)}/")


def _venues(ctx):
    """300 random shared venues of the city with the months they are booked in, drawn once;
    the city's positions and a year of bookings are built the first time (venues.synth)."""
    if not hasattr(ctx, "venues"):
        from gongjian.venues import synth as venue_synth
        from gongjian.venues.models import Venue

        venue_synth.build(CITY_CODE, log=log)
        ids = list(Venue.objects.filter(org__path__startswith=ctx.root.path, bookable=True)
                   .values_list("pk", flat=True))
        if not ids:
            raise BenchSkip("the synthetic city has no shared venues")
        rng = random.Random(f"{ctx.seed}:venues")
        today = datetime.date.today()
        now = today.year * 12 + today.month - 1  # months counted from year 0
        months = [((now - k) // 12, (now - k) % 12 + 1) for k in range(-1, 11)]
        ctx.venues = (rng.sample(ids, min(300, len(ids))), months)
    return ctx.venues


@case("venue_month_calendar")
def venue_month_calendar(ctx):
    """One random shared venue's month calendar page (all its rooms, every booking of the
    month that holds or held a room) for a month of the past year or the next."""
    ids, months = _venues(ctx)
    year, month = ctx.rng.choice(months)
    return ctx.get(ctx.web, f"/venues/{ctx.rng.choice(ids)}/calendar/",
                   {"year": year, "month": month})


def _circle(ctx):
    """The bench street of the 15-minute circle (circle.synth: 2,000 located buildings, a road
    network of about 3,700 crossings, 12 stations), built the first time; its stations."""
    if not hasattr(ctx, "circle"):
        from gongjian.circle import synth as circle_synth
        from gongjian.venues.models import Venue

        built = circle_synth.build_bench_street(CITY_CODE, log=log)
        if "street" not in built:
            raise BenchSkip(f"no street for the circle: {built.get('skipped')}")
        ids = list(Venue.objects.filter(name__startswith="服务圈测试服务站")
                   .values_list("pk", flat=True))
        ctx.circle = (built["street"], ids)
    return ctx.circle


@case("circle_point")
def circle_point(ctx):
    """One random station's 15-minute circle along the road network, in a street of 2,000
    located buildings (the buildings, households, units inside; per community)."""
    _, ids = _circle(ctx)
    return ctx.get(ctx.api, "/api/v1/circle/", {"point": ctx.rng.choice(ids), "minutes": 15})


@case("circle_suggest_street")
def circle_suggest_street(ctx):
    """Where three new stations help most in that street: coverage by its 12 stations, then
    greedy maximum coverage over every located unit and building as a candidate site."""
    street, _ = _circle(ctx)
    return ctx.get(ctx.api, "/api/v1/circle/suggest/", {"org": street, "n": 3, "minutes": 15})


@case("import_rows_per_s", once=True)
def import_rows_per_s(ctx, args):
    """A roster spreadsheet of generated rows imported by a street's staff, rolled back."""
    try:
        from gongjian.members.imports import benchmark_rows
    except ImportError:
        return {"skipped": "gongjian.members.imports.benchmark_rows does not exist yet"}
    log(f"importing {args.import_rows} generated rows (rolled back)")
    figures = dict(benchmark_rows(args.import_rows))
    figures["target_rows_per_s"] = IMPORT_TARGET_ROWS_PER_S
    if "rows_per_s" in figures:
        figures["meets_target"] = figures["rows_per_s"] >= IMPORT_TARGET_ROWS_PER_S
        log(f"import_rows_per_s: {figures['rows_per_s']} rows/s")
    return figures



def _dues(ctx):
    """(300 random street codes of the city, the last twelve months), drawn once."""
    if not hasattr(ctx, "dues"):
        from gongjian.dues.models import Account
        from gongjian.orgs.models import Organization

        if not Account.objects.filter(org__path__startswith=ctx.root.path).exists():
            raise BenchSkip("the synthetic city has no dues yet (gongjian synth --if-missing)")
        streets = list(Organization.objects.filter(path__startswith=ctx.root.path, depth=3)
                       .values_list("code", flat=True))
        rng = random.Random(f"{ctx.seed}:dues")
        today = datetime.date.today()
        now = today.year * 12 + today.month - 1
        months = [f"{(now - k) // 12}-{(now - k) % 12 + 1:02d}" for k in range(12)]
        ctx.dues = (rng.sample(streets, min(300, len(streets))), months)
    return ctx.dues


TARGET_MS["dues_ledger_street"] = 500
TARGET_MS["dues_arrears_city"] = 500


@case("dues_ledger_street")
def dues_ledger_street(ctx):
    """One random street's dues ledger page for a month of the past year: per branch the
    members owing, paid and not, due, paid, arrears, collected and remitted."""
    streets, months = _dues(ctx)
    return ctx.get(ctx.web, "/dues/", {"org": ctx.rng.choice(streets),
                                        "month": ctx.rng.choice(months)})


@case("dues_arrears_city")
def dues_arrears_city(ctx):
    """The city-wide arrears list, page 1 (members with unpaid months, how many, since when;
    the longest first) with its count."""
    _dues(ctx)
    return ctx.get(ctx.web, "/dues/arrears/", {"org": CITY_CODE})

# --- running ---------------------------------------------------------------------------------

def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def measure(ctx, name, fn, n, warmup):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        fn(ctx)
    times = [fn(ctx) for _ in range(n)]
    with CaptureQueriesContext(connection) as captured:
        fn(ctx)
    target = TARGET_MS.get(name, 100)
    result = {"median_ms": round(statistics.median(times), 1),
              "p95_ms": round(percentile(times, 0.95), 1), "n": n,
              "queries": len(captured.captured_queries), "target_median_ms": target,
              "meets_target": statistics.median(times) <= target}
    log(f"{name}: median {result['median_ms']} ms, p95 {result['p95_ms']} ms, "
        f"{result['queries']} queries")
    return result


def meta(ctx, args):
    import django
    from django.db import connection

    from gongjian.members.models import TeamSeat
    from gongjian.orgs.models import Grid, Organization, Unit

    server = connection.vendor
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server = cursor.fetchone()[0]
    return {
        "organizations": ctx.stats["organizations"],
        "organizations_in_database": Organization.objects.count(),
        "grids": Grid.objects.filter(org__path__startswith=ctx.root.path).count(),
        "units": Unit.objects.filter(org__path__startswith=ctx.root.path).count(),
        "members": ctx.member_counts["members"],
        "team_seats": TeamSeat.objects.filter(team__org__path__startswith=ctx.root.path).count(),
        "database": connection.vendor,
        "server_version": server,
        "user": CITY_USER,
        "warmup": args.warmup,
        "seed": args.seed,
        "target_median_ms": 100,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50, help="timed requests per case")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per case")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--import-rows", type=int, default=100_000,
                        help="rows in the generated spreadsheet of import_rows_per_s")
    parser.add_argument("--cases", default=",".join(CASES),
                        help=f"comma-separated, from: {', '.join(CASES)}")
    parser.add_argument("--no-setup", action="store_true",
                        help="skip creating the database, migrating and building the city")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.cases.split(",") if name.strip()]
    unknown = [name for name in names if name not in CASES]
    if unknown:
        parser.error(f"unknown cases: {', '.join(unknown)}")

    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    if not args.no_setup:
        ensure_database(os.environ["DATABASE_URL"])
    setup_django()
    if not args.no_setup:
        prepare()

    ctx = Context(args.seed)
    results = {}
    failed = []
    for name in names:
        try:
            if name in ONCE:
                log(f"running {name} (once)")
                results[name] = CASES[name](ctx, args)
            else:
                log(f"running {name} ({args.warmup} warm-up + {args.n})")
                results[name] = measure(ctx, name, CASES[name], args.n, args.warmup)
        except BenchSkip as skip:
            log(f"skipped {name}: {skip}")
            results[name] = {"skipped": str(skip)}
        except BenchError as error:
            log(f"FAILED in {name}: {error}")
            results[name] = {"error": str(error.status or error)}
            failed.append(name)
        except Exception as error:
            log(f"FAILED in {name}: it raised (traceback follows)\n{traceback.format_exc()}")
            results[name] = {"error": f"{type(error).__name__}: {error}"[:300]}
            failed.append(name)
    results["meta"] = meta(ctx, args)
    if failed:
        results["meta"]["failed"] = failed
    print(json.dumps(results, ensure_ascii=False))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
