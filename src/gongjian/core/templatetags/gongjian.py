import json

from django import template

register = template.Library()


@register.filter
def as_json(value):
    """Show a stored JSON value as JSON (Chinese kept readable)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
