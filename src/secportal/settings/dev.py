"""The demo and local development only (``secportal demo``): DEBUG on, the Mailbox page served.

Every other entry point (``secportal serve``/``worker``/``scheduler``/``manage``, ``wsgi.py``,
``manage.py``) defaults to ``secportal.settings.production``.
"""

import os

from .base import *  # noqa: F403
from .base import env_bool, env_list

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY") or "insecure-dev-key-for-the-demo-only-0123456789"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
SITE_URL = (os.environ.get("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")

WEBHOOKS_ALLOW_PRIVATE_URLS = env_bool("WEBHOOKS_ALLOW_PRIVATE_URLS", True)
