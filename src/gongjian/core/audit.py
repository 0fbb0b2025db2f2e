"""The change log: who changed what, when, from where, with the values before and after.

Instance saves and deletes of every model that sets `audited = True` are logged by signals;
services that write in bulk (tree moves, merges) call `record()` themselves. The actor and the
client address come from the request through a context variable.
"""

import contextvars
import datetime
import decimal
from contextlib import contextmanager

from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

_context: contextvars.ContextVar[dict | None] = contextvars.ContextVar("audit_ctx", default=None)

EVENT_LABELS = {
    "create": "新增",
    "update": "修改",
    "delete": "删除",
    "move": "移动",
    "merge": "合并",
    "dissolve": "撤销",
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出",
    "token": "获取令牌",
    "locked": "账户锁定",
    "password_change": "修改密码",
    "reveal": "查看个人信息",
    "export": "导出",
    "import": "导入",
    "key_rotate": "密钥轮换",
    "otp_enrol": "启用身份验证器",
    "otp_verify": "双因素验证",
    "otp_failed": "双因素验证失败",
    "otp_reset": "重置身份验证器",
}


@contextmanager
def acting_as(user=None, ip=None, suppress=False):
    token = _context.set({"user": user, "ip": ip, "suppress": suppress})
    try:
        yield
    finally:
        _context.reset(token)


def set_actor(user) -> None:
    """Name the actor of the context opened by the innermost `acting_as` (a request's, once
    it is authenticated). Outside any context it does nothing: there is no token to leak."""
    ctx = _context.get()
    if ctx is not None:
        ctx["user"] = user


def current():
    return _context.get() or {}


def client_ip(request):
    return request.META.get("REMOTE_ADDR") or None


def _jsonable(value):
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, FieldFile):  # an uploaded file is logged by its stored name
        return value.name or None
    return value


def snapshot(instance):
    hidden = set(getattr(instance, "audit_hidden_fields", ()))
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in hidden:
            continue
        data[field.attname] = _jsonable(getattr(instance, field.attname))
    return data


def record(event, obj=None, *, before=None, after=None, detail="", success=True,
           user=None, ip=None, object_type="", object_repr=""):
    from .models import AuditEntry

    ctx = current()
    if ctx.get("suppress"):
        return None
    actor = user if user is not None else ctx.get("user")
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    entry = AuditEntry(
        actor=actor,
        actor_name=getattr(actor, "username", "") if actor else "",
        ip=ip or ctx.get("ip"),
        event=event,
        success=success,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:200],
        before=before,
        after=after,
        detail=detail[:500],
    )
    entry.save(force_insert=True)
    return entry


def _is_audited(sender):
    return getattr(sender, "audited", False)


@receiver(pre_save)
def _remember_before(sender, instance, raw=False, **kwargs):
    if raw or not _is_audited(sender) or current().get("suppress"):
        return
    instance._audit_before = None
    if instance.pk is not None:
        old = sender._base_manager.filter(pk=instance.pk).first()
        instance._audit_before = snapshot(old) if old is not None else None


@receiver(post_save)
def _log_save(sender, instance, created, raw=False, **kwargs):
    if raw or not _is_audited(sender) or current().get("suppress"):
        return
    before = None if created else getattr(instance, "_audit_before", None)
    after = snapshot(instance)
    if before is not None and before == after:
        return
    if before is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        before = {k: before.get(k) for k in changed}
        after = {k: after[k] for k in changed}
    record("create" if created else "update", instance, before=before, after=after)


@receiver(post_delete)
def _log_delete(sender, instance, **kwargs):
    if not _is_audited(sender) or current().get("suppress"):
        return
    record("delete", instance, before=snapshot(instance))
