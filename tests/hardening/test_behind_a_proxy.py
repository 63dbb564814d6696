"""Behind nginx (VOTING_PROXY_COUNT=1): the proxy's X-Forwarded-Proto makes the request
secure (HSTS, Secure cookie) and its X-Forwarded-For is the address the limits count."""

import pytest

from tests.ballot_day import candidate_ids, open_with_tokens
from tests.conftest import PASSWORD
from tests.hardening.conftest import INVALID_TOKEN_LIMIT, address


@pytest.fixture
def app_config() -> dict:
    return {"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True, "PROXY_COUNT": "1",
            "INVALID_TOKEN_LIMIT": f"{INVALID_TOKEN_LIMIT} per minute"}


HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


def test_https_at_the_proxy_means_hsts_and_secure_cookies(client, make):
    user = make.user("clerk")
    page = client.get("/login", headers=HTTPS)
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    response = client.post("/login", data={"username": user.username, "password": PASSWORD},
                           headers=HTTPS)
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_plain_http_at_the_proxy_gets_neither(client, make):
    user = make.user("clerk")
    response = client.post("/login", data={"username": user.username, "password": PASSWORD},
                           headers={"X-Forwarded-Proto": "http"})
    assert "Strict-Transport-Security" not in response.headers
    assert "Secure" not in response.headers["Set-Cookie"]


def test_the_limits_count_the_address_the_proxy_saw(client, make):
    ballot, _ = open_with_tokens(make, 1)
    body = {"token": "not-a-token", "choices": {candidate_ids(ballot)[0]: "for"}}

    def attempt(forwarded):
        # Every request reaches the app from the proxy's own address.
        return client.post("/api/v1/cast", json=body, environ_base=address(1),
                           headers={"X-Forwarded-For": forwarded}).status_code

    for n in range(INVALID_TOKEN_LIMIT + 3):
        assert attempt(f"198.51.100.{n}") == 403  # a new client each time
    for _ in range(INVALID_TOKEN_LIMIT):
        assert attempt("198.51.100.200") == 403
    assert attempt("198.51.100.200") == 429
    # A client cannot hide behind an address it puts in front: only the last hop is believed.
    assert attempt("10.9.9.9, 198.51.100.200") == 429
