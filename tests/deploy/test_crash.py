"""Crash safety: `voting serve --workers 2` killed with SIGKILL (master and workers at once) in
the middle of a load of casts from 16 clients, then restarted.

Every acknowledged ballot must be stored and counted, none twice; the casts caught in flight
either committed (their token then answers 409 token_used) or left nothing; cast ballots =
spent tokens = receipts. Before the kill, no client sees anything but 201: in particular no
"database is locked" under 2 workers × 16 concurrent clients on SQLite.
"""

import random
import threading
import time

import pytest

from tests.deploy.live_server import cast_many, expected_counts, finish, ledger_of, plain
from voting.domain import counting

TOKENS = 600
CLIENTS = 16
KILL_AFTER = 240  # acknowledged casts before the kill
RESENT = 20  # acknowledged tokens sent again after the restart


def test_sqlite_survives_sigkill_in_the_middle_of_casting(sqlite_site):
    crash_and_recover(sqlite_site)


def test_postgresql_survives_sigkill_in_the_middle_of_casting(postgres_site):
    crash_and_recover(postgres_site)


def crash_and_recover(site):
    ballot = site.open_ballot(TOKENS)
    server = site.server(workers=2).start()

    # Phase 1: 16 clients cast until KILL_AFTER are acknowledged, then the server dies.
    stop = threading.Event()
    before = cast_many(server.port, ballot, ballot.tokens, threads=CLIENTS, stop=stop)
    deadline = time.monotonic() + 120
    while len(before.acked) < KILL_AFTER and time.monotonic() < deadline:
        time.sleep(0.002)
    stop.set()
    server.kill()
    finish(before)
    log = server.log_text()

    assert len(before.acked) >= KILL_AFTER
    assert before.failures == [], before.failures[:5]
    assert before.refused == {}, list(before.refused.values())[:5]  # no 5xx, no 503, no 409
    assert "database is locked" not in log and "Traceback" not in log, log[-3000:]
    assert before.lost, "the kill caught no cast in flight"
    assert before.unsent, "the kill came after the last cast"

    # Phase 2: a new server on the same database; every unacknowledged token again.
    with site.server(workers=2) as server:
        after = finish(cast_many(server.port, ballot, before.unsent + sorted(before.lost),
                                 threads=CLIENTS))
        resent = random.Random(6).sample(sorted(before.acked), RESENT)
        again = finish(cast_many(server.port, ballot, resent, threads=4))

    assert after.failures == [] and again.failures == []
    assert set(after.acked) >= set(before.unsent)  # never sent: each counts now
    committed_unacked = set(after.refused)  # in flight at the kill, and had committed
    assert committed_unacked <= before.lost
    assert {status for status, _ in after.refused.values()} <= {409}
    assert {body["error"] for _, body in after.refused.values()} <= {"token_used"}
    assert again.acked == {}
    assert {(status, body["error"]) for status, body in again.refused.values()} \
        == {(409, "token_used")}

    # What the database holds: every acknowledged receipt, each cast exactly once.
    acked = {**before.acked, **after.acked}
    receipts = [plain(r) for r in acked.values()]
    assert len(set(receipts)) == len(receipts)
    ledger = site.ledger(ballot.id)
    assert ledger["receipts"] >= set(receipts)
    assert ledger["cast"] == ledger["spent"] == len(ledger["receipts"]) == TOKENS \
        == len(acked) + len(committed_unacked)

    # And counted: the tally counts exactly these ballots and pins exactly these receipts.
    result = site.close_and_tally(ballot.id)
    assert result["cast"] == result["valid"] == TOKENS
    assert result["counts"] == expected_counts(ballot, ballot.tokens)
    assert result["receipts_digest"] == counting.digest(sorted(ledger["receipts"]))
    assert ledger_of(site.query, ballot.id) == ledger  # the close lost nothing


def test_the_live_server_fixture_answers_and_dies_with_its_workers(live_server):
    status, body = live_server.get("/healthz")
    assert status == 200 and b'"ok"' in body
    live_server.kill()
    with pytest.raises(OSError):
        live_server.get("/healthz")
