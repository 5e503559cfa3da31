"""Production, the default of every entry point: HTTPS, secrets from the environment.

It refuses to start on an unsafe combination rather than run with it (``safety.check_environment``):
no ``SECRET_KEY`` (or the demo's), no ``ALLOWED_HOSTS``, a ``SITE_URL`` that is not https, or a
live Stripe key sent anywhere but Stripe (``STRIPE_API_BASE``). Passes ``check --deploy``.
"""

import os

from .base import *  # noqa: F403
from .base import env_bool, env_list
from .safety import check_environment

check_environment(os.environ)

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
SITE_URL = os.environ["SITE_URL"].rstrip("/")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Behind one TLS proxy: the portal's per-IP rate limit reads the client from X-Forwarded-For.
PORTAL_TRUSTED_PROXY_HOPS = int(os.environ.get("PORTAL_TRUSTED_PROXY_HOPS", "1"))
# Persistent database connections, checked before reuse: opening one per request costs more
# than most pages' queries, and ``core.prepared`` reads are planned once per connection.
# ``CONN_MAX_AGE=0`` in the environment closes each at the end of its request.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
