"""The hosted pages: Connect onboarding, Checkout's payment page, receipts, a home page.

Plain HTML with a little inline CSS (no external resources), readable on a 390px phone.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any
from urllib.parse import parse_qs

from . import pages_methods
from .messages import Request, Response
from .resources import accounts, checkout, checkout_pay
from .resources.common import format_amount
from .sandbox import Sandbox

CSS = """
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1f36;
background:#f6f9fc}
main{max-width:28rem;margin:0 auto;padding:1.5rem 1rem 3rem}
h1{font-size:1.35rem;margin:.25rem 0 1rem}
.merchant{font-weight:600;color:#425466;margin:0}
.amount{font-size:2rem;font-weight:700;margin:.25rem 0 1rem}
.card{background:#fff;border-radius:10px;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:1rem;
margin:0 0 1rem}
.line{display:flex;justify-content:space-between;gap:1rem}
.muted{color:#697386;font-size:.9rem}
label{display:block;font-weight:600;font-size:.9rem;margin:.75rem 0 .25rem}
input{width:100%;font:inherit;padding:.6rem .7rem;border:1px solid #cfd7df;border-radius:6px;
background:#fff}
input:focus{outline:2px solid #635bff;border-color:#635bff}
.row{display:flex;gap:.75rem}.row>div{flex:1}
button{width:100%;margin-top:1.25rem;padding:.8rem;font:inherit;font-weight:600;color:#fff;
background:#635bff;border:0;border-radius:6px;cursor:pointer}
button:hover{background:#5147e5}
.alert{background:#fde8e8;color:#9b1c1c;border-radius:6px;padding:.75rem;margin:0 0 1rem}
.ok{background:#e3f9e5;color:#135e1e;border-radius:6px;padding:.75rem;margin:0 0 1rem}
a{color:#4b45d6}
.links{margin-top:1rem;text-align:center}
.badge{display:inline-block;font-size:.75rem;font-weight:700;color:#a05d00;background:#fff3d6;
border-radius:4px;padding:.1rem .4rem}
table{width:100%;border-collapse:collapse;font-size:.9rem}td,th{text-align:left;padding:.3rem}
fieldset.method{border:1px solid #cfd7df;border-radius:6px;margin:.75rem 0 0;
padding:.25rem .75rem .75rem}
legend label{margin:0;font-weight:700}legend input{width:auto;margin-right:.4rem}
code{font-size:.85rem}
"""


def _page(title: str, body: str, status: int = 200) -> Response:
    html = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body><main>"
        "<p><span class=badge>TEST MODE · Stripe sandbox</span></p>"
        f"{body}</main></body></html>"
    )
    return Response.html(status, html)


def _form(request: Request) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(request.text, keep_blank_values=True).items()}


def handle(sb: Sandbox, request: Request) -> Response:
    path = request.path
    if path in ("/", ""):
        return home(sb)
    if path == "/healthz":
        return Response(200, b"ok\n", "text/plain")
    found = re.fullmatch(r"/c/pay/([^/]+)", path)
    if found:
        if request.method == "POST":
            return checkout_submit(sb, found.group(1), _form(request))
        return checkout_page(sb, found.group(1))
    found = re.fullmatch(r"/setup/s/([^/]+)/([^/]+)", path)
    if found:
        return onboarding(
            sb,
            found.group(1),
            found.group(2),
            request.method,
            _form(request) if request.method == "POST" else {},
        )
    found = re.fullmatch(r"/receipts/([^/]+)", path)
    if found:
        return receipt(sb, found.group(1))
    return _page("Not found", "<h1>Not found</h1><p>There is no page here.</p>", 404)


def merchant_name(sb: Sandbox, account_id: str | None) -> str:
    if not account_id:
        return sb.config.platform_name
    account = sb.store.get(account_id, "account") or {}
    profile = account.get("business_profile") or {}
    dashboard = (account.get("settings") or {}).get("dashboard") or {}
    return (
        profile.get("name") or dashboard.get("display_name") or account.get("email") or account_id
    )


# Checkout --------------------------------------------------------------------------------


def _session(sb: Sandbox, session_id: str) -> dict[str, Any] | None:
    session = sb.store.get(session_id, "checkout.session")
    if session is not None and session["status"] == "open" and session["expires_at"] <= sb.now():
        checkout.expire_due(sb)
        sb.store.save()
    return session


def checkout_page(
    sb: Sandbox,
    session_id: str,
    *,
    error: str | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    with sb.store.lock:
        session = _session(sb, session_id)
        if session is None:
            return _page(
                "Checkout",
                "<h1>Something went wrong</h1><p role=alert class=alert>"
                "This Checkout Session does not exist.</p>",
                404,
            )
        owner = sb.store.owner.get(session_id)
        merchant = merchant_name(sb, owner)
        items = sb.store.internal_of(session_id).get("line_items", [])
        products = sb.store.internal_of(session_id).get("products", [])
    currency = session["currency"]
    total = format_amount(session["amount_total"], currency)
    head = f"<p class=merchant>{escape(merchant)}</p>"
    if session["status"] == "expired":
        return _page(
            f"{merchant} · Checkout",
            head + "<h1>This Checkout Session has expired</h1>"
            "<p>Your payment link has expired. Ask the merchant for a new one.</p>",
        )
    if session["status"] == "complete":
        link = checkout_pay.success_redirect(session)
        with sb.store.lock:
            intent = sb.store.get(session.get("payment_intent") or "", "payment_intent")
            said = pages_methods.after_payment(intent, total)
        return _page(
            f"{merchant} · Checkout",
            head + "<h1>This Checkout Session is complete</h1>" + said + ""
            f'<p><a href="{escape(link)}">Back to {escape(merchant)}</a></p>',
        )
    values = values or {}
    rows = []
    for index, item in enumerate(items):
        product = products[index] if index < len(products) else {}
        description = product.get("description")
        unit = format_amount(item["price"]["unit_amount"], currency)
        rows.append(
            f"<div class=line><div><strong>{escape(item['description'])}</strong>"
            + (f"<div class=muted>{escape(description)}</div>" if description else "")
            + (
                f"<div class=muted>Qty {item['quantity']} &times; {escape(unit)}</div>"
                if item["quantity"] != 1
                else ""
            )
            + f"</div><div>{escape(format_amount(item['amount_total'], currency))}</div></div>"
        )
    email = values.get("email", session.get("customer_email") or "")
    alert = f"<p role=alert class=alert>{escape(error)}</p>" if error else ""
    cancel = (
        f'<p class=links><a href="{escape(session["cancel_url"])}">Cancel and go back</a></p>'
        if session.get("cancel_url")
        else ""
    )
    methods = pages_methods.choice(list(session["payment_method_types"]), values)
    body = f"""{head}
<h1>Pay {escape(merchant)}</h1>
<p class=amount>{escape(total)}</p>
<div class=card>{"".join(rows)}</div>
{alert}
<form method=post action="/c/pay/{escape(session_id)}" class=card novalidate>
<label for=email>Email</label>
<input id=email name=email type=email autocomplete=email required value="{escape(email)}">
{methods}<button type=submit>Pay</button>
</form>
{cancel}
{pages_methods.TEST_DETAILS}"""
    return _page(f"{merchant} · Checkout", body, status)


def checkout_submit(sb: Sandbox, session_id: str, form: dict[str, str]) -> Response:
    with sb.store.lock:
        if sb.store.get(session_id, "checkout.session") is None:
            return checkout_page(sb, session_id)
        method, details = pages_methods.form_values(form)
        outcome = checkout_pay.pay(
            sb,
            session_id,
            card_number=form.get("card_number", ""),
            email=form.get("email"),
            name=form.get("name"),
            expiry=form.get("expiry", ""),
            cvc=form.get("cvc", ""),
            payment_method=method,
            bank_details=details,
        )
        sb.store.livemode = False
        sb.store.save()
    kept = {"email": form.get("email", ""), "name": form.get("name", ""), "payment_method": method}
    if outcome["outcome"] == "awaiting_funding":  # the instructions, then back to the merchant
        return checkout_page(sb, session_id)
    if outcome["outcome"] in ("succeeded", "processing"):
        return Response.redirect(outcome["redirect"], 303)
    if outcome["outcome"] in ("declined", "invalid"):
        status = 402 if outcome["outcome"] == "declined" else 400
        return checkout_page(
            sb, session_id, error=outcome["error"]["message"], values=kept, status=status
        )
    return checkout_page(sb, session_id)


# Onboarding ------------------------------------------------------------------------------


def onboarding(
    sb: Sandbox, account_id: str, token: str, method: str, form: dict[str, str]
) -> Response:
    with sb.store.lock:
        link = accounts.find_link(sb, account_id, token)
        if link is None:
            return _page(
                "Onboarding",
                "<h1>This link is not valid</h1>"
                "<p role=alert class=alert>Ask the platform for a new link.</p>",
                404,
            )
        deauthorized = sb.store.internal_of(account_id).get("deauthorized")
        expired = sb.now() > link["expires_at"]
        if (
            deauthorized
            or expired
            or link["state"] == "used"
            or (method == "GET" and link["state"] == "opened")
        ):
            link["state"] = "used"
            sb.store.touch()
            sb.store.save()
            return Response.redirect(link["refresh_url"], 302)
        if method == "POST":
            link["state"] = "used"
            sb.store.touch()
            accounts.complete_onboarding(sb, account_id)
            sb.store.save()
            return Response.redirect(link["return_url"], 303)
        link["state"] = "opened"
        sb.store.touch()
        sb.store.save()
        name = merchant_name(sb, account_id)
        account = sb.store.get(account_id, "account") or {}
    email = account.get("email") or ""
    body = f"""<p class=merchant>{escape(sb.config.platform_name)} partners with Stripe</p>
<h1>Set up payments for {escape(name)}</h1>
<div class=card><p>This is the Stripe sandbox's onboarding: no real details are collected.</p>
<table><tr><th>Account</th><td><code>{escape(account_id)}</code></td></tr>
<tr><th>Email</th><td>{escape(email) or "—"}</td></tr></table></div>
<form method=post action="/setup/s/{escape(account_id)}/{escape(token)}">
<button type=submit>Complete onboarding</button></form>
<p class=links><a href="{escape(link["return_url"])}">Return without finishing</a></p>"""
    return _page(f"Onboarding · {name}", body)


# Receipts and home -----------------------------------------------------------------------


def receipt(sb: Sandbox, charge_id: str) -> Response:
    with sb.store.lock:
        charge = sb.store.get(charge_id, "charge")
        if charge is None:
            return _page("Receipt", "<h1>No such receipt</h1>", 404)
        merchant = merchant_name(sb, sb.store.owner.get(charge_id))
    amount = format_amount(charge["amount"], charge["currency"])
    refunded = charge["amount_refunded"]
    refund_row = (
        f"<tr><th>Refunded</th><td>{escape(format_amount(refunded, charge['currency']))}</td></tr>"
        if refunded
        else ""
    )
    card = charge["payment_method_details"]["card"]
    body = f"""<p class=merchant>{escape(merchant)}</p><h1>Receipt</h1>
<div class=card><table>
<tr><th>Amount paid</th><td>{escape(amount)}</td></tr>{refund_row}
<tr><th>Description</th><td>{escape(charge.get("description") or "—")}</td></tr>
<tr><th>Card</th><td>{escape(card["brand"])} •••• {escape(card["last4"])}</td></tr>
<tr><th>Charge</th><td><code>{escape(charge_id)}</code></td></tr>
</table></div>"""
    return _page(f"Receipt · {merchant}", body)


def home(sb: Sandbox) -> Response:
    with sb.store.lock:
        accounts_ = list(reversed(sb.store.of_kind("account")))[:50]
        sessions = list(reversed(sb.store.of_kind("checkout.session")))[:50]
        account_rows = "".join(
            f"<tr><td><code>{escape(a['id'])}</code></td><td>{escape(merchant_name(sb, a['id']))}"
            f"</td><td>{'ready' if a['charges_enabled'] else 'onboarding'}</td></tr>"
            for a in accounts_
        )
        session_rows = "".join(
            f"<tr><td>{_session_link(s)}</td>"
            f"<td>{escape(format_amount(s['amount_total'], s['currency']))}</td>"
            f"<td>{escape(s['status'])}</td></tr>"
            for s in sessions
        )
    body = f"""<h1>Stripe sandbox</h1>
<p class=muted>An offline Stripe for tests and the demo. API at <code>/v1</code>, control API at
<a href="/_sandbox">/_sandbox</a>.</p>
<div class=card><h2>Connected accounts</h2><table>{account_rows or "<tr><td>None yet</td></tr>"}
</table></div>
<div class=card><h2>Checkout Sessions</h2><table>{session_rows or "<tr><td>None yet</td></tr>"}
</table></div>"""
    return _page("Stripe sandbox", body)


def _session_link(session: dict[str, Any]) -> str:
    short = escape(session["id"][:20]) + "…"
    if session["status"] == "open":
        return f'<a href="/c/pay/{escape(session["id"])}">{short}</a>'
    return f"<code>{short}</code>"
