from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "gongjian.orgs"
    label = "orgs"
    verbose_name = "组织体系"
