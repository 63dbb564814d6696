"""The app starts only with a real secret key, answers /healthz, and runs the real migrations."""

import pytest
from sqlalchemy import inspect

from voting import create_app
from voting.extensions import db


def test_refuses_to_start_without_secret_key(tmp_path):
    with pytest.raises(RuntimeError, match="voting init"):
        create_app({"INSTANCE_PATH": str(tmp_path / "empty")})


def test_healthz_answers_once_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_migrations_create_secret_tables_without_rowid(app):
    names = set(inspect(db.engine).get_table_names())
    assert {"ballot", "token", "cast_ballot", "receipt", "deputy", "project", "user"} <= names
    # Random order by construction: these tables are clustered on (ballot, random key).
    for table in ("token", "cast_ballot", "receipt"):
        sql = db.session.execute(
            db.text("SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table}
        ).scalar()
        assert "WITHOUT ROWID" in sql.upper()


def test_sqlite_is_tuned_for_a_voting_day(app):
    assert db.session.execute(db.text("PRAGMA journal_mode")).scalar() == "wal"
    assert db.session.execute(db.text("PRAGMA synchronous")).scalar() == 2  # FULL
    assert db.session.execute(db.text("PRAGMA busy_timeout")).scalar() >= 5000


def test_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_nul_bytes_are_refused_with_a_message(client):
    response = client.get("/?q=a%00b")
    assert response.status_code == 400
    assert "字符" in response.get_data(as_text=True)


def test_unknown_page_is_a_404_in_chinese(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "找不到该页面" in response.get_data(as_text=True)


def test_unknown_api_path_answers_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_numbers_too_big_for_the_database_are_a_4xx_not_a_crash(client, auth):
    assert client.get("/projects/100000000000000000000").status_code == 404
    auth.login("clerk")
    for url in ("/office/projects/?page=100000000000000000000",
                "/office/people/?page=99999999999999999999",
                "/office/projects/100000000000000000000/edit"):
        response = client.get(url)
        assert response.status_code < 500, url
        assert "服务器出错" not in response.get_data(as_text=True)
