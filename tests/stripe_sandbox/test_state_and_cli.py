"""``--state`` persistence, the command line, and the testing helpers."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from stripe_sandbox.testing import SandboxServer

from .conftest import checkout_params, create_account, make_client


def test_state_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.json"
    with SandboxServer(state_path=str(state)) as first:
        client = make_client(first.url)
        account = create_account(client, idempotency_key=None)
        first.complete_onboarding(account.id)
        options = {"stripe_account": account.id, "idempotency_key": "k-1"}
        params = checkout_params()
        session = client.v1.checkout.sessions.create(params, options)
        first.advance_clock(60)
    saved = json.loads(state.read_text())
    assert saved["format"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["sandbox.json"]  # no temp files left
    with SandboxServer(state_path=str(state)) as second:
        client = make_client(second.url)
        again = client.v1.checkout.sessions.retrieve(
            session.id, None, {"stripe_account": account.id}
        )
        assert again.status == "open"
        replay = client.v1.checkout.sessions.create(params, options)
        assert replay.id == session.id
        assert replay.last_response.headers["Idempotent-Replayed"] == "true"
        assert client.v1.accounts.retrieve(account.id).charges_enabled is True
        assert second.control("GET", "clock")["offset"] == 60
        # its pages are on the new port; the stored URL keeps the old one, as a real restart would
        assert requests.get(f"{second.url}/c/pay/{session.id}", timeout=5).status_code == 200


def test_help_documents_the_flags() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "stripe_sandbox", "--help"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    for flag in (
        "--host",
        "--port",
        "--webhook-url",
        "--webhook-secret",
        "--public-url",
        "--state",
        "--spec",
        "--webhook-retry-delays",
        "--livemode",
    ):
        assert flag in out


def test_the_command_serves_until_terminated(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "stripe_sandbox",
            "--port",
            "0",
            "--state",
            str(tmp_path / "s.json"),
            "--webhook-secret",
            "whsec_cli",
        ],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stderr is not None
        url = None
        lines = []
        deadline = time.monotonic() + 20
        while url is None and time.monotonic() < deadline:
            line = process.stderr.readline()
            lines.append(line)
            found = re.search(r"listening on (http://\S+)", line)
            url = found.group(1) if found else None
        assert url, lines
        assert requests.get(f"{url}/_sandbox/health", timeout=5).json() == {"ok": True}
        assert requests.get(f"{url}/_sandbox/config", timeout=5).json()["webhook_secret"] == (
            "whsec_cli"
        )
        while not any("state file:" in line for line in lines):  # the last startup line
            lines.append(process.stderr.readline())
        assert any("2026-10-28.endive" in line for line in lines), lines
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


# The control API names issue 11 fixes (tests and the demo drive them): they stay.
STABLE_CONTROL_API = {
    "POST /_sandbox/checkout/{session}/pay",
    "POST /_sandbox/clock",
    "POST /_sandbox/customers/{customer}/fund",
    "POST /_sandbox/refunds/{refund}/fail",
    "POST /_sandbox/charges/{charge}/refund",
    "POST /_sandbox/charges/{charge}/dispute",
    "POST /_sandbox/disputes/{dispute}/close",
    "POST /_sandbox/faults",
}


def test_control_index_lists_endpoints(sandbox: SandboxServer) -> None:
    index = sandbox.control("GET", "")
    listed = {re.sub(r"\(\?P<(\w+)>\[\^/\]\+\)", r"{\1}", e) for e in index["endpoints"]}
    assert listed >= STABLE_CONTROL_API, sorted(STABLE_CONTROL_API - listed)
    assert index["spec"]["api_version"] == "2026-10-28.endive"
    home = requests.get(sandbox.url + "/", timeout=5)
    assert "Stripe sandbox" in home.text


def test_configuration_after_start_accepts_form_bodies(sandbox: SandboxServer) -> None:
    answer = requests.post(
        f"{sandbox.url}/_sandbox/config",
        data={"webhook_url": "http://127.0.0.1:9/hook", "webhook_secret": "whsec_new"},
        timeout=5,
    )
    assert answer.status_code == 200
    assert answer.json()["webhook_url"] == "http://127.0.0.1:9/hook"
    assert sandbox.control("GET", "config")["webhook_secret"] == "whsec_new"


def test_scheduled_settlements_and_endpoints_survive_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.json"
    line = {
        "quantity": 1,
        "price_data": {"currency": "gbp", "unit_amount": 5000, "product_data": {"name": "X"}},
    }
    with SandboxServer(state_path=str(state)) as first:
        client = make_client(first.url)
        account = create_account(client)
        first.complete_onboarding(account.id)
        options = {"stripe_account": account.id}
        params = checkout_params(
            line_items=[line],
            allowed_payment_method_types=["bacs_debit"],
            payment_intent_data={"application_fee_amount": 100},
        )
        session = client.v1.checkout.sessions.create(params, options)
        paid = first.control(
            "POST",
            f"checkout/{session.id}/pay",
            {"payment_method": "bacs_debit", "sort_code": "108800", "account_number": "00012345"},
        )
        endpoint = client.v1.webhook_endpoints.create(
            {"url": "https://app.example/h", "enabled_events": ["*"]}
        )
    with SandboxServer(state_path=str(state)) as second:
        client = make_client(second.url)
        assert client.v1.webhook_endpoints.retrieve(endpoint.id).url == "https://app.example/h"
        intent = client.v1.payment_intents.retrieve(paid["payment_intent"], None, options)
        assert intent.status == "processing"
        second.advance_clock(120)
        intent = client.v1.payment_intents.retrieve(paid["payment_intent"], None, options)
        assert intent.status == "succeeded"
