"""SQLite writers take turns on an flock before `BEGIN IMMEDIATE` (voting/database.py): the turn
is given back however the transaction ends, and a turn file that cannot be opened slows
writers down but never refuses a cast."""

import threading
from pathlib import Path

import pytest

from tests.ballot_day import open_with_tokens, token_state
from voting import database
from voting.errors import InvalidRequest, TokenUsed
from voting.extensions import db
from voting.services import casting


def database_file() -> Path:
    return Path(db.engine.url.database).resolve()


def cast_in_another_thread(app, token, choices=None) -> dict:
    """Cast from a thread of its own (its own session); {"receipt": …} or {"error": …}.
    Fails, rather than hangs, when an earlier cast never gave the turn back."""
    answer = {}

    def run():
        with app.app_context():
            try:
                answer["receipt"] = casting.cast(token, choices or {})
            except Exception as error:  # noqa: BLE001 (reported to the test)
                answer["error"] = error
            finally:
                answer["turn held after"] = database.TURN in db.session.info
                db.session.remove()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the write turn was never given back"
    return answer


def test_a_cast_takes_the_turn_and_gives_it_back(app, make):
    _ballot, minted = open_with_tokens(make, 2)
    db.session.commit()
    first = cast_in_another_thread(app, minted[0])
    assert "receipt" in first and not first["turn held after"]
    assert Path(f"{database_file()}-turn").exists()
    assert "receipt" in cast_in_another_thread(app, minted[1])


@pytest.mark.parametrize("refusal", ["used", "bad choices"])
def test_a_refused_cast_gives_the_turn_back(app, make, refusal):
    ballot, minted = open_with_tokens(make, 2)
    db.session.commit()
    assert "receipt" in cast_in_another_thread(app, minted[0])
    again = cast_in_another_thread(app, minted[0], {} if refusal == "used" else {"999": "for"})
    assert isinstance(again["error"], TokenUsed if refusal == "used" else InvalidRequest)
    assert not again["turn held after"]
    assert "receipt" in cast_in_another_thread(app, minted[1])
    assert token_state(ballot, minted[1]) == "spent"


def test_casts_go_on_when_the_turn_file_cannot_be_opened(app, make):
    ballot, minted = open_with_tokens(make, 2)
    database._turns.pop(str(database_file()), None)  # opened when the ballot was opened
    blocked = Path(f"{database_file()}-turn")
    blocked.unlink(missing_ok=True)
    blocked.mkdir()  # a directory where the file should be: open(2) fails
    try:
        assert casting.cast(minted[0], {})
        assert "receipt" in cast_in_another_thread(app, minted[1])
    finally:
        database._turns.pop(str(database_file()), None)
    assert token_state(ballot, minted[0]) == token_state(ballot, minted[1]) == "spent"
