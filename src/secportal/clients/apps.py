from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "secportal.clients"
    label = "clients"
