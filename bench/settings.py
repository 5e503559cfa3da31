"""Django settings for the benchmarks: the test settings on a dedicated PostgreSQL database."""

import copy
import os
import warnings
from pathlib import Path

import dj_database_url

from secportal.settings.test import *  # noqa: F403
from secportal.settings.test import TEMPLATES as _TEMPLATES

BENCH_DIR = Path(__file__).resolve().parent

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/secportal_bench"
DATABASES = {
    "default": dj_database_url.parse(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
}
# Django's .iterator() then uses a server-side (named) cursor on PostgreSQL.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = False

DEBUG = False
ALLOWED_HOSTS = ["testserver"]
ROOT_URLCONF = "bench.urls"

TEMPLATES = copy.deepcopy(_TEMPLATES)
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BENCH_DIR / "templates"]

# WhiteNoise warns that collectstatic has not run; the benchmarks serve no static files.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
