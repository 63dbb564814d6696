"""Engine settings that make a voting day safe: durable SQLite commits, no 'database is locked'."""

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

SQLITE_BUSY_TIMEOUT_MS = 15_000


def configure_engine(app: Flask) -> None:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    # A copy: the dict comes from the Config class, shared by every app in the process.
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
    if url.startswith("sqlite"):
        options["connect_args"] = {**options.get("connect_args", {}),
                                   "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL for concurrent readers, FULL sync so an acknowledged ballot survives a power cut."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
