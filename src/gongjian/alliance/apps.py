from gongjian.core import capabilities


class AllianceConfig(capabilities.Capability):
    name = "gongjian.alliance"
    label = "alliance"
    verbose_name = "共建联盟与协议"
    demo_order = 10

    def ready(self):
        from gongjian.core import navigation
        from gongjian.core.access import extend_role_permissions, perms

        from . import reminders  # noqa: F401  (registers the daily sweeps)
        from .models import Agreement, Alliance, Task

        staff = (perms("alliance", "alliance", "view", "add", "change")
                 | perms("alliance", "alliancemember", "view", "add", "change")
                 | perms("alliance", "chairterm", "view", "add", "change", "delete")
                 | perms("alliance", "meeting", "view", "add", "change")
                 | perms("alliance", "invitation", "view", "change")
                 | perms("alliance", "task", "view", "add", "change")
                 | perms("alliance", "agreement", "view", "add", "change")
                 | perms("alliance", "event", "view"))
        liaison = (perms("alliance", "alliance", "view")
                   | perms("alliance", "alliancemember", "view")
                   | perms("alliance", "chairterm", "view")
                   | perms("alliance", "meeting", "view")
                   | perms("alliance", "invitation", "view", "change")
                   | perms("alliance", "task", "view", "change")
                   | perms("alliance", "agreement", "view")
                   | perms("alliance", "event", "view"))
        extend_role_permissions({"street_staff": staff, "community_staff": staff,
                                 "unit_liaison": liaison})
        navigation.register("共建联盟", "alliance_list", Alliance, icon="bi-people", order=35,
                            group="共建")
        navigation.register("决议任务", "task_list", Task, icon="bi-list-check", order=36,
                            group="共建")
        navigation.register("共建协议", "agreement_list", Agreement, icon="bi-file-earmark-text",
                            order=37, group="共建")
