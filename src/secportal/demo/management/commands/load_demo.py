from django.core.management.base import BaseCommand

from secportal.demo.data import load_demo


class Command(BaseCommand):
    help = "Load the demo workspace, people, clients and engagements (safe to run again)."

    def handle(self, *args: object, **options: object) -> None:
        workspace = load_demo()
        self.stdout.write(f"Demo data ready in workspace {workspace.name}.")
