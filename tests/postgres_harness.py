"""A throw-away PostgreSQL server for the tests, started and removed by the fixtures themselves.

`postgres_url` (session): initdb + pg_ctl start in a temporary folder, listening on 127.0.0.1
only (and a unix socket inside that folder), on a free port, fsync off; the cluster is stopped
and deleted when the session ends. initdb refuses to run as root: as root the server runs as the
`postgres` user, or a system user `voting-pg` created for it. No server binaries: the test fails
(the CI machine has them), it is not skipped.

`pg_app` (per test): a fresh database `t_<random>` on that server, built by the real Alembic
migrations, and the app on it (as the `app` fixture in tests/conftest.py does with SQLite); the
database is dropped afterwards.
"""

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from voting.instance import ensure_instance

PG_USER = "postgres"  # the database superuser initdb creates (trust authentication, local only)
SYSTEM_USER = "voting-pg"


def server_bin_dir() -> Path | None:
    """The folder holding initdb and pg_ctl: $PG_BIN, the PATH, or the newest Debian cluster."""
    candidates = [os.environ.get("PG_BIN", "")]
    found = shutil.which("initdb")
    if found:
        candidates.append(str(Path(os.path.realpath(found)).parent))
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                         key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit()
                         else 0, reverse=True)
    for folder in filter(None, candidates):
        if all(os.access(Path(folder) / name, os.X_OK) for name in ("initdb", "pg_ctl")):
            return Path(folder)
    return None


def server_account() -> str | None:
    """The account the server runs as: None (this one) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", SYSTEM_USER):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            pass
    subprocess.run(["useradd", "-r", "-M", "-s", "/usr/sbin/nologin", SYSTEM_USER],
                   check=True, capture_output=True)
    return SYSTEM_USER


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_url():
    """postgresql://postgres@127.0.0.1:PORT/postgres on a server that lives for the session."""
    bin_dir = server_bin_dir()
    if bin_dir is None:
        pytest.fail("PostgreSQL server binaries (initdb, pg_ctl) not found: install the "
                    "postgresql package, put its bin folder on PATH or set PG_BIN.")
    account = server_account()
    as_account = ["runuser", "-u", account, "--"] if account else []
    root = Path(tempfile.mkdtemp(prefix="voting-pg-"))
    data = root / "data"
    if account:
        entry = pwd.getpwnam(account)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    os.chmod(root, 0o700)

    def run(*args, check=True):
        done = subprocess.run([*as_account, *args], capture_output=True, text=True, cwd=root)
        if check and done.returncode != 0:
            log = root / "server.log"
            pytest.fail(f"{Path(args[0]).name} failed:\n{done.stdout}\n{done.stderr}\n"
                        + (log.read_text(errors="replace") if log.exists() else ""))

    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", PG_USER, "--auth=trust",
            "--encoding=UTF8", "--locale=C", "--no-sync")
        port = free_port()
        options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"),
            "-o", options, "-w", "-t", "60", "start")
        yield f"postgresql://{PG_USER}@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop",
                check=False)
        shutil.rmtree(root, ignore_errors=True)


def _admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(sql)


@pytest.fixture
def pg_database(postgres_url):
    """A fresh, empty database on the session's server: its postgresql:// URL."""
    name = f"t_{secrets.token_hex(8)}"
    _admin(postgres_url, f"CREATE DATABASE {name}")
    try:
        yield postgres_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        _admin(postgres_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def pg_app(pg_database, tmp_path, monkeypatch, app_config):
    """The app on a fresh PostgreSQL database built by the real migrations. The CLI (`runner`)
    reaches the same database through DATABASE_URL."""
    from flask_migrate import upgrade

    from tests.conftest import FreshContextClient
    from voting import create_app
    from voting.extensions import db

    folder = tmp_path / "instance"
    ensure_instance(folder)
    monkeypatch.setenv("VOTING_INSTANCE", str(folder))
    monkeypatch.setenv("DATABASE_URL", pg_database)
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(folder),
                      "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://"
                      + pg_database.split("://", 1)[1], **app_config})
    app.test_client_class = FreshContextClient
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()
