from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "secportal.analytics"
    label = "analytics"
