"""Shared vocabulary of the access-matrix entries (see test_access_matrix.py)."""

ACTORS = ["street", "community_a", "community_b", "grid_a", "liaison_a", "member", "resident",
          "sysadmin", "secadmin", "auditadmin"]
EVERYONE = set(ACTORS)
ORG_READERS_A = {"street", "community_a"}          # JS-A and its subtree (not JS-A1's reach)
ORG_READERS_A1 = {"street", "community_a", "grid_a"}  # JS-A1 and below
STAFF = {"street", "community_a", "community_b", "grid_a"}


def E(name, allowed, *, args=(), method="GET", data=None, query="", ok=None):
    return {"name": name, "allowed": set(allowed), "args": args, "method": method,
            "data": data or {}, "query": query, "ok": ok}
