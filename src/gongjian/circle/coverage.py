"""Coverage and where a new station helps most, on plain arrays (no database here).

Coverage: a building is covered when some service point lies within the radius of it (by the
measure's distance). Suggestion: greedy maximum coverage — among the candidate sites, the one
whose circle brings the most uncovered households inside, then, with those counted as covered,
the next, and so on. Greedy is within (1 − 1/e) of the best choice of n sites and, unlike the
exact optimum, says what each site adds in the order a street would build them. Ties go to
the candidate listed first, so the answer is the same on every run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .network import Measure, Targets

NEAREST_SPAN = 3


def covered_mask(measure: Measure, points_lng, points_lat, targets: Targets,
                 radius: float) -> tuple[np.ndarray, np.ndarray]:
    """(covered by some point, nearest point's distance) for every target. The search goes
    on to `NEAREST_SPAN` × the radius, so a building left out says how far off it is (inf
    beyond that)."""
    if len(points_lng) == 0 or len(targets) == 0:
        return np.zeros(len(targets), dtype=bool), np.full(len(targets), np.inf)
    distance, _ = measure.from_points(points_lng, points_lat, targets, radius * NEAREST_SPAN)
    nearest = distance.min(axis=0)
    return nearest <= radius, nearest


@dataclass
class Pick:
    candidate: int            # index into the candidate arrays
    households: int           # households it brings inside (not covered before it)
    targets: list[int] = field(default_factory=list)  # indices of the targets it adds


def greedy(measure: Measure, cand_lng, cand_lat, targets: Targets, households,
           covered, radius: float, n: int) -> list[Pick]:
    """Up to `n` picks; stops early when no candidate adds a household."""
    households = np.asarray(households, dtype=np.int64)
    open_ = ~np.asarray(covered, dtype=bool) & (households > 0)
    if n <= 0 or len(cand_lng) == 0 or not open_.any():
        return []
    # Only the uncovered targets matter: measure to them alone.
    columns = np.flatnonzero(open_)
    sub = Targets(targets.lng[columns], targets.lat[columns],
                  None if targets.node is None else targets.node[columns],
                  None if targets.snap is None else targets.snap[columns])
    distance, _ = measure.from_points(cand_lng, cand_lat, sub, radius)
    reach = distance <= radius                         # candidates × uncovered targets
    weight = households[columns].copy()
    picks: list[Pick] = []
    for _ in range(n):
        gains = reach.astype(np.int64) @ weight
        best = int(np.argmax(gains))
        if gains[best] <= 0:
            break
        added = np.flatnonzero(reach[best] & (weight > 0))
        picks.append(Pick(best, int(gains[best]), [int(columns[i]) for i in added]))
        weight[added] = 0
    return picks
