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


def _free_ports(n: int) -> list[int]:
    import socket

    socks = [socket.socket() for _ in range(n)]
    for sock in socks:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in socks]
    for sock in socks:
        sock.close()
    return ports


def _wait_for(log: Path, text: str, process: subprocess.Popen[bytes], seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while text not in (content := log.read_text(errors="replace")):
        assert time.monotonic() < deadline, content[-3000:]
        if process.poll() is not None and text not in log.read_text(errors="replace"):
            raise AssertionError(content[-3000:])
        time.sleep(0.2)
    return content


def _mail_pid(smtp_port: int) -> int:
    found = subprocess.run(
        ["pgrep", "-f", f"secportal.notifications.mailcatcher .*--port {smtp_port} "],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    assert len(found) == 1, found
    return int(found[0])


def test_demo_restarts_a_crashed_part_and_stops_everything_when_it_keeps_crashing(tmp_path):
    port, smtp_port, stripe_port = _free_ports(3)
    env = _env(tmp_path)
    env.pop("DATABASE_URL")
    log = tmp_path / "demo.log"
    with log.open("wb") as out:
        demo = subprocess.Popen(
            [
                *(sys.executable, "-m", "secportal", "demo", "--port", str(port)),
                *("--smtp-port", str(smtp_port), "--stripe-port", str(stripe_port)),
                *("--var-dir", str(tmp_path / "var")),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_for(log, "Ready:", demo, 120)
            os.kill(_mail_pid(smtp_port), signal.SIGKILL)
            _wait_for(log, "The mail process stopped (exit -9); restarting it.", demo, 20)
            assert demo.poll() is None
            for _ in range(3):  # it keeps crashing: at most 3 restarts a minute, then stop
                deadline = time.monotonic() + 20
                while True:
                    try:
                        os.kill(_mail_pid(smtp_port), signal.SIGKILL)
                        break
                    except AssertionError:
                        assert time.monotonic() < deadline
                        time.sleep(0.2)
                time.sleep(1.5)
            content = _wait_for(log, "keeps stopping", demo, 20)
            assert demo.wait(30) == 1, content[-2000:]
            assert "Stopped." in log.read_text()
        finally:
            if demo.poll() is None:
                demo.send_signal(signal.SIGTERM)
                demo.wait(30)
    leftover = subprocess.run(
        ["pgrep", "-f", str(tmp_path / "var")], capture_output=True, text=True, check=False
    ).stdout.split()
    assert leftover == []  # nothing runs half-alive
