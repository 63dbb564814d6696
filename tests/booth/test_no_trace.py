"""No log line, access log or error report holds a token (DOMAIN.md, "Threats")."""

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.ballot_day import candidate_ids, open_with_tokens
from voting import serving
from voting.extensions import db
from voting.services import casting


def test_app_logs_hold_no_token_even_on_a_server_error(app, client, make, caplog,
                                                       monkeypatch):
    ballot, minted = open_with_tokens(make, 3)
    # Alembic's fileConfig (the migrations run once per test session) disables loggers that
    # existed before it; the app's logger must be heard here.
    monkeypatch.setattr(app.logger, "disabled", False)
    caplog.set_level(logging.DEBUG)
    client.get(f"/v/{minted[0]}")
    client.post(f"/v/{minted[0]}/review", data={})
    client.post(f"/v/{minted[0]}/cast", data={"action": "confirm"})
    client.post("/api/v1/cast", json={"token": minted[1], "choices": {}})
    client.get(f"/v/{minted[1]}")
    client.get(f"/v/{minted[1]}/nowhere")

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(casting, "cast", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.post(f"/v/{minted[2]}/cast", data={"action": "confirm"})
    assert response.status_code == 500
    messages = [record.getMessage() for record in caplog.records]
    assert any("/v/[redacted]" in m for m in messages), messages  # the 500 was logged…
    for token in minted:
        assert token not in caplog.text  # …without the token
        assert not any(token in m for m in messages)
    assert candidate_ids(ballot)


def test_gunicorn_access_log_atoms_are_redacted():
    token = "A" * 60 + "_-" + "b" * 52
    logger = serving.RedactingLogger.__new__(serving.RedactingLogger)
    environ = {"RAW_URI": f"/v/{token}/review", "REQUEST_METHOD": "POST", "PATH_INFO":
               f"/v/{token}/review", "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1",
               "REMOTE_ADDR": "10.0.0.9", "HTTP_REFERER": f"https://vote.example/v/{token}"}

    class Response:
        status, status_code, sent, headers = "200 OK", 200, 10, []

    class Request:
        headers = [("REFERER", f"https://vote.example/v/{token}")]
        method, path, query, uri = "POST", f"/v/{token}/review", "", f"/v/{token}/review"
        version = (1, 1)

    from datetime import timedelta

    atoms = logger.atoms(Response(), Request(), environ, timedelta(seconds=0.01))
    assert atoms["U"] == "/v/[redacted]/review"
    for key in ("U", "r", "q", "f"):
        assert token not in str(atoms[key])
    assert token not in serving.access_log_format % atoms


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_real_gunicorn_logs_the_booth_without_the_token(make, instance, tmp_path):
    _ballot, minted = open_with_tokens(make, 1)
    db.session.remove()
    port = free_port()
    env = {**os.environ, "VOTING_INSTANCE": str(instance)}
    env.pop("DATABASE_URL", None)
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen([gunicorn, "-c", "python:voting.serving", "--bind",
                                   f"127.0.0.1:{port}", "--workers", "1", "voting:create_app()"],
                                  env=env, stdout=out, stderr=subprocess.STDOUT,
                                  cwd=str(Path(__file__).resolve().parents[2]))
        try:
            url = f"http://127.0.0.1:{port}/v/{minted[0]}"
            for _ in range(100):
                try:
                    page = urllib.request.urlopen(url, timeout=5)  # noqa: S310
                    break
                except (urllib.error.URLError, ConnectionError):
                    time.sleep(0.1)
            else:
                pytest.fail("gunicorn did not start: " + log.read_text())
            assert page.status == 200
            assert page.headers["Referrer-Policy"] == "no-referrer"
            request = urllib.request.Request(url + "/nowhere",  # noqa: S310
                                             headers={"Referer": url})
            with pytest.raises(urllib.error.HTTPError):
                urllib.request.urlopen(request, timeout=5)  # noqa: S310
        finally:
            server.terminate()
            server.wait(timeout=30)
    text = log.read_text()
    assert "/v/[redacted]" in text, text
    assert minted[0] not in text
