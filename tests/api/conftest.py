"""API test helpers: token-authenticated clients whose every response is validated against
the generated OpenAPI schema, and a snapshot of the tables to prove a refusal wrote nothing."""

import json

import pytest
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from rest_framework.test import APIClient

API = "/api/v1"


@pytest.fixture
def password(users):
    """The password tests/conftest.py gives every account."""
    password = "Test@2026pw"
    assert users.street.check_password(password)
    return password


@pytest.fixture(scope="session")
def openapi_spec():
    """The schema the API serves, generated once per test session."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    schema = SchemaGenerator().get_schema(request=None, public=True)
    spec = json.loads(OpenApiJsonRenderer().render(schema))
    return OpenAPI.from_dict(spec)


@pytest.fixture(scope="session")
def validated_schema(tmp_path_factory):
    """The schema `manage.py spectacular --validate --fail-on-warn` writes (a warning fails
    it), as a dict; generated once per test session."""
    import yaml
    from django.core.management import call_command

    target = tmp_path_factory.mktemp("schema") / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    return yaml.safe_load(target.read_text())


def validate_response(openapi, response):
    """Raise unless `response` (from a DRF test client) matches the schema for its
    operation and status code."""
    request = response.wsgi_request
    openapi.validate_response(
        MockRequest("http://testserver", request.method, request.path,
                    args=request.GET.dict(),
                    content_type=request.META.get("CONTENT_TYPE", "application/json")),
        MockResponse(response.content, status_code=response.status_code,
                     headers=dict(response.headers),
                     content_type=response.get("Content-Type", "")),
    )


class ValidatingClient(APIClient):
    """An APIClient that checks every JSON API response against the OpenAPI schema."""

    def __init__(self, openapi, **kwargs):
        super().__init__(**kwargs)
        self.openapi = openapi
        self.validate = True

    def request(self, **kwargs):
        response = super().request(**kwargs)
        if self.validate and response.wsgi_request.path.startswith(API + "/") \
                and not response.wsgi_request.path.startswith((f"{API}/schema/", f"{API}/docs/")):
            validate_response(self.openapi, response)
        return response


@pytest.fixture
def anon(openapi_spec):
    return ValidatingClient(openapi_spec)


@pytest.fixture
def api_as(openapi_spec):
    """`api_as(user)`: a client sending that user's API token (format=json by default)."""
    from rest_framework.authtoken.models import Token

    def make(user):
        client = ValidatingClient(openapi_spec)
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def snapshot(db):
    """`snapshot()`: everything a refused write could have touched, for before/after checks."""
    from gongjian.core.models import AuditEntry
    from gongjian.orgs.models import Building, Grid, GridPost, Organization, OrgEvent, Unit

    def take():
        return {
            "orgs": list(Organization.objects.order_by("pk").values_list(
                "pk", "code", "name", "kind", "sector", "path", "numchild", "dissolved_on",
                "merged_into_id")),
            "events": OrgEvent.objects.count(),
            "audit": AuditEntry.objects.exclude(event__in=["token", "login_failed"]).count(),
            "grids": list(Grid.objects.order_by("pk").values_list("pk", "code", "name", "org_id")),
            "posts": GridPost.objects.count(),
            "buildings": list(Building.objects.order_by("pk").values_list(
                "pk", "grid_id", "name", "households")),
            "units": list(Unit.objects.order_by("pk").values_list(
                "pk", "code", "org_id", "party_org_id", "lng", "lat")),
        }

    return take


@pytest.fixture
def codes():
    """`codes(response)`: the `code` (or id) of each row of a paginated list answer."""

    def extract(response):
        assert response.status_code == 200, response.content
        return [row.get("code", row.get("id")) for row in response.json()["results"]]

    return extract
