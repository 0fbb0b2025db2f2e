from django.apps import AppConfig


class BoardsConfig(AppConfig):
    name = "gongjian.boards"
    label = "boards"
    verbose_name = "公示栏"
