"""Settings of the payments end-to-end benchmark: the webhook bench's (the production task
backend, persistent connections, no reachable Stripe), and email through the SMTP server that
the benchmark starts (``BENCH_SMTP_PORT``), so that "done" means handed to an SMTP server."""

import os

from bench.webhook_settings import *  # noqa: F403

MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": "127.0.0.1",
            "port": int(os.environ.get("BENCH_SMTP_PORT", "1025")),
            "timeout": 10,
        },
    }
}
