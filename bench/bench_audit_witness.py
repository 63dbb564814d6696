"""What the audit log's witness file costs a back-office action.

    .venv/bin/python bench/bench_audit_witness.py [--entries 200] [--runs 5]

On a scratch instance (SQLite, as `voting init` makes it), appends audit entries one commit
each, as back-office actions do, and prints the median time per commit with the witness file
written (flock, write, fsync, rename) and, in the same run, with it switched off: the floor.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-audit-"))
    os.environ["VOTING_INSTANCE"] = str(folder)
    from flask_migrate import upgrade

    from voting import create_app
    from voting.extensions import db
    from voting.instance import ensure_instance
    from voting.services import audit

    ensure_instance(folder)
    app = create_app()
    witnessed = audit.write_witness

    def per_commit_ms() -> float:
        started = time.perf_counter()
        for n in range(args.entries):
            audit.record("bench.append", f"ballot:{n}")
            db.session.commit()
        return (time.perf_counter() - started) / args.entries * 1000

    timings: dict[str, list[float]] = {"with the witness": [], "floor (no witness)": []}
    with app.app_context():
        upgrade()
        for _run in range(args.runs):
            audit.write_witness = witnessed
            timings["with the witness"].append(per_commit_ms())
            audit.write_witness = lambda *_args, **_kw: None
            timings["floor (no witness)"].append(per_commit_ms())
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"{args.entries} commits x {args.runs} runs, instance {folder}")
    for name, values in timings.items():
        print(f"{name:>20}: median {statistics.median(values):.3f} ms per commit "
              f"(runs {', '.join(f'{v:.3f}' for v in values)})")


if __name__ == "__main__":
    main()
