"""Login refusals say nothing about whether an account exists or is locked, and one client
address cannot try password after password over many accounts."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from gongjian.core.auth import LOGIN_REFUSED
from gongjian.core.models import AuditEntry

PASSWORD = "Test@2026pw"  # tests/conftest.py
WRONG = "Wrong@2026pw"
TOKEN = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def page_login(username, password, ip="10.1.1.1"):
    response = Client(REMOTE_ADDR=ip).post(reverse("login"),
                                           {"username": username, "password": password})
    return response


def page_refusal(response):
    assert response.status_code == 200  # the form again, with its message
    return response.context["form"].non_field_errors()[0]


def token(username, password, ip="10.1.1.1"):
    return APIClient(REMOTE_ADDR=ip).post(TOKEN, {"username": username, "password": password},
                                          format="json")


def test_a_locked_account_and_an_unknown_one_get_the_same_answer(users, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        page_login("comm_a", WRONG, ip="10.9.0.1")
    users.community_a.refresh_from_db()
    assert users.community_a.is_locked
    locked = page_refusal(page_login("comm_a", PASSWORD, ip="10.9.0.2"))
    unknown = page_refusal(page_login("nobody", PASSWORD, ip="10.9.0.3"))
    wrong = page_refusal(page_login("comm_b", WRONG, ip="10.9.0.4"))
    assert locked == unknown == wrong == LOGIN_REFUSED
    assert "锁定" in LOGIN_REFUSED and f"{settings.LOGIN_LOCK_MINUTES} 分钟" in LOGIN_REFUSED
    api_locked = token("comm_a", PASSWORD, ip="10.9.0.5")
    api_unknown = token("nobody", PASSWORD, ip="10.9.0.6")
    assert api_locked.status_code == api_unknown.status_code == 400
    assert api_locked.json() == api_unknown.json() == {"detail": LOGIN_REFUSED}
    # The log still tells the administrators which it was.
    details = set(AuditEntry.objects.filter(event="login_failed").values_list("detail",
                                                                              flat=True))
    assert "账户已锁定" in details and "账户不存在" in details


def test_one_address_cannot_try_many_accounts(users, settings):
    settings.LOGIN_IP_MAX_FAILURES = 6
    names = ["street", "comm_a", "comm_b", "grid_a", "member_a", "nobody1", "nobody2"]
    for name in names[:6]:
        assert page_refusal(page_login(name, WRONG, ip="10.2.2.2")) == LOGIN_REFUSED
    # Past the limit even the right password is refused from that address, with the same
    # words, and no account was locked by it (each failed once).
    assert page_refusal(page_login("secadmin", PASSWORD, ip="10.2.2.2")) == LOGIN_REFUSED
    assert token("secadmin", PASSWORD, ip="10.2.2.2").json() == {"detail": LOGIN_REFUSED}
    users.street.refresh_from_db()
    assert not users.street.is_locked
    entry = AuditEntry.objects.filter(event="login_failed").latest("pk")
    assert "来源地址" in entry.detail and entry.ip == "10.2.2.2"
    # Another address is not affected.
    response = page_login("secadmin", PASSWORD, ip="10.3.3.3")
    assert response.status_code == 302


def test_the_address_limit_expires(users, settings, monkeypatch):
    from gongjian.core import auth

    settings.LOGIN_IP_MAX_FAILURES = 2
    for _ in range(2):
        page_login("nobody", WRONG, ip="10.4.4.4")
    assert page_refusal(page_login("street", PASSWORD, ip="10.4.4.4")) == LOGIN_REFUSED
    cache.delete(auth.address_key("10.4.4.4"))  # what the window's end does
    assert page_login("street", PASSWORD, ip="10.4.4.4").status_code == 302


def test_a_successful_login_does_not_count_against_the_address(users, settings):
    settings.LOGIN_IP_MAX_FAILURES = 2
    for _ in range(5):
        assert page_login("street", PASSWORD, ip="10.5.5.5").status_code == 302
    assert page_login("comm_a", PASSWORD, ip="10.5.5.5").status_code == 302
