"""The payment methods part of the hosted checkout page: the method choice, each method's
fields, and what a customer sees after choosing a bank debit or a bank transfer."""

from __future__ import annotations

from html import escape
from typing import Any

from .resources.common import format_amount

LABELS = {
    "card": "Card",
    "bacs_debit": "Bacs Direct Debit",
    "sepa_debit": "SEPA Direct Debit",
    "us_bank_account": "US bank account",
    "customer_balance": "Bank transfer",
}
# Form field names -> the control API's names (two methods ask for an account number).
FIELD_NAMES = {
    "bacs_sort_code": "sort_code",
    "bacs_account_number": "account_number",
    "iban": "iban",
    "us_routing_number": "routing_number",
    "us_account_number": "account_number",
}
_PREFIX = {"bacs_debit": "bacs_", "us_bank_account": "us_"}


def _field(name: str, label: str, placeholder: str, value: str = "") -> str:
    return (
        f"<label for={name}>{label}</label>\n"
        f'<input id={name} name={name} inputmode=numeric placeholder="{placeholder}" '
        f'required value="{escape(value)}">\n'
    )


def _card(values: dict[str, str]) -> str:
    return f"""<label for=card_number>Card number</label>
<input id=card_number name=card_number inputmode=numeric autocomplete=cc-number
 placeholder="1234 1234 1234 1234" required>
<div class=row><div><label for=expiry>Expiry</label>
<input id=expiry name=expiry autocomplete=cc-exp placeholder="MM / YY" required></div>
<div><label for=cvc>CVC</label>
<input id=cvc name=cvc inputmode=numeric autocomplete=cc-csc placeholder="123" required></div></div>
<label for=name>Name on card</label>
<input id=name name=name autocomplete=cc-name required value="{escape(values.get("name", ""))}">
"""


def _fields(method: str, values: dict[str, str]) -> str:
    if method == "card":
        return _card(values)
    if method == "bacs_debit":
        return _field("bacs_sort_code", "Sort code", "10-88-00") + _field(
            "bacs_account_number", "Account number", "00012345"
        )
    if method == "sepa_debit":
        return _field("iban", "IBAN", "DE89 3704 0044 0532 0130 00")
    if method == "us_bank_account":
        return _field("us_routing_number", "Routing number", "110000000") + _field(
            "us_account_number", "Account number", "000123456789"
        )
    return (
        "<p class=muted>After you confirm, you get the bank details and the reference to "
        "pay to.</p>\n"
    )


def choice(methods: list[str], values: dict[str, str]) -> str:
    """The method fieldsets; one method alone is shown without a choice."""
    chosen = values.get("payment_method") or methods[0]
    if len(methods) == 1:
        label = LABELS.get(methods[0], methods[0])
        return (
            f'<input type=hidden name=payment_method value="{escape(methods[0])}">\n'
            f"<p class=muted>Pay by <strong>{label}</strong></p>\n" + _fields(methods[0], values)
        )
    parts = []
    for method in methods:
        checked = " checked" if method == chosen else ""
        parts.append(
            f"<fieldset class=method><legend><label><input type=radio name=payment_method "
            f'value="{escape(method)}"{checked}> {LABELS.get(method, method)}</label></legend>\n'
            + _fields(method, values)
            + "</fieldset>\n"
        )
    return "".join(parts)


TEST_DETAILS = """<details class=muted><summary>Test details</summary>
<p>Cards: <code>4242 4242 4242 4242</code> succeeds · <code>4000 0000 0000 0002</code> is
declined · <code>4000 0000 0000 9995</code> has insufficient funds. Any future expiry, any CVC.</p>
<p>Bacs (sort code <code>10-88-00</code>): <code>00012345</code> succeeds,
<code>90012345</code> succeeds after three minutes, <code>33333335</code> fails,
<code>93333335</code> fails after three minutes. SEPA: <code>DE89370400440532013000</code>
succeeds, <code>DE08370400440532013003</code> succeeds after three minutes,
<code>DE62370400440532013001</code> fails, <code>DE78370400440532013004</code> fails after three
minutes. US (routing <code>110000000</code>):
<code>000123456789</code> succeeds, <code>000222222227</code> fails (insufficient funds).</p>
</details>"""


def form_values(form: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The chosen method and its bank details with the control API's names."""
    method = form.get("payment_method") or "card"
    prefix = _PREFIX.get(method, "")
    details = {
        FIELD_NAMES[name]: value
        for name, value in form.items()
        if name in FIELD_NAMES and (not prefix or name.startswith(prefix) or name == "iban")
    }
    for plain in ("sort_code", "account_number", "routing_number"):  # as the control API names
        if form.get(plain):
            details[plain] = form[plain]
    return method, details


def after_payment(intent: dict[str, Any] | None, total: str) -> str:
    """What the completed page says when the money is not in yet."""
    if intent is None:
        return f"<p class=ok>Your payment of {escape(total)} was successful.</p>"
    action = (intent.get("next_action") or {}).get("display_bank_transfer_instructions")
    if action is not None:
        rows = [
            ("Amount to send", format_amount(action["amount_remaining"], action["currency"])),
            ("Reference", action["reference"]),
        ]
        for address in action["financial_addresses"]:
            details = address[address["type"]]
            for key, label in (
                ("account_holder_name", "Account holder"),
                ("sort_code", "Sort code"),
                ("account_number", "Account number"),
                ("iban", "IBAN"),
                ("bic", "BIC"),
                ("routing_number", "Routing number"),
            ):
                if details.get(key):
                    rows.append((label, str(details[key])))
        table = "".join(
            f"<tr><th scope=row>{escape(k)}</th><td><code>{escape(v)}</code></td></tr>"
            for k, v in rows
        )
        return (
            "<h2>Bank transfer</h2><p>Send the amount below by bank transfer, with the "
            f"reference, to finish paying.</p><table>{table}</table>"
        )
    if intent["status"] == "processing":
        return (
            f"<p class=ok>Your payment of {escape(total)} is processing: your bank confirms "
            "it in a few days.</p>"
        )
    if intent["status"] == "requires_payment_method" and intent.get("last_payment_error"):
        message = intent["last_payment_error"].get("message") or "The payment failed."
        return f"<p role=alert class=alert>{escape(message)}</p>"
    return f"<p class=ok>Your payment of {escape(total)} was successful.</p>"
