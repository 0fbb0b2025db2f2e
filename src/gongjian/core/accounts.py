"""Services for accounts and grants (系统管理员 manages accounts, 安全管理员 grants roles)."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from . import audit
from .models import RoleGrant, User
from .services import DomainError, require_scope, save_checked


def _check_password(password, user):
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), field="password", status=400) from error


def create_account(actor, *, username, display_name, password):
    if User.objects.filter(username=username).exists():
        raise DomainError(f"账户名“{username}”已被使用。", field="username", status=400)
    user = User(username=username, display_name=display_name)
    _check_password(password, user)
    user.set_password(password)
    return save_checked(actor, user, "add", exclude=["password"])


def update_account(actor, user, *, display_name, is_active):
    require_scope(actor, "change", user)
    if user.pk == actor.pk and not is_active:
        raise DomainError("不能停用自己的账户。", field="is_active", status=400)
    user.display_name, user.is_active = display_name, is_active
    return save_checked(actor, user, "change", exclude=["password"])


def reset_password(actor, user, password):
    require_scope(actor, "change", user)
    _check_password(password, user)
    user.set_password(password)
    # An administrator's reset is temporary: the holder must choose their own at next login.
    user.password_changed_at = None
    return save_checked(actor, user, "change", exclude=["password"])


def unlock_account(actor, user):
    require_scope(actor, "change", user)
    user.failed_logins, user.locked_until = 0, None
    return save_checked(actor, user, "change", exclude=["password"])


def change_own_password(user, old_password, new_password):
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


def grant_role(actor, *, user, role, org=None, unit=None):
    grant = RoleGrant(user=user, role=role, org=org, unit=unit, granted_by=actor)
    if RoleGrant.objects.filter(user=user, role=role, org=org, unit=unit).exists():
        raise DomainError("该账户已有相同的授权。", status=400)
    if actor.pk == user.pk:
        raise DomainError("不能给自己授权。", field="user", status=400)
    return save_checked(actor, grant, "add")


def grant_role_by_codes(actor, *, username, role, org_code="", unit_code=""):
    """Grant `role` to the account named `username`, at the organisation or unit named by its
    code. The security administrator grants across the platform, so the codes are looked up
    everywhere; an unknown one is refused naming it."""
    from gongjian.orgs.models import Organization, Unit

    user = User.objects.filter(username=username).first()
    if user is None:
        raise DomainError(f"账户“{username}”不存在。", field="username", status=400)
    org = unit = None
    if org_code:
        org = Organization.objects.filter(code=org_code).first()
        if org is None:
            raise DomainError(f"组织编码“{org_code}”不存在。", field="org_code", status=400)
    if unit_code:
        unit = Unit.objects.filter(code=unit_code).first()
        if unit is None:
            raise DomainError(f"单位编码“{unit_code}”不存在。", field="unit_code", status=400)
    return grant_role(actor, user=user, role=role, org=org, unit=unit)


def revoke_grant(actor, grant):
    require_scope(actor, "delete", grant)
    with transaction.atomic():
        grant.delete()
