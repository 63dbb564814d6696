"""Rate limits on: each test app starts with fresh in-memory counters. The invalid-token limit
is lowered so a test reaches it in a few requests; the rule is the same at 30."""

import pytest

INVALID_TOKEN_LIMIT = 5


@pytest.fixture
def app_config() -> dict:
    return {"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True,
            "INVALID_TOKEN_LIMIT": f"{INVALID_TOKEN_LIMIT} per minute"}


def address(n: int) -> dict:
    """environ_base for a request from client address n."""
    return {"REMOTE_ADDR": f"192.0.2.{n}"}
