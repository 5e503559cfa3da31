from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from secportal.payments import gateway, setup


class Command(BaseCommand):
    help = (
        "Create or verify the Stripe Connect webhook endpoint the app needs (connect=true, the "
        "pinned API version, the event types the app handles) and print its secret for "
        "STRIPE_WEBHOOK_SECRETS. Running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--url",
            help="the endpoint's address (default: SITE_URL + the webhook path)",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="delete and create again an endpoint at that address that differs",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        url = options["url"] or settings.SITE_URL + reverse("stripe_webhook")
        try:
            result = setup.ensure_connect_endpoint(url, replace=options["replace"])
        except gateway.GatewayError as exc:
            raise CommandError(f"Stripe: {exc.message}") from exc
        if result.problems:
            raise CommandError(
                f"The Connect endpoint {result.endpoint_id} at {url} differs: "
                + "; ".join(result.problems)
                + ". Run again with --replace to create it anew (a new secret)."
            )
        if result.created:
            self.stdout.write(f"Created the Connect webhook endpoint {result.endpoint_id} at {url}")
            self.stdout.write(f"Events: {', '.join(setup.wanted_events())}")
            self.stdout.write(
                f"Add its secret to STRIPE_WEBHOOK_SECRETS (shown once): {result.secret}"
            )
        else:
            self.stdout.write(
                f"The Connect webhook endpoint {result.endpoint_id} at {url} is set up "
                "(its secret was shown when it was created; Stripe's Dashboard shows it too)."
            )
