from gongjian.core import capabilities


class ProjectsConfig(capabilities.Capability):
    name = "gongjian.projects"
    label = "projects"
    verbose_name = "三单与项目"
    demo_order = 30
    board_sections = (("gongjian.projects.queries", "boards/_projects.html"),)
    board_order = 10

    def ready(self):
        from django.db.models import Q

        from gongjian.core.access import extend_role_permissions, perms
        from gongjian.core.navigation import register
        from gongjian.orgs.services import register_dissolve_blocker, register_merge_label

        from . import reminders  # noqa: F401  (registers the daily sweep)
        from .models import ACTIVE_STATES, OPEN_DEMAND_STATES, Demand, Project, Resource

        # The parts of a project are seen by whoever sees the project.
        parts = (perms("projects", "projectevent", "view")
                 | perms("projects", "projectclaim", "view")
                 | perms("projects", "projectphoto", "view"))
        project_staff = parts | perms("projects", "project", "view", "add", "change", "claim", "dock",
                              "start", "progress", "accept", "close", "withdraw", "supervise")
        extend_role_permissions({
            "street_staff": perms("projects", "demand", "view", "add", "change", "withdraw")
            | perms("projects", "resource", "view", "add", "change")
            | project_staff | perms("projects", "project", "approve"),
            "community_staff": perms("projects", "demand", "view", "add", "change", "withdraw")
            | perms("projects", "resource", "view", "add", "change")
            | project_staff,
            "grid_staff": perms("projects", "demand", "view", "add", "withdraw")
            | perms("projects", "resource", "view")
            | perms("projects", "project", "view") | parts,
            "unit_liaison": perms("projects", "demand", "view")
            | perms("projects", "resource", "view", "add", "change")
            | perms("projects", "project", "view", "claim", "start", "progress") | parts,
            # A resident follows (reads) the projects their own demands became.
            "resident": perms("projects", "demand", "view", "add", "withdraw")
            | perms("projects", "project", "view") | perms("projects", "projectevent", "view"),
        })
        register("服务需求", "demand_list", Demand, icon="bi-megaphone", order=40, group="服务")
        register("服务资源", "resource_list", Resource, icon="bi-box-seam", order=41, group="服务")
        register("共建项目", "project_list", Project, icon="bi-kanban", order=42, group="服务")
        register("项目督办", "project_supervision", Project, action="supervise",
                 icon="bi-speedometer2", order=43, group="服务")

        # An organisation with projects under way or demands still to handle cannot be
        # dissolved; merged, they move to the surviving organisation.
        register_dissolve_blocker("projects", "个进行中的共建项目", Q(state__in=ACTIVE_STATES))
        register_dissolve_blocker("demands", "条待处理的服务需求",
                                  Q(state__in=OPEN_DEMAND_STATES))
        register_merge_label("projects.project.org", "个共建项目")
        register_merge_label("projects.projectclaim.org", "条项目认领")
        register_merge_label("projects.demand.org", "条服务需求")
