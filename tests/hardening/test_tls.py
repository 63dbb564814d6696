"""TLS without a proxy: forged X-Forwarded-* headers are ignored; an https:// public address
makes the cookies Secure; VOTING_PROXY_COUNT is read from the environment, and nonsense in it
stops the app from starting."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from voting import create_app


def test_forwarded_proto_is_ignored_without_a_trusted_proxy(client, make):
    user = make.user("clerk")
    response = client.post("/login", data={"username": user.username, "password": PASSWORD},
                           headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 302
    assert "Strict-Transport-Security" not in response.headers
    assert "Secure" not in response.headers["Set-Cookie"]


def test_an_https_public_address_makes_cookies_secure(instance, make):
    user = make.user("clerk")
    from voting.extensions import db

    db.session.commit()
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(instance),
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "PUBLIC_BASE_URL": "https://renda.example.gov.cn"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["PREFERRED_URL_SCHEME"] == "https"
    with app.app_context():
        response = app.test_client().post(
            "/login", base_url="http://127.0.0.1/",
            data={"username": user.username, "password": PASSWORD})
        db.session.remove()
        db.engine.dispose()
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in response.headers  # HSTS only over TLS itself


@pytest.mark.parametrize("value", ["one", "-1", "1.5", "１"])
def test_a_nonsense_proxy_count_stops_the_app(instance, value):
    with pytest.raises(RuntimeError, match="VOTING_PROXY_COUNT"):
        create_app({"TESTING": True, "INSTANCE_PATH": str(instance), "PROXY_COUNT": value})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url, headers=None, data=None):
    request = urllib.request.Request(url, headers=headers or {}, data=data)  # noqa: S310
    try:
        return urllib.request.urlopen(request, timeout=10)  # noqa: S310 (our own server)
    except urllib.error.HTTPError as error:
        return error


@pytest.mark.parametrize("proxies", ["1", "0"])
def test_gunicorn_believes_forwarded_https_only_with_a_proxy_count(instance, proxies):
    """`voting serve` with VOTING_PROXY_COUNT=1, as docs/deploy.md sets it up; without it, a
    client's own X-Forwarded-Proto (gunicorn trusts one from 127.0.0.1 by default) is ignored."""
    port = free_port()
    env = {**os.environ, "VOTING_INSTANCE": str(instance), "VOTING_PROXY_COUNT": proxies}
    voting = Path(sys.executable).parent / "voting"
    server = subprocess.Popen([str(voting), "serve", "--port", str(port), "--workers", "1"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                fetch(f"{base}/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        forwarded = fetch(f"{base}/login", headers={"X-Forwarded-Proto": "https"})
        plain = fetch(f"{base}/login")
        assert plain.headers["Strict-Transport-Security"] is None
        assert "Secure" not in plain.headers["Set-Cookie"]
        if proxies == "1":
            assert forwarded.headers["Strict-Transport-Security"].startswith("max-age=")
            assert "Secure" in forwarded.headers["Set-Cookie"]
        else:
            assert forwarded.headers["Strict-Transport-Security"] is None
            assert "Secure" not in forwarded.headers["Set-Cookie"]
    finally:
        server.terminate()
        server.wait(timeout=20)
