"""Issue 13, item 19: the demo's Ready banner lists every login; the demo data has sent,
overdue and paid invoices; `make demo` does not run npm."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from secportal.cli import _demo_logins
from secportal.demo import data
from secportal.invoicing.models import Invoice
from secportal.payments.models import Payment

ROOT = Path(__file__).resolve().parents[2]


def test_banner_lists_every_login() -> None:
    banner = _demo_logins()
    for email in (data.OWNER_EMAIL, data.ADMIN_EMAIL, data.MEMBER_EMAIL, data.CLIENT_EMAIL):
        assert email in banner
    assert data.OWNER_PASSWORD in banner and data.STAFF_PASSWORD in banner
    for secret in data.TWO_FACTOR_SECRETS.values():
        assert secret in banner


@pytest.mark.django_db
def test_demo_data_has_sent_overdue_and_paid_invoices_once() -> None:
    workspace = data.load_demo()
    data.load_demo()  # again: nothing doubled
    statuses = sorted(Invoice.unscoped.filter(workspace=workspace).values_list("status", flat=True))
    assert statuses == ["overdue", "paid", "paid", "sent"]
    assert Payment.unscoped.filter(workspace=workspace).count() == 2
    numbers = sorted(Invoice.unscoped.filter(workspace=workspace).values_list("number", flat=True))
    assert numbers == ["INV-0001", "INV-0002", "INV-0003", "INV-0004"]
    workspace.refresh_from_db()
    assert workspace.next_invoice_number == 5


def test_make_demo_does_not_run_npm() -> None:
    makefile = (ROOT / "Makefile").read_text()
    demo = re.search(r"^demo:(.*)$", makefile, re.M)
    assert demo and demo.group(1).split() == ["$(BIN)/.installed"]
