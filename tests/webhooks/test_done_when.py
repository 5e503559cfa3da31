"""Issue 18's "done when", over HTTP against a live server: an owner creates a key and a webhook
endpoint in the browser; curl creates a client, an engagement and a two-line invoice and sends
it; the client pays through the Stripe sandbox; the local endpoint receives invoice.sent and
invoice.paid, and the README's ten lines verify their signatures."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from secportal.payments import gateway
from secportal.payments.models import ConnectedAccount

from ..conftest import make_tenant, signed_in
from ..payments.test_payment_flow import open_checkout, pay_link_from_email

pytestmark = pytest.mark.django_db(transaction=True)
README = Path(__file__).resolve().parents[2] / "README.md"


def curl(method: str, url: str, token: str, body: dict | None = None) -> tuple[int, Any]:
    command = ["curl", "-sS", "-X", method, "-H", f"Authorization: Bearer {token}"]
    command += ["-w", "\n%{http_code}", "--max-time", "30"]
    if body is not None:
        command += ["-H", "Content-Type: application/json", "-d", json.dumps(body)]
    done = subprocess.run([*command, url], capture_output=True, text=True, check=True)
    text, _, status = done.stdout.rpartition("\n")
    return int(status), json.loads(text)


def readme_verify() -> Any:
    """The README's verifying code, run as a consumer would paste it."""
    text = README.read_text()
    code = re.search(r"```python\n(import hashlib, hmac, time.*?)```", text, re.S).group(1)
    assert len(code.strip().splitlines()) <= 10
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    return namespace["verify"]


def onboard(tenant, sandbox) -> None:
    account = gateway.create_account(
        email=tenant.owner.email,
        business_name=tenant.workspace.name,
        idempotency_key=f"test-account:{tenant.workspace.pk}",
    )
    sandbox.complete_onboarding(account["id"])
    ConnectedAccount.objects.create(
        workspace=tenant.workspace,
        stripe_account_id=account["id"],
        details_submitted=True,
        charges_enabled=True,
        payouts_enabled=True,
    )


def wait_for(condition: Any, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_curl_creates_sends_and_the_payment_reaches_the_endpoint_signed(
    sandbox, live_server, receiver
):
    tenant = make_tenant("Redline Security")
    onboard(tenant, sandbox)
    owner = signed_in(tenant.owner)
    page = owner.post(reverse("api_keys:create"), {"name": "Tooling", "role": "admin"})
    token = re.search(r"(spk_[0-9a-f]{8}_[\w-]+)", page.content.decode()).group(1)
    page = owner.post(
        reverse("webhooks:create"),
        {"url": receiver.url, "events": ["invoice.sent", "invoice.paid", "payment.refunded"]},
    )
    secret = re.search(r"(whsec_[\w-]+)", page.content.decode()).group(1)

    base = f"{live_server.url}/api/v1"
    status, client = curl(
        "POST", f"{base}/clients", token, {"name": "Initech", "billing_email": "ap@initech.example"}
    )
    assert status == 201, client
    status, engagement = curl(
        "POST",
        f"{base}/engagements",
        token,
        {"client": client["id"], "name": "Q4 external test", "status": "active"},
    )
    assert status == 201, engagement
    status, invoice = curl(
        "POST",
        f"{base}/invoices",
        token,
        {
            "client": client["id"],
            "engagement": engagement["id"],
            "currency": "GBP",
            "description": "External penetration test",
            "lines": [
                {"description": "Testing days", "quantity": "3", "unit_price": 95_000},
                {"description": "Report and debrief", "unit_price": 40_000},
            ],
        },
    )
    assert status == 201, invoice
    assert invoice["amount"] == 325_000 and len(invoice["lines"]) == 2
    status, sent = curl("POST", f"{base}/invoices/{invoice['id']}/send", token)
    assert status == 200 and sent["status"] == "sent" and sent["number"], sent
    assert wait_for(lambda: receiver.of_type("invoice.sent"))

    # The client pays through the sandbox's hosted checkout with the test card.
    from secportal.invoicing.models import Invoice

    stored = Invoice.objects.get(public_id=invoice["id"])
    checkout_url = open_checkout(
        HttpClient(), pay_link_from_email(stored, live_server.url), live_server.url
    )
    import requests

    form = requests.get(checkout_url, timeout=10).text
    action = sandbox.url + re.search(r'<form method=post action="([^"]+)"', form).group(1)
    card = {"email": "ap@initech.example", "expiry": "12 / 34", "cvc": "123", "name": "Ann"}
    paid = requests.post(
        action,
        data=card | {"card_number": "4242 4242 4242 4242"},
        allow_redirects=False,
        timeout=10,
    )
    assert paid.status_code == 303
    assert sandbox.drain(timeout=10)
    assert wait_for(lambda: receiver.of_type("invoice.paid"))

    status, after = curl("GET", f"{base}/invoices/{invoice['id']}", token)
    assert after["status"] == "paid" and after["balance_due"] == 0
    verify = readme_verify()
    got = [r.json["type"] for r in receiver.received]
    assert got == ["invoice.sent", "invoice.paid"]
    for delivery in list(receiver.received):
        assert verify(secret, delivery.headers["SecPortal-Signature"], delivery.body)
        assert not verify(secret, delivery.headers["SecPortal-Signature"], delivery.body + b"x")
        data = delivery.json["data"]["object"]
        assert data["id"] == invoice["id"] and data["amount"] == 325_000
    assert receiver.of_type("invoice.paid")[0].json["data"]["object"]["status"] == "paid"

    # A part refunded through the API: Stripe confirms, and payment.refunded follows.
    status, asked = curl(
        "POST", f"{base}/invoices/{invoice['id']}/refunds", token, {"amount": 25_000}
    )
    assert status == 202 and asked["amount"] == 25_000, asked
    assert sandbox.drain(timeout=10)
    assert wait_for(lambda: receiver.of_type("payment.refunded"))
    refunded = receiver.of_type("payment.refunded")[0]
    assert verify(secret, refunded.headers["SecPortal-Signature"], refunded.body)
    payment = refunded.json["data"]["object"]
    assert (payment["refund_amount"], payment["amount_refunded"]) == (25_000, 25_000)
    status, payments = curl("GET", f"{base}/payments?invoice={invoice['id']}", token)
    assert [p["amount_refunded"] for p in payments["data"]] == [25_000]
