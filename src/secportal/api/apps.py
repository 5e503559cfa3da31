from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "secportal.api"
    label = "api"
