"""What bench_load.py measures against: instances, servers, a PostgreSQL cluster, worker memory.

An instance is made the way an operator makes one, with the `voting` command line: `init`,
`demo` (青川县, its selection ballot in draft), `ballot tokens ID --format txt`, `ballot open ID`.
Servers are real gunicorn processes: `voting serve --workers 2`, and the floor app under the
same settings (`-c python:voting.serving`). Each is stopped by its own process id.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from load_client import HOST, free_port, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
VOTING = str(BIN / "voting")
GUNICORN = str(BIN / "gunicorn")


def environment(folder: Path, database_url: str | None, port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "VOTING_INSTANCE")}
    env.update(VOTING_INSTANCE=str(folder), PORT=str(port),
               PUBLIC_BASE_URL=f"http://{HOST}:{port}")
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def voting(env: dict, *args: str) -> str:
    done = subprocess.run([VOTING, *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"voting {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def make_instance(folder: Path, env: dict, n_tokens: int) -> tuple[int, list[str]]:
    """A demo instance whose selection ballot is open with `n_tokens` fresh tokens:
    (ballot id, tokens)."""
    voting(env, "init")
    voting(env, "demo")
    ballots = json.loads(voting(env, "ballot", "list", "--json"))
    ballot_id = next(b["id"] for b in ballots if b["kind"] == "selection" and b["state"] == "draft")
    urls = folder / "urls.txt"
    voting(env, "ballot", "tokens", str(ballot_id), "--count", str(n_tokens), "--format", "txt",
           "--out", str(urls))
    voting(env, "ballot", "open", str(ballot_id))
    tokens = [line.rsplit("/v/", 1)[1] for line in urls.read_text().split()]
    assert len(tokens) == n_tokens
    return ballot_id, tokens


class Server:
    """A gunicorn master started with `argv`; its output goes to `log`."""

    def __init__(self, argv: list[str], env: dict, port: int, log: Path, health: str):
        self.port = port
        self.log = log.open("wb")
        self.process = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_until_up(port, health)
        except BaseException:
            self.stop()
            raise

    def workers(self) -> list[int]:
        """Process ids of the master's children (the workers)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                found.append(int(entry.name))
        return sorted(found)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@contextmanager
def voting_server(folder: Path, env: dict, port: int):
    """`voting serve --workers 2` on the instance."""
    server = Server([VOTING, "serve", "--host", HOST, "--port", str(port), "--workers", "2"],
                    env, port, folder / "voting-serve.log", "/healthz")
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def floor_server(folder: Path, database: str, port: int):
    """bench/floor_app.py under the same gunicorn settings, with a fresh table."""
    from floor_app import create_table

    create_table(database)
    env = {**os.environ, "FLOOR_DATABASE": database}
    server = Server([GUNICORN, "-c", "python:voting.serving", "--bind", f"{HOST}:{port}",
                     "--workers", "2", "--pythonpath", str(ROOT / "bench"), "floor_app:app"],
                    env, port, folder / "floor-serve.log", "/healthz")
    try:
        yield server
    finally:
        server.stop()


# ---------------------------------------------------------------- worker memory


def rss_kib(pid: int) -> int | None:
    """VmRSS of a process, KiB (None once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class MemorySampler:
    """Samples the RSS of each worker every `interval` seconds while running: first and peak."""

    def __init__(self, server: Server, interval: float = 0.2):
        self.server, self.interval = server, interval
        self.first: dict[int, int] = {}
        self.peak: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self):
        while not self._stop.is_set():
            for pid in self.server.workers():
                kib = rss_kib(pid)
                if kib is not None:
                    self.first.setdefault(pid, kib)
                    self.peak[pid] = max(self.peak.get(pid, 0), kib)
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


# ---------------------------------------------------------------- PostgreSQL


@contextmanager
def postgres_cluster():
    """A throw-away PostgreSQL cluster on 127.0.0.1 with durable settings (fsync and
    synchronous_commit on, the defaults): yields a function making a fresh database's URL.

    Uses the server binaries and the account logic of tests/postgres_harness.py (initdb refuses
    root: as root the server runs as `postgres` or a system user made for it).
    """
    sys.path.insert(0, str(ROOT))
    from tests.postgres_harness import PG_USER, server_account, server_bin_dir

    bin_dir = server_bin_dir()
    if bin_dir is None:
        raise SystemExit("PostgreSQL server binaries (initdb, pg_ctl) not found: "
                         "apt-get install postgresql, or set PG_BIN")
    account = server_account()
    as_account = ["runuser", "-u", account, "--"] if account else []
    root = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    data = root / "data"
    if account:
        entry = pwd.getpwnam(account)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    os.chmod(root, 0o700)

    def run(*args):
        subprocess.run([*as_account, *args], cwd=root, check=True, capture_output=True)

    port = free_port()
    base = f"postgresql://{PG_USER}@{HOST}:{port}"
    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", PG_USER, "--auth=trust",
            "--encoding=UTF8", "--locale=C")
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-o",
            f"-c listen_addresses={HOST} -p {port} -k {root}", "-w", "-t", "60", "start")
        counter = iter(range(1, 1_000_000))

        def new_database(prefix: str) -> str:
            import psycopg

            name = f"{prefix}_{next(counter)}"
            with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
                connection.execute(f"CREATE DATABASE {name}")
            return f"{base}/{name}"

        yield new_database
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run([*as_account, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast",
                            "-w", "stop"], cwd=root, capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def wait_quiet(seconds: float = 1.0) -> None:
    """A pause between servers, for the previous one's processes and sockets to go."""
    time.sleep(seconds)
