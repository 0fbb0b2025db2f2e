from gongjian.core import capabilities


class VenuesConfig(capabilities.Capability):
    name = "gongjian.venues"
    label = "venues"
    verbose_name = "阵地与场地预约"
    demo_order = 90

    def ready(self):
        from django.db.models import Q

        from gongjian.core import navigation
        from gongjian.core.access import extend_role_permissions, perms
        from gongjian.orgs.services import register_dissolve_blocker, register_merge_label

        from . import reminders  # noqa: F401  (registers the daily sweep)
        from .models import Booking, CommunityArea, Venue

        # The owner's side: record positions, rooms and photos; answer bookings. The booker's
        # side: book a room of the alliance (Venue "book"), cancel its own bookings.
        keeper = (perms("venues", "venue", "view", "add", "change", "book")
                  | perms("venues", "room", "view", "add", "change", "book")
                  | perms("venues", "venuephoto", "view", "add", "delete")
                  | perms("venues", "booking", "view", "add", "confirm", "decline", "cancel",
                          "done", "no_show")
                  | perms("venues", "bookingseries", "view")
                  | perms("venues", "bookingevent", "view"))
        extend_role_permissions({
            "street_staff": keeper | perms("venues", "communityarea", "view", "add", "change"),
            "community_staff": keeper | perms("venues", "communityarea", "view"),
            "unit_liaison": keeper,
            # Members and residents read their street's positions (where to go, what is on).
            "member": perms("venues", "venue", "view") | perms("venues", "room", "view")
            | perms("venues", "venuephoto", "view"),
            "resident": perms("venues", "venue", "view") | perms("venues", "room", "view")
            | perms("venues", "venuephoto", "view"),
        })
        navigation.register("阵地", "venue_list", Venue, icon="bi-geo-alt", order=70,
                            group="服务")
        navigation.register("场地预约", "booking_list", Booking, icon="bi-calendar-check",
                            order=71, group="服务")
        navigation.register("阵地面积达标", "venue_standards", CommunityArea,
                            icon="bi-rulers", order=72, group="服务")
        register_dissolve_blocker("venue_bookings", "条未完成的场地预约",
                                  Q(state__in=["requested", "confirmed"]))
        register_merge_label("venues.venue.org", "个阵地")
        register_merge_label("venues.booking.org", "条场地预约")
        register_merge_label("venues.communityarea.org", "")
