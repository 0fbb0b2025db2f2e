from gongjian.core import capabilities


class OrglifeConfig(capabilities.Capability):
    name = "gongjian.orglife"
    label = "orglife"
    verbose_name = "组织生活"
    demo_order = 40
    mine_sections = (("gongjian.orglife.queries", "orglife/_mine.html"),)
    mine_order = 10

    def ready(self):
        from gongjian.core import navigation
        from gongjian.core.access import extend_role_permissions, perms
        from gongjian.orgs.services import register_merge_label

        from . import reminders  # noqa: F401  (registers the daily sweeps)
        from .models import Meeting

        history = perms("orglife", "meetingevent", "view")
        # The branch's committee keeps its organisational life; the community and the street
        # see it, help a branch record it and follow compliance for their subtree.
        keeper = (perms("orglife", "meeting", "view", "add", "change", "compliance")
                  | perms("orglife", "attendance", "view", "reason")
                  | perms("orglife", "makeup", "view", "change")
                  | perms("orglife", "vote", "view")
                  | perms("orglife", "appraisal", "view")
                  | history)
        extend_role_permissions({
            "street_staff": keeper, "community_staff": keeper, "branch_committee": keeper,
            # A member reads the branch's meetings and their own attendance, make-ups and grade.
            "member": perms("orglife", "meeting", "view") | perms("orglife", "attendance", "view")
            | perms("orglife", "makeup", "view") | perms("orglife", "appraisal", "view"),
        })
        navigation.register("组织生活", "branch_meeting_list", Meeting, icon="bi-calendar3",
                            order=20, group="组织生活")
        navigation.register("合规情况", "orglife_compliance", Meeting, action="compliance",
                            icon="bi-traffic-light", order=21, group="组织生活")
        # A merge moves the meetings, their make-ups and the held-months rollup with one
        # UPDATE each; the rollup's rows (OR-ed by readers) go untold in the history line.
        register_merge_label("orglife.meeting.org", "次组织生活")
        register_merge_label("orglife.makeup.org", "条补学记录")
        register_merge_label("orglife.heldmonths.org", "")
