from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "secportal.notifications"
    label = "notifications"

    def ready(self) -> None:
        from . import (  # noqa: F401
            digest,  # the daily digest's periodic task
            receivers,  # queues the accounts app's emails
        )
