from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "secportal.notifications"
    label = "notifications"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (queues the accounts app's emails)
