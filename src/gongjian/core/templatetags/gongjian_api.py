from django import template

from gongjian.core.api_views import uses_api as _uses_api

register = template.Library()


@register.filter
def uses_api(user):
    """Whether the menu offers the API documentation to `user`."""
    return _uses_api(user)
