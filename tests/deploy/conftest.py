"""Fixtures for deployment tests: a real instance on SQLite or PostgreSQL, real gunicorn.

`sqlite_site` / `postgres_site`: a `Site` (tests/deploy/live_server.py), an instance as
`voting init` makes it; `site.server()` is a `LiveServer` running `voting serve`, stopped after
the test whatever happens. `live_server`: one already running on `sqlite_site`.
`spare_pg_database`: a second fresh, empty PostgreSQL database (a restore target).
"""

import secrets

import pytest

from tests.deploy.live_server import Site


@pytest.fixture
def sqlite_site(tmp_path, migrated_database):
    site = Site.quick(tmp_path / "instance", template=migrated_database)
    yield site
    site.close()


@pytest.fixture
def live_server(sqlite_site):
    """`voting serve --workers 2` running on `sqlite_site`: `.port`, `.get(path)`, `.kill()`."""
    with sqlite_site.server(workers=2) as server:
        yield server


@pytest.fixture
def postgres_site(tmp_path, pg_database):
    site = Site.quick(tmp_path / "instance", pg_database)
    yield site
    site.close()


@pytest.fixture
def spare_pg_database(postgres_url):
    """Another empty database on the session's PostgreSQL server: its postgresql:// URL."""
    import psycopg

    name = f"t_{secrets.token_hex(8)}"
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    try:
        yield postgres_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
