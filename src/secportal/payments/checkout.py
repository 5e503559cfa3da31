"""Pay Invoice: one Stripe Checkout Session per attempt, on the workspace's connected account.

An attempt row holds everything sent to Stripe (amount, fee, return URLs, payer email, expiry,
idempotency key), saved before the first call: a retry after a timeout, from the portal or from
the pay link, sends the very same request, so Stripe answers with the same session. When the key
is spent (Stripe replays a stored 5xx for 24 hours, or says ``idempotency_error``) the attempt is
abandoned and the next numbered one starts at once, so one bad moment never blocks an invoice.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime

from django.db import transaction
from django.utils import timezone

from secportal.core.fees import platform_fee
from secportal.core.money import format_money
from secportal.invoicing.models import ActorType, Invoice, InvoiceEventKind
from secportal.invoicing.services import InvoiceError, lock_invoice, record_event

from . import gateway, methods, signals
from .models import AttemptStatus, CheckoutAttempt, ConnectedAccount

CHECKOUT_LIFETIME = datetime.timedelta(hours=23)
# The workspace's formatting locale (core.locales) as Stripe Checkout's ``locale``, so that the
# payment page writes €3,100.00 where the invoice does (Stripe has no en-IE: en-GB formats alike).
CHECKOUT_LOCALES = {
    "en_GB": "en-GB",
    "en_IE": "en-GB",
    "en_US": "en",
    "de_DE": "de",
    "fr_FR": "fr",
    "nl_NL": "nl",
}
# Stripe wants expires_at at least 30 minutes ahead; an attempt closer than this is not reused.
MIN_REMAINING = datetime.timedelta(minutes=35)


@dataclasses.dataclass(frozen=True)
class EntryPoint:
    """Where the payer came from: where Stripe sends them back, and who they are."""

    success_url: str
    cancel_url: str
    payer_email: str = ""
    methods: tuple[str, ...] = ()
    customer: str = ""


def part_problem(invoice: Invoice, amount: int, currency: str = "") -> str:
    """Why ``amount`` cannot be paid now towards ``invoice`` ("" when it can): a part must be
    allowed by the workspace, at least its minimum part, at most the balance, in the invoice's
    currency (issue 16, 4). The whole balance can always be paid."""
    balance = invoice.balance_due
    if currency and currency.upper() != invoice.currency:
        return f"Pay in the invoice's currency, {invoice.currency}."
    if amount == balance:
        return ""
    if amount > balance:
        return f"At most the balance due, {format_money(balance, invoice.currency)}, can be paid."
    if amount <= 0:
        return "Enter an amount more than zero."
    settings = methods.partial_settings(invoice.workspace)
    if not settings.allow_partial_payments:
        return f"This invoice is paid in full: {format_money(balance, invoice.currency)}."
    minimum = methods.minimum_part(invoice, settings)
    if amount < minimum:
        return (
            f"A part payment is at least {format_money(minimum, invoice.currency)} "
            f"({settings.minimum_part_percent}% of the invoice), or the whole balance."
        )
    return ""


def _prepare_attempt(invoice_id: int, entry: EntryPoint, amount: int | None) -> CheckoutAttempt:
    """The invoice's open attempt for this amount if it can still be used, else a new one
    (saved first). ``amount`` None is the whole balance due."""
    with transaction.atomic():
        invoice = lock_invoice(invoice_id)
        if not invoice.is_payable:
            raise InvoiceError(
                f"This invoice is {invoice.get_status_display().lower()}; there is nothing to pay."
            )
        amount = invoice.balance_due if amount is None else amount
        problem = part_problem(invoice, amount)
        if problem:
            raise InvoiceError(problem)
        account = ConnectedAccount.objects.filter(workspace_id=invoice.workspace_id).first()
        if account is None or not account.ready:
            raise InvoiceError(f"{invoice.workspace.name} cannot take card payments right now.")
        now = timezone.now()
        reusable = (
            CheckoutAttempt.unscoped.filter(
                invoice=invoice,
                status__in=[AttemptStatus.CREATING, AttemptStatus.OPEN],
                amount=amount,
                currency=invoice.currency,
                stripe_account_id=account.stripe_account_id,
            )
            .order_by("-number")
            .first()
        )
        # An attempt saved before requests were kept (``request`` empty) is not reused.
        if reusable is not None and reusable.request and reusable.expires_at - now > MIN_REMAINING:
            return reusable
        if reusable is not None:
            _abandon(reusable)
        return _new_attempt(invoice, account, entry, now, amount)


def _new_attempt(
    invoice: Invoice,
    account: ConnectedAccount,
    entry: EntryPoint,
    now: datetime.datetime,
    amount: int,
) -> CheckoutAttempt:
    number = (
        CheckoutAttempt.unscoped.filter(invoice=invoice)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
        or 0
    ) + 1
    fee_bps = invoice.workspace.fee_bps
    fee = platform_fee(amount, fee_bps)  # each payment's own fee, on its own amount
    expires_at = (now + CHECKOUT_LIFETIME).replace(microsecond=0)
    key = f"checkout:{invoice.public_id}:{number}"
    request = gateway.CheckoutRequest(
        account_id=account.stripe_account_id,
        invoice_public_id=str(invoice.public_id),
        workspace_public_ref=invoice.workspace.slug,
        number=invoice.label,
        description=invoice.description,
        amount=amount,
        currency=invoice.currency,
        application_fee=fee,
        customer_email=entry.payer_email or invoice.client.billing_email,
        success_url=entry.success_url,
        cancel_url=entry.cancel_url,
        expires_at=int(expires_at.timestamp()),
        idempotency_key=key,
        payment_methods=entry.methods,
        customer=entry.customer,
        locale=CHECKOUT_LOCALES.get(invoice.workspace.locale, "auto"),
    )
    return CheckoutAttempt.unscoped.create(
        workspace_id=invoice.workspace_id,
        invoice=invoice,
        number=number,
        stripe_account_id=account.stripe_account_id,
        amount=amount,
        currency=invoice.currency,
        application_fee=fee,
        fee_bps=fee_bps,
        idempotency_key=key,
        request=dataclasses.asdict(request),
        expires_at=expires_at,
    )


def _abandon(attempt: CheckoutAttempt) -> None:
    """This attempt is replaced: never used again, and its session (if any) closed at Stripe."""
    was_open = attempt.status == AttemptStatus.OPEN and attempt.session_id
    attempt.status = AttemptStatus.ABANDONED
    attempt.save(update_fields=["status"])
    if was_open:
        transaction.on_commit(
            lambda: signals.checkout_abandoned.send(sender=CheckoutAttempt, attempt=attempt)
        )


def start_checkout(
    invoice_id: int,
    *,
    success_url: str,
    cancel_url: str,
    payer_email: str = "",
    amount: int | None = None,
) -> str:
    """Pay Invoice: the open Checkout Session's URL, created on the connected account if needed.

    ``amount`` is the part the payer chose (partial payments), else the whole balance due; a
    session is never for more than the balance.
    """
    entry = _entry_point(invoice_id, EntryPoint(success_url, cancel_url, payer_email))
    attempt = _prepare_attempt(invoice_id, entry, amount)
    if attempt.status == AttemptStatus.OPEN and attempt.url:
        return attempt.url
    try:
        session = gateway.create_checkout_session(gateway.CheckoutRequest(**attempt.request))
    except gateway.GatewayError as exc:
        if not exc.needs_new_request:
            raise  # the same request, tried again later, gets Stripe's answer
        with transaction.atomic():
            lock_invoice(invoice_id)
            _abandon(CheckoutAttempt.unscoped.select_for_update().get(pk=attempt.pk))
        attempt = _prepare_attempt(invoice_id, entry, attempt.amount)
        session = gateway.create_checkout_session(gateway.CheckoutRequest(**attempt.request))
    return _opened(invoice_id, attempt, session)


def _entry_point(invoice_id: int, entry: EntryPoint) -> EntryPoint:
    """The ways to pay this invoice's currency, and the client's Stripe Customer if one of them
    needs it (made before the attempt's transaction: it may ask Stripe)."""
    invoice = Invoice.unscoped.select_related("workspace", "client").get(pk=invoice_id)
    chosen = tuple(methods.methods_for(invoice.workspace, invoice.currency))
    customer = ""
    account = ConnectedAccount.objects.filter(workspace_id=invoice.workspace_id).first()
    if methods.needs_customer(list(chosen)) and account is not None and account.ready:
        customer = methods.customer_for(
            invoice.workspace,
            invoice.client,
            account.stripe_account_id,
            invoice.client.billing_email,
        )
    return dataclasses.replace(entry, methods=chosen, customer=customer)


def _opened(invoice_id: int, attempt: CheckoutAttempt, session: dict) -> str:
    with transaction.atomic():
        invoice = lock_invoice(invoice_id)
        attempt = CheckoutAttempt.unscoped.select_for_update().get(pk=attempt.pk)
        if attempt.status == AttemptStatus.CREATING:
            attempt.session_id = session["id"]
            attempt.url = session.get("url") or ""
            attempt.status = AttemptStatus.OPEN
            attempt.save(update_fields=["session_id", "url", "status"])
            record_event(
                invoice,
                InvoiceEventKind.CHECKOUT_STARTED,
                actor_type=ActorType.SYSTEM,
                session=session["id"],
                attempt=attempt.number,
                fee=attempt.application_fee,
            )
    return attempt.url or session.get("url") or ""


def _expire(attempt: CheckoutAttempt) -> None:
    # Refused when already complete or expired: the webhook tells which.
    with contextlib.suppress(gateway.PaymentRefused):
        gateway.expire_checkout_session(
            attempt.session_id or "", attempt.stripe_account_id, f"expire:{attempt.session_id}"
        )


def expire_open_checkouts(invoice_id: int) -> int:
    """A voided or paid invoice must not take another payment: expire its open sessions. One
    still owed keeps the sessions within its (lower) balance: a part being paid right now."""
    attempts = list(
        CheckoutAttempt.unscoped.filter(invoice_id=invoice_id, status=AttemptStatus.OPEN)
    )
    invoice = Invoice.unscoped.get(pk=invoice_id)
    if invoice.is_payable:
        attempts = [a for a in attempts if a.amount > invoice.balance_due]
    for attempt in attempts:
        _expire(attempt)
        CheckoutAttempt.unscoped.filter(pk=attempt.pk, status=AttemptStatus.OPEN).update(
            status=AttemptStatus.EXPIRED
        )
    return len(attempts)


def expire_abandoned(attempt_id: int) -> bool:
    """A replaced attempt's session is closed at Stripe, so an old browser tab cannot pay."""
    attempt = CheckoutAttempt.unscoped.filter(pk=attempt_id, status=AttemptStatus.ABANDONED).first()
    if attempt is None or not attempt.session_id:
        return False
    _expire(attempt)
    return True
