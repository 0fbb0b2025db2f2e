"""Every URL pattern, for anonymous users and for each role inside and outside its scope.

A URL added without an entry here fails `test_every_url_is_in_the_matrix`. Each entry names
how to request it and which accounts may use it; every other account must be refused with 403
(its role lacks the right) or 404 (the object is outside its reach). Unsafe requests run inside
a rolled-back transaction so one account's success does not change the next one's world.

Every role has an out-of-scope twin (access_common.TWIN_OF): the same role at community B, at
unit U-B, or at a second street. Where a twin is let in (a list, its own account, what its
street shares), its answer must not name community A's organisations, grid, unit or member
unless the entry lists it in `sees_a`.
"""

import html
import importlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from access_common import (  # noqa: E402  (tests/ is on sys.path for its modules)
    ACTORS,
    BRANCHES,
    EVERYONE,
    ORG_READERS_A,
    ORG_READERS_A1,
    STAFF,
    TWIN_OF,
    E,
)
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.authtoken.models import Token


def _notification_for(user):
    from gongjian.core.notifications import notify

    return notify([user], "测试通知", url="/")[0]


# args are callables of the `tree` fixture (objects are created per test).
MATRIX = [
    # -- core pages
    E("home", EVERYONE),
    E("login", EVERYONE | {"anonymous"}, ok={200, 302}),
    E("logout", EVERYONE, method="POST", ok={302}),
    E("password_change", EVERYONE),
    E("account_list", {"sysadmin", "secadmin"}),
    E("account_create", {"sysadmin"}),
    E("account_detail", {"sysadmin", "secadmin"}, args=lambda t, u: [u.member.pk]),
    E("grant_list", {"secadmin"}),
    E("grant_create", {"secadmin"}),
    E("grant_revoke", {"secadmin"}, method="POST",
      args=lambda t, u: [u.member.grants.get().pk], ok={302}),
    E("audit_list", {"auditadmin"}),
    E("notification_list", EVERYONE),
    E("notification_open", {"member"}, method="POST", ok={302},
      args=lambda t, u: [_notification_for(u.member).pk]),
    E("notification_read_all", EVERYONE, method="POST", ok={302}),
    # -- organisations
    E("org_tree", STAFF | BRANCHES),
    E("org_search", STAFF | BRANCHES, query="q=jaq"),
    E("org_create", {"street", "community_a"}, query="parent=JS-A", ok={200}),
    E("org_detail", ORG_READERS_A, args=lambda t, u: [t.a.code]),
    E("org_children", ORG_READERS_A, args=lambda t, u: [t.a.code]),
    E("org_edit", ORG_READERS_A, args=lambda t, u: [t.a.code]),
    E("org_move", ORG_READERS_A, args=lambda t, u: [t.a1.code]),
    E("org_merge", {"street"}, args=lambda t, u: [t.a1.code]),
    E("org_dissolve", {"street"}, args=lambda t, u: [t.a1g.code]),
    # -- grids, buildings, units
    E("grid_list", STAFF),
    E("grid_create", {"street", "street_b", "community_a", "community_b"}),
    E("grid_detail", ORG_READERS_A1, args=lambda t, u: [t.grid_a.code]),
    E("grid_edit", ORG_READERS_A1, args=lambda t, u: [t.grid_a.code]),
    E("grid_delete", {"street", "community_a"}, method="POST",
      args=lambda t, u: [t.grid_a.code], ok={302}),
    E("gridpost_delete", ORG_READERS_A1, method="POST", args=lambda t, u: [t.post_a.pk],
      ok={302}),
    E("building_edit", ORG_READERS_A1, args=lambda t, u: [t.building.pk]),
    E("building_delete", {"street", "community_a"}, method="POST",
      args=lambda t, u: [t.building.pk], ok={302}),
    E("unit_list", STAFF | {"liaison_a", "liaison_b"}),
    E("unit_create", {"street", "street_b", "community_a", "community_b"}),
    E("unit_detail", {"street", "community_a", "liaison_a"}, args=lambda t, u: [t.unit_a.code]),
    E("unit_edit", {"street", "community_a", "liaison_a"}, args=lambda t, u: [t.unit_a.code]),
    E("unit_delete", {"street"}, method="POST", args=lambda t, u: [t.unit_b.code], ok={302}),
    E("gridrole_list", STAFF),
    # -- API
    E("api-token", EVERYONE | {"anonymous"}, method="POST",
      data={"username": "nobody", "password": "x"}, ok={400}),
    E("api-me", EVERYONE),
    E("api-schema", EVERYONE),
    E("api-docs", EVERYONE | {"anonymous"}),
    E("api-org-list", STAFF | BRANCHES, ok={200}),
    E("api-org-detail", ORG_READERS_A, args=lambda t, u: [t.a.code]),
    E("api-org-move", ORG_READERS_A, method="POST", args=lambda t, u: [t.a1.code],
      data={"parent": "JS-A"}, ok={400}),
    E("api-org-merge", {"street"}, method="POST", args=lambda t, u: [t.a1g.code],
      data={"into": "JS-A1G"}, ok={400}),
    E("api-grid-list", STAFF),
    E("api-grid-detail", ORG_READERS_A1, args=lambda t, u: [t.grid_a.code]),
    E("api-grid-add-post", ORG_READERS_A1, method="POST", args=lambda t, u: [t.grid_a.code],
      data={"role": "网格长", "holder_name": "测试员"}, ok={201}),
    E("api-grid-remove-post", ORG_READERS_A1, method="DELETE",
      args=lambda t, u: [t.grid_a.code, t.post_a.pk], ok={204}),
    E("api-building-list", STAFF),
    E("api-building-detail", ORG_READERS_A1, args=lambda t, u: [t.building.pk]),
    E("api-unit-list", STAFF | {"liaison_a", "liaison_b"}),
    E("api-unit-detail", {"street", "community_a", "liaison_a"},
      args=lambda t, u: [t.unit_a.code]),
]
# Each capability keeps its own entries in tests/access_<capability>.py as ENTRIES.
for _path in sorted(Path(__file__).parent.glob("access_*.py")):
    if _path.stem != "access_common":
        MATRIX += importlib.import_module(_path.stem).ENTRIES
BY_NAME = {entry["name"]: entry for entry in MATRIX}

# Lists answer 200 with only what is in scope; roles without the right at all get 403.
# Anonymous users are sent to the login page (pages) or get 401 (API).


def url_names():
    names = set()

    def walk(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns)
            elif isinstance(p, URLPattern) and p.name:
                names.add(p.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_url_is_in_the_matrix():
    missing = url_names() - set(BY_NAME)
    assert not missing, f"URL patterns without an access-matrix entry: {sorted(missing)}"
    stale = set(BY_NAME) - url_names()
    assert not stale, f"access-matrix entries for URLs that no longer exist: {sorted(stale)}"


def _request(client, entry, url, api):
    data = entry["data"]
    if entry["method"] == "GET":
        return client.get(url + (f"?{entry['query']}" if entry["query"] else ""))
    if entry["method"] == "DELETE":
        return client.delete(url)
    if api:
        return client.post(url, data, content_type="application/json")
    return client.post(url, data)


def test_twins_reach_no_further_than_their_counterparts():
    """A twin is let in only where its counterpart is: more would be a hole in the scope."""
    for entry in MATRIX:
        for twin, inside in TWIN_OF.items():
            if twin in entry["allowed"] or twin in entry["expect"]:
                assert inside in entry["allowed"], (entry["name"], twin, inside)
        assert entry["sees_a"] <= entry["allowed"] & set(TWIN_OF), entry["name"]


def _text(response):
    """A response's text: JSON unescaped, Office files (zipped XML) unpacked."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":  # openpyxl writes Chinese as character references
        with zipfile.ZipFile(io.BytesIO(content)) as packed:
            return html.unescape("".join(packed.read(n).decode("utf-8", "replace")
                                         for n in packed.namelist() if n.endswith(".xml")))
    if response.get("Content-Type", "").startswith("application/json"):
        return json.dumps(json.loads(content), ensure_ascii=False)
    return content.decode("utf-8", "replace")


@pytest.mark.parametrize("name", [e["name"] for e in MATRIX])
def test_access(name, tree, users, twins, client, settings):
    from gongjian.orgs.models import GridPost, GridRole

    # Seventeen sign-ins per URL: sessions in signed cookies spare a table write at each one
    # (who may do what does not depend on where the session is kept).
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"

    tree.post_a = GridPost.objects.create(grid=tree.grid_a, role=GridRole.objects.first(),
                                          holder_name="王网格")
    entry = BY_NAME[name]
    if entry["setup"]:
        entry["setup"](tree, users)
    args = entry["args"](tree, users) if callable(entry["args"]) else entry["args"]
    url = reverse(name, args=args)
    api = name.startswith("api-")
    # What only community A's side may see named.
    names_of_a = [tree.a.name, tree.a1.name, tree.grid_a.name, tree.unit_a.name,
                  tree.person_a.name]
    for actor in ["anonymous", *ACTORS]:
        client.logout()
        if actor != "anonymous":
            user = getattr(users, actor, None) or getattr(twins, actor)
            if api:
                token, _ = Token.objects.get_or_create(user=user)
                client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
            else:
                client.force_login(user)
        else:
            client.defaults.pop("HTTP_AUTHORIZATION", None)
        text = None
        with transaction.atomic():
            response = _request(client, entry, url, api)
            if actor in TWIN_OF and actor not in entry["sees_a"] \
                    and response.status_code == 200:
                text = _text(response)
            transaction.set_rollback(True)
        client.defaults.pop("HTTP_AUTHORIZATION", None)
        allowed = actor in entry["allowed"]
        if actor in entry["expect"]:
            assert response.status_code in entry["expect"][actor], (
                name, actor, response.status_code)
        elif allowed:
            ok = entry["ok"] or {200}
            assert response.status_code in ok, (name, actor, response.status_code)
        elif actor == "anonymous":
            if api:
                assert response.status_code == 401, (name, actor, response.status_code)
            else:
                assert response.status_code == 302, (name, actor, response.status_code)
                assert response["Location"].startswith(reverse("login")), response["Location"]
        else:
            assert response.status_code in {403, 404}, (name, actor, response.status_code)
        if text is not None:
            named = [n for n in names_of_a if n in text]
            assert not named, (name, actor, "names community A's", named)
