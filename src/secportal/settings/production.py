"""Production, the default of every entry point: HTTPS, secrets from the environment.

It refuses to start on an unsafe combination rather than run with it (``check_environment``):
no ``SECRET_KEY`` (or the demo's), no ``ALLOWED_HOSTS``, a ``SITE_URL`` that is not https, or a
live Stripe key sent anywhere but Stripe (``STRIPE_API_BASE``). Passes ``check --deploy``.
"""

import os
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, env_list


def check_environment(env: Mapping[str, str]) -> None:
    """Raise ImproperlyConfigured, naming the variable, for every unsafe setting."""
    problems = []
    secret = env.get("SECRET_KEY", "")
    if len(secret) < 50 or secret.startswith("insecure"):
        problems.append("SECRET_KEY must be set to a long random value (50+ characters).")
    hosts = [h.strip() for h in env.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    if not hosts or "*" in hosts:
        problems.append("ALLOWED_HOSTS must list the site's host names (no '*').")
    if not env.get("SITE_URL", "").startswith("https://"):
        problems.append("SITE_URL must be the site's https:// address (it goes into emails).")
    if env.get("STRIPE_SECRET_KEY", "").startswith(("sk_live_", "rk_live_")) and env.get(
        "STRIPE_API_BASE"
    ):
        problems.append(
            "STRIPE_API_BASE must be unset with a live Stripe key: the key would be sent to "
            f"{env['STRIPE_API_BASE']!r} instead of Stripe."
        )
    if problems:
        raise ImproperlyConfigured("Unsafe production settings: " + " ".join(problems))


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
