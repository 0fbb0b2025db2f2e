"""Access-matrix entries of the roster pages and API (membership_a lives in JS-A1)."""

from access_common import BRANCHES, STAFF, E

# Whose rights reach membership_a: the street, community A, A1's grid staff and branch
# committee (read only).
READERS_A1 = {"street", "community_a", "grid_a", "branch_a"}
EDITORS_A = {"street", "community_a"}

ENTRIES = [
    # A member's own account may open the roster (it holds only their own record).
    E("member_list", STAFF | BRANCHES | {"member", "member_b"}),
    E("member_create", {"street", "street_b", "community_a", "community_b"}),
    E("member_detail", READERS_A1, args=lambda t, u: [t.membership_a.pk]),
    E("member_edit", EDITORS_A, args=lambda t, u: [t.membership_a.pk]),
    E("member_reveal", EDITORS_A, method="POST", args=lambda t, u: [t.membership_a.pk],
      data={"field": "id_number"}),
    E("api-member-list", STAFF | BRANCHES | {"member", "member_b"}),
    E("api-member-detail", READERS_A1, args=lambda t, u: [t.membership_a.pk]),
    E("api-member-reveal", EDITORS_A, method="POST", args=lambda t, u: [t.membership_a.pk],
      data={"field": "phone"}),
]
