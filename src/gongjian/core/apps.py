from gongjian.core import capabilities


class CoreConfig(capabilities.Capability):
    name = "gongjian.core"
    label = "core"
    verbose_name = "平台"

    def ready(self):
        from . import audit, lengths, lookups  # noqa: F401  (signals and the LIKE lookup)
        from .models import AuditEntry, RoleGrant, User
        from .navigation import register

        system = "系统管理"
        register("账户管理", "account_list", User, icon="bi-people", order=80, group=system)
        register("角色授权", "grant_list", RoleGrant, icon="bi-shield-lock", order=81, group=system)
        register("审计日志", "audit_list", AuditEntry, icon="bi-journal-text", order=82,
                 group=system)
