from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    name = "secportal.engagements"
    label = "engagements"
