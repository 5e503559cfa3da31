from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "secportal.core"
    label = "core"

    def ready(self) -> None:
        from .logging import install

        install()
