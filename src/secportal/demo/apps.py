from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo's data and its `load_demo` command: the top of the house, it may use every app."""

    name = "secportal.demo"
    label = "demo"
