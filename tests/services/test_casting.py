"""The one casting function: genuine tokens only, once each, rules first, secret by design."""

import json
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.ballot_day import (
    candidate_ids,
    dump_tables,
    flip_bit,
    open_with_tokens,
    ready_ballot,
    table_of_rows_containing,
    token_state,
)
from voting.domain import tokens
from voting.errors import BallotNotOpen, InvalidRequest, InvalidToken, TokenUsed
from voting.extensions import db
from voting.models import CastBallot, Receipt
from voting.services import ballots, casting


def stored_choices(ballot) -> list[dict]:
    rows = db.session.scalars(db.select(CastBallot.choices).filter_by(ballot_id=ballot.id))
    return [json.loads(c) for c in rows]


def test_a_genuine_token_casts_once_and_gets_a_receipt(make):
    ballot, minted = open_with_tokens(make, 2, seats=2, candidates=3)
    first, second, third = candidate_ids(ballot)
    receipt = casting.cast(minted[0], {first: "for", second: "against"})
    assert tokens.format_receipt(receipt) and len(receipt) == 16
    assert stored_choices(ballot) == [{first: "for", second: "against", third: "abstain"}]
    assert db.session.scalars(db.select(Receipt.code)).all() == [receipt]
    assert token_state(ballot, minted[0]) == "spent"
    with pytest.raises(TokenUsed):
        casting.cast(minted[0], {})
    assert len(stored_choices(ballot)) == 1


def forgeries(ballot, minted, other_token):
    token = minted[0]
    forged_key = tokens.mint_token(b"\x07" * 32, ballot.id)  # same ballot, another key
    return {
        "forged with another key": forged_key,
        "truncated": token[:-1],
        "truncated a lot": token[:40],
        "extended": token + "A",
        "bit flipped in the nonce": flip_bit(token, 10),
        "bit flipped in the ballot id": flip_bit(token, 4),
        "bit flipped in the signature": flip_bit(token, 60, 3),
        "another ballot's token": other_token,
        "empty": "",
        "garbage": "x" * 114,
        "non-ascii": "选" * 114,
    }


def test_forged_truncated_flipped_and_other_ballot_tokens_are_refused_alike(make):
    ballot, minted = open_with_tokens(make, 1)
    _other, theirs = open_with_tokens(make, 1)
    for name, fake in forgeries(ballot, minted, None).items():
        if name == "another ballot's token":
            continue
        with pytest.raises(InvalidToken) as refused:
            casting.cast(fake, {})
        assert str(refused.value.message) == str(InvalidToken.message), name
    # Another ballot's genuine token casts on its own ballot, never on this one.
    with pytest.raises(InvalidRequest):
        casting.cast(theirs[0], {candidate_ids(ballot)[0]: "for"})
    assert token_state(ballot, minted[0]) == "minted"
    assert stored_choices(ballot) == []


def test_bad_choices_leave_the_token_usable(make):
    ballot, minted = open_with_tokens(make, 1, seats=1, candidates=3)
    a, b, c = candidate_ids(ballot)
    for bad in ({a: "for", b: "for"}, {"999999": "for"}, {a: "yes"}, {a: 1}, [a], None, "for"):
        with pytest.raises(InvalidRequest):
            casting.cast(minted[0], bad)
        assert token_state(ballot, minted[0]) == "minted"
    with pytest.raises(InvalidRequest) as over:
        casting.cast(minted[0], {a: "for", b: "for", c: "for"})
    assert over.value.details == {"marked": 3, "seats": 1}
    casting.cast(minted[0], {a: "for", b: "against"})
    assert stored_choices(ballot) == [{a: "for", b: "against", c: "abstain"}]


def test_evaluation_ballot_takes_the_four_words(make):
    ballot, minted = open_with_tokens(make, 2, kind="evaluation", candidates=4)
    ids = candidate_ids(ballot)
    words = ["satisfied", "basically_satisfied", "dissatisfied", "abstain"]
    casting.cast(minted[0], dict(zip(ids, words, strict=True)))
    with pytest.raises(InvalidRequest):
        casting.cast(minted[1], {ids[0]: "for"})
    assert stored_choices(ballot) == [dict(zip(ids, words, strict=True))]


def test_a_ballot_not_open_refuses_and_keeps_the_token(make):
    draft = ready_ballot(make)
    early = ballots.mint_tokens(draft, 1)[0]
    db.session.commit()
    with pytest.raises(BallotNotOpen) as refused:
        casting.cast(early, {})
    assert refused.value.details["state"] == "draft"
    assert token_state(draft, early) == "minted"

    ballot, minted = open_with_tokens(make, 1)
    ballots.close_ballot(ballot)
    db.session.commit()
    with pytest.raises(BallotNotOpen) as closed:
        casting.cast(minted[0], {})
    assert closed.value.details["state"] == "closed"
    assert token_state(ballot, minted[0]) == "minted"
    assert stored_choices(ballot) == []


def test_nothing_stored_holds_the_token_and_its_hash_only_the_token_table(make, instance):
    ballot, minted = open_with_tokens(make, 3, seats=2, candidates=3)
    for token in minted:
        casting.cast(token, {candidate_ids(ballot)[0]: "for"})
    dump = dump_tables()
    for token in minted:
        record = ballots.token_record(token)
        assert token not in dump
        assert table_of_rows_containing(record["hash"]) == {"token"}
        assert table_of_rows_containing(record["public"]) == {"token"}
    db.session.remove()
    db.engine.dispose()  # let SQLite write what it keeps in memory
    for path in instance.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for token in minted:
                raw = tokens_raw(token)
                assert token.encode() not in data, path
                assert raw not in data and raw[5:21] not in data, path  # the nonce, even raw


def tokens_raw(token: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(token + "==")


def kendall_tau(xs: list[int]) -> float:
    """Kendall's rank correlation between positions 0…n−1 and the values xs."""
    n, score = len(xs), 0
    for i in range(n):
        for j in range(i + 1, n):
            score += (xs[j] > xs[i]) - (xs[j] < xs[i])
    return score / (n * (n - 1) / 2)


def test_stored_order_says_nothing_about_cast_order(make):
    """300 ballots whose choices encode their cast index, read back with a plain SELECT: the
    order of the rows (and of the receipts) does not follow the order of casting."""
    words = ("satisfied", "basically_satisfied", "dissatisfied", "abstain")
    ballot, minted = open_with_tokens(make, 300, kind="evaluation", candidates=5)
    ids = candidate_ids(ballot)
    order = list(range(300))
    random.Random(20270110).shuffle(order)  # which index is cast when: fixed seed
    receipts = {}
    for position, index in enumerate(order):
        digits = [(index // 4 ** k) % 4 for k in range(5)]
        choices = {cid: words[d] for cid, d in zip(ids, digits, strict=True)}
        receipts[casting.cast(minted[position], choices)] = position
    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT choices FROM cast_ballot").all()
        codes = connection.exec_driver_sql("SELECT code FROM receipt").all()
    cast_position = {index: position for position, index in enumerate(order)}

    def decode(text):
        stored = json.loads(text)
        return sum(words.index(stored[cid]) * 4 ** k for k, cid in enumerate(ids))

    ballot_order = [cast_position[decode(text)] for (text,) in rows]
    receipt_order = [receipts[code] for (code,) in codes]
    assert sorted(ballot_order) == list(range(300))
    assert abs(kendall_tau(ballot_order)) < 0.2
    assert abs(kendall_tau(receipt_order)) < 0.2
    assert abs(kendall_tau(list(range(300)))) == 1  # the measure does see an ordered list


WORKER = textwrap.dedent("""
    import sys
    from voting import create_app
    from voting.errors import VotingError
    from voting.extensions import db

    app = create_app({"TESTING": True})
    with app.app_context(), app.test_request_context():
        from voting.services.ballots import instance_public_key
        from voting.services.casting import cast

        instance_public_key()
        db.session.execute(db.text("SELECT 1")).all()
        db.session.rollback()
        print("ready", flush=True)
        sys.stdin.readline()
        try:
            cast(sys.argv[1], {})
            print("ok", flush=True)
        except VotingError as error:
            print(error.code, flush=True)
""")


def test_twenty_processes_racing_with_one_token_cast_one_ballot(make, instance, tmp_path):
    ballot, minted = open_with_tokens(make, 1)
    ballot_id = ballot.id
    db.session.remove()
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    env = {**os.environ, "VOTING_INSTANCE": str(instance)}
    env.pop("DATABASE_URL", None)
    root = str(Path(__file__).resolve().parents[2])
    workers = [subprocess.Popen([sys.executable, str(script), minted[0]], cwd=root, env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
               for _ in range(20)]
    for worker in workers:  # all started and connected before anyone casts
        assert worker.stdout.readline().strip() == "ready"
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    answers = sorted(worker.communicate(timeout=120)[0].strip() for worker in workers)
    assert answers == ["ok"] + ["token_used"] * 19
    ballot = ballots.get_ballot_or_404(ballot_id)
    assert len(stored_choices(ballot)) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(Receipt)) == 1
    assert token_state(ballot, minted[0]) == "spent"


def test_twenty_threads_racing_with_one_token_cast_one_ballot(make, app):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    ballot, minted = open_with_tokens(make, 1)
    ballot_id = ballot.id
    db.session.remove()
    barrier = Barrier(20)

    def attempt(_):
        with app.app_context(), app.test_client() as client:
            barrier.wait()
            return client.post("/api/v1/cast", json={"token": minted[0], "choices": {}}).status_code

    with ThreadPoolExecutor(20) as pool:
        codes = sorted(pool.map(attempt, range(20)))
    assert codes == [201] + [409] * 19
    assert len(stored_choices(ballots.get_ballot_or_404(ballot_id))) == 1


def test_a_close_racing_casts_lets_nothing_in_afterwards(make, app):
    """Casts and a close at once: every ballot stored was acknowledged before the close, and
    every refused cast left its token unspent."""
    from concurrent.futures import ThreadPoolExecutor

    ballot, minted = open_with_tokens(make, 30)
    ballot_id = ballot.id
    db.session.remove()

    def attempt(token):
        with app.app_context(), app.test_client() as client:
            return token, client.post("/api/v1/cast", json={"token": token, "choices": {}})

    def close():
        with app.app_context(), app.test_request_context():
            ballots.close_ballot(ballots.get_ballot_or_404(ballot_id))
            db.session.commit()

    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(attempt, t) for t in minted[:15]]
        closing = pool.submit(close)
        futures += [pool.submit(attempt, t) for t in minted[15:]]
        results = [f.result() for f in futures]
        closing.result()
    accepted = [t for t, r in results if r.status_code == 201]
    refused = [t for t, r in results if r.status_code != 201]
    assert all(r.get_json()["error"] == "ballot_not_open" for t, r in results if t in refused)
    db.session.remove()
    ballot = ballots.get_ballot_or_404(ballot_id)
    assert len(stored_choices(ballot)) == len(accepted)
    assert all(token_state(ballot, t) == "minted" for t in refused)
    assert all(token_state(ballot, t) == "spent" for t in accepted)
