"""The portal's sign-in limit is exact when many requests arrive at once (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client as HttpClient
from django.urls import reverse

from secportal.portal.models import PortalSignIn
from secportal.portal.services import LINKS_PER_EMAIL_PER_HOUR

PARALLEL = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_sign_in_requests_accept_exactly_the_limit(tenant):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time; the race needs PostgreSQL")
    barrier = threading.Barrier(PARALLEL)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def ask(n: int) -> None:
        try:
            browser = HttpClient()
            barrier.wait()
            response = browser.post(
                reverse("portal:login"),
                {"email": tenant.contact.email},
                REMOTE_ADDR=f"203.0.113.{n}",
            )
            statuses.append(response.status_code)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len(statuses) == PARALLEL
    assert PortalSignIn.objects.filter(emailed=True).count() == LINKS_PER_EMAIL_PER_HOUR
