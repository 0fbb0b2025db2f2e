"""Password rules and login lockout (RULES.md §6: ≥ 8 characters of 3 classes, change every
90 days, lock for 15 minutes after 5 failures)."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import (
    password_validators_help_texts,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone

from gongjian.core import audit
from gongjian.core.models import AuditEntry, User

PASSWORD = "Test@2026pw"  # the conftest accounts' password
WRONG = "Wrong@2026pw"



@pytest.fixture
def account(db):
    return User.objects.create_user("zhangsan", password=PASSWORD, display_name="张三")


def codes_of(password, user=None):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    return [e.code for e in refused.value.error_list], refused.value.messages


# ---- password complexity --------------------------------------------------------------------

def test_policy_numbers():
    assert (django_settings.PASSWORD_MIN_LENGTH, django_settings.PASSWORD_MIN_CLASSES,
            django_settings.PASSWORD_MAX_AGE_DAYS) == (8, 3, 90)
    assert (django_settings.LOGIN_MAX_FAILURES, django_settings.LOGIN_LOCK_MINUTES) == (5, 15)


@pytest.mark.parametrize("password", ["Ab1!", "Qz7#kLm", ""])
def test_too_short(password):
    codes, messages = codes_of(password)
    assert "password_too_short" in codes
    assert "密码至少需要 8 个字符。" in messages


@pytest.mark.parametrize("password", ["qzxkvlmwtr", "qzxkvlmw47", "QZXKVLMW47", "qzx-kvl!mw",
                                      "48213579061"])
def test_too_few_classes(password):
    codes, messages = codes_of(password)
    assert codes == ["password_too_simple"]
    assert messages == ["密码须包含小写字母、大写字母、数字、符号中的至少 3 类。"]


@pytest.mark.parametrize("password", ["Qz7#kLm9", "qzx7kvl!mw", "QZX KVL 47", "Gongjian@2026",
                                      "长城Qz7#kLm9"])
def test_good_password(password):
    assert validate_password(password) is None


def test_common_password_still_refused():
    codes, _ = codes_of("Password1!")  # 4 classes, but on the common list
    assert codes == ["password_too_common"]


def test_help_text_names_the_rule():
    assert ("至少 8 个字符，包含小写字母、大写字母、数字、符号中的至少 3 类。"
            in password_validators_help_texts())


# ---- lockout --------------------------------------------------------------------------------

def _failures(user):
    return list(AuditEntry.objects.filter(event="login_failed", object_type="core.user",
                                          object_id=str(user.pk))
                .order_by("id").values_list("success", "detail"))


def test_right_password_logs_in(account):
    assert authenticate(None, username="zhangsan", password=PASSWORD) == account
    assert not AuditEntry.objects.filter(event="login_failed").exists()


def test_five_failures_lock_the_account(account):
    for attempt in range(1, 5):
        assert authenticate(None, username="zhangsan", password=WRONG) is None
        account.refresh_from_db()
        assert (account.failed_logins, account.locked_until) == (attempt, None)

    started = timezone.now()
    assert authenticate(None, username="zhangsan", password=WRONG) is None
    account.refresh_from_db()
    assert account.is_locked
    assert (started + datetime.timedelta(minutes=15) - datetime.timedelta(seconds=5)
            <= account.locked_until
            <= timezone.now() + datetime.timedelta(minutes=15))

    # locked: even the right password fails, and says why
    assert authenticate(None, username="zhangsan", password=PASSWORD) is None
    account.refresh_from_db()
    assert account.is_locked

    entries = _failures(account)
    assert entries == [(False, "密码错误")] * 4 + [
        (False, "密码错误，连续失败 5 次，锁定 15 分钟"),
        (False, "账户已锁定"),
    ]
    entry = AuditEntry.objects.filter(event="login_failed").latest("id")
    assert (entry.actor, entry.actor_name, entry.object_repr) == (account, "zhangsan", "张三")


def test_lock_expires(account):
    for _ in range(5):
        authenticate(None, username="zhangsan", password=WRONG)
    account.refresh_from_db()
    assert account.is_locked
    User.objects.filter(pk=account.pk).update(
        locked_until=timezone.now() - datetime.timedelta(seconds=1), failed_logins=3)
    account.refresh_from_db()
    assert not account.is_locked

    assert authenticate(None, username="zhangsan", password=PASSWORD) == account
    account.refresh_from_db()
    assert (account.failed_logins, account.locked_until) == (0, None)

    # a fresh count: one more failure does not lock again
    assert authenticate(None, username="zhangsan", password=WRONG) is None
    account.refresh_from_db()
    assert (account.failed_logins, account.locked_until) == (1, None)


def test_success_resets_counter(account):
    for _ in range(4):
        authenticate(None, username="zhangsan", password=WRONG)
    assert authenticate(None, username="zhangsan", password=PASSWORD) == account
    account.refresh_from_db()
    assert account.failed_logins == 0
    for _ in range(4):
        authenticate(None, username="zhangsan", password=WRONG)
    account.refresh_from_db()
    assert (account.failed_logins, account.is_locked) == (4, False)


def test_failure_with_request_records_ip_and_refusal(account):
    request = RequestFactory().post("/login/", REMOTE_ADDR="10.0.0.8")
    for _ in range(5):
        assert authenticate(request, username="zhangsan", password=WRONG) is None
    assert request.login_refusal == "locked"
    ips = set(AuditEntry.objects.filter(event="login_failed").values_list("ip", flat=True))
    assert ips == {"10.0.0.8"}


def test_unknown_username_is_audited(db):
    assert authenticate(None, username="nobody", password=WRONG) is None
    entry = AuditEntry.objects.get(event="login_failed")
    assert (entry.success, entry.actor, entry.object_type, entry.object_repr, entry.detail) == (
        False, None, "core.user", "nobody", "账户不存在")


def test_inactive_account_refused(account):
    User.objects.filter(pk=account.pk).update(is_active=False)
    assert authenticate(None, username="zhangsan", password=PASSWORD) is None
    assert _failures(account) == [(False, "账户已停用")]


def test_password_hash_not_in_failure_entries(account):
    authenticate(None, username="zhangsan", password=WRONG)
    account.refresh_from_db()
    for entry in AuditEntry.objects.all():
        text = repr((entry.before, entry.after, entry.detail, entry.object_repr))
        assert account.password not in text
        assert WRONG not in text


def test_suppressed_context_does_not_hide_failures_from_lockout(account):
    with audit.acting_as(suppress=True):
        for _ in range(5):
            authenticate(None, username="zhangsan", password=WRONG)
    account.refresh_from_db()
    assert account.is_locked


# ---- password age ---------------------------------------------------------------------------

def test_password_expires_after_90_days(account):
    assert account.password_changed_at is not None
    assert not account.password_expired
    now = timezone.now()
    account.password_changed_at = now - datetime.timedelta(days=89, hours=23)
    assert not account.password_expired
    account.password_changed_at = now - datetime.timedelta(days=90)
    assert account.password_expired
    account.password_changed_at = None
    assert account.password_expired


def test_set_password_renews(account):
    User.objects.filter(pk=account.pk).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=120))
    account.refresh_from_db()
    assert account.password_expired
    account.set_password("Renewed@2026")
    account.save()
    account.refresh_from_db()
    assert not account.password_expired
    assert authenticate(None, username="zhangsan", password="Renewed@2026") == account
