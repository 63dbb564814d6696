"""Every fixture built on `app` (`client`, `make`, `auth`, `runner`, `vote_day`, `cli`, …) runs
on PostgreSQL here: `app` is the throw-away PostgreSQL database of `pg_app`
(tests/postgres_harness.py), and the CLI reaches it through DATABASE_URL."""

from pathlib import Path

import pytest

import voting
from tests.results.conftest import cli, vote_day  # noqa: F401 (fixtures)
from voting.extensions import db


@pytest.fixture
def app(pg_app):
    return pg_app


@pytest.fixture
def instance(pg_app):
    return Path(pg_app.instance_path)


@pytest.fixture
def runner(runner, monkeypatch):
    """The CLI builds its own app (and engine) per command and leaves its pooled connections to
    the end of the process; here they are closed after the test, before its database is
    dropped (an unclosed psycopg connection is a ResourceWarning, an error in this suite)."""
    made = []
    real = voting.create_app

    def create_app(config=None):
        made.append(real(config))
        return made[-1]

    monkeypatch.setattr(voting, "create_app", create_app)
    yield runner
    for app in made:
        with app.app_context():
            db.engine.dispose()
