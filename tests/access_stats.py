"""Access-matrix entries of teams, full-time staff and statistics (see test_access_matrix.py)."""

import datetime

from access_common import BRANCHES, E

# Indexes and figures of the reader's own subtree (a second street's staff see theirs).
TEAM_READERS = {"street", "street_b", "community_a", "community_b"}
FIGURE_READERS = TEAM_READERS | {"grid_a", "grid_b"} | BRANCHES  # organisations, the roster


def _assignment(tree, users):
    """A full-time worker of community A (created once per test)."""
    from gongjian.members.models import Person, StaffAssignment

    person = Person.objects.create(name="社工甲", sex="女", birth_date=datetime.date(1990, 1, 1),
                                   org=tree.a)
    return StaffAssignment.objects.create(person=person, org=tree.a, role="党建社工",
                                          started_on=datetime.date(2020, 1, 1))


ENTRIES = [
    E("team_index", TEAM_READERS | BRANCHES),  # a branch committee lists its own team
    E("team_detail", {"street", "community_a"}, args=lambda t, u: [t.a.code]),
    E("team_elect", {"street", "community_a"}, args=lambda t, u: [t.a.code]),
    E("staff_index", TEAM_READERS, setup=_assignment),
    E("staffing_shortfall", TEAM_READERS, setup=_assignment),
    E("staffing_standard", TEAM_READERS),
    E("staff_org", {"street", "community_a"}, args=lambda t, u: [t.a.code]),
    E("staff_end", {"street", "community_a"}, method="POST",
      args=lambda t, u: [_assignment(t, u).pk], data={"ended_on": "2024-06-30"}, ok={302}),
    E("stats", FIGURE_READERS, query="as_of=2025-06-30"),
    E("stats_export", FIGURE_READERS, query="as_of=2025-12-31"),
    E("api-stats-teams", TEAM_READERS, query="as_of=2025-06-30"),
    E("api-stats-members", FIGURE_READERS, query="as_of=2025-06-30"),
]
