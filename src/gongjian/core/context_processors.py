from .access import ROLE_LABELS, grants_of
from .navigation import menu_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    grants = grants_of(user)
    return {
        "nav_menu": menu_for(user),
        "nav_grants": grants,
        "nav_roles": sorted({ROLE_LABELS[g.role] for g in grants}),
    }
