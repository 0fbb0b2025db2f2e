"""Login with lockout: after N failures in a row an account is locked for M minutes; after
K failures from one client address (over any accounts) that address may not log in for a
while. Every refusal reads the same (`LOGIN_REFUSED`): a wrong password, an unknown account,
a locked one and a throttled address are told apart only in the audit log."""

import datetime

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone
from django.utils.functional import lazy

from . import audit


def _refused() -> str:
    return (f"用户名或密码错误，或因连续登录失败暂时不能登录。请核对后再试：连续失败 "
            f"{settings.LOGIN_MAX_FAILURES} 次将锁定 {settings.LOGIN_LOCK_MINUTES} 分钟；"
            "忘记密码或急需登录请联系系统管理员。")


LOGIN_REFUSED = lazy(_refused, str)()


def address_key(ip: str) -> str:
    return f"login-failures:{ip}"


def _address_blocked(ip: str | None) -> bool:
    return bool(ip) and cache.get(address_key(ip), 0) >= settings.LOGIN_IP_MAX_FAILURES


def _count_address_failure(ip: str | None) -> None:
    if not ip:
        return
    key = address_key(ip)
    # The window starts at the first failure; add() leaves a running count alone.
    cache.add(key, 0, timeout=settings.LOGIN_IP_WINDOW_MINUTES * 60)
    try:
        cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=settings.LOGIN_IP_WINDOW_MINUTES * 60)


def _same_cost(password: str) -> None:
    """Hash once, as a real check would: refusals take the same time whatever the reason."""
    from .models import User

    User().set_password(password)


class LockoutBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        from .models import User

        if username is None or password is None:
            return None
        ip = audit.client_ip(request) if request is not None else None
        if _address_blocked(ip):
            _same_cost(password)
            audit.record("login_failed", success=False, user=None, ip=ip,
                         object_type="core.user", object_repr=username[:150],
                         detail=f"来源地址 {settings.LOGIN_IP_WINDOW_MINUTES} 分钟内登录失败"
                                f"超过 {settings.LOGIN_IP_MAX_FAILURES} 次，暂停登录")
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            _same_cost(password)  # no user enumeration by timing
            _count_address_failure(ip)
            audit.record("login_failed", success=False, user=None, ip=ip,
                         object_type="core.user", object_repr=username[:150],
                         detail="账户不存在")
            return None
        if user.is_locked:
            _same_cost(password)
            _count_address_failure(ip)
            audit.record("login_failed", user, success=False, user=user, ip=ip,
                         detail="账户已锁定")
            if request is not None:
                request.login_refusal = "locked"
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            if user.failed_logins or user.locked_until:
                User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
                user.failed_logins, user.locked_until = 0, None
            return user
        _count_address_failure(ip)
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        user.refresh_from_db(fields=["failed_logins"])
        detail = "密码错误" if user.is_active else "账户已停用"
        if user.failed_logins >= settings.LOGIN_MAX_FAILURES:
            until = timezone.now() + datetime.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
            User.objects.filter(pk=user.pk).update(locked_until=until, failed_logins=0)
            detail += f"，连续失败 {settings.LOGIN_MAX_FAILURES} 次，锁定 {settings.LOGIN_LOCK_MINUTES} 分钟"
            if request is not None:
                request.login_refusal = "locked"
        audit.record("login_failed", user, success=False, user=user, ip=ip, detail=detail)
        return None
