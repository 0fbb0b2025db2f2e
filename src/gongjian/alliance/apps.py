from django.apps import AppConfig


class AllianceConfig(AppConfig):
    name = "gongjian.alliance"
    label = "alliance"
    verbose_name = "共建联盟与协议"
