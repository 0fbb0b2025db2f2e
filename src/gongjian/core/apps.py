from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gongjian.core"
    label = "core"
    verbose_name = "平台"

    def ready(self):
        from . import audit, lookups  # noqa: F401  (signals and the LIKE lookup)
