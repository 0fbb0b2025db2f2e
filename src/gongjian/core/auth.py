"""Login with lockout: after N failures in a row an account is locked for M minutes."""

import datetime

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import F
from django.utils import timezone

from . import audit


class LockoutBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        from .models import User

        if username is None or password is None:
            return None
        ip = audit.client_ip(request) if request is not None else None
        user = User.objects.filter(username=username).first()
        if user is None:
            User().set_password(password)  # same cost as a real check: no user enumeration
            audit.record("login_failed", success=False, user=None, ip=ip,
                         object_type="core.user", object_repr=username[:150],
                         detail="账户不存在")
            return None
        if user.is_locked:
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
