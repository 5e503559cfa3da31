from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "secportal.workspaces"
    label = "workspaces"
