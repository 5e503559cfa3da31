"""Settings of the webhook benchmark (its gunicorn server and the script itself).

``bench.settings``, plus:

- ``ROOT_URLCONF``: the project's URLs and the minimal INSERT view (``bench/webhook_urls.py``);
- the production task backend (tasks are rows in the same database, enqueued in the same
  transaction), not the test settings' immediate one, which would try to send the payment
  emails inside the webhook's request;
- persistent database connections, so that neither side pays a new connection per request;
- a Stripe API base on a closed loopback port: the events are built so that processing them
  needs no Stripe call, and if one happened anyway it would fail at once (and the event would
  be left unprocessed, which the benchmark checks), never leave the machine.
"""

import copy

from bench.settings import *  # noqa: F403
from bench.settings import DATABASES
from secportal.settings.base import TASKS as _PRODUCTION_TASKS

ROOT_URLCONF = "bench.webhook_urls"
ALLOWED_HOSTS = ["testserver", "127.0.0.1"]
TASKS = copy.deepcopy(_PRODUCTION_TASKS)
DATABASES["default"]["CONN_MAX_AGE"] = 60
STRIPE_API_BASE = "http://127.0.0.1:9"
STRIPE_TIMEOUT = 2.0
