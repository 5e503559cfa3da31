"""The worker outlives a database outage: it starts again with back-off and carries on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "secportal.settings.dev",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "SECPORTAL_VAR_DIR": str(tmp_path),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def test_worker_restarts_while_the_database_is_down_and_carries_on_after(tmp_path):
    env = _env(tmp_path)
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "secportal", "worker", "--interval", "0.2", "-v", "0"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            # The database has no tables yet: every query fails as if the database were down.
            deadline = time.monotonic() + 60
            while log.read_text().count("starting it again") < 2:
                assert worker.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
            # The database comes back.
            subprocess.run(
                [sys.executable, "-m", "django", "migrate", "-v", "0"], env=env, check=True
            )
            time.sleep(6)  # longer than the next back-off: the worker has started again
            restarts = log.read_text().count("starting it again")
            time.sleep(3)
            assert worker.poll() is None, log.read_text()
            assert log.read_text().count("starting it again") == restarts  # it stays up
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(20)
    assert worker.returncode == 0
