"""Access-matrix entries of organisational-life compliance: the subtree's page, its export
and API, and one branch's calendar.

Street staff, community staff and the branch's committee follow compliance in their subtree:
community A's page (org=JS-A) answers the street and community A's staff; branch JS-A1's
calendar answers those two and JS-A1's committee. The twins (another street, community B,
branch JS-B1) get 404: the organisation lies outside their reach.
"""

from access_common import E

SUBTREE_A = {"street", "community_a"}
BRANCH_A1 = {"street", "community_a", "branch_a"}
QUERY = "org=JS-A&year=2025&quarter=1"

ENTRIES = [
    E("orglife_compliance", SUBTREE_A, query=QUERY),
    E("orglife_compliance_xlsx", SUBTREE_A, query=QUERY),
    E("orglife_calendar", BRANCH_A1, args=["JS-A1", 2025]),
    E("api-orglife-compliance", SUBTREE_A, query=QUERY),
]
