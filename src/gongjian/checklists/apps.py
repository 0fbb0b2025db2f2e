from gongjian.core import capabilities


class ChecklistsConfig(capabilities.Capability):
    name = "gongjian.checklists"
    label = "checklists"
    verbose_name = "清单式管理"
    board_sections = (("gongjian.checklists.queries", "checklists/_board.html"),)
    board_order = 15
    demo_order = 60

    def ready(self):
        from django.db.models import Q

        from gongjian.core import navigation
        from gongjian.core.access import extend_role_permissions, perms
        from gongjian.orgs.services import register_dissolve_blocker, register_merge_label

        from . import reminders  # noqa: F401  (registers the daily sweep)
        from .models import OPEN_STATES, ChecklistItem

        read = perms("checklists", "checklistitem", "view") | perms(
            "checklists", "checklistevent", "view")
        # The responsible side claims and reports; the level above publishes and checks.
        responsible = perms("checklists", "checklistitem", "claim", "report")
        checker = perms("checklists", "checklistitem", "add", "change", "check", "extend")
        extend_role_permissions({
            "street_staff": read | checker,
            # A community is both: responsible to the street, the level above its branches.
            "community_staff": read | checker | responsible,
            "branch_committee": read | responsible,
        })
        # Members and residents read the public lists on the community's board only.
        group = "清单管理"
        for order, (label, url_name, icon) in enumerate([
                ("责任清单", "checklist_responsibility", "bi-card-checklist"),
                ("问题清单", "checklist_problems", "bi-exclamation-diamond"),
                ("学习清单", "checklist_learning", "bi-book"),
                ("活动清单", "checklist_activities", "bi-calendar-event"),
                ("资源清单", "checklist_resources", "bi-box-seam")], start=50):
            navigation.register(label, url_name, ChecklistItem, icon=icon, order=order,
                                group=group)
        register_dissolve_blocker("checklist_items", "条未办结的清单事项",
                                  Q(state__in=OPEN_STATES))
        register_merge_label("checklists.checklistitem.org", "条清单事项")
        register_merge_label("checklists.checklistitem.publisher", "条发布的清单事项")
