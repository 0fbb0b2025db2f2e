from gongjian.core import capabilities


class CommunityReportsConfig(capabilities.Capability):
    name = "gongjian.community_reports"
    label = "community_reports"
    verbose_name = "双报到"
    mine_sections = (("gongjian.community_reports.queries", "community_reports/_mine.html"),)
    mine_order = 25
    demo_order = 80  # after the volunteer demo (70): the members' hours are its records

    def ready(self):
        from gongjian.core import navigation
        from gongjian.core.access import extend_role_permissions, perms
        from gongjian.orgs.services import register_merge_label

        from . import reminders  # noqa: F401  (registers the quarterly sweep)
        from .models import Report

        read = (perms("community_reports", "report", "view")
                | perms("community_reports", "reportevent", "view")
                | perms("community_reports", "reportevaluation", "view"))
        # The community receives, evaluates and ends the reports made to it; the street
        # follows (and may act for) its communities.
        community = (read | perms("community_reports", "report", "receive", "evaluate", "end")
                     | perms("community_reports", "reportevaluation", "add", "change"))
        extend_role_permissions({
            "street_staff": community, "community_staff": community,
            # The member's own side reads its members' reports (and gets the receipt).
            "unit_liaison": read, "branch_committee": read,
            "member": read | perms("community_reports", "report", "add", "withdraw"),
        })
        navigation.register("在职党员报到", "community_report_list", Report,
                            icon="bi-house-heart", order=69, group="服务")
        register_merge_label("community_reports.report.community", "条在职党员报到")
        register_merge_label("community_reports.report.branch", "")
