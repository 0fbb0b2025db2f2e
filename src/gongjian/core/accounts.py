"""Services for accounts and grants (系统管理员 manages accounts, 安全管理员 grants roles).

The acting administrator is `user`, keyword-only, as in every service; the account acted on
is `account`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from . import audit
from .models import RoleGrant, User
from .services import DomainError, require_scope, save_checked

if TYPE_CHECKING:
    from gongjian.orgs.models import Organization, Unit


def _check_password(password: str, account: User) -> None:
    try:
        validate_password(password, account)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), field="password", status=400) from error


def create_account(*, user: User, username: str, display_name: str, password: str) -> User:
    if User.objects.filter(username=username).exists():
        raise DomainError(f"账户名“{username}”已被使用。", field="username", status=400)
    account = User(username=username, display_name=display_name)
    _check_password(password, account)
    account.set_password(password)
    return save_checked(user, account, "add", exclude=["password"])


def update_account(account: User, *, user: User, display_name: str, is_active: bool) -> User:
    require_scope(user, "change", account)
    if account.pk == user.pk and not is_active:
        raise DomainError("不能停用自己的账户。", field="is_active", status=400)
    account.display_name, account.is_active = display_name, is_active
    return save_checked(user, account, "change", exclude=["password"])


def reset_password(account: User, *, user: User, password: str) -> User:
    require_scope(user, "change", account)
    _check_password(password, account)
    account.set_password(password)
    # An administrator's reset is temporary: the holder must choose their own at next login.
    account.password_changed_at = None
    return save_checked(user, account, "change", exclude=["password"])


def unlock_account(account: User, *, user: User) -> User:
    require_scope(user, "change", account)
    account.failed_logins, account.locked_until = 0, None
    return save_checked(user, account, "change", exclude=["password"])


def change_own_password(*, user: User, old_password: str, new_password: str) -> User:
    if not user.check_password(old_password):
        raise DomainError("原密码不正确。", field="old_password", status=400)
    if old_password == new_password:
        raise DomainError("新密码不能与原密码相同。", field="new_password1", status=400)
    try:
        validate_password(new_password, user)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), field="new_password1", status=400) from error
    with transaction.atomic():
        user.set_password(new_password)
        user.save()
        audit.record("password_change", user, user=user)
    return user


def grant_role(*, user: User, account: User, role: str, org: Organization | None = None,
               unit: Unit | None = None) -> RoleGrant:
    grant = RoleGrant(user=account, role=role, org=org, unit=unit, granted_by=user)
    if RoleGrant.objects.filter(user=account, role=role, org=org, unit=unit).exists():
        raise DomainError("该账户已有相同的授权。", status=400)
    if user.pk == account.pk:
        raise DomainError("不能给自己授权。", field="user", status=400)
    return save_checked(user, grant, "add")


def grant_role_by_codes(*, user: User, username: str, role: str, org_code: str = "",
                        unit_code: str = "") -> RoleGrant:
    """Grant `role` to the account named `username`, at the organisation or unit named by its
    code. The security administrator grants across the platform, so the codes are looked up
    everywhere; an unknown one is refused naming it."""
    from gongjian.orgs.models import Organization, Unit

    account = User.objects.filter(username=username).first()
    if account is None:
        raise DomainError(f"账户“{username}”不存在。", field="username", status=400)
    org: Organization | None = None
    unit: Unit | None = None
    if org_code:
        org = Organization.objects.filter(code=org_code).first()
        if org is None:
            raise DomainError(f"组织编码“{org_code}”不存在。", field="org_code", status=400)
    if unit_code:
        unit = Unit.objects.filter(code=unit_code).first()
        if unit is None:
            raise DomainError(f"单位编码“{unit_code}”不存在。", field="unit_code", status=400)
    return grant_role(user=user, account=account, role=role, org=org, unit=unit)


def revoke_grant(grant: RoleGrant, *, user: User) -> None:
    require_scope(user, "delete", grant)
    with transaction.atomic():
        grant.delete()
