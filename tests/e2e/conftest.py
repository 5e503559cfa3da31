"""Browser tests: Playwright for Python driving Debian's Chromium against the real demo.

A session-scoped fixture runs `secportal demo` (gunicorn, task worker, scheduler, SMTP catcher,
Stripe sandbox) as a subprocess on free ports with its own var dir, exactly as `make demo` starts
it; the tests drive it with a real browser. Screenshots go to test-artifacts/e2e/.

Skipped, with the reason, when Chromium or Playwright is not there.
"""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "e2e"
AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _unavailable() -> str | None:
    if not CHROMIUM.exists():
        return f"browser tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "browser tests need Playwright for Python (in the dev dependencies: make install)"
    return None


def _loaded_before_collection() -> bool:
    """True when pytest imports this file because tests/e2e was named on its command line: it
    does so before collecting, where a module-level skip is an error instead of a skip."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "_set_initial_conftests":
            return True
        frame = frame.f_back  # type: ignore[assignment]
    return False


SKIP_REASON = _unavailable()
if SKIP_REASON:
    if not _loaded_before_collection():
        # `make test` (plain pytest): the whole folder is reported skipped, with the reason.
        pytest.skip(SKIP_REASON, allow_module_level=True)
    if importlib.util.find_spec("playwright") is None:
        pytest.exit(SKIP_REASON, returncode=0)
    # `pytest tests/e2e…`: each test is marked skipped instead (pytest_collection_modifyitems).

from playwright.sync_api import (  # noqa: E402
    Browser,
    BrowserContext,
    Page,
    expect,
    sync_playwright,
)

OWNER_EMAIL = "owner@demo.secportal.test"
OWNER_PASSWORD = "demo-owner"
CLIENT_EMAIL = "client@demo.secportal.test"
WORKSPACE = "Redline Security"
ENGAGEMENT = "External penetration test"
CLIENT = "Northwind Bank"
PHONE = {"width": 390, "height": 844}

expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.path)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.browser)
            if SKIP_REASON:
                item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "steps: the module's tests are the steps of one story, run in order"
    )


_failed_steps: dict[Path, str] = {}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """In a module marked `steps`, remember the first step that failed (see `steps_guard`)."""
    report = yield
    if item.get_closest_marker("steps") and report.failed and call.when in ("setup", "call"):
        _failed_steps.setdefault(Path(str(item.path)), item.name)
    return report


@pytest.fixture(autouse=True)
def steps_guard(request: pytest.FixtureRequest) -> None:
    """The steps of a story depend on each other: after one fails, the later ones skip."""
    if request.node.get_closest_marker("steps"):
        failed = _failed_steps.get(Path(str(request.node.path)))
        if failed:
            pytest.skip(f"an earlier step of this story failed: {failed}")


def _free_ports(n: int) -> list[int]:
    socks = []
    try:
        for _ in range(n):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            socks.append(sock)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


@dataclass
class Demo:
    """The running demo: its addresses, its var dir, and its environment for `secportal manage`."""

    url: str
    stripe_url: str
    var_dir: Path
    env: dict[str, str]
    log: Path

    def manage(self, *args: str, timeout: float = 60) -> str:
        """`secportal manage …` against the demo's database (same var dir and settings)."""
        result = subprocess.run(
            [str(REPO / ".venv" / "bin" / "secportal"), "manage", *args],
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, f"secportal manage {args[0]} failed:\n{result.stderr}"
        return result.stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "-v", "0", "-c", code).strip()


def _demo_env(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    # The demo's own database (SQLite in the var dir), never the suite's (CI sets DATABASE_URL),
    # and the demo's settings, not pytest-django's.
    for name in ("DATABASE_URL", "SITE_URL", "DJANGO_SETTINGS_MODULE", "DEBUG"):
        env.pop(name, None)
    env["DJANGO_SETTINGS_MODULE"] = "secportal.settings.dev"
    env["SECPORTAL_VAR_DIR"] = str(var_dir)
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture(scope="session")
def artifacts() -> Path:
    if ARTIFACTS.exists():
        for old in ARTIFACTS.glob("*.png"):
            old.unlink()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, artifacts: Path
) -> Iterator[Demo]:
    """Each test file gets its own demo (own database, mailbox and Stripe sandbox), so the files
    pass in any order: no file sees what another one did."""
    secportal = REPO / ".venv" / "bin" / "secportal"
    if not secportal.exists():
        pytest.skip(f"{secportal} is missing: run `make install`")
    module = request.module.__name__.rsplit(".", 1)[-1]
    var_dir = tmp_path_factory.mktemp(f"demo-var-{module}")
    port, smtp_port, stripe_port = _free_ports(3)
    env = _demo_env(var_dir)
    log = artifacts / f"demo-{module}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                str(secportal),
                "demo",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--smtp-port",
                str(smtp_port),
                "--stripe-port",
                str(stripe_port),
                "--var-dir",
                str(var_dir),
            ],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        ready = None
        while ready is None:
            text = log.read_text(errors="replace")
            ready = re.search(r"^Ready: (http://\S+)", text, re.M)
            if ready:
                break
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"`secportal demo` did not start (see {log}):\n{text[-3000:]}")
            time.sleep(0.2)
        yield Demo(
            url=ready.group(1),
            stripe_url=f"http://127.0.0.1:{stripe_port}",
            var_dir=var_dir,
            env=env,
            log=log,
        )
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Screens:
    """Screenshots of each step: test-artifacts/e2e/NN-step.png, named by the tests."""

    folder: Path
    taken: list[str] = field(default_factory=list)

    def __call__(self, page: Page, name: str) -> Path:
        path = self.folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path.name)
        return path


@pytest.fixture(scope="session")
def shot(artifacts: Path) -> Screens:
    return Screens(artifacts)


@pytest.fixture(scope="module")
def new_context(browser: Browser, demo: Demo) -> Iterator[Callable[..., BrowserContext]]:
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        context = browser.new_context(base_url=demo.url, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


_last_totp_step: dict[str, int] = {}


def totp_code(secret_b32: str, site: str = "") -> str:
    """The authenticator app's current code for the secret; never one already used on that
    demo (the app refuses a code twice), so a second sign-in in the same 30 s waits for the
    next one. Each demo (``site``) has its own database, so its own used codes."""
    import base64

    from django_otp.oath import TOTP

    key = f"{site}|{secret_b32}"
    totp = TOTP(base64.b32decode(secret_b32), step=30, t0=0, digits=6)
    while totp.t() <= _last_totp_step.get(key, 0):
        time.sleep(0.5)
        totp = TOTP(base64.b32decode(secret_b32), step=30, t0=0, digits=6)
    _last_totp_step[key] = totp.t()
    return f"{totp.token():06d}"


def sign_in_owner(page: Page) -> None:
    from secportal.demo.data import TWO_FACTOR_SECRETS

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(OWNER_EMAIL)
    page.get_by_label("Password").fill(OWNER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Two-factor: owners give the Code of their authenticator app (the demo's fixed secret).
    site = re.sub(r"^(https?://[^/]+).*$", r"\1", page.url)
    page.get_by_label("Code").fill(totp_code(TWO_FACTOR_SECRETS[OWNER_EMAIL], site))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    choose_workspace(page, WORKSPACE)


def choose_workspace(page: Page, name: str) -> None:
    switcher = page.get_by_label("Workspace", exact=True)
    if switcher.count() and switcher.locator("option:checked").inner_text() != name:
        with page.expect_navigation():
            switcher.select_option(label=name)
    expect(page.locator(".who")).to_contain_text(name)


@pytest.fixture(scope="module")
def owner(new_context: Callable[..., BrowserContext]) -> Page:
    """The consultancy owner, signed in, in the Redline Security workspace."""
    page = new_context().new_page()
    sign_in_owner(page)
    return page


class Mailbox:
    """The demo's Mailbox page (/mailbox/), read with its own browser page."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self, subject: str | re.Pattern[str], to: str | None = None) -> Page:
        """Wait for an email (the task worker sends it) and open it; returns the message page."""
        pattern = subject if isinstance(subject, re.Pattern) else re.compile(re.escape(subject))
        deadline = time.monotonic() + 30
        while True:
            self.page.goto("/mailbox/")
            rows = self.page.locator("tbody tr").filter(
                has=self.page.get_by_role("link", name=pattern)
            )
            if to is not None:
                rows = rows.filter(has_text=to)
            if rows.count():
                rows.first.get_by_role("link", name=pattern).click()
                expect(self.page.get_by_role("heading", level=1)).to_have_text(pattern)
                return self.page
            if time.monotonic() > deadline:
                subjects = self.page.locator("tbody tr").all_inner_texts()
                pytest.fail(f"no email {pattern.pattern!r} to {to} in the mailbox: {subjects}")
            time.sleep(0.5)

    def link(self, subject: str | re.Pattern[str], name: str, to: str | None = None) -> str:
        """The href of the link or button `name` in the HTML version of an email."""
        message = self.open(subject, to)
        html = message.frame_locator("iframe.mail-html")
        link = html.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        href = link.get_attribute("href")
        assert href, f"{name!r} in {subject!r} has no link"
        return href


@pytest.fixture(scope="module")
def mailbox(new_context: Callable[..., BrowserContext]) -> Mailbox:
    return Mailbox(new_context().new_page())


@pytest.fixture(scope="module")
def portal(
    new_context: Callable[..., BrowserContext], mailbox: Mailbox, demo: Demo, shot: Screens
) -> Page:
    """The client contact, signed in to the portal by the emailed magic link."""
    page = new_context().new_page()
    page.goto("/portal/sign-in/")
    page.get_by_label("Email").fill(CLIENT_EMAIL)
    shot(page, "17-portal-sign-in")
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    link = mailbox.link(f"Your sign-in link for {WORKSPACE}", "Sign in", to=CLIENT_EMAIL)
    shot(mailbox.page, "18-mailbox-sign-in-link")
    page.goto(local(link, demo))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to your client portal")
    shot(page, "19-portal-magic-link")
    page.get_by_role("button", name="Continue to the portal").click()
    expect(page).to_have_url(demo.url + "/portal/")
    return page


def local(url: str, demo: Demo) -> str:
    assert url.startswith(demo.url), f"{url} is not on the demo's site {demo.url}"
    return url


@dataclass
class SentInvoice:
    number: str
    url: str  # the owner's invoice page
    pay_link: str  # the email's Pay Invoice link


def ensure_stripe_connected(page: Page) -> None:
    """Connect through the sandbox's onboarding unless the story already did."""
    page.goto("/settings/")
    connect = page.locator("#stripe").get_by_role("button", name="Connect Stripe Account")
    if connect.count():
        connect.click()
        page.get_by_role("button", name="Complete onboarding").click()
    expect(page.locator("#stripe")).to_contain_text("Ready to take payments")


@pytest.fixture(scope="module")
def sent_invoice(owner: Page, mailbox: Mailbox, demo: Demo) -> SentInvoice:
    """A sent, unpaid invoice and its pay link (for the phone and accessibility checks)."""
    ensure_stripe_connected(owner)
    url = create_invoice(owner, amount="2,400", description="Phishing simulation (phone check)")
    number = send_invoice(owner)
    link = mailbox.link(f"Invoice {number} from {WORKSPACE}", "Pay Invoice", to=CLIENT_EMAIL)
    return SentInvoice(number=number, url=url, pay_link=local(link, demo))


def create_invoice(
    page: Page,
    shot: Screens | None = None,
    *,
    amount: str,
    description: str,
    due_date: str = "",
    prefix: str = "",
) -> str:
    """From the engagement page's "New invoice"; returns the draft's URL."""
    page.goto("/engagements/")
    page.get_by_role("link", name=ENGAGEMENT).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ENGAGEMENT)
    page.get_by_role("link", name="New invoice").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("New invoice")
    page.get_by_label("Amount").fill(amount)
    page.get_by_label("Currency").select_option("GBP")
    page.get_by_label("Description").fill(description)
    # Choosing the client reloads the engagement choices (htmx): let that finish first.
    with page.expect_response(re.compile(r"/invoices/new/engagements/")):
        page.get_by_label("Client").select_option(label=CLIENT)
    engagement = page.get_by_label("Engagement")
    expect(engagement.locator("option", has_text=ENGAGEMENT)).to_have_count(1)
    value = engagement.locator("option", has_text=ENGAGEMENT).get_attribute("value")
    assert value, "the engagement has no option value"
    engagement.select_option(value)
    if due_date:
        page.get_by_label("Due date").fill(due_date)
    if shot:
        shot(page, f"{prefix}new-invoice-form")
    page.get_by_role("button", name="Create draft").click()
    expect(page.locator("h1 .badge")).to_have_text("Draft")
    return page.url


def send_invoice(page: Page, shot: Screens | None = None, *, prefix: str = "") -> str:
    """From a draft's page: Send Invoice, review, Send Invoice; returns the invoice number."""
    page.get_by_role("link", name="Send Invoice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review and send")
    if shot:
        shot(page, f"{prefix}review-and-send")
    page.get_by_role("button", name="Send Invoice").click()
    expect(page.locator("h1 .badge")).to_have_text("Sent")
    heading = page.get_by_role("heading", level=1).inner_text()
    found = re.search(r"Invoice (\S+)", heading)
    assert found, heading
    return found.group(1)


def assert_fits_viewport(page: Page) -> None:
    """Nothing cut off or overflowing sideways on a phone."""
    width = page.evaluate("window.innerWidth")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url}: {scroll_width}px wide in a {width}px viewport"
    outside = page.evaluate(
        """() => [...document.querySelectorAll(
                'button, input:not([type=hidden]), select, textarea, a.button')]
            .filter(el => {
                const r = el.getBoundingClientRect();
                const s = getComputedStyle(el);
                return r.width > 0 && r.height > 0 && s.visibility !== 'hidden';
            })
            .map(el => {
                const r = el.getBoundingClientRect();
                return {what: el.outerHTML.slice(0, 120), left: r.left, right: r.right};
            })
            .filter(b => b.left < 0 || b.right > window.innerWidth + 0.5)"""
    )
    assert not outside, f"{page.url}: controls outside the {width}px viewport: {outside}"


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    # Injected through DevTools, not as a <script>: the pages' CSP (rightly) refuses inline script.
    page.evaluate(AXE_JS.read_text() + "\n;undefined")
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} {v['helpUrl']}")
        for node in v["nodes"][:10]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary']!r}")
            lines.append(f"      {node['html'][:200]}")
    return "\n".join(lines)


__all__ = [
    "AXE_JS",
    "CLIENT",
    "CLIENT_EMAIL",
    "ENGAGEMENT",
    "PHONE",
    "WORKSPACE",
    "Demo",
    "Mailbox",
    "Screens",
    "SentInvoice",
    "assert_fits_viewport",
    "axe_violations",
    "create_invoice",
    "describe_violations",
    "ensure_stripe_connected",
    "local",
    "send_invoice",
]
