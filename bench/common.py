"""Shared by the bench scripts: the database, Django, result lines and side-by-side timing.

The house rule: a target is a ratio measured side by side in one run (never an absolute time),
and each target prints exactly one line, ``bench NAME: VALUE (target OP LIMIT) PASS|FAIL``.
"""

from __future__ import annotations

import operator
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

SETTINGS = "bench.settings"
VERBOSE = os.environ.get("BENCH_VERBOSE", "") not in ("", "0")

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
    "==": operator.eq,
}


def note(message: str) -> None:
    """Progress and diagnostics: stderr, so that stdout holds only the result lines."""
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def detail(message: str) -> None:
    if VERBOSE:
        note(message)


class Results:
    """Collects the PASS/FAIL of every target printed by one script."""

    def __init__(self) -> None:
        self.failed: list[str] = []

    def ratio(self, name: str, value: float, op: str, limit: float) -> bool:
        return self.line(name, value, f"{value:.2f}x", op, limit, f"{limit:.1f}x")

    def line(
        self, name: str, value: Any, shown: str, op: str, limit: Any, limit_shown: str
    ) -> bool:
        ok = _OPS[op](value, limit)
        self.emit(name, shown, f"{op} {limit_shown}", ok)
        return ok

    def emit(self, name: str, shown: str, target: str, ok: bool) -> None:
        print(f"bench {name}: {shown} (target {target}) {'PASS' if ok else 'FAIL'}", flush=True)
        if not ok:
            self.failed.append(name)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def database_url() -> str:
    from bench.settings import DEFAULT_DATABASE_URL

    return os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def ensure_database() -> None:
    """Create the bench database if it is missing (connecting to the ``postgres`` database)."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(database_url())
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit(f"The benchmarks run on PostgreSQL only, not {config['ENGINE']}.")
    params = {
        "host": config.get("HOST") or "127.0.0.1",
        "port": int(config.get("PORT") or 5432),
        "user": config.get("USER") or "postgres",
        "password": config.get("PASSWORD") or None,
        "dbname": "postgres",
        "connect_timeout": 10,
    }
    with psycopg.connect(**params, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            note(f"creating database {config['NAME']}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


def setup_django() -> None:
    """Create the database if needed, set Django up on bench.settings and migrate."""
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    ensure_database()
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def setup_django_only() -> None:
    """For child processes: the database is already there and migrated."""
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    import django

    django.setup()


def interleaved(
    baseline: Callable[[], object],
    target: Callable[[], object],
    rounds: int,
    warmup: int = 5,
) -> tuple[float, float]:
    """Median seconds of each, measured alternately (ABBA order) in ``rounds`` rounds."""
    for _ in range(warmup):
        baseline()
        target()
    times: dict[str, list[float]] = {"baseline": [], "target": []}
    pairs = (("baseline", baseline), ("target", target))
    for i in range(rounds):
        order = pairs if i % 2 == 0 else pairs[::-1]
        for name, func in order:
            start = time.perf_counter()
            func()
            times[name].append(time.perf_counter() - start)
    return statistics.median(times["baseline"]), statistics.median(times["target"])


def signed_in_client(user: Any) -> Any:
    """A test client signed in as ``user``, two-factor verified as an owner's or admin's session
    is after the code step (django-otp), so that workspace pages answer 200, not the 2FA step."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def run_workers(count: int, settings: str, timeout: float) -> float:
    """Run ``count`` ``db_worker --batch`` processes (``settings``) until every queue is empty;
    the seconds taken, start-up included."""
    import subprocess

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        "PYTHONPATH": os.pathsep.join(filter(None, [os.getcwd(), *sys.path])),
    }
    command = [
        *(sys.executable, "-m", "django", "db_worker", "--batch", "--queue-name", "*"),
        *("--no-startup-delay", "--interval", "0.05", "--no-reload"),
    ]
    start = time.perf_counter()
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(count)
    ]
    for process in processes:
        _out, err = process.communicate(timeout=timeout)
        if process.returncode != 0:
            raise SystemExit(f"db_worker failed: {err.decode()[-2000:]}")
    return time.perf_counter() - start
