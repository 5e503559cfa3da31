from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "secportal.accounts"
    label = "accounts"
    verbose_name = "People"

    def ready(self) -> None:
        from . import signals  # noqa: F401
