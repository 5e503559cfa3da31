"""Issue 13, item 6: Internal mode is refused while invoices are open (naming them and what to
do); a pay link of an Internal workspace's invoice says plainly that online payment is closed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from secportal.invoicing import links
from secportal.invoicing.models import InvoiceStatus
from secportal.workspaces import services
from secportal.workspaces.models import Workspace

from ..conftest import signed_in
from .conftest import make_sent, new_invoice

pytestmark = pytest.mark.django_db


def _settings(workspace: Workspace, **changes: object) -> dict:
    data = {
        "name": workspace.name,
        "mode": workspace.mode,
        "timezone": workspace.timezone,
        "default_currency": workspace.default_currency,
        "payment_terms_days": workspace.payment_terms_days,
        "number_prefix": workspace.number_prefix,
        "billing_reply_to": workspace.billing_reply_to,
        "overdue_reminders": "on" if workspace.overdue_reminders else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_switch_refused_while_invoices_are_open_naming_them(tenant) -> None:
    sent = make_sent(tenant.invoice)
    make_sent(new_invoice(tenant), status=InvoiceStatus.PAID)
    owner = signed_in(tenant.owner)
    response = owner.post(
        reverse("workspaces:settings_update"), _settings(tenant.workspace, mode="internal")
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert f"{sent.number} (sent)" in page and "void them" in page
    tenant.workspace.refresh_from_db()
    assert tenant.workspace.mode == "consulting"
    with pytest.raises(ValidationError):
        services.update_workspace_settings(tenant.workspace.pk, tenant.owner, {"mode": "internal"})


def test_switch_allowed_when_nothing_is_open(tenant) -> None:
    make_sent(tenant.invoice, status=InvoiceStatus.PAID)
    services.update_workspace_settings(tenant.workspace.pk, tenant.owner, {"mode": "internal"})
    tenant.workspace.refresh_from_db()
    assert tenant.workspace.mode == "internal"


def test_pay_link_of_an_internal_workspace_says_payment_is_closed(tenant, client) -> None:
    invoice = make_sent(tenant.invoice, status=InvoiceStatus.PAID)
    url = links.pay_link(invoice).removeprefix("http://testserver")
    Workspace.objects.filter(pk=tenant.workspace.pk).update(mode="internal")
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 410
    assert "Online payment is closed" in page and "copied incompletely" not in page


def test_portal_of_an_internal_workspace_does_not_pretend_there_were_none(
    tenant, contact_browser
) -> None:
    make_sent(tenant.invoice, status=InvoiceStatus.PAID)
    Workspace.objects.filter(pk=tenant.workspace.pk).update(mode="internal")
    page = contact_browser.get(reverse("portal:home")).content.decode()
    assert "does not show invoices online any more" in page
    assert "has not sent you any invoices" not in page
