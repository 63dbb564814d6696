"""Load benchmark: casting against `voting serve --workers 2`, next to a floor in the same run.

    .venv/bin/python bench/bench_load.py [--tokens 3000] [--clients 16] [--runs 3]
        [--database sqlite|postgres] [--sitting 3000] [--sitting-clients 64]
        [--memory-casts 10000] [--get-seconds 10] [--get-client auto|wrk|python] [--port P]

Each run makes a fresh instance with the `voting` command line (init, demo, N tokens of the
demo's selection ballot, open), starts `voting serve --workers 2`, and casts every token once
through `POST /api/v1/cast` with C client threads (stdlib http.client, keep-alive; choices random
but valid). Then the floor: bench/floor_app.py, one durable INSERT per request, under the same
gunicorn settings, sent the same request bodies by the same client. Then a sitting: a fresh
instance with S tokens, where GET `/v/<token>` (the booth, each request another of the S slips,
none yet used) and GET `/` (the portal) are measured, then the S tokens are cast by 64
clients. Last, one run of 10,000 casts while each worker's VmRSS is sampled from /proc.
Figures are medians of the runs.

The GET benchmarks use wrk (Debian: `apt-get install wrk`) when it is installed, else the
Python client, which then competes with the server for the CPUs (`--get-client python`
forces it). PostgreSQL (`--database postgres`): a throw-away cluster with the server binaries
tests/postgres_harness.py finds (Debian: `apt-get install postgresql`), durable defaults.
Everything runs on 127.0.0.1 and stops by itself; the work folder is removed unless --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from load_client import (  # noqa: E402
    Outcome,
    free_port,
    get_json,
    have_wrk,
    median_throughput,
    python_get,
    send_all,
    wrk,
)
from load_servers import (  # noqa: E402
    MemorySampler,
    environment,
    floor_server,
    make_instance,
    postgres_cluster,
    voting_server,
    wait_quiet,
)

from voting import serving  # noqa: E402

CAST = "/api/v1/cast"


def cast_bodies(port: int, ballot_id: int, tokens: list[str], seed: int) -> list[bytes]:
    """One valid cast body per token: random choices, at most `seats` "for", some omitted."""
    ballot = get_json(port, f"/api/v1/ballots/{ballot_id}")
    ids = [c["id"] for c in ballot["candidates"]]
    rng = random.Random(seed)
    bodies = []
    for token in tokens:
        favourites = set(rng.sample(ids, rng.randint(0, ballot["seats"])))
        choices = {cid: "for" if cid in favourites else rng.choice(("against", "abstain"))
                   for cid in ids if cid in favourites or rng.random() < 0.9}
        bodies.append(json.dumps({"token": token, "choices": choices}).encode())
    return bodies


def warm_up(port: int, path: str, clients: int) -> None:
    """A few requests to every thread of both workers first (imports, templates, pools)."""
    send_all(port, [("GET", path, None)] * clients * 4, clients, 200)


def cast_all(port: int, bodies: list[bytes], clients: int, path: str = CAST) -> Outcome:
    return send_all(port, [("POST", path, body) for body in bodies], clients, 201)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"


def errors_text(outcome_errors: dict) -> str:
    return ", ".join(f"{k}: {v}" for k, v in outcome_errors.items()) or "none"


def describe(outcome: Outcome, unit: str = "casts") -> str:
    return (f"{outcome.count:,} {unit} in {outcome.wall:.2f} s = {outcome.rate:,.0f}/s, "
            f"p50 {ms(outcome.percentile(50))}, p99 {ms(outcome.percentile(99))}, "
            f"max {ms(max(outcome.latencies))}, errors {errors_text(outcome.errors)}")


# ---------------------------------------------------------------- the parts


class Bench:
    def __init__(self, args, work: Path, new_database):
        self.args, self.work, self.new_database = args, work, new_database
        self.port = args.port or free_port()
        self.serial = 0
        self.floor_gets = []  # GET /healthz of the floor app: a bare Flask page, no database

    def instance(self, n_tokens: int) -> tuple[Path, dict, int, list[str]]:
        self.serial += 1
        folder = self.work / f"instance-{self.serial}"
        url = self.new_database("bench") if self.new_database else None
        env = environment(folder, url, self.port)
        ballot_id, tokens = make_instance(folder, env, n_tokens)
        return folder, env, ballot_id, tokens

    def casts_and_floor(self, run: int) -> tuple[Outcome, Outcome]:
        args = self.args
        folder, env, ballot_id, tokens = self.instance(args.tokens)
        with voting_server(folder, env, self.port) as server:
            bodies = cast_bodies(server.port, ballot_id, tokens, seed=run)
            warm_up(server.port, f"/api/v1/ballots/{ballot_id}", args.clients)
            voting = cast_all(server.port, bodies, args.clients)
        wait_quiet()
        floor_db = self.new_database("floor") if self.new_database \
            else str(folder / "floor.sqlite3")
        with floor_server(folder, floor_db, self.port) as server:
            warm_up(server.port, "/healthz", args.clients)
            floor = cast_all(server.port, bodies, args.clients, path="/cast")
            get = wrk if args.get_client == "wrk" else python_get
            self.floor_gets.append(get(server.port, "/healthz", args.clients, args.get_seconds))
        wait_quiet()
        from floor_app import count_rows

        assert count_rows(floor_db) == floor.statuses[201], "the floor lost rows"
        return voting, floor

    def sitting(self) -> tuple[Outcome, object, object]:
        """GET the booth and the portal, then the sitting's casts, on one fresh instance."""
        args = self.args
        folder, env, ballot_id, tokens = self.instance(args.sitting)
        get = wrk if args.get_client == "wrk" else python_get
        with voting_server(folder, env, self.port) as server:
            bodies = cast_bodies(server.port, ballot_id, tokens, seed=1000)
            slips = [f"/v/{token}" for token in tokens]  # every deputy opens their own
            warm_up(server.port, slips[0], args.clients)
            warm_up(server.port, "/", args.clients)
            booth = get(server.port, slips, args.clients, args.get_seconds)
            portal = get(server.port, "/", args.clients, args.get_seconds)
            sitting = cast_all(server.port, bodies, args.sitting_clients)
        wait_quiet()
        return sitting, booth, portal

    def memory(self) -> tuple[Outcome, MemorySampler]:
        args = self.args
        folder, env, ballot_id, tokens = self.instance(args.memory_casts)
        with voting_server(folder, env, self.port) as server:
            bodies = cast_bodies(server.port, ballot_id, tokens, seed=2000)
            with MemorySampler(server) as sampler:
                outcome = cast_all(server.port, bodies, args.clients)
        wait_quiet()
        return outcome, sampler


# ---------------------------------------------------------------- report


def machine_line(database: str) -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.machine())
    memory = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal:"))
    return (f"machine: {os.cpu_count()} CPUs ({cpu}), {memory / 2**20:.0f} GiB, "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
            f"database {database}; gunicorn {serving.worker_class} workers × 2")


def load_line() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def median(values) -> float:
    return statistics.median(list(values))


def summary(outcomes: list[Outcome]) -> str:
    """Median p50, p99 and max latency of the runs, and their errors added up."""
    return (f"p50 {ms(median(o.percentile(50) for o in outcomes))}  "
            f"p99 {ms(median(o.percentile(99) for o in outcomes))}  "
            f"max {ms(median(max(o.latencies) for o in outcomes))}  "
            f"errors {sum(sum(o.errors.values()) for o in outcomes)}")


def report_casts(runs: list[tuple[Outcome, Outcome]], clients: int) -> None:
    voting = [v for v, _ in runs]
    floor = [f for _, f in runs]
    rate, floor_rate = median(v.rate for v in voting), median(f.rate for f in floor)
    print(f"casts, {clients} clients, median of {len(runs)} runs:")
    print(f"  voting serve  {rate:8,.0f} casts/s  {summary(voting)}")
    print(f"  floor         {floor_rate:8,.0f} req/s    {summary(floor)}")
    print(f"  ratio         {rate / floor_rate:.2f} × the floor (target ≥ 0.4; "
          f"p99 target ≤ 100 ms, zero errors)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=3000, help="casts per run (N)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (C)")
    parser.add_argument("--runs", type=int, default=3, help="runs; figures are medians (R)")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--sitting", type=int, default=3000, help="deputies casting in a sitting")
    parser.add_argument("--sitting-clients", type=int, default=64)
    parser.add_argument("--memory-casts", type=int, default=10_000,
                        help="casts of the run during which worker memory is sampled")
    parser.add_argument("--get-seconds", type=int, default=10, help="length of each GET test")
    parser.add_argument("--get-client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--port", type=int, default=0,
                        help="port for the servers, one at a time (default: a free one)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and its logs")
    args = parser.parse_args()
    if args.get_client == "auto":
        args.get_client = "wrk" if have_wrk() else "python"
    elif args.get_client == "wrk" and not have_wrk():
        parser.error("wrk not found: `apt-get install wrk` (Debian), or --get-client python")
    if not 1 <= args.memory_casts <= 10_000 or not 1 <= args.sitting < 10_000:
        parser.error("at most 10,000 tokens per ballot (voting ballot tokens --count)")

    # Stopped by Ctrl-C or `kill PID` (even when started in the background): the servers and
    # the PostgreSQL cluster are stopped and the work folder removed on the way out.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
    print(machine_line(args.database))
    print(f"{load_line()} at the start", flush=True)
    if os.getloadavg()[0] > 1.0:
        print("WARNING: the machine is busy with other work: these figures are not results.")
    started = time.perf_counter()
    with ExitStack() as stack:
        new_database = stack.enter_context(postgres_cluster()) \
            if args.database == "postgres" else None
        work = Path(tempfile.mkdtemp(prefix="bench-load-")) if args.keep else \
            Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-load-")))
        bench = Bench(args, work, new_database)

        runs, sittings = [], []
        for run in range(1, args.runs + 1):
            voting, floor = bench.casts_and_floor(run)
            print(f"run {run}: voting  {describe(voting)}")
            print(f"       floor   {describe(floor, 'requests')}")
            runs.append((voting, floor))
            sitting, booth, portal = bench.sitting()
            print(f"       sitting {describe(sitting)}")
            print(f"       GET /v/<token> {booth.rate:,.0f} req/s (p99 {ms(booth.p99)}, "
                  f"errors {booth.errors}), GET / {portal.rate:,.0f} req/s "
                  f"(p99 {ms(portal.p99)}, errors {portal.errors}) [{booth.tool}]", flush=True)
            sittings.append((sitting, booth, portal))
        memory, sampler = bench.memory()
        print(f"memory run: {describe(memory)}")
        if args.keep:
            print(f"work folder kept: {work}")
        elif any(o.errors for pair in runs for o in pair) or memory.errors:
            print("some requests failed: run again with --keep to read the servers' logs")

    print()
    report_casts(runs, args.clients)
    walls = [s.wall for s, _, _ in sittings]
    print(f"sitting of {args.sitting:,} deputies, {args.sitting_clients} clients: first cast "
          f"sent to last receipt {median(walls):.1f} s (target ≤ 10 s), p99 "
          f"{ms(median(s.percentile(99) for s, _, _ in sittings))}, errors "
          f"{sum(sum(s.errors.values()) for s, _, _ in sittings)}")
    booth = median_throughput([b for _, b, _ in sittings])
    portal = median_throughput([p for _, _, p in sittings])
    print(f"GET, {args.clients} connections, {args.get_seconds} s each, {booth.tool}:")
    print(f"  booth /v/<token>  {booth.rate:8,.0f} req/s  p50 {ms(booth.p50)}  p99 {ms(booth.p99)}"
          f"  errors {booth.errors}  (target ≥ 1,000/s)")
    print(f"  portal /          {portal.rate:8,.0f} req/s  p50 {ms(portal.p50)}  "
          f"p99 {ms(portal.p99)}  errors {portal.errors}  (target ≥ 500/s)")
    bare = median_throughput(bench.floor_gets)
    print(f"  floor: bare Flask {bare.rate:8,.0f} req/s  p50 {ms(bare.p50)}  p99 {ms(bare.p99)}"
          f"  (the booth is {booth.rate / bare.rate:.2f} × this, the portal "
          f"{portal.rate / bare.rate:.2f} ×)")
    print(f"worker memory through {args.memory_casts:,} casts (VmRSS, target < 150 MB):")
    for i, pid in enumerate(sorted(sampler.peak), start=1):
        print(f"  worker {i}: {sampler.first[pid] * 1024 / 1e6:.0f} MB at the start, "
              f"peak {sampler.peak[pid] * 1024 / 1e6:.0f} MB")
    print(f"{load_line()} at the end; {time.perf_counter() - started:.0f} s in all")


if __name__ == "__main__":
    main()
