"""Suggested matches between demands and resources, with the reasons in plain Chinese.

A candidate earns points for each reason; the reasons are what the user reads:

- 同类服务                 same category                          +40
- 共同关键词：助老、理发     shared stored keywords                  +12 each, at most 3
- 距离约1.2公里            unit vs. the demand's community         up to +20 (0 beyond 10 km)
- 剩余容量30人次           remaining capacity vs. people to serve  up to +10
- 已完成项目3个·平均评分4.7 the unit's record on accepted projects  up to +12

Candidates are prefiltered in SQL (active, capacity left, in the same street, within the
user's view scope; only units of the project's street may claim it) and read as plain
tuples; keywords are compared as precomputed sets, so one demand against ten thousand
resources stays a few queries. A candidate of another category needs a shared word.
"""

import math
from dataclasses import dataclass, field

from django.db.models import Avg, F
from django.db.models.functions import Substr

from gongjian.core.access import restrict
from gongjian.orgs.models import Unit, community_path, street_path

from .models import (
    OPEN_DEMAND_STATES,
    STEPLEN,
    Demand,
    Resource,
    UnitRecord,
)

CANDIDATE_LIMIT = 2000
NEAR_KM = 10.0


@dataclass
class Match:
    obj: object
    score: float
    reasons: list[str] = field(default_factory=list)
    distance_km: float | None = None


def haversine_km(lng1, lat1, lng2, lat2) -> float:
    lng1, lat1, lng2, lat2 = map(math.radians, (float(lng1), float(lat1), float(lng2),
                                                 float(lat2)))
    a = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2)
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, a)))


def community_points(paths, width) -> dict[str, tuple[float, float]]:
    """Where each community is: the mean position of the units located in it (communities
    have no coordinates of their own). One grouped query for all the communities."""
    paths = sorted(set(paths))
    points = {}
    full = [p for p in paths if len(p) == width]
    if full:
        rows = (Unit.objects.filter(lng__isnull=False)
                .annotate(community=Substr("org__path", 1, width))
                .filter(community__in=full).values("community")
                .annotate(lng=Avg("lng"), lat=Avg("lat")).values_list("community", "lng", "lat"))
        points.update({c: (float(lng), float(lat)) for c, lng, lat in rows})
    for path in (p for p in paths if len(p) != width):  # a street's own demands
        row = (Unit.objects.filter(org__path__startswith=path, lng__isnull=False)
               .aggregate(lng=Avg("lng"), lat=Avg("lat")))
        if row["lng"] is not None:
            points[path] = (float(row["lng"]), float(row["lat"]))
    return points


def _score(*, same_category, shared, distance, remaining, needed, record):
    score, reasons = 0.0, []
    if same_category:
        score += 40
        reasons.append("同类服务")
    if shared:
        score += 12 * min(3, len(shared))
        reasons.append("共同关键词：" + "、".join(shared[:5]))
    if distance is not None:
        score += 20 * max(0.0, 1 - distance / NEAR_KM)
        reasons.append(f"距离约{distance:.1f}公里")
    if remaining is not None:
        score += 10 * min(1.0, remaining / max(1, needed))
        reasons.append(f"剩余容量{remaining}人次")
    done, average = record
    if done:
        score += min(6, 2 * done) + (max(0.0, average - 3) * 3 if average else 0)
        reasons.append(f"已完成项目{done}个" + (f"·平均评分{average:.1f}" if average else ""))
    return score, reasons


def _records(unit_ids):
    rows = UnitRecord.objects.filter(unit_id__in=set(unit_ids)).values_list(
        "unit_id", "projects_done", "rating_sum", "rating_count")
    return {uid: (done, (total / count) if count else None)
            for uid, done, total, count in rows}


def resources_for(user, demand, limit=20) -> list[Match]:
    """Resources the user can see, best first, for one demand."""
    street = street_path(demand.org)
    words = demand.keywords.split()
    rows = list(
        restrict(user, "view", Resource)
        # capacity left is filtered here, before the cut, so full resources take no places
        .filter(active=True, capacity__gt=F("committed"))
        .filter(unit__org__path__startswith=street)
        .values_list("pk", "category", "keywords", "capacity", "committed", "unit_id",
                     "unit__lng", "unit__lat")[:CANDIDATE_LIMIT])
    home = community_path(demand.org.path, street)
    here = community_points([home], len(street) + STEPLEN).get(home)
    records = _records(r[5] for r in rows)
    scored = []
    for pk, category, keywords, capacity, committed, unit_id, lng, lat in rows:
        theirs = set(keywords.split())
        shared = [w for w in words if w in theirs]
        distance = (haversine_km(here[0], here[1], lng, lat)
                    if here is not None and lng is not None else None)
        score, reasons = _score(same_category=category == demand.category, shared=shared,
                                distance=distance, remaining=capacity - committed,
                                needed=demand.beneficiaries,
                                record=records.get(unit_id, (0, None)))
        if category != demand.category and not shared:
            continue  # nearby alone is not a match
        scored.append((score, pk, reasons, distance))
    scored.sort(key=lambda s: (-s[0], s[1]))
    top = scored[:limit]
    objects = Resource.objects.select_related("unit").in_bulk([s[1] for s in top])
    return [Match(objects[pk], round(score, 1), reasons, distance)
            for score, pk, reasons, distance in top]


def demands_for(user, resource, limit=20) -> list[Match]:
    """Open demands the user can see, best first, for one resource."""
    street = street_path(resource.unit.org)
    words = set(resource.keywords.split())
    rows = list(
        restrict(user, "view", Demand)
        .filter(state__in=OPEN_DEMAND_STATES)
        .filter(org__path__startswith=street)
        .values_list("pk", "category", "keywords", "beneficiaries", "org__path")
        [:CANDIDATE_LIMIT])
    width = len(street) + STEPLEN
    points = community_points((community_path(r[4], street) for r in rows), width) \
        if resource.unit.lng is not None else {}
    record = _records([resource.unit_id]).get(resource.unit_id, (0, None))
    remaining = resource.remaining
    scored = []
    for pk, category, keywords, beneficiaries, path in rows:
        shared = [w for w in keywords.split() if w in words]
        if category != resource.category and not shared:
            continue
        here = points.get(community_path(path, street))
        distance = (haversine_km(here[0], here[1], resource.unit.lng, resource.unit.lat)
                    if here is not None else None)
        score, reasons = _score(same_category=category == resource.category, shared=shared,
                                distance=distance, remaining=remaining, needed=beneficiaries,
                                record=record)
        scored.append((score, pk, reasons, distance))
    scored.sort(key=lambda s: (-s[0], s[1]))
    top = scored[:limit]
    objects = Demand.objects.select_related("org").in_bulk([s[1] for s in top])
    return [Match(objects[pk], round(score, 1), reasons, distance)
            for score, pk, reasons, distance in top]
