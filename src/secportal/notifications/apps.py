from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "secportal.notifications"
    label = "notifications"
