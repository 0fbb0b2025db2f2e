"""Shared machinery for services: domain errors, validation, and the post-write scope check.

`require_scope`, `save_checked` and `delete_checked` are the funnel every service writes
through, below the services' own convention: they take the acting user first, as `restrict`
does, because they are the access check itself rather than a step on an object.
"""

import datetime
from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction

from .access import restrict

M = TypeVar("M", bound=models.Model)


class DomainError(Exception):
    """A refused business step. `message` is shown to the user as is (Chinese)."""

    def __init__(self, message: str, field: str | None = None, status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status

    @classmethod
    def from_validation(cls, error: ValidationError) -> "DomainError":
        if hasattr(error, "error_dict"):
            field, errors = next(iter(error.error_dict.items()))
            messages = [m for e in errors for m in e.messages]
            return cls(" ".join(messages), field=None if field == "__all__" else field,
                       status=400)
        return cls(" ".join(error.messages), status=400)


class OutOfScope(DomainError):
    """The object is not (or would no longer be) within the user's reach: answered as 404."""

    def __init__(self, message: str = "对象不存在或不在您的管理范围内。") -> None:
        super().__init__(message, status=404)


def validate(instance: models.Model, exclude: Iterable[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise DomainError.from_validation(error) from error


def require_scope(user: Any, action: str, instance: models.Model) -> None:
    """Raise OutOfScope unless `instance` is among the rows `user` may `action`."""
    model = type(instance)
    if not restrict(user, action, model._default_manager.filter(pk=instance.pk)).exists():
        raise OutOfScope()


def save_checked(user: Any, instance: M, action: str, *,
                 exclude: Iterable[str] | None = None) -> M:
    """Validate, save, and re-check inside the transaction that the user still reaches it."""
    validate(instance, exclude=exclude)
    with transaction.atomic():
        instance.save()
        require_scope(user, action, instance)
    return instance


def held_by_message(error: models.ProtectedError | models.RestrictedError,
                    instance: models.Model | None = None) -> str:
    """What still refers to an object that cannot be deleted, in Chinese: "该单位仍被 1 条
    联盟成员记录引用，不能删除。……"."""
    held = getattr(error, "protected_objects", None) or getattr(error, "restricted_objects",
                                                                 None) or ()
    counts: dict[str, int] = {}
    for obj in held:
        label = f"“{obj._meta.app_config.verbose_name}”中的 {{n}} 条{obj._meta.verbose_name}记录"
        counts[label] = counts.get(label, 0) + 1
    names = "、".join(label.format(n=n) for label, n in counts.items()) or "其他记录"
    what = f"该{instance._meta.verbose_name}" if instance is not None else "该对象"
    return f"{what}仍被{names}引用，不能删除。请先解除这些关联，或改为停用。"


def delete_checked(user: Any, instance: models.Model, action: str = "delete") -> None:
    with transaction.atomic():
        require_scope(user, action, instance)
        try:
            instance.delete()
        except (models.ProtectedError, models.RestrictedError) as error:
            raise DomainError(held_by_message(error, instance)) from error



def posted_text(value: str | None, label: str, field: str, max_length: int | None = None,
                required: bool = True) -> str:
    """A posted text field, stripped; 400 naming the field when required and empty or too
    long."""
    value = (value or "").strip()
    if required and not value:
        raise DomainError(f"请填写{label}。", field=field, status=400)
    if max_length and len(value) > max_length:
        raise DomainError(f"{label}不能超过 {max_length} 个字。", field=field, status=400)
    return value


def posted_date(value: datetime.date | str | None, label: str, field: str) -> datetime.date:
    """A posted date (a date or YYYY-MM-DD); 400 naming the field when empty or malformed."""
    if value in (None, ""):
        raise DomainError(f"请填写{label}。", field=field, status=400)
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise DomainError(f"{label}格式不正确，应为 年-月-日。", field=field,
                              status=400) from None
    assert isinstance(value, datetime.date)
    return value
