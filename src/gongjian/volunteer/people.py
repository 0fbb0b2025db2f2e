"""Distinct people from bitmaps: who served within an organisation's subtree, day by day and
month by month (PeopleBits).

Counting the distinct volunteers of a city's year from the days they served (ServiceDays) means
grouping some seven hundred thousand rows on every view. Here each subtree root keeps, per day
and per month, the set of volunteer ids that served under it as a compressed (roaring) bitmap:
the people of a period are the size of the union of its whole months and the days of its
partial months — a few dozen bitmaps for a subtree, whatever the number of records. The
bitmaps are derived from ServiceDays: `apply_changes` moves the bits of the volunteers whose
days were just rewritten (under a row lock, so concurrent writes do not lose bits), and
`rebuild` makes them all again. Moving or merging organisations changes whose subtree a day
belongs to: the volunteers under the moved subtree leave their old ancestors' bitmaps before
the move and join the new ones after it (`tree_changing` / `tree_changed`).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from pyroaring import BitMap

MONTHS = [f"m{m:02d}" for m in range(1, 13)]
WHOLE_MONTH = 0  # `day` of a month's row

Key = tuple[int, int, int, int]  # (org id, year, month, day or WHOLE_MONTH)


def _days(mask: int) -> list[int]:
    return [bit + 1 for bit in range(31) if mask >> bit & 1]


def ancestors_of(org_ids: Iterable[int], organization_model=None) -> dict[int, list[int]]:
    """Each organisation's id with those of its ancestors (path prefixes)."""
    from gongjian.orgs.models import Organization

    if organization_model is None:
        organization_model = Organization
    step = Organization.steplen  # a migration's historical model lacks it
    paths = dict(organization_model.objects.filter(pk__in=set(org_ids))
                 .values_list("pk", "path"))
    prefixes = {path[:end] for path in paths.values() for end in range(step, len(path) + 1, step)}
    ids = dict(organization_model.objects.filter(path__in=prefixes).values_list("path", "pk"))
    return {pk: [ids[path[:end]] for end in range(step, len(path) + 1, step)
                 if path[:end] in ids]
            for pk, path in paths.items()}


def keys_of(rows: Iterable[tuple], lineage: dict[int, list[int]]) -> dict[int, set[Key]]:
    """The bitmap keys of each volunteer from their ServiceDays rows
    (volunteer_id, org_id, year, m01 … m12)."""
    keys: dict[int, set[Key]] = defaultdict(set)
    for volunteer_id, org_id, year, *masks in rows:
        for month, mask in enumerate(masks, start=1):
            if not mask:
                continue
            days = _days(mask)
            for root in lineage.get(org_id, ()):
                mine = keys[volunteer_id]
                mine.add((root, year, month, WHOLE_MONTH))
                mine.update((root, year, month, day) for day in days)
    return keys


def service_day_rows(volunteer_ids: Iterable[int], service_days_model=None) -> list[tuple]:
    if service_days_model is None:
        from .models import ServiceDays as service_days_model
    return list(service_days_model.objects.filter(volunteer_id__in=list(volunteer_ids))
                .order_by().values_list("volunteer_id", "org_id", "year", *MONTHS))


def _key_filter(keys: Iterable[Key]) -> Q:
    by_month: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for org_id, year, month, day in keys:
        by_month[org_id, year, month].append(day)
    condition = Q(pk__in=[])
    for (org_id, year, month), days in by_month.items():
        condition |= Q(org_id=org_id, year=year, month=month, day__in=days)
    return condition


KEYS_PER_STATEMENT = 2000


def apply_changes(before: dict[int, set[Key]], after: dict[int, set[Key]],
                  people_bits_model=None) -> None:
    """Move the bits of these volunteers from the keys they had (`before`) to those they have
    now (`after`): rows are created when first needed, locked in key order, and deleted when
    they empty."""
    if people_bits_model is None:
        from .models import PeopleBits as people_bits_model
    adds: dict[Key, list[int]] = defaultdict(list)
    drops: dict[Key, list[int]] = defaultdict(list)
    for volunteer_id in set(before) | set(after):
        old, new = before.get(volunteer_id, set()), after.get(volunteer_id, set())
        for key in new - old:
            adds[key].append(volunteer_id)
        for key in old - new:
            drops[key].append(volunteer_id)
    changed = sorted(set(adds) | set(drops))
    if not changed:
        return
    with transaction.atomic():
        for start in range(0, len(changed), KEYS_PER_STATEMENT):
            chunk = changed[start:start + KEYS_PER_STATEMENT]
            missing = [key for key in chunk if key in adds]
            people_bits_model.objects.bulk_create(
                [people_bits_model(org_id=o, year=y, month=m, day=d, bits=BitMap().serialize())
                 for o, y, m, d in missing], ignore_conflicts=True)
            rows = {(r.org_id, r.year, r.month, r.day): r for r in
                    people_bits_model.objects.select_for_update()
                    .filter(_key_filter(chunk)).order_by("org_id", "year", "month", "day")}
            emptied, written = [], []
            for key in chunk:
                row = rows.get(key)
                if row is None:
                    continue
                bits = BitMap.deserialize(bytes(row.bits))
                bits |= BitMap(adds.get(key, ()))
                bits -= BitMap(drops.get(key, ()))
                if bits:
                    row.bits = bits.serialize()
                    written.append(row)
                else:
                    emptied.append(row.pk)
            people_bits_model.objects.bulk_update(written, ["bits"], batch_size=500)
            people_bits_model.objects.filter(pk__in=emptied).delete()


def refresh(volunteer_ids: list[int], before_rows: list[tuple]) -> None:
    """After the ServiceDays rows of these volunteers were rewritten (`before_rows` were
    theirs before)."""
    after_rows = service_day_rows(volunteer_ids)
    lineage = ancestors_of({r[1] for r in before_rows} | {r[1] for r in after_rows})
    apply_changes(keys_of(before_rows, lineage), keys_of(after_rows, lineage))


def rebuild(service_days_model=None, people_bits_model=None, organization_model=None,
            batch: int = 20000) -> int:
    """Make every bitmap again from ServiceDays (the synthetic city, a migration); returns
    how many were written."""
    if service_days_model is None:
        from .models import PeopleBits as people_bits_model
        from .models import ServiceDays as service_days_model
    lineage_cache: dict[int, list[int]] = {}
    bitmaps: dict[Key, BitMap] = defaultdict(BitMap)
    rows = (service_days_model.objects.order_by().values_list("volunteer_id", "org_id", "year",
                                                               *MONTHS).iterator(batch))
    pending: list[tuple] = []

    def take(chunk: list[tuple]) -> None:
        unknown = {r[1] for r in chunk} - set(lineage_cache)
        if unknown:
            lineage_cache.update(ancestors_of(unknown, organization_model))
        for volunteer_id, org_id, year, *masks in chunk:
            roots = lineage_cache.get(org_id, ())
            for month, mask in enumerate(masks, start=1):
                if not mask:
                    continue
                days = _days(mask)
                for root in roots:
                    bitmaps[root, year, month, WHOLE_MONTH].add(volunteer_id)
                    for day in days:
                        bitmaps[root, year, month, day].add(volunteer_id)

    for row in rows:
        pending.append(row)
        if len(pending) >= batch:
            take(pending)
            pending = []
    take(pending)
    with transaction.atomic():
        people_bits_model.objects.all().delete()
        people_bits_model.objects.bulk_create(
            (people_bits_model(org_id=o, year=y, month=m, day=d, bits=b.serialize())
             for (o, y, m, d), b in bitmaps.items()), batch_size=2000)
    return len(bitmaps)


# ---- reading -------------------------------------------------------------------------------

def _segments(start: datetime.date, end: datetime.date) -> list[tuple[int, int, list[int]]]:
    """(year, month, days) of the period: [WHOLE_MONTH] for a month it covers whole."""
    segments = []
    cursor = start.replace(day=1)
    while cursor <= end:
        following = datetime.date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
        last = following - datetime.timedelta(days=1)
        first_day, last_day = max(start, cursor), min(end, last)
        if first_day == cursor and last_day == last:
            days = [WHOLE_MONTH]
        else:
            days = list(range(first_day.day, last_day.day + 1))
        segments.append((cursor.year, cursor.month, days))
        cursor = following
    return segments


def people(roots: Iterable[int], start: datetime.date, end: datetime.date,
           people_bits_model=None) -> dict[int, dict[str, Any]]:
    """For each subtree root: its distinct people over the period (`total`) and per month
    (`months`: {"YYYY-MM": n})."""
    if people_bits_model is None:
        from .models import PeopleBits as people_bits_model
    roots = list(roots)
    segments = _segments(start, end)
    condition = Q(pk__in=[])
    for year, month, days in segments:
        condition |= Q(year=year, month=month, day__in=days)
    by_root: dict[int, dict[tuple[int, int], list[BitMap]]] = defaultdict(lambda: defaultdict(list))
    for org_id, year, month, bits in (people_bits_model.objects.filter(condition,
                                                                       org_id__in=roots)
                                      .values_list("org_id", "year", "month", "bits")
                                      .iterator(500)):
        by_root[org_id][year, month].append(BitMap.deserialize(bytes(bits)))
    result = {}
    for root in roots:
        months = {(y, m): BitMap.union(*parts) if len(parts) > 1 else parts[0]
                  for (y, m), parts in by_root.get(root, {}).items()}
        total = BitMap.union(*months.values()) if months else BitMap()
        result[root] = {"total": len(total),
                        "months": {f"{y:04d}-{m:02d}": len(b) for (y, m), b in months.items()}}
    return result


# ---- the tree moves ------------------------------------------------------------------------

def _volunteers_under(paths: list[str]) -> list[int]:
    from .models import ServiceDays

    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(org__path__startswith=path)
    return list(ServiceDays.objects.filter(condition).order_by()
                .values_list("volunteer_id", flat=True).distinct())


def leave_old_ancestors(sender, paths: list[str], context: dict, **kwargs) -> None:
    volunteers = context["volunteer_people"] = _volunteers_under(paths)
    rows = service_day_rows(volunteers)
    apply_changes(keys_of(rows, ancestors_of({r[1] for r in rows})), {})


def join_new_ancestors(sender, paths: list[str], context: dict, **kwargs) -> None:
    rows = service_day_rows(context.pop("volunteer_people", []))
    apply_changes({}, keys_of(rows, ancestors_of({r[1] for r in rows})))
