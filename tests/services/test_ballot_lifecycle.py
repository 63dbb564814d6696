"""A ballot's life: definition, scrutineers, minting, voiding, opening (commitment), closing."""

import json
from datetime import datetime

import pytest

from tests.ballot_day import (
    add_deputies,
    candidate_ids,
    open_with_tokens,
    ready_ballot,
    token_state,
)
from voting.domain import counting
from voting.errors import InvalidRequest, InvalidToken, NotFound, TokenUsed, WrongState
from voting.extensions import db
from voting.models import Attendance, Ballot, Token
from voting.services import ballots, casting


def test_definition_follows_docs_formats(make):
    ballot = ready_ballot(make, seats=2, candidates=3, scrutineers=2)
    first = ballot.candidates[0].project
    first.budget_wan = 4800
    definition = ballots.ballot_definition(ballot)
    assert set(definition) == {"id", "title", "kind", "seats", "threshold_rule", "evaluation_rule",
                               "candidates", "jurisdiction", "session", "runoff_of",
                               "scrutineers"}
    assert definition["candidates"][0] == {
        "id": str(first.id), "title": first.title, "unit": first.unit.name,
        "budget_wan": "4800", "summary": first.summary}
    assert [c["id"] for c in definition["candidates"]] == candidate_ids(ballot)
    assert definition["threshold_rule"] == {"base": "roster", "numerator": 1, "denominator": 2}
    chief, other = definition["scrutineers"]
    assert chief["chief"] is True and other["chief"] is False
    assert len(chief["public_key"]) == 64
    assert counting.definition_problems(definition) == []


def test_budget_is_a_plain_decimal_string():
    from decimal import Decimal

    assert ballots.decimal_text(Decimal("4800.00")) == "4800"
    assert ballots.decimal_text(Decimal("260.50")) == "260.5"
    assert ballots.decimal_text(Decimal("0.00")) == "0"


def test_scrutineers_must_have_the_role_and_the_first_is_chief(make):
    ballot = ready_ballot(make, scrutineers=0)
    clerk = make.user("clerk")
    with pytest.raises(InvalidRequest):
        ballots.set_scrutineers(ballot, [clerk])
    with pytest.raises(InvalidRequest):
        ballots.set_scrutineers(ballot, [])
    a, b = make.user("scrutineer"), make.user("scrutineer")
    ballots.set_scrutineers(ballot, [a, b])
    assert {(s.user_id, s.chief) for s in ballot.scrutineers} == {(a.id, True), (b.id, False)}
    ballots.set_scrutineers(ballot, [a, b], chief=b)
    assert {(s.user_id, s.chief) for s in ballot.scrutineers} == {(a.id, False), (b.id, True)}


def test_minting_stores_public_parts_and_hashes_never_tokens(make):
    ballot = ready_ballot(make)
    minted = ballots.mint_tokens(ballot, 5)
    db.session.commit()
    assert len(set(minted)) == 5
    rows = db.session.execute(db.select(Token).filter_by(ballot_id=ballot.id)).scalars().all()
    assert {r.state for r in rows} == {"minted"}
    assert {r.hash for r in rows} == {ballots.token_key(t) for t in minted}
    stored = json.dumps([(r.hash, r.public) for r in rows])
    assert not any(t in stored for t in minted)
    assert ballot.state == "draft"


def test_three_thousand_slips_are_minted_on_one_sheet(make, app):
    # How fast: bench/bench_mint.py (tests never assert wall-clock times).
    from voting.services import slips

    ballot = ready_ballot(make)
    minted = ballots.mint_tokens(ballot, 3000)
    sheet = slips.slip_sheet(ballot, minted, "https://vote.example.gov.cn")
    db.session.commit()
    assert len(set(minted)) == 3000
    assert sheet.count('class="slip"') == 3000


@pytest.mark.parametrize("count", [0, -1, 10_001, True, "5"])
def test_minting_refuses_a_bad_count(make, count):
    ballot = ready_ballot(make)
    with pytest.raises(InvalidRequest):
        ballots.mint_tokens(ballot, count)


def test_minting_only_while_draft(make):
    ballot, _ = open_with_tokens(make, 2)
    with pytest.raises(WrongState):
        ballots.mint_tokens(ballot, 1)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Token)) == 2


def test_opening_needs_tokens_and_scrutineers(make):
    no_scrutineers = ready_ballot(make, scrutineers=0)
    ballots.mint_tokens(no_scrutineers, 2)
    with pytest.raises(WrongState, match="监票人"):
        ballots.open_ballot(no_scrutineers)
    db.session.rollback()
    no_tokens = ready_ballot(make)
    with pytest.raises(WrongState, match="选票"):
        ballots.open_ballot(no_tokens)
    db.session.rollback()
    assert db.session.get(Ballot, no_tokens.id).state == "draft"


def test_opening_commits_to_the_minted_set_and_the_definition(make, app):
    ballot = ready_ballot(make)
    minted = ballots.mint_tokens(ballot, 4)
    ballots.void_token(ballot, minted[0])  # voided before opening: still in the minted set
    ballots.open_ballot(ballot)
    db.session.commit()
    assert ballot.state == "open" and ballot.opened_at is not None
    commitment = json.loads(ballot.commitment)
    hashes = sorted(ballots.token_key(t) for t in minted)
    assert commitment == {"ballot_id": ballot.id, "count": 4,
                          "tokens_digest": counting.digest(hashes),
                          "definition_digest": counting.digest(ballots.ballot_definition(ballot))}
    assert counting.canonical(commitment).decode() == ballot.commitment
    assert counting.verify_commitment_signature(ballots.instance_public_key(), commitment,
                                                ballot.commitment_signature)


def test_states_never_go_backwards(make):
    ballot, _ = open_with_tokens(make, 1)
    with pytest.raises(WrongState):
        ballots.open_ballot(ballot)
    db.session.rollback()
    ballots.close_ballot(ballot)
    db.session.commit()
    for action in (ballots.open_ballot, ballots.close_ballot):
        with pytest.raises(WrongState):
            action(ballot)
        db.session.rollback()
    assert db.session.get(Ballot, ballot.id).state == "closed"
    draft = ready_ballot(make)
    with pytest.raises(WrongState):
        ballots.close_ballot(draft)


def test_closing_snapshots_roster_and_attendance(make):
    ballot, _ = open_with_tokens(make, 1)
    jurisdiction = ballot.session.term.jurisdiction
    deputies = add_deputies(jurisdiction, 5)
    add_deputies(jurisdiction, 1, active=False)
    for deputy in deputies[:3]:
        db.session.add(Attendance(session_id=ballot.session_id, deputy_id=deputy.id,
                                  signed_in_at=datetime(2027, 1, 10, 8, 30)))
    db.session.commit()
    ballots.close_ballot(ballot)
    db.session.commit()
    assert (ballot.roster_count, ballot.present_count) == (5, 3)
    assert ballot.closed_at is not None


def test_voiding_a_leftover_slip(make):
    ballot, minted = open_with_tokens(make, 3)
    ballots.void_token(ballot, f"https://vote.example.gov.cn/v/{minted[0]}")
    db.session.commit()
    assert token_state(ballot, minted[0]) == "voided"
    assert ballots.token_counts(ballot) == {"minted": 3, "voided": 1, "spent": 0, "issued": 2}
    with pytest.raises(WrongState):
        ballots.void_token(ballot, minted[0])
    with pytest.raises(InvalidToken):  # a voided slip cannot vote
        casting.cast(minted[0], {})
    casting.cast(minted[1], {})
    with pytest.raises(TokenUsed):
        ballots.void_token(ballot, minted[1])


def test_voiding_refuses_other_ballots_tokens_and_closed_ballots(make):
    ballot, minted = open_with_tokens(make, 2)
    other, theirs = open_with_tokens(make, 1)
    with pytest.raises(InvalidToken):
        ballots.void_token(ballot, theirs[0])
    with pytest.raises(InvalidToken):
        ballots.void_token(ballot, "not-a-token")
    ballots.close_ballot(ballot)
    db.session.commit()
    with pytest.raises(WrongState):
        ballots.void_token(ballot, minted[0])
    db.session.rollback()
    assert token_state(ballot, minted[0]) == "minted"


def test_get_ballot_or_404(make):
    ballot = ready_ballot(make)
    assert ballots.get_ballot_or_404(ballot.id) is ballot
    assert ballots.get_ballot_or_404(ballot.id, state="draft") is ballot
    with pytest.raises(WrongState):
        ballots.get_ballot_or_404(ballot.id, state="open")
    with pytest.raises(NotFound):
        ballots.get_ballot_or_404(ballot.id + 1000)


def test_threshold_now_and_after_closing(make):
    ballot, _ = open_with_tokens(make, 1)
    jurisdiction = ballot.session.term.jurisdiction
    add_deputies(jurisdiction, 150)
    assert ballots.current_threshold(ballot) == 76
    ballots.close_ballot(ballot)
    db.session.commit()
    add_deputies(jurisdiction, 2)
    assert ballots.current_threshold(ballot) == 76  # the snapshot at close counts


def test_closing_empties_the_sqlite_write_ahead_log(make, instance):
    """The log's frames follow the commits (a token's and a ballot's pages together): after the
    close it is checkpointed into the database and truncated."""
    ballot, minted = open_with_tokens(make, 3)
    for token in minted:
        casting.cast(token, {candidate_ids(ballot)[0]: "for"})
    wal = instance / "voting.sqlite3-wal"
    assert wal.stat().st_size > 0
    ballots.close_ballot(ballot)
    db.session.commit()
    assert wal.stat().st_size == 0
