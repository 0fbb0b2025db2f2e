"""Token, session, anonymous access; the current account; schema and docs pages."""

import re

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token

from gongjian.core.auth import LOGIN_REFUSED
from gongjian.core.models import AuditEntry

TOKEN = "/api/v1/auth/token/"


def obtain(client, username, password):
    return client.post(TOKEN, {"username": username, "password": password}, format="json")


def test_token_obtain_and_reuse(users, anon, password):
    response = obtain(anon, "street", password)
    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(user=users.street).key == key
    assert obtain(anon, "street", password).json()["token"] == key  # get_or_create
    entries = AuditEntry.objects.filter(event="token", actor=users.street)
    assert entries.count() == 2
    assert entries.first().ip == "127.0.0.1"


@pytest.mark.parametrize("username", ["street", "nobody"])
def test_token_refused_for_bad_credentials(users, anon, username):
    response = obtain(anon, username, "Wrong@2026pw")
    assert response.status_code == 400
    assert response.json() == {"detail": str(LOGIN_REFUSED)}
    assert not Token.objects.exists()


def test_token_requires_both_fields_in_chinese(anon, db):
    response = anon.post(TOKEN, {"username": "street"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"password": ["该字段是必填项。"]}


def test_lockout_after_five_failures_even_with_right_password(users, anon, password):
    assert settings.LOGIN_MAX_FAILURES == 5
    for _ in range(4):
        assert obtain(anon, "comm_a", "Wrong@2026pw").json()["detail"] == str(LOGIN_REFUSED)
    locked = obtain(anon, "comm_a", "Wrong@2026pw")
    assert locked.status_code == 400
    assert "锁定" in locked.json()["detail"] and "15 分钟" in locked.json()["detail"]
    again = obtain(anon, "comm_a", password)
    assert again.status_code == 400
    assert again.json() == locked.json()
    assert not Token.objects.filter(user=users.community_a).exists()
    # Other accounts are not affected.
    assert obtain(anon, "comm_b", password).status_code == 200


def test_no_token_for_an_expired_password(users, anon, password):
    from django.utils import timezone

    users.street.password_changed_at = timezone.now() - timezone.timedelta(
        days=settings.PASSWORD_MAX_AGE_DAYS)
    users.street.save()
    response = obtain(anon, "street", password)
    assert response.status_code == 400
    assert response.json() == {"detail": "密码已过期，请先登录网页修改密码后再获取令牌。"}
    assert not Token.objects.exists()
    assert AuditEntry.objects.get(event="token", actor=users.street).success is False


def test_token_use_and_bad_token(users, api_as, anon):
    response = api_as(users.community_a).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json() == {
        "username": "comm_a", "display_name": "comm_a",
        "roles": [{"role": "community_staff", "role_label": "社区党务工作者",
                   "org_code": "JS-A", "org_name": "金安社区党委",
                   "unit_code": None, "unit_name": None}],
    }
    anon.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = anon.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json() == {"detail": "令牌无效或账户已停用。"}


def test_me_of_a_unit_liaison(users, api_as):
    roles = api_as(users.liaison_a).get("/api/v1/me/").json()["roles"]
    assert roles == [{"role": "unit_liaison", "role_label": "共建单位联络员", "org_code": None,
                      "org_name": None, "unit_code": "U-A", "unit_name": "鼎峰集团"}]


def test_deactivated_account_token_stops_working(users, api_as):
    client = api_as(users.street)
    users.street.is_active = False
    users.street.save()
    assert client.get("/api/v1/orgs/").status_code == 401


@pytest.mark.parametrize("path", ["/api/v1/me/", "/api/v1/orgs/", "/api/v1/orgs/JS/",
                                  "/api/v1/grids/", "/api/v1/buildings/", "/api/v1/units/U-A/"])
def test_anonymous_gets_401(tree, anon, path):
    response = anon.get(path)
    assert response.status_code == 401
    assert response.json() == {"detail": "请先登录或提供令牌（Authorization: Token <token>）。"}
    assert response["WWW-Authenticate"] == "Token"


def test_anonymous_cannot_write(tree, anon, snapshot):
    before = snapshot()
    response = anon.post("/api/v1/orgs/", {"code": "X1", "name": "某支部", "kind": "branch",
                                           "parent": "JS-A"}, format="json")
    assert response.status_code == 401
    assert snapshot() == before


def test_session_authentication_works(users, anon, password):
    assert anon.login(username="street", password=password)
    assert anon.get("/api/v1/orgs/JS-A/").status_code == 200


def test_schema_needs_an_account(users, anon, api_as):
    assert anon.get("/api/v1/schema/").status_code == 401
    response = api_as(users.resident).get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/orgs/{code}/merge/" in schema["paths"]


def test_docs_page_is_a_public_shell_without_inline_script(db, anon):
    response = anon.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="' in attrs and not body.strip() for attrs, body in scripts)
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    init = anon.get("/api/v1/docs/", {"script": ""})
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in init.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
