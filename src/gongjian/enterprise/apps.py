from gongjian.core import capabilities


class EnterpriseConfig(capabilities.Capability):
    name = "gongjian.enterprise"
    label = "enterprise"
    verbose_name = "企业服务"
    demo_order = 20

    def ready(self):
        from gongjian.core.access import extend_role_permissions, perms
        from gongjian.core.navigation import register

        from . import services  # noqa: F401  (registers the daily reminder sweep)
        from .models import Case

        steps = ("view", "add", "assign", "visit", "resolve", "rate", "close", "reopen",
                 "summarize")
        extend_role_permissions({
            "street_staff": (perms("enterprise", "servicearea", "view", "add", "change")
                             | perms("enterprise", "cadre", "view", "add", "change")
                             | perms("enterprise", "cadrelink", "view", "add", "change")
                             | perms("enterprise", "case", *steps)),
            "community_staff": (perms("enterprise", "servicearea", "view")
                                | perms("enterprise", "cadre", "view")
                                | perms("enterprise", "cadrelink", "view")
                                | perms("enterprise", "case", *steps)),
            # A company's liaison raises its cases, follows them and gives its satisfaction.
            "unit_liaison": perms("enterprise", "case", "view", "add", "rate"),
        })
        # One entry: the pages share tabs (统计、企业诉求、挂钩企业、片区、干部) inside.
        register("企业服务", "enterprise_case_list", Case, icon="bi-briefcase", order=70,
                 group="服务")
