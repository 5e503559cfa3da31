"""A local SMTP server (aiosmtpd) that keeps every message it receives as a .eml file.

The demo points Django's SMTP backend at it and the Mailbox page reads the files back.
"""

from __future__ import annotations

import argparse
import signal
import threading
import time
import uuid
from email import message_from_bytes, policy
from email.message import EmailMessage as MimeMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class MaildirHandler:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
        tmp = self.directory / f".{name}.tmp"
        tmp.write_bytes(content)
        tmp.rename(self.directory / name)
        return "250 Message accepted for delivery"


def start(directory: Path, host: str = "127.0.0.1", port: int = 1025) -> Controller:
    controller = Controller(MaildirHandler(directory), hostname=host, port=port)
    controller.start()
    return controller


def read_mailbox(directory: Path) -> list[dict[str, Any]]:
    """The caught messages, newest first."""
    if not directory.exists():
        return []
    messages = []
    for path in sorted(directory.glob("*.eml"), reverse=True):
        messages.append(parse_message(path))
    return messages


def parse_message(path: Path) -> dict[str, Any]:
    mime = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(mime, MimeMessage)
    text_part = mime.get_body(preferencelist=("plain",))
    html_part = mime.get_body(preferencelist=("html",))
    return {
        "id": path.stem,
        "subject": str(mime.get("Subject", "")),
        "from": str(mime.get("From", "")),
        "to": str(mime.get("To", "")),
        "reply_to": str(mime.get("Reply-To", "")),
        "date": str(mime.get("Date", "")),
        "kind": str(mime.get("X-SecPortal-Kind", "")),
        "text": text_part.get_content() if text_part is not None else "",  # type: ignore[attr-defined]
        "html": html_part.get_content() if html_part is not None else "",  # type: ignore[attr-defined]
        "attachments": [
            (part.get_filename() or "", part.get_content_type(), part.get_payload(decode=True))
            for part in mime.iter_attachments()
        ],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Catch emails over SMTP into a folder.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--dir", type=Path, required=True)
    args = parser.parse_args(argv)
    controller = start(args.dir, args.host, args.port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
