from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "secportal.core"
    label = "core"
