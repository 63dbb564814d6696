"""Minting a 3,000-deputy sitting's slips: tokens, their hashes in the database, the A4 sheet.

Target (issue 3): under 10 s. Run by hand:  .venv/bin/python bench/bench_mint.py
Prints the median of 5 runs and, as the floor, minting the same tokens without the database
or the sheet (the Ed25519 signatures alone).
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from voting import create_app  # noqa: E402
from voting.domain import tokens  # noqa: E402
from voting.extensions import db  # noqa: E402
from voting.instance import ensure_instance  # noqa: E402

COUNT, RUNS = 3000, 5


def fresh_ballot():
    from datetime import date
    from decimal import Decimal

    from voting.models import Ballot, BallotCandidate, CongressSession, Jurisdiction, Project, Term

    county = Jurisdiction(name="基准县", level="county")
    term = Term(jurisdiction=county, number=1, start_year=2025, end_year=2030)
    session = CongressSession(term=term, number=1, title="基准会议",
                              starts_on=date(2027, 1, 1), ends_on=date(2027, 1, 2))
    ballot = Ballot(session=session, kind="selection", title="基准票决", seats=1)
    for i in range(2):
        project = Project(jurisdiction=county, year=2027, title=f"项目{i}", category="education",
                          budget_wan=Decimal(100))
        ballot.candidates.append(BallotCandidate(project=project, position=i))
    db.session.add(ballot)
    db.session.flush()
    return ballot


def main():
    from flask_migrate import upgrade

    from voting.services import ballots, slips

    full, floor = [], []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as folder:
            ensure_instance(Path(folder))
            app = create_app({"INSTANCE_PATH": folder})
            with app.app_context(), app.test_request_context():
                upgrade()
                ballot = fresh_ballot()
                key = ballots.instance_key()
                started = time.perf_counter()
                tokens.mint_tokens(key, ballot.id, COUNT)
                floor.append(time.perf_counter() - started)
                started = time.perf_counter()
                minted = ballots.mint_tokens(ballot, COUNT)
                slips.slip_sheet(ballot, minted, "https://vote.example.gov.cn")
                db.session.commit()
                full.append(time.perf_counter() - started)
                db.engine.dispose()
    print(f"mint {COUNT} tokens + store + A4 sheet: median {statistics.median(full):.2f} s "
          f"(runs {', '.join(f'{t:.2f}' for t in full)})")
    print(f"floor, signatures alone:            median {statistics.median(floor):.2f} s")


if __name__ == "__main__":
    main()
