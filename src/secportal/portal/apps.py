from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "secportal.portal"
    label = "portal"
    verbose_name = "Client portal"
