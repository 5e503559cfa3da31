from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "secportal.accounts"
    label = "accounts"
    verbose_name = "People"
