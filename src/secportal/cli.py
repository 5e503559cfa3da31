"""The `secportal` command: `demo` runs the whole system in one terminal; the others run one part.

secportal demo [--host 127.0.0.1] [--port 8000] [--smtp-port 1025]
secportal serve        # gunicorn (production web process)
secportal worker       # background tasks (django.tasks database backend); outlives DB outages
secportal scheduler    # periodic tasks (run exactly one)
secportal manage ...   # Django's manage.py
secportal stripe-setup [--url URL] [--replace]
                       # create or verify Stripe's Connect webhook endpoint; prints its secret
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

# Every entry point runs production settings unless told otherwise; only the demo runs dev ones.
PRODUCTION_SETTINGS = "secportal.settings.production"
DEMO_SETTINGS = "secportal.settings.dev"


def _manage(*args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run([sys.executable, "-m", "django", *args], check=True, env=env)


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _wait_port(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _port_open("127.0.0.1", port):
            return True
        time.sleep(0.3)
    return False


def _wait_http(url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


def demo(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="secportal demo", description="Run the whole demo.")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--smtp-port", type=int, default=int(os.environ.get("SMTP_PORT", "1025")))
    parser.add_argument(
        "--stripe-port",
        type=int,
        default=int(os.environ.get("STRIPE_PORT", "12111")),
        help="port of the offline Stripe sandbox",
    )
    parser.add_argument("--var-dir", default=os.environ.get("SECPORTAL_VAR_DIR", "var"))
    args = parser.parse_args(argv)

    var_dir = Path(args.var_dir).resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    site_url = f"http://{args.host}:{args.port}"
    stripe_url = f"http://127.0.0.1:{args.stripe_port}"
    webhook_secret = "whsec_demo_secportal_sandbox"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", DEMO_SETTINGS),
        "SECPORTAL_VAR_DIR": str(var_dir),
        "SITE_URL": site_url,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(args.smtp_port),
        "MAILBOX_DIR": str(var_dir / "mailbox"),
        "ALLOWED_HOSTS": f"{args.host},127.0.0.1,localhost",
        "PYTHONUNBUFFERED": "1",
        # The demo's Stripe is the offline sandbox; real keys and no STRIPE_API_BASE reach Stripe.
        "STRIPE_API_BASE": stripe_url,
        "STRIPE_SECRET_KEY": "sk_test_secportal_demo",
        "STRIPE_WEBHOOK_SECRETS": webhook_secret,
    }
    for port, what in [
        (args.port, "web"),
        (args.smtp_port, "SMTP"),
        (args.stripe_port, "Stripe sandbox"),
    ]:
        if _port_open("127.0.0.1" if args.host == "0.0.0.0" else args.host, port):  # noqa: S104
            print(
                f"Port {port} ({what}) is already in use: choose another with --port/--smtp-port."
            )
            return 2

    print("Migrating the database and loading demo data…", flush=True)
    _manage("migrate", "--no-input", "-v", "0", env=env)
    _manage("load_demo", env=env)

    python = sys.executable
    commands = {
        "mail": [
            python,
            "-m",
            "secportal.notifications.mailcatcher",
            "--host",
            "127.0.0.1",
            "--port",
            str(args.smtp_port),
            "--dir",
            str(var_dir / "mailbox"),
        ],
        "web": [
            python,
            "-m",
            "gunicorn",
            "secportal.wsgi:application",
            "--bind",
            f"{args.host}:{args.port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--access-logfile",
            "-",
            "--log-level",
            "warning",
        ],
        "stripe": [
            python,
            "-m",
            "stripe_sandbox",
            "--host",
            "127.0.0.1",
            "--port",
            str(args.stripe_port),
            "--public-url",
            stripe_url,
            "--webhook-url",
            f"http://127.0.0.1:{args.port}/stripe/webhook/",
            "--webhook-secret",
            webhook_secret,
            "--state",
            str(var_dir / "stripe-sandbox.json"),
        ],
        # The supervised worker: it outlives a database outage (see ``supervise``).
        "worker": [python, "-m", "secportal", "worker", "--interval", "0.5", "-v", "0"],
        "scheduler": [python, "-m", "django", "crontask"],
    }
    children: dict[str, subprocess.Popen[bytes]] = {}
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        for name, command in commands.items():
            children[name] = subprocess.Popen(command, env=env, start_new_session=True)
        ready = _wait_http(f"http://127.0.0.1:{args.port}/healthz", 60)
        ready = ready and _wait_port(args.smtp_port, 20) and _wait_port(args.stripe_port, 30)
        if not ready:
            print("The demo did not start: see the messages above.")
            return 1
        # One write: whoever waits for "Ready:" (the browser tests) reads the whole banner.
        print(
            f"Ready: {site_url}\n"
            f"  Demo logins:{_demo_logins()}\n"
            f"  Mailbox (caught emails): {site_url}/mailbox/\n"
            f"  Stripe sandbox (offline Stripe): {stripe_url}\n"
            "  Press Ctrl-C to stop.\n"
            "  The sandbox's control API and the Mailbox show secrets and sign-in links: they"
            " listen on 127.0.0.1 only. Keep it so.",
            flush=True,
        )
        restarts: dict[str, list[float]] = {name: [] for name in children}
        while not stopping:
            for name, child in list(children.items()):
                if child.poll() is None or stopping:
                    continue
                # A crashed part is restarted (at most 3 times a minute); otherwise everything
                # stops: the demo never runs half-alive.
                now = time.monotonic()
                restarts[name] = [t for t in restarts[name] if now - t < 60]
                if len(restarts[name]) >= 3:
                    print(
                        f"The {name} process keeps stopping (exit {child.returncode});"
                        " stopping the demo. See the messages above.",
                        flush=True,
                    )
                    return 1
                restarts[name].append(now)
                print(
                    f"The {name} process stopped (exit {child.returncode}); restarting it.",
                    flush=True,
                )
                children[name] = subprocess.Popen(commands[name], env=env, start_new_session=True)
            time.sleep(0.5)
        return 0
    finally:
        for child in children.values():
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        for child in children.values():
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
        print("Stopped.")


def _demo_logins() -> str:
    """Every demo login, as the Ready banner lists them."""
    from secportal.demo.data import (
        ADMIN_EMAIL,
        CLIENT_EMAIL,
        MEMBER_EMAIL,
        OWNER_EMAIL,
        OWNER_PASSWORD,
        STAFF_PASSWORD,
        TWO_FACTOR_SECRETS,
    )

    lines = [
        f"Consultancy owner: {OWNER_EMAIL} / password {OWNER_PASSWORD}",
        f"Consultancy admin: {ADMIN_EMAIL} / password {STAFF_PASSWORD}",
        f"Consultancy member: {MEMBER_EMAIL} / password {STAFF_PASSWORD} (no two-factor)",
        f"Client contact (portal, sign-in link by email): {CLIENT_EMAIL}",
        *(
            f"Two-factor secret for {email}: {secret}"
            for email, secret in TWO_FACTOR_SECRETS.items()
        ),
    ]
    return "".join(f"\n    {line}" for line in lines)


def supervise(name: str, command: list[str], max_delay: float = 60.0) -> int:
    """Run ``command``; when it exits (a database outage makes the worker exit), run it again
    after a pause that doubles up to ``max_delay`` seconds, so that the worker carries on once
    the database is back. SIGTERM or Ctrl-C stop the child and return."""
    stopping = False
    child: subprocess.Popen[bytes] | None = None

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    delay = 1.0
    while True:
        started = time.monotonic()
        child = subprocess.Popen(command)
        code = child.wait()
        if stopping:
            return 0
        if time.monotonic() - started > 5 * max_delay:
            delay = 1.0  # it ran well for a while: start the back-off again
        print(
            f"The {name} stopped (exit {code}); starting it again in {delay:.0f} s.",
            file=sys.stderr,
            flush=True,
        )
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline and not stopping:
            time.sleep(0.1)
        if stopping:
            return 0
        delay = min(delay * 2, max_delay)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__)
        return 0
    command, rest = argv[0], argv[1:]
    if command == "demo":
        return demo(rest)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", PRODUCTION_SETTINGS)
    if command == "manage":
        from django.core.management import execute_from_command_line

        execute_from_command_line(["secportal", *rest])
        return 0
    if command == "stripe-setup":
        from django.core.management import execute_from_command_line

        execute_from_command_line(["secportal stripe-setup", "stripe_setup", *rest])
        return 0
    if command == "worker":
        return supervise(
            "worker",
            [
                sys.executable,
                "-m",
                "django",
                "db_worker",
                "--queue-name",
                "*",
                "--no-reload",
                *rest,
            ],
        )
    if command == "scheduler":
        os.execvp(sys.executable, [sys.executable, "-m", "django", "crontask", *rest])
    if command == "serve":
        os.execvp(
            sys.executable, [sys.executable, "-m", "gunicorn", "secportal.wsgi:application", *rest]
        )
    print(f"Unknown command {command!r}.\n{__doc__}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
