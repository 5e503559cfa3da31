"""The test suite: SQLite unless DATABASE_URL says otherwise, fast password hashing."""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "email"],
    }
}
EMAIL_RETRY_DELAYS = [0, 0, 0, 0]
SITE_URL = "http://testserver"
STRIPE_SECRET_KEY = "sk_test_secportal"
STRIPE_WEBHOOK_SECRETS = ["whsec_test_secportal"]
LOGGING = {"version": 1, "disable_existing_loggers": False}
