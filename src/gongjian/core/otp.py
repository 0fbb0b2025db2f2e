"""A second factor (TOTP, RFC 6238) for the accounts that hold the most: platform
administrators and street staff (等保 三级 asks two factors, one of them cryptographic).

Codes are checked by django-otp (with its throttling: after a wrong code the next try must wait
1, 2, 4, 8 … seconds, `OTP_TOTP_THROTTLE_FACTOR`); the session remembers the verified device
(django-otp's OTPMiddleware). Which roles must use it is `GONGJIAN_OTP_REQUIRED_ROLES`;
whether it is enforced at all is `GONGJIAN_OTP_ENFORCE` (or the environment variable of the
same name; on unless set to 0 — the test suite and a local demo turn it off). Only those
accounts enrol: checking the others for a device would cost every request a query.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction

from . import audit
from .services import DomainError, require_scope

if TYPE_CHECKING:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .models import User

# Superusers always; these roles by default (the three platform roles and street staff).
DEFAULT_REQUIRED_ROLES = ("sys_admin", "sec_admin", "audit_admin", "street_staff")
DEVICE_NAME = "身份验证器"
ISSUER = "共建"


def enforced() -> bool:
    value = getattr(settings, "GONGJIAN_OTP_ENFORCE", None)
    if value is None:
        value = os.environ.get("GONGJIAN_OTP_ENFORCE", "1").strip().lower() not in {
            "0", "false", "no", "off"}
    return bool(value)


def required_roles() -> frozenset[str]:
    return frozenset(getattr(settings, "GONGJIAN_OTP_REQUIRED_ROLES", DEFAULT_REQUIRED_ROLES))


def confirmed_device(user: User) -> TOTPDevice | None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def is_required(user: User) -> bool:
    """Whether this account must pass a second factor before anything else."""
    from .access import grants_of

    if not enforced() or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    roles = required_roles()
    return any(grant.role in roles for grant in grants_of(user))


def is_verified(user: User) -> bool:
    # OTPMiddleware gives every request's user is_verified() (a device in the session).
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def pending(user: User) -> bool:
    """Signed in with a password, still owing the code."""
    return is_required(user) and not is_verified(user)


def _wait_text(device: TOTPDevice) -> str | None:
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    from django.utils import timezone

    seconds = 1
    if data and data.get("locked_until"):
        seconds = max(1, int((data["locked_until"] - timezone.now()).total_seconds()) + 1)
    return (f"验证码连续错误 {data.get('failure_count', '') if data else ''} 次，"
            f"请 {seconds} 秒后再试。")


# ---- services -------------------------------------------------------------------------------

def enrolment_device(*, user: User) -> TOTPDevice:
    """The unconfirmed device whose secret the enrol page shows (made once, kept until
    confirmed, so reloading the page does not change the QR code)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if confirmed_device(user) is not None:
        raise DomainError("已启用身份验证器。如需更换（手机丢失等），请联系系统管理员重置。")
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def _check(device: TOTPDevice, code: str) -> None:
    code = (code or "").strip().replace(" ", "")
    wait = _wait_text(device)
    if wait:
        raise DomainError(wait, field="code", status=400)
    if len(code) == device.digits and code.isdigit():
        passed = device.verify_token(code)  # counts a failure itself
    else:
        device.throttle_increment(commit=True)  # a malformed code counts as a wrong one
        passed = False
    if not passed:
        raise DomainError("验证码不正确。请打开身份验证器，输入当前显示的 6 位数字"
                          "（注意手机时间须准确）。", field="code", status=400)


def _pass(request, device: TOTPDevice) -> None:
    from django_otp import login as otp_login

    request.session.cycle_key()  # a new session id once the second factor is passed
    otp_login(request, device)


def confirm_enrolment(request, *, user: User, code: str) -> TOTPDevice:
    """The first code from the new authenticator confirms it and verifies this session."""
    device = enrolment_device(user=user)
    try:
        _check(device, code)
    except DomainError:
        audit.record("otp_failed", user, success=False, user=user, detail="启用身份验证器：验证码错误")
        raise
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit.record("otp_enrol", user, user=user, detail="启用身份验证器")
    _pass(request, device)
    return device


def verify(request, *, user: User, code: str) -> TOTPDevice:
    device = confirmed_device(user)
    if device is None:
        raise DomainError("尚未启用身份验证器，请先启用。", status=400)
    try:
        _check(device, code)
    except DomainError as error:
        audit.record("otp_failed", user, success=False, user=user, detail=error.message[:200])
        raise
    audit.record("otp_verify", user, user=user)
    _pass(request, device)
    return device


def reset_device(account: User, *, user: User) -> int:
    """An administrator removes an account's authenticator (a lost phone): the holder enrols
    again at their next login. Returns how many devices were removed."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    require_scope(user, "change", account)
    if account.pk == user.pk:
        raise DomainError("不能重置自己的身份验证器，请由另一位系统管理员操作。")
    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user=account).delete()
        audit.record("otp_reset", account, user=user,
                     detail=f"重置身份验证器（移除 {removed} 个）" if removed else "重置身份验证器（未启用）")
    return removed


def token_refusal(user: User, code: str | None) -> str | None:
    """For issuing an API token with a password: the refusal when this account owes a second
    factor and `code` does not pass it (None when it may have its token)."""
    if not is_required(user):
        return None
    device = confirmed_device(user)
    if device is None:
        return "该账户须先在网页上启用身份验证器（双因素认证），才能申请接口令牌。"
    try:
        _check(device, code or "")
    except DomainError as error:
        return error.message
    return None
