from .access import grants_of
from .navigation import menu_for


def navigation(request):
    from .models import SiteSetting

    context = {"demo_mode": SiteSetting.get("demo") is not None}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from .notifications import unread_count

        context.update(nav_menu=menu_for(user), nav_grants=grants_of(user),
                       nav_unread=unread_count(user=user))
    return context
