"""Shared vocabulary of the access-matrix entries (see test_access_matrix.py)."""

# Each role inside community A (or its unit or branch) and the platform administrators: the
# accounts of the `users` fixture, and branch_a of `twins`.
INSIDE = ["street", "community_a", "grid_a", "branch_a", "liaison_a", "member", "resident",
          "sysadmin", "secadmin", "auditadmin"]
# Each role's out-of-scope twin: the same role granted elsewhere (community_b of `users`, the
# others from `twins` in conftest.py). A twin is refused what its counterpart does to community
# A's objects unless the URL is open to it too (its own account, a list of its own rows, a
# public board, the rows its street shares), and its pages never name community A's objects
# unless the entry says it may see them (`sees_a`).
TWIN_OF = {
    "street_b": "street",            # street staff of the second street (HZ)
    "community_b": "community_a",    # community staff of JS-B, the same street
    "grid_b": "grid_a",              # grid staff of JS-B1 (grid G-B)
    "branch_b": "branch_a",          # the branch committee of JS-B1 (branch_a's is JS-A1)
    "liaison_b": "liaison_a",        # liaison of U-B, a unit located in JS-B of the same street
    "member_b": "member",            # a member of JS-B1
    "resident_b": "resident",        # a resident of JS-B
}
ACTORS = INSIDE + list(TWIN_OF)
EVERYONE = set(ACTORS)
ORG_READERS_A = {"street", "community_a"}          # JS-A and its subtree (not JS-A1's reach)
ORG_READERS_A1 = {"street", "community_a", "grid_a"}  # JS-A1 and below
# Staff lists answer every staff account, each with its own rows.
STAFF = {"street", "street_b", "community_a", "community_b", "grid_a", "grid_b"}
# Branch committees read their branch's organisations and members (lists of their own rows).
BRANCHES = {"branch_a", "branch_b"}


def E(name, allowed, *, args=(), method="GET", data=None, query="", ok=None, sees_a=(),
      expect=None, setup=None):
    """One URL: `allowed` accounts get a status in `ok` (200), the others 403/404.
    `sees_a`: twins whose answer may name community A's objects (they reach them).
    `expect`: accounts with another fixed answer (reached, then refused by a business rule).
    `setup(t, u)`: rows a list must show or hide, made before the requests."""
    return {"name": name, "allowed": set(allowed), "args": args, "method": method,
            "data": data or {}, "query": query, "ok": ok, "sees_a": set(sees_a),
            "expect": expect or {}, "setup": setup}
