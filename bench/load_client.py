"""The clients of bench_load.py: C threads sending requests over keep-alive connections, and wrk.

Standard library only: one `http.client.HTTPConnection` per client thread, kept alive, each
thread taking the next request from a shared list until none is left (or until a deadline).
Every request's latency is the time from sending it to having read the whole answer.
"""

from __future__ import annotations

import http.client
import re
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

HOST = "127.0.0.1"
TIMEOUT = 60  # seconds, as gunicorn's worker timeout


@dataclass
class Outcome:
    """What a batch of requests gave: latencies in seconds, answers by status."""

    expected: int
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    first_sent: float = 0.0
    last_done: float = 0.0

    @property
    def count(self) -> int:
        return sum(self.statuses.values())

    @property
    def wall(self) -> float:
        """Seconds from the first request sent to the last answer read."""
        return self.last_done - self.first_sent

    @property
    def rate(self) -> float:
        """Requests answered per second of wall time."""
        return self.count / self.wall if self.wall > 0 else 0.0

    @property
    def errors(self) -> dict:
        """Answers other than the expected status (and failed connections), by kind."""
        return {k: v for k, v in sorted(self.statuses.items(), key=str) if k != self.expected}

    def percentile(self, p: float) -> float:
        """The p-th percentile of the latencies, seconds (nearest rank)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def send_all(port: int, requests: list[tuple[str, str, bytes | None]], clients: int,
             expected: int, deadline: float | None = None) -> Outcome:
    """Send every (method, path, body) once with `clients` threads, or, with `deadline`
    (seconds), send them round and round until it passes."""
    outcome = Outcome(expected)
    lock = threading.Lock()
    position = [0]

    def next_request():
        with lock:
            i = position[0]
            position[0] += 1
        if deadline is None:
            return requests[i] if i < len(requests) else None
        return requests[i % len(requests)] if time.perf_counter() < stop_at else None

    def client():
        connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
        latencies, statuses = [], Counter()
        first = last = None
        while (item := next_request()) is not None:
            method, path, body = item
            headers = {"Content-Type": "application/json"} if body is not None else {}
            start = time.perf_counter()
            first = first or start
            try:
                connection.request(method, path, body=body, headers=headers)
                answer = connection.getresponse()
                answer.read()
                statuses[answer.status] += 1
                if answer.will_close:
                    connection.close()
            except (OSError, http.client.HTTPException) as error:
                statuses[type(error).__name__] += 1
                connection.close()
            last = time.perf_counter()
            latencies.append(last - start)
        connection.close()
        with lock:
            outcome.latencies.extend(latencies)
            outcome.statuses.update(statuses)
            if first is not None:
                outcome.first_sent = min(outcome.first_sent or first, first)
                outcome.last_done = max(outcome.last_done, last)

    stop_at = time.perf_counter() + (deadline or 0)
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcome


def get_json(port: int, path: str) -> dict:
    import json

    connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        body = answer.read()
        if answer.status != 200:
            raise RuntimeError(f"GET {path}: {answer.status} {body[:200]!r}")
        return json.loads(body)
    finally:
        connection.close()


def wait_until_up(port: int, path: str, seconds: float = 60) -> None:
    """Poll GET `path` until it answers 200."""
    until = time.monotonic() + seconds
    while True:
        try:
            get_json(port, path)
            return
        except (OSError, http.client.HTTPException, RuntimeError):
            if time.monotonic() > until:
                raise
            time.sleep(0.2)


# ---------------------------------------------------------------- GET benchmarks: wrk or Python

WRK_HINT = "wrk not found: `apt-get install wrk` (Debian package), or pass --get-client python"


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


@dataclass
class Throughput:
    """A GET benchmark: requests/s, latencies in seconds, answers that were not 2xx/3xx."""

    tool: str
    rate: float
    p50: float
    p99: float
    errors: int


# Each wrk connection walks the list from its own starting point, one path per request.
WRK_PATHS_SCRIPT = """
local paths, i = {%s}, 0
function init(args) i = math.random(#paths) end
function request()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def wrk(port: int, paths: str | list[str], connections: int, seconds: int) -> Throughput:
    """`wrk -t2 -cC -dSs --latency` on one URL, or on a list of paths in turn (a Lua script);
    parses its report."""
    paths = [paths] if isinstance(paths, str) else paths
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_PATHS_SCRIPT % ", ".join(f'"{p}"' for p in paths))
        script.flush()
        done = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency",
             *(["-s", script.name] if len(paths) > 1 else []), f"http://{HOST}:{port}{paths[0]}"],
            capture_output=True, text=True, check=True)
    text = done.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                        text)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + \
        (sum(int(n) for n in sockets.groups()) if sockets else 0)
    return Throughput("wrk", rate, _wrk_latency(text, "50%"), _wrk_latency(text, "99%"), errors)


def _wrk_latency(text: str, label: str) -> float:
    value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M).groups()
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def python_get(port: int, paths: str | list[str], connections: int, seconds: int) -> Throughput:
    """The same measure with the Python client (which competes for the CPUs: a lower bound)."""
    paths = [paths] if isinstance(paths, str) else paths
    outcome = send_all(port, [("GET", path, None) for path in paths], connections, 200,
                       deadline=seconds)
    return Throughput("python", outcome.rate, outcome.percentile(50), outcome.percentile(99),
                      sum(outcome.errors.values()))


def median_throughput(results: list[Throughput]) -> Throughput:
    return Throughput(results[0].tool, statistics.median(r.rate for r in results),
                      statistics.median(r.p50 for r in results),
                      statistics.median(r.p99 for r in results), sum(r.errors for r in results))


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]
