from gongjian.core import capabilities


class VolunteerConfig(capabilities.Capability):
    name = "gongjian.volunteer"
    label = "volunteer"
    verbose_name = "志愿服务"
    mine_sections = (("gongjian.volunteer.queries", "volunteer/_mine.html"),)
    mine_order = 20
    demo_order = 70

    def ready(self):
        from django.db.models import Q

        from gongjian.core import navigation
        from gongjian.core.access import extend_role_permissions, perms
        from gongjian.orgs.services import (
            register_dissolve_blocker,
            register_merge_keep,
            register_merge_label,
        )
        from gongjian.orgs.signals import tree_changed, tree_changing

        from . import (
            people,
            reminders,  # noqa: F401  (registers the daily sweeps)
        )
        from .models import Activity, Team

        history = perms("volunteer", "activityevent", "view")
        # Community and street staff organise: teams, activities, sign-ups, check-ins by hand,
        # the hours' review and publicity, certificates.
        organiser = (perms("volunteer", "team", "view", "add", "change")
                     | perms("volunteer", "teammember", "view", "add", "change")
                     | perms("volunteer", "volunteer", "view", "add")
                     | perms("volunteer", "activity", "view", "add", "change")
                     | perms("volunteer", "signup", "view", "change")
                     | perms("volunteer", "checkin", "view", "change")
                     | perms("volunteer", "servicerecord", "view", "change")
                     | perms("volunteer", "certificate", "view")
                     | history)
        # A member or a resident signs up, checks in, joins a team, reads their own records and
        # has their certificate issued.
        volunteer = (perms("volunteer", "activity", "view", "signup", "checkin")
                     | perms("volunteer", "team", "view", "join")
                     | perms("volunteer", "teammember", "view")
                     | perms("volunteer", "volunteer", "view")
                     | perms("volunteer", "signup", "view")
                     | perms("volunteer", "checkin", "view")
                     | perms("volunteer", "servicerecord", "view")
                     | perms("volunteer", "certificate", "view", "add"))
        extend_role_permissions({
            "street_staff": organiser, "community_staff": organiser,
            "member": volunteer, "resident": volunteer,
            # A unit's liaison keeps the unit's teams and reads their activities.
            "unit_liaison": perms("volunteer", "team", "view", "change")
            | perms("volunteer", "teammember", "view", "add", "change")
            | perms("volunteer", "activity", "view"),
        })
        navigation.register("志愿服务活动", "volunteer_activity_list", Activity,
                            icon="bi-heart", order=66, group="服务")
        navigation.register("志愿服务队", "volunteer_team_list", Team, icon="bi-people",
                            order=67, group="服务")
        navigation.register("我的志愿服务", "volunteer_mine", None, icon="bi-award", order=68,
                            group="服务", roles={"member", "resident"})
        navigation.register("志愿服务统计", "volunteer_stats", Activity, icon="bi-bar-chart-line",
                            order=69, group="服务", exclude_roles=("member", "resident"))
        register_dissolve_blocker("volunteer_activities", "个未结束的志愿服务活动",
                                  Q(state__in=["recruiting", "in_progress"]))
        register_merge_label("volunteer.activity.org", "个志愿服务活动")
        register_merge_label("volunteer.team.org", "支志愿服务队")
        register_merge_label("volunteer.volunteer.org", "名志愿者")
        register_merge_label("volunteer.servicerecord.org", "条志愿服务记录")
        register_merge_label("volunteer.certificate.issuer", "份志愿服务证明")
        # Rollups of the records: they move with them and are not told apart in the history.
        register_merge_label("volunteer.recordtally.org", "")
        register_merge_label("volunteer.servicedays.org", "")
        # The people bitmaps are kept per subtree: the services move their bits when the tree
        # moves, and a merge leaves their rows alone.
        register_merge_keep("volunteer", "peoplebits")
        tree_changing.connect(people.leave_old_ancestors, dispatch_uid="volunteer-people-leave")
        tree_changed.connect(people.join_new_ancestors, dispatch_uid="volunteer-people-join")
