"""The OpenAPI schema is a tested contract; lists cost a fixed number of queries."""

import importlib.util
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

# Token + user, the user's grants, the count, the page; grids add their prefetched posts.
LIST_QUERIES = {
    "/api/v1/orgs/": 4,
    "/api/v1/grids/": 5,
    "/api/v1/buildings/": 4,
    "/api/v1/units/": 4,
}


def capability_paths() -> set[str]:
    """Each capability lists its API paths as API_PATHS in tests/api/paths_<capability>.py."""
    paths = set()
    for file in sorted(Path(__file__).parent.glob("paths_*.py")):
        spec = importlib.util.spec_from_file_location(file.stem, file)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        paths |= set(module.API_PATHS)
    return paths


def test_schema_generates_and_validates_without_warnings(validated_schema):
    schema = validated_schema
    assert set(schema["paths"]) == {
        "/api/v1/auth/token/", "/api/v1/me/",
        "/api/v1/orgs/", "/api/v1/orgs/{code}/", "/api/v1/orgs/{code}/move/",
        "/api/v1/orgs/{code}/merge/",
        "/api/v1/grids/", "/api/v1/grids/{code}/", "/api/v1/grids/{code}/posts/",
        "/api/v1/grids/{code}/posts/{post_id}/",
        "/api/v1/buildings/", "/api/v1/buildings/{id}/",
        "/api/v1/units/", "/api/v1/units/{code}/",
        "/api/v1/members/", "/api/v1/members/{id}/", "/api/v1/members/{id}/reveal/",
        "/api/v1/stats/members/", "/api/v1/stats/teams/",
    } | capability_paths()
    token = schema["paths"]["/api/v1/auth/token/"]["post"]
    # Anonymous access only here: no security requirement, none inherited.
    assert token.get("security", []) in ([], [{}]) and "security" not in schema
    orgs = schema["paths"]["/api/v1/orgs/"]["get"]
    assert {p["name"] for p in orgs["parameters"]} >= {"within", "parent", "kind", "sector",
                                                       "active", "q", "page", "page_size"}
    assert {"401", "403"} <= set(orgs["responses"])


def _grow(tree, extra):
    """Add `extra` organisations, grids (each with posts and buildings) and units."""
    from gongjian.core import audit
    from gongjian.orgs import services
    from gongjian.orgs.models import Building, Grid, GridPost, GridRole, Unit

    roles = list(GridRole.objects.all()[:2])
    with audit.acting_as(suppress=True):
        for i in range(extra):
            org = services.create_organization(user=None, parent=tree.b, code=f"JS-BX{i}",
                                               name=f"第{i}支部", kind="branch",
                                               sector="residential")
            grid = Grid.objects.create(code=f"G-X{i}", name=f"第{i}网格", org=org)
            for role in roles:
                GridPost.objects.create(grid=grid, role=role, holder_name=f"人员{i}")
            Building.objects.create(grid=grid, name=f"{i}号楼", households=i)
            Unit.objects.create(code=f"U-X{i}", name=f"单位{i}", unit_type="bank", org=org,
                                party_org=org)


def _count(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries), response.json()["count"]


@pytest.mark.parametrize("path", sorted(LIST_QUERIES))
def test_lists_do_not_query_per_row(tree, users, api_as, path, django_assert_max_num_queries):
    client = api_as(users.street)
    small, small_rows = _count(client, path)
    _grow(tree, 12)
    large, large_rows = _count(client, path)
    assert large_rows >= small_rows + 12
    assert large == small
    with django_assert_max_num_queries(LIST_QUERIES[path]):
        client.get(path, {"page_size": 500})


def test_detail_costs_a_fixed_number_of_queries(tree, users, api_as,
                                                django_assert_max_num_queries):
    client = api_as(users.street)
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/orgs/JS-A/").status_code == 200
