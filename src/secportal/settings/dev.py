"""The demo and local development: DEBUG on, the Mailbox page served."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
