from __future__ import annotations

from collections.abc import Iterator

import pytest

from . import receiver as receiver_module


@pytest.fixture
def receiver() -> Iterator[receiver_module.Receiver]:
    """A local HTTP endpoint that records every webhook POSTed to it."""
    found, server = receiver_module.start()
    yield found
    server.shutdown()
    server.server_close()


# The Stripe sandbox over HTTP with its webhooks going to a live test server (tests/payments).
from ..payments.conftest import sandbox, sandbox_server  # noqa: E402, F401
