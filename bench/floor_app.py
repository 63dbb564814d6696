"""The floor of the load benchmark: the least a durable cast can cost with our server settings.

`POST /cast` with a JSON body: parse it, INSERT one row (a random id and the body) and commit it
durably, answer 201 `{"receipt": …}`. Nothing else: no signature, no lock, no template.
SQLite as `voting/database.py` sets it up (WAL, `synchronous=FULL`, the same busy timeout);
PostgreSQL through psycopg 3 with the server's defaults (`synchronous_commit` on). One
connection per server thread, kept open.

bench/bench_load.py creates the table (`create_table`) and serves this app under the same
gunicorn settings as `voting serve`:

    FLOOR_DATABASE=/tmp/floor.sqlite3 .venv/bin/gunicorn -c python:voting.serving \\
        --bind 127.0.0.1:5201 --workers 2 --pythonpath bench floor_app:app

`FLOOR_DATABASE` is a SQLite file path or a `postgresql://` URL.
"""

import json
import os
import secrets
import sqlite3
import threading

from flask import Flask, jsonify, request

from voting.database import SQLITE_BUSY_TIMEOUT_MS

SCHEMA = "CREATE TABLE IF NOT EXISTS cast_floor (id VARCHAR(32) PRIMARY KEY, body TEXT NOT NULL)"

app = Flask(__name__)
_local = threading.local()


def is_postgres(database: str) -> bool:
    return database.startswith(("postgresql://", "postgres://"))


def connect(database: str):
    """A connection in autocommit mode: each INSERT is its own durable transaction."""
    if is_postgres(database):
        import psycopg

        return psycopg.connect(database, autocommit=True)
    connection = sqlite3.connect(database, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,
                                 isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    return connection


def create_table(database: str) -> None:
    connection = connect(database)
    try:
        connection.execute(SCHEMA)
    finally:
        connection.close()


def count_rows(database: str) -> int:
    connection = connect(database)
    try:
        return connection.execute("SELECT count(*) FROM cast_floor").fetchone()[0]
    finally:
        connection.close()


def connection_of_this_thread():
    if not hasattr(_local, "connection"):
        _local.connection = connect(os.environ["FLOOR_DATABASE"])
    return _local.connection


@app.post("/cast")
def cast():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error="invalid_request"), 400
    marker = "%s" if is_postgres(os.environ["FLOOR_DATABASE"]) else "?"
    connection_of_this_thread().execute(
        f"INSERT INTO cast_floor (id, body) VALUES ({marker}, {marker})",  # noqa: S608
        (secrets.token_hex(16), json.dumps(body)))
    return jsonify(receipt=secrets.token_hex(8)), 201


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")
