from django.apps import AppConfig


class EnterpriseConfig(AppConfig):
    name = "gongjian.enterprise"
    label = "enterprise"
    verbose_name = "企业服务"
