"""The test suite: SQLite unless DATABASE_URL says otherwise, fast password hashing."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "insecure-test-key-0123456789-0123456789-0123456789"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
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

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: live-server tests (Stripe's webhooks arriving while the test runs)
    # then give each thread its own connection, as the web processes of the demo have.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-secportal.sqlite3")}  # noqa: F405
    DATABASES["default"]["OPTIONS"]["init_command"] = (  # noqa: F405
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;"
    )
# django-otp's per-device back-off (1 s, 2 s, 4 s… after a wrong code) would make tests wait;
# django-axes still counts wrong codes, and tests/accounts checks that lockout.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

WEBHOOKS_ALLOW_PRIVATE_URLS = True
WEBHOOKS_TIMEOUT = 5.0
