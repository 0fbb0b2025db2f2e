"""Text length limits on every save.

A TextField's max_length is only a form hint to Django: no database enforces it and
`full_clean()` does not check it, while services set fields from pages and the API alike.
This checks it before any save of the app's models, so every way in refuses an over-long
text with the same Chinese message naming the field and its limit (400)."""

from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver

from .services import DomainError


def _limited_text_fields(model) -> list[models.TextField]:
    cached = model.__dict__.get("_limited_text_fields")
    if cached is None:
        cached = [f for f in model._meta.concrete_fields
                  if isinstance(f, models.TextField) and f.max_length]
        model._limited_text_fields = cached
    return cached


def check_lengths(instance, update_fields=None) -> None:
    for field in _limited_text_fields(type(instance)):
        if update_fields is not None and field.name not in update_fields:
            continue
        value = getattr(instance, field.attname)
        if isinstance(value, str) and len(value) > field.max_length:
            raise DomainError(f"{field.verbose_name}不能超过 {field.max_length} 个字"
                              f"（现为 {len(value)} 个），请精简后再提交。",
                              field=field.name, status=400)


@receiver(pre_save)
def _refuse_over_long_text(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not sender.__module__.startswith("gongjian."):
        return
    check_lengths(instance, update_fields)
