from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "secportal.analytics"
    label = "analytics"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (what makes the cached figures stale)
