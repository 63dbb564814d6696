"""A real deployment for tests: an instance folder as `voting init` makes it, the real
`voting serve` (gunicorn, its own process group) on a free port of 127.0.0.1, and casts sent
over HTTP.

`Site.create(folder, database_url=None)` runs `voting init` (SQLite in the folder, or the
PostgreSQL database of `database_url`); `Site.quick(...)` does the same in this process.
`site.open_ballot(n)` builds an open ballot with n minted tokens; `site.cli(...)` runs the
`voting` command; `site.server()` is a `LiveServer`. `cast_many(port, ballot, tokens)` casts
from many threads, each request on its own connection, and reports every answer. Everything
is bounded in count and time.
"""

import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

VOTING = str(Path(sys.executable).parent / "voting")
START_TIMEOUT = 60  # seconds for gunicorn to answer /healthz
STOP_TIMEOUT = 30  # seconds for a graceful stop before SIGKILL
REQUEST_TIMEOUT = 30  # seconds for one HTTP request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`voting serve --workers N` as a subprocess in its own process group.

    start() waits for /healthz; stop() sends SIGTERM to the group (SIGKILL after STOP_TIMEOUT);
    kill() sends SIGKILL to the master and every worker at once, as a crash would.
    """

    def __init__(self, env: dict, log: Path, workers: int = 2):
        self.env, self.log, self.workers = env, log, workers
        self.port = free_port()
        self.process = None
        self._log_handle = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *_exc):
        self.stop()

    def start(self) -> "LiveServer":
        self._log_handle = open(self.log, "ab")  # closed in _reap
        self.process = subprocess.Popen(
            [VOTING, "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(self.workers)],
            env=self.env, stdout=self._log_handle, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._reap()
                raise AssertionError(f"voting serve exited:\n{self.log_text()[-3000:]}")
            try:
                if self.get("/healthz")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.kill()
        raise AssertionError(f"no answer on /healthz:\n{self.log_text()[-3000:]}")

    def get(self, path: str) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            self._reap()
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
        self._reap()

    def kill(self) -> None:
        """SIGKILL to the whole group; returns once nothing listens on the port any more."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._reap()
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline:  # workers die with the master's group
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            except OSError:
                return
            time.sleep(0.05)
        raise AssertionError(f"port {self.port} still answers after SIGKILL")

    def _reap(self) -> None:
        if self.process is not None:
            self.process.wait(timeout=STOP_TIMEOUT)
        if self._log_handle is not None:
            self._log_handle.close()
            self._log_handle = None

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass
class Ballot:
    id: int
    tokens: list[str]
    candidates: list[str]  # candidate ids, in the ballot's order

    def __post_init__(self):
        self.position = {token: n for n, token in enumerate(self.tokens)}


class Site:
    """An instance folder and its database, driven only through `voting` and HTTP."""

    def __init__(self, folder: Path, database_url: str | None = None):
        self.folder, self.database_url = Path(folder), database_url
        self.env = {**os.environ, "VOTING_INSTANCE": str(self.folder)}
        self.env.pop("DATABASE_URL", None)
        if database_url:
            self.env["DATABASE_URL"] = database_url
        self.servers: list[LiveServer] = []

    @classmethod
    def create(cls, folder: Path, database_url: str | None = None) -> "Site":
        """A new instance made by `voting init`, as an operator makes one."""
        site = cls(folder, database_url)
        done = site.cli("init")
        assert done.returncode == 0, done.stderr
        return site

    @classmethod
    def quick(cls, folder: Path, database_url: str | None = None,
              template: Path | None = None) -> "Site":
        """The same instance without a `voting init` process (seconds each on a busy machine):
        keys by `ensure_instance`, then a copy of `template` (a migrated SQLite file) or the
        migrations run in this process."""
        from flask_migrate import upgrade

        from voting.instance import DATABASE_FILE, ensure_instance

        site = cls(folder, database_url)
        ensure_instance(site.folder)
        if database_url is None and template is not None:
            shutil.copy(template, site.folder / DATABASE_FILE)
            os.chmod(site.folder / DATABASE_FILE, 0o600)
        else:
            with site.app_context():
                upgrade()
        return site

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([VOTING, *args], env=self.env, capture_output=True, text=True,
                              timeout=300, check=False)

    def server(self, workers: int = 2) -> LiveServer:
        """A new (not yet started) server on this site; `close()` stops any left running."""
        self.servers.append(LiveServer(self.env, self.folder.parent / f"{self.folder.name}"
                                       f"-server-{len(self.servers) + 1}.log", workers))
        return self.servers[-1]

    def close(self) -> None:
        for server in self.servers:
            server.stop()

    def sqlalchemy_url(self) -> str:
        from voting.instance import DATABASE_FILE

        if self.database_url is None:
            return f"sqlite:///{self.folder / DATABASE_FILE}"
        return "postgresql+psycopg://" + self.database_url.split("://", 1)[1]

    @contextmanager
    def app_context(self):
        """The app on this site's database, in this process; its connections closed after."""
        from voting import create_app
        from voting.extensions import db

        app = create_app({"TESTING": True, "INSTANCE_PATH": str(self.folder),
                          "SQLALCHEMY_DATABASE_URI": self.sqlalchemy_url()})
        with app.app_context():
            try:
                yield app
            finally:
                db.session.remove()
                db.engine.dispose()

    def open_ballot(self, n_tokens: int) -> Ballot:
        """An open selection ballot (3 candidates, 2 seats) with n minted tokens, made with the
        services the office uses."""
        from tests.ballot_day import candidate_ids, open_with_tokens
        from tests.conftest import Factories

        with self.app_context():
            ballot, tokens = open_with_tokens(Factories(), n_tokens, seats=2, candidates=3)
            return Ballot(ballot.id, tokens, candidate_ids(ballot))

    def close_and_tally(self, ballot_id: int) -> dict:
        """Close the ballot and count it, with the services `voting ballot close` and
        `voting ballot tally` call (in this process: each CLI start costs seconds)."""
        from voting.extensions import db
        from voting.models import Ballot as BallotRow
        from voting.services import ballots, results

        with self.app_context():
            ballot = db.session.get(BallotRow, ballot_id)
            ballots.close_ballot(ballot)
            db.session.commit()
            result = results.record_result(ballot)
            db.session.commit()
            return result

    def query(self, sql: str) -> list[tuple]:
        """Rows of a read-only query, straight from the database (no app)."""
        if self.database_url is None:
            from voting.instance import DATABASE_FILE

            uri = (self.folder / DATABASE_FILE).as_uri() + "?mode=ro"
            connection = sqlite3.connect(uri, uri=True)
            try:
                return connection.execute(sql).fetchall()
            finally:
                connection.close()
        import psycopg

        with psycopg.connect(self.database_url) as connection:
            return connection.execute(sql).fetchall()

    def ledger(self, ballot_id: int) -> dict:
        """{"cast", "spent", "receipts"}: what the database holds of a ballot's casting."""
        return ledger_of(self.query, ballot_id)

    def sqlite_file_digest(self) -> str:
        from voting.instance import DATABASE_FILE

        return hashlib.sha256((self.folder / DATABASE_FILE).read_bytes()).hexdigest()


def ledger_of(query, ballot_id: int) -> dict:
    return {
        "cast": query(f"SELECT count(*) FROM cast_ballot WHERE ballot_id = {ballot_id}")[0][0],  # noqa: S608
        "spent": query(f"SELECT count(*) FROM token WHERE ballot_id = {ballot_id} "  # noqa: S608
                       "AND state = 'spent'")[0][0],
        "receipts": {row[0] for row in query(
            f"SELECT code FROM receipt WHERE ballot_id = {ballot_id}")},  # noqa: S608
    }


def sqlite_query(path: Path):
    """A `query` function on a SQLite file (a backup), read only."""

    def query(sql: str) -> list[tuple]:
        connection = sqlite3.connect(path.absolute().as_uri() + "?mode=ro", uri=True)
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()

    return query


# ---------------------------------------------------------------- casting over HTTP

PATTERNS = (("for", "for", "abstain"), ("for", "abstain", "against"),
            ("abstain", "against", "for"), ("against", "against", "abstain"))


def choices_for(ballot: Ballot, token: str) -> dict:
    """The choices a token votes, fixed by its position in the ballot's token list."""
    pattern = PATTERNS[ballot.position[token] % len(PATTERNS)]
    return dict(zip(ballot.candidates, pattern, strict=True))


def expected_counts(ballot: Ballot, tokens) -> dict:
    """{candidate id: {"for", "against", "abstain"}} when exactly `tokens` are counted."""
    counts = {cid: {"for": 0, "against": 0, "abstain": 0} for cid in ballot.candidates}
    for token in tokens:
        for cid, choice in choices_for(ballot, token).items():
            counts[cid][choice] += 1
    return counts


def post_cast(port: int, body: dict) -> tuple[int, dict]:
    """POST /api/v1/cast on a connection of its own: (status, JSON body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("POST", "/api/v1/cast", body=json.dumps(body),
                           headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        raw = response.read()
        try:
            answer = json.loads(raw)
        except ValueError:
            answer = {"raw": raw[:200].decode(errors="replace")}
        return response.status, answer
    finally:
        connection.close()


@dataclass
class Outcome:
    acked: dict = field(default_factory=dict)  # token → receipt, for every 201
    refused: dict = field(default_factory=dict)  # token → (status, body), any other answer
    lost: set = field(default_factory=set)  # sent after the stop: no answer
    failures: list = field(default_factory=list)  # connection errors before any stop
    unsent: list = field(default_factory=list)  # never sent
    sent_at: dict = field(default_factory=dict)  # token → time.monotonic() before sending
    acked_at: dict = field(default_factory=dict)  # token → time.monotonic() of the 201
    threads: list = field(default_factory=list)
    pending: object = None  # the tokens not taken yet


def cast_many(port: int, ballot: Ballot, tokens: list[str], threads: int = 16,
              stop: threading.Event | None = None, pause: float = 0) -> Outcome:
    """Cast every token from `threads` threads, each waiting `pause` seconds after an answer.
    Once `stop` is set no new token is taken, and a request that then gets no answer is `lost`
    (it may or may not have committed)."""
    outcome, lock = Outcome(), threading.Lock()
    queue = iter(list(tokens))
    stop = stop or threading.Event()

    def next_token():
        with lock:
            return None if stop.is_set() else next(queue, None)

    def work():
        while (token := next_token()) is not None:
            outcome.sent_at[token] = time.monotonic()
            try:
                status, answer = post_cast(port, {"token": token,
                                                  "choices": choices_for(ballot, token)})
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    if stop.is_set():
                        outcome.lost.add(token)
                        return
                    outcome.failures.append(f"{token[:8]}…: {error!r}")
                continue
            with lock:
                if status == 201:
                    outcome.acked[token] = answer["receipt"]
                    outcome.acked_at[token] = time.monotonic()
                else:
                    outcome.refused[token] = (status, answer)
            stop.wait(pause)

    outcome.threads = [threading.Thread(target=work, daemon=True) for _ in range(threads)]
    outcome.pending = queue
    for thread in outcome.threads:
        thread.start()
    return outcome


def finish(outcome: Outcome, timeout: float = 300) -> Outcome:
    """Wait for the threads of `cast_many`; what was never taken becomes `unsent`."""
    for thread in outcome.threads:
        thread.join(timeout)
        assert not thread.is_alive(), "a casting thread hung"
    outcome.unsent = list(outcome.pending)
    return outcome


def plain(receipt: str) -> str:
    """A receipt as stored: "ABCD-EFGH-…" without its dashes."""
    return receipt.replace("-", "")
