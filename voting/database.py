"""Engine settings that make a voting day safe: durable SQLite commits, no 'database is locked',
and writers that take turns at SQLite's one write lock without sleeping."""

import fcntl
import os
import threading

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

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


# ---------------------------------------------------------------- SQLite write turns
#
# SQLite has one write lock per database. A writer that finds it taken sleeps in SQLite's busy
# handler — 1, 2, 5, 10, … up to 100 ms between tries — so under a steady stream of casts a
# waiting worker wakes late, or keeps losing to the others: the latency tail of a voting day.
# Before `BEGIN IMMEDIATE`, a writer therefore waits for its turn on an flock(2) of a file next
# to the database: the kernel queues the processes and wakes the next one as soon as the turn
# is given back, at the end of the session's transaction. A mutex does the same between the
# threads of one process (flock is per open file, not per thread). Written by hand: the
# file-lock libraries (filelock, portalocker) wait by polling, which is the sleep we avoid.

TURN = "voting.sqlite_write_turn"


class WriteTurn:
    """One database's turn: a mutex for this process's threads, an flock for the processes."""

    def __init__(self, path: str):
        self.pid = os.getpid()
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self.mutex = threading.Lock()

    def take(self) -> None:
        self.mutex.acquire()
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except BaseException:
            self.mutex.release()
            raise

    def give_back(self) -> None:
        try:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            self.mutex.release()


_turns: dict[str, WriteTurn] = {}
_turns_guard = threading.Lock()


def write_turn(database: str) -> WriteTurn | None:
    """The turn of a database file, opened once per process (again after a fork: an inherited
    descriptor would share its flock with the parent). None when the turn file cannot be
    opened (another owner, a read-only folder): writers then wait in SQLite's busy handler, as
    they would without turns — slower under load, never refused."""
    with _turns_guard:
        turn = _turns.get(database)
        if turn is None or turn.pid != os.getpid():
            try:
                turn = _turns[database] = WriteTurn(f"{database}-turn")
            except OSError:
                return None
        return turn


def begin_sqlite_write(session: Session, connection: Connection) -> None:
    """`BEGIN IMMEDIATE` on SQLite, after waiting for the database's write turn; the turn is
    held until the session's transaction ends (commit, rollback or close)."""
    database = connection.engine.url.database
    if database and database != ":memory:" and TURN not in session.info:
        turn = write_turn(os.path.abspath(database))
        if turn is not None:
            turn.take()
            session.info[TURN] = turn
    connection.exec_driver_sql("BEGIN IMMEDIATE")


@event.listens_for(Session, "after_transaction_end")
def _give_back_turn(session: Session, transaction) -> None:
    if transaction.parent is None:
        turn = session.info.pop(TURN, None)
        if turn is not None:
            turn.give_back()
