from gongjian.core import capabilities


class WishesConfig(capabilities.Capability):
    name = "gongjian.wishes"
    label = "wishes"
    verbose_name = "微心愿"
    demo_order = 40
    board_sections = (("gongjian.wishes.queries", "boards/_wishes.html"),)
    board_order = 20

    def ready(self):
        from gongjian.core.access import extend_role_permissions, perms
        from gongjian.core.navigation import register

        from . import reminders  # noqa: F401  (registers the daily sweep)
        from .models import Wish

        staff_rounds = perms("wishes", "round", "view", "add", "change")
        extend_role_permissions({
            # The street reviews and follows every wish; only the community's own staff (and
            # the claimer and the poster) see who the recipient is.
            "street_staff": perms("wishes", "wish", "view", "add", "review", "withdraw",
                                  "confirm") | staff_rounds,
            "community_staff": perms("wishes", "wish", "view", "add", "review", "withdraw",
                                     "confirm", "reveal") | staff_rounds,
            "member": perms("wishes", "wish", "view", "add", "claim", "fulfil", "withdraw",
                            "confirm") | perms("wishes", "round", "view"),
            "resident": perms("wishes", "wish", "view", "add", "withdraw", "confirm")
            | perms("wishes", "round", "view"),
            "unit_liaison": perms("wishes", "wish", "view", "claim", "fulfil")
            | perms("wishes", "round", "view"),
        })
        register("微心愿", "wish_home", Wish, icon="bi-gift", order=60, group="服务")

        from django.db.models import Q

        from gongjian.orgs.services import register_dissolve_blocker, register_merge_label

        from .models import State

        # A community with wishes still under way cannot be dissolved; merged, they move along.
        register_dissolve_blocker("wishes", "个进行中的微心愿", Q(state__in=[
            State.SUBMITTED, State.PUBLISHED, State.CLAIMED, State.FULFILLED]))
        register_merge_label("wishes.wish.org", "个微心愿")
        register_merge_label("wishes.round.org", "个心愿征集活动")
