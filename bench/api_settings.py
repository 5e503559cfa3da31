"""Settings of the API benchmark: the webhook bench's (the production task backend, so that the
fan-out goes through the real worker, persistent connections, no reachable Stripe), with a rate
limit no benchmark reaches (every request is still counted in the database, as in production)."""

from bench.webhook_settings import *  # noqa: F403

API_RATE_LIMIT = 1_000_000_000
