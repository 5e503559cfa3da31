"""Schemathesis runs the API's OpenAPI document against the app (through WSGI, in the test's
database) with a seeded workspace and key: no 5xx, and every response as the document says."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from secportal.api import keys
from secportal.api.api import api
from secportal.payments.models import ConnectedAccount

from ..conftest import make_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def wsgi_connection_kept(db: Any) -> Iterator[None]:
    """The project's WSGI app answers in this thread with the test's connection kept open
    between requests (as Django's test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def seeded_key(db: Any, settings: Any) -> str:
    """A workspace with a client, an engagement, an invoice and Stripe ready; an admin key."""
    settings.API_RATE_LIMIT = 100_000
    tenant = make_tenant("Schemathesis Security")
    ConnectedAccount.objects.create(
        workspace=tenant.workspace,
        stripe_account_id="acct_schemathesis",
        details_submitted=True,
        charges_enabled=True,
    )
    return keys.create_key(tenant.workspace, tenant.owner, name="st", role="admin").token


schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"))
schema.app = get_wsgi_application()


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_the_api_keeps_its_openapi_promises(
    case: Any, seeded_key: str, wsgi_connection_kept: None
) -> None:
    # A request the schema allows may still name an object that does not exist (a 404 or a
    # 422 beside the field): that is no broken promise, so positive_data_acceptance is left out.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {seeded_key}"},
        excluded_checks=[positive_data_acceptance],
    )


class Workflow(schema.as_state_machine()):  # type: ignore[misc]
    """Stateful: schemathesis follows the document's links with the ids of real answers (a
    created client's contacts and drafts, a draft's update, send, documents and payments)."""

    token = ""
    answered: list[tuple[str, int]] = []

    def after_call(self, response: Any, case: Any) -> None:
        self.answered.append((f"{case.method} {case.path}", response.status_code))

    def get_call_kwargs(self, case: Any) -> dict[str, Any]:
        return {"headers": {"Authorization": f"Bearer {self.token}"}}

    def validate_response(
        self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
    ) -> None:
        # ignored_auth would send a broken key and expect 401, but every step here carries the
        # seeded key (get_call_kwargs): the 401s are checked by the stateless test and tests/api.
        case.validate_response(
            response,
            excluded_checks=[positive_data_acceptance, ignored_auth],
            transport_kwargs=kwargs,
        )


def test_the_api_keeps_its_promises_along_its_links(
    seeded_key: str, wsgi_connection_kept: None
) -> None:
    links = [
        link
        for path in schema.raw_schema["paths"].values()
        for operation in path.values()
        for response in operation.get("responses", {}).values()
        for link in response.get("links", {})
    ]
    assert {"CreateDraft", "SendInvoice", "RecordPayment", "GetContact"} <= set(links)
    Workflow.token = seeded_key
    Workflow.run(
        settings=settings(
            max_examples=10,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
    )
    # The links were followed: operations that need a real id answered with success.
    followed = {op for op, status in Workflow.answered if "{" in op and status < 300}
    assert followed, sorted(set(Workflow.answered))[:20]
