"""Settings shared by every environment, each settable from the environment (DESIGN.md 12)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

SRC_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = Path(os.environ.get("SECPORTAL_HOME", Path.cwd()))
VAR_DIR = Path(os.environ.get("SECPORTAL_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# No defaults here: production refuses to start without them; dev.py and test.py set local ones.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
# The Django admin (the platform operator's) lives at this path, not at /admin/.
ADMIN_URL = os.environ.get("ADMIN_URL", "platform-admin/").strip("/") + "/"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "django_tasks_db",
    "crontask",
    "secportal.core",
    "secportal.accounts",
    "secportal.workspaces",
    "secportal.clients",
    "secportal.engagements",
    "secportal.notifications",
    "secportal.invoicing",
    "secportal.payments",
    "secportal.portal",
    "secportal.analytics",
    "secportal.api",
    "secportal.webhooks",
    "ninja",
    "secportal.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "secportal.core.security.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "secportal.core.security.SessionLimitsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "secportal.core.tenancy.TenancyMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "secportal.urls"
WSGI_APPLICATION = "secportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "secportal.core.context_processors.workspace",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'secportal.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
# ``core.prepared``'s reads as PostgreSQL prepared statements (planned once per connection); off
# behind a connection pooler in transaction mode (PgBouncer's), which cannot keep them.
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL and a busy timeout let the web process and the worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A covering index's INCLUDE columns are PostgreSQL's (index-only scans at platform scale,
    # bench/platform.py); SQLite keeps the index on its key columns, which is all it needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out account or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "analytics:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [SRC_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background tasks: django.tasks with the database backend (durable, same database, enqueued in
# the same transaction as the change that asks for them); django-crontask schedules periodic ones.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "email"],
    }
}

# Email: Django's SMTP backend; the demo points it at the local aiosmtpd catcher. A provider's
# HTTP API instead: EMAIL_BACKEND names a django-anymail backend (README "Production mail") and
# every ANYMAIL_* variable becomes a key of ANYMAIL (ANYMAIL_POSTMARK_SERVER_TOKEN ->
# ANYMAIL["POSTMARK_SERVER_TOKEN"]). Nothing else changes: the outbox, retries and bounces work
# the same through either.
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_BACKEND_NAME = os.environ.get("EMAIL_BACKEND", SMTP_BACKEND)
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKEND_NAME,
        "OPTIONS": {
            "host": os.environ.get("EMAIL_HOST", "127.0.0.1"),
            "port": int(os.environ.get("EMAIL_PORT", "1025")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "timeout": int(os.environ.get("EMAIL_TIMEOUT", "10")),
        }
        if EMAIL_BACKEND_NAME == SMTP_BACKEND
        else {},
    }
}
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in os.environ.items()
    if name.startswith("ANYMAIL_")
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "SecPortal <billing@secportal.test>")
# Where the demo's SMTP catcher stores messages, and whether the Mailbox page is served.
MAILBOX_DIR = Path(os.environ.get("MAILBOX_DIR", VAR_DIR / "mailbox"))
EMAIL_MAX_ATTEMPTS = int(os.environ.get("EMAIL_MAX_ATTEMPTS", "5"))
EMAIL_RETRY_DELAYS = [30, 120, 600, 1800]
# A delivery claims an email for this long (seconds) while it talks to the mail server; a claim
# older than this belongs to a worker that died mid-send, and the outbox sweep delivers again.
# Longer than the SMTP timeout (EMAIL_TIMEOUT) several times over.
EMAIL_SEND_LEASE = int(os.environ.get("EMAIL_SEND_LEASE", "300"))
# A background task still "running" after this many seconds belongs to a worker that was killed:
# it is marked failed (the work itself is retried by its own sweep, e.g. the outbox's).
TASK_RUNNING_LIMIT = int(os.environ.get("TASK_RUNNING_LIMIT", "1800"))
# Finished task results are deleted every night after this many days (failed ones later: they
# explain what went wrong); the work itself is recorded elsewhere (outbox, events, deliveries).
TASK_RESULTS_KEEP_DAYS = int(os.environ.get("TASK_RESULTS_KEEP_DAYS", "14"))
TASK_FAILURES_KEEP_DAYS = int(os.environ.get("TASK_FAILURES_KEEP_DAYS", "60"))

# The Bank of England base rate (% a year) from each effective date: the late-payment interest
# of invoices (issue 17; invoicing.interest) uses the rate in force on 30 June / 31 December.
# Add a row when the Bank changes the rate.
BOE_BASE_RATES = [
    ("2023-08-03", "5.25"),
    ("2024-08-01", "5.00"),
    ("2024-11-07", "4.75"),
    ("2025-02-06", "4.50"),
    ("2025-05-08", "4.25"),
    ("2025-08-07", "4.00"),
]

# How long signed links work, in seconds (DESIGN.md 9): the email's Pay Invoice link stays useful
# for months, like Stripe's own links; the portal's one-time sign-in link for 15 minutes.
PAY_LINK_MAX_AGE = 60 * 60 * 24 * 120
PORTAL_SIGN_IN_LINK_MAX_AGE = 15 * 60

# Stripe (DESIGN.md 7). STRIPE_API_BASE points the official SDK at the offline sandbox.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
STRIPE_WEBHOOK_SECRETS = env_list("STRIPE_WEBHOOK_SECRETS")
STRIPE_TIMEOUT = float(os.environ.get("STRIPE_TIMEOUT", "15"))
# Background work that talks to Stripe (processing a stored event, refunding a double payment)
# is tried again after these delays (seconds), then given up on visibly: a dead-lettered event
# in the admin, an email to the workspace's owners.
STRIPE_RETRY_DELAYS = [60, 300, 1800, 7200, 21600]

# The REST API: requests per key per fixed window (seconds), counted in the database.
API_RATE_LIMIT = int(os.environ.get("API_RATE_LIMIT", "600"))
API_RATE_WINDOW = int(os.environ.get("API_RATE_WINDOW", "60"))

# Outgoing webhooks: a delivery is tried again after these delays (seconds; the last try is about
# three days after the event), each POST waits WEBHOOKS_TIMEOUT seconds; an endpoint whose
# deliveries failed WEBHOOKS_DISABLE_AFTER times in a row is disabled and its owners emailed.
# Private, loopback and link-local targets (and http://) are refused unless
# WEBHOOKS_ALLOW_PRIVATE_URLS (the demo and tests, whose receivers are local).
WEBHOOKS_RETRY_DELAYS = [60, 300, 1800, 7200, 21600, 43200, 86400, 86400]
WEBHOOKS_TIMEOUT = float(os.environ.get("WEBHOOKS_TIMEOUT", "10"))
WEBHOOKS_DISABLE_AFTER = int(os.environ.get("WEBHOOKS_DISABLE_AFTER", "50"))
WEBHOOKS_ALLOW_PRIVATE_URLS = env_bool("WEBHOOKS_ALLOW_PRIVATE_URLS", False)

# Sign-in throttling (django-axes): 5 failures lock the account, and separately the address,
# for 15 minutes; a success resets the count. Every attempt is logged (never the password).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "secportal.accounts.throttling.username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# The client's address as the portal's limit reads it (X-Forwarded-For behind trusted proxies).
AXES_CLIENT_IP_CALLABLE = "secportal.portal.access.client_ip"
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token", "code"]
# Sign-in and invitation links, password resets: 3 days, single use (Django's token).
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", str(3 * 24 * 3600)))
# Two-factor (django-otp): required for owners and admins, optional for members.
OTP_TOTP_ISSUER = "SecPortal"
TWO_FACTOR_ROLES = ("owner", "admin")

# Sessions: at most 12 hours, and ended after 30 minutes without a request.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_MAX_AGE", str(12 * 3600)))
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(30 * 60)))
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=()"
)

# Content-Security-Policy (django-csp 4): nothing inline; scripts and styles from our own files.
# Forms may lead to Stripe (Checkout, Connect onboarding) and, in the demo, to the sandbox.
_STRIPE_FORM_TARGETS = ["https://checkout.stripe.com", "https://connect.stripe.com"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [
            SELF,
            *_STRIPE_FORM_TARGETS,
            *([STRIPE_API_BASE.rstrip("/")] if STRIPE_API_BASE else []),
        ],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# Every handler masks bearer tokens (pay links, sign-in links, resets, invitations).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_tokens": {"()": "secportal.core.logging.MaskTokensFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
