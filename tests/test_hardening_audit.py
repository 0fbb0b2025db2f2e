"""The audit actor is set per request and always reset: an exception inside one request
cannot leave its actor behind for whatever runs next on the same thread."""

import gc
import sys

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from gongjian.core import audit
from gongjian.core.models import AuditEntry


def _failing_me(monkeypatch):
    from gongjian.core import api_views

    def boom(self, request):
        raise RuntimeError("boom")

    monkeypatch.setattr(api_views.MeView, "get", boom)


@pytest.mark.parametrize("auth", ["token", "session"])
def test_an_exception_in_an_api_request_does_not_leak_its_actor(users, monkeypatch, auth):
    _failing_me(monkeypatch)
    client = APIClient(raise_request_exception=False)
    if auth == "token":
        token, _ = Token.objects.get_or_create(user=users.street)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    else:
        client.force_login(users.street)
    ignored = []  # "Exception ignored in …": a context reset from a dangling generator
    monkeypatch.setattr(sys, "unraisablehook", ignored.append)
    assert client.get("/api/v1/me/").status_code == 500
    del client
    gc.collect()
    assert not ignored, [str(u.exc_value) for u in ignored]
    assert audit.current() == {}
    # Whatever is logged next outside a request carries no actor.
    entry = audit.record("export", detail="之后的操作")
    assert entry.actor is None and entry.actor_name == ""


def test_the_next_request_logs_its_own_actor(users, tree, monkeypatch):
    _failing_me(monkeypatch)
    failing = APIClient(raise_request_exception=False)
    token, _ = Token.objects.get_or_create(user=users.street)
    failing.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert failing.get("/api/v1/me/").status_code == 500

    seen = []
    original = audit.record

    def spy(*args, **kwargs):
        gc.collect()  # a dangling context from the failed request would be reset here
        seen.append(dict(audit.current()))
        return original(*args, **kwargs)

    monkeypatch.setattr(audit, "record", spy)
    other = APIClient()
    other_token, _ = Token.objects.get_or_create(user=users.community_a)
    other.credentials(HTTP_AUTHORIZATION=f"Token {other_token.key}")
    response = other.post(f"/api/v1/units/{tree.unit_a.code}/", {}, format="json")
    assert response.status_code in (403, 404, 405)
    response = other.patch(f"/api/v1/units/{tree.unit_a.code}/", {"note": "改"}, format="json")
    assert response.status_code == 200, response.content
    entry = AuditEntry.objects.filter(event="update", object_type="orgs.unit").latest("pk")
    assert entry.actor == users.community_a
    assert all(ctx.get("user") in (None, users.community_a) for ctx in seen)


def test_acting_as_always_resets(db):
    with pytest.raises(RuntimeError), audit.acting_as(user="x"):
        raise RuntimeError
    assert audit.current() == {}
