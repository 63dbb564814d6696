"""POST /api/v1/cast and GET /api/v1/ballots/<id>, exactly as CONTRACT.md says."""

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ballot_day import (
    add_deputies,
    candidate_ids,
    flip_bit,
    open_with_tokens,
    ready_ballot,
    token_state,
)
from voting.domain import tokens
from voting.extensions import db
from voting.models import CastBallot
from voting.services import ballots


def cast(client, body, **kw):
    return client.post("/api/v1/cast", json=body, **kw)


def cast_count(ballot) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(CastBallot)
                             .filter_by(ballot_id=ballot.id))


def test_cast_answers_201_with_a_receipt(client, make):
    ballot, minted = open_with_tokens(make, 1, seats=2, candidates=3)
    a, b, _c = candidate_ids(ballot)
    response = cast(client, {"token": minted[0], "choices": {a: "for", b: "abstain"}})
    assert response.status_code == 201
    receipt = response.get_json()["receipt"]
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", receipt)
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    again = cast(client, {"token": minted[0], "choices": {}})
    assert (again.status_code, again.get_json()["error"]) == (409, "token_used")


def test_every_kind_of_bad_token_gets_the_same_403(client, make):
    ballot, minted = open_with_tokens(make, 1)
    _other, theirs = open_with_tokens(make, 1)
    token = minted[0]
    fakes = [tokens.mint_token(b"\x07" * 32, ballot.id), token[:-1], token[:20], token + "A",
             flip_bit(token, 12), flip_bit(token, 3), flip_bit(token, 70), "", "x" * 114,
             "../../etc/passwd", "选" * 114]
    answers = set()
    for fake in fakes:
        response = cast(client, {"token": fake, "choices": {}})
        assert response.status_code == 403, fake
        answers.add(response.get_data())
    assert len(answers) == 1
    assert json.loads(answers.pop())["error"] == "invalid_token"
    # another ballot's genuine token with this ballot's candidates: refused, not counted here
    response = cast(client, {"token": theirs[0], "choices": {candidate_ids(ballot)[0]: "for"}})
    assert response.status_code == 400
    assert token_state(ballot, token) == "minted" and cast_count(ballot) == 0


def test_a_voided_token_is_invalid(client, make):
    ballot, minted = open_with_tokens(make, 1)
    ballots.void_token(ballot, minted[0])
    db.session.commit()
    response = cast(client, {"token": minted[0], "choices": {}})
    assert (response.status_code, response.get_json()["error"]) == (403, "invalid_token")


@pytest.mark.parametrize("choices", [
    {"999999": "for"}, {"FIRST": "yes"}, {"FIRST": "for", "SECOND": "for", "THIRD": "for"},
    {"FIRST": None}, {"FIRST": ["for"]}, {"FIRST": "FOR"},
])
def test_bad_choices_answer_400_and_keep_the_token(client, make, choices):
    ballot, minted = open_with_tokens(make, 1, seats=2, candidates=3)
    names = dict(zip(("FIRST", "SECOND", "THIRD"), candidate_ids(ballot), strict=True))
    choices = {names.get(k, k): v for k, v in choices.items()}
    response = cast(client, {"token": minted[0], "choices": choices})
    assert (response.status_code, response.get_json()["error"]) == (400, "invalid_request")
    assert response.get_json()["message"]
    assert token_state(ballot, minted[0]) == "minted"
    ok = cast(client, {"token": minted[0], "choices": {names["FIRST"]: "for"}})
    assert ok.status_code == 201


def test_over_the_seats_says_so(client, make):
    ballot, minted = open_with_tokens(make, 1, seats=1, candidates=3)
    a, b, _ = candidate_ids(ballot)
    response = cast(client, {"token": minted[0], "choices": {a: "for", b: "for"}},
                    headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "seats" in response.get_json()["message"] or "赞成" in response.get_json()["message"]


@pytest.mark.parametrize("raw, content_type", [
    (b"{", "application/json"),
    (b"[]", "application/json"),
    (b'"token"', "application/json"),
    (b"\xff\xfe", "application/json"),
    (b'{"token": NaN, "choices": {}}', "application/json"),
    (b'{"token": "abc", "choices": {}}', "text/plain"),
    (b"token=abc", "application/x-www-form-urlencoded"),
    (b'{"choices": {}}', "application/json"),
    (b'{"token": 5, "choices": {}}', "application/json"),
    (b'{"token": "t", "choices": "for"}', "application/json"),
    (b"[" * 5000 + b"]" * 5000, "application/json"),
    (b'{"token": "t", "choices": {"1": "for\\u0000"}}', "application/json"),
    (b'{"token": "t\x00", "choices": {}}', "application/json"),
])
def test_malformed_bodies_answer_400_invalid_request(client, raw, content_type):
    response = client.post("/api/v1/cast", data=raw, content_type=content_type)
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_request"


def test_nul_in_a_genuine_request_is_refused_and_spends_nothing(client, make):
    ballot, minted = open_with_tokens(make, 1)
    body = json.dumps({"token": minted[0], "choices": {}, "note": "a\u0000b"})
    response = client.post("/api/v1/cast", data=body, content_type="application/json")
    assert response.status_code == 400
    assert token_state(ballot, minted[0]) == "minted"


def test_a_body_too_large_answers_413_in_json(client, app):
    body = json.dumps({"token": "x", "choices": {}, "pad": "a" * (app.config["MAX_JSON_BYTES"])})
    response = client.post("/api/v1/cast", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"] == "too_large"


def test_closed_and_draft_ballots_answer_409_and_keep_the_token(client, make):
    draft = ready_ballot(make)
    early = ballots.mint_tokens(draft, 1)[0]
    db.session.commit()
    response = cast(client, {"token": early, "choices": {}})
    assert (response.status_code, response.get_json()["error"]) == (409, "ballot_not_open")
    ballot, minted = open_with_tokens(make, 1)
    ballots.close_ballot(ballot)
    db.session.commit()
    response = cast(client, {"token": minted[0], "choices": {}})
    assert (response.status_code, response.get_json()["error"]) == (409, "ballot_not_open")
    assert token_state(draft, early) == token_state(ballot, minted[0]) == "minted"


class TestWithCsrfOn:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": False}  # CSRF on, as in production

    def test_cast_needs_no_cookie_and_no_csrf_token(self, client, make):
        ballot, minted = open_with_tokens(make, 1)
        response = cast(client, {"token": minted[0], "choices": {}}, base_url="https://vote.example")
        assert response.status_code == 201, response.get_data(as_text=True)
        assert "Set-Cookie" not in response.headers


def test_ballot_definition_is_public_with_the_threshold(client, make):
    ballot, _ = open_with_tokens(make, 1, seats=2, candidates=3)
    add_deputies(ballot.session.term.jurisdiction, 150)
    response = client.get(f"/api/v1/ballots/{ballot.id}")
    assert response.status_code == 200
    body = response.get_json()
    assert {k: body[k] for k in ("id", "title", "kind", "state", "seats", "threshold")} == {
        "id": ballot.id, "title": ballot.title, "kind": "selection", "state": "open",
        "seats": 2, "threshold": 76}
    first = ballot.candidates[0].project
    assert body["candidates"][0] == {"id": str(first.id), "title": first.title,
                                     "unit": first.unit.name, "budget_wan": "100",
                                     "summary": first.summary}
    assert body["commitment"]["count"] == 1 and len(body["commitment_signature"]) == 128
    assert client.get("/api/v1/ballots/999999").status_code == 404
    assert client.get("/api/v1/ballots/999999").get_json()["error"] == "not_found"


# ---------------------------------------------------------------- hostile bodies

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_hypothesis_bodies_never_5xx_and_spend_only_when_valid(client, make, data):
    """Random JSON, random choice maps, huge strings, wrong types: always a 4xx or a 201, and
    a token is spent only by a 201 whose choices follow the rules."""
    ballot, minted = _day(make)
    ids = candidate_ids(ballot)
    token = data.draw(st.sampled_from(["valid", "garbage", "huge", "wrong type", "missing"]))
    real = minted.pop() if token == "valid" else None
    choice_map = st.dictionaries(
        st.sampled_from(ids) | st.text(max_size=6),
        st.sampled_from(["for", "against", "abstain", "satisfied"]) | json_values, max_size=5)
    body = data.draw(st.one_of(
        json_values,
        st.fixed_dictionaries({"choices": choice_map | json_values}),
        st.fixed_dictionaries({"token": st.just(real) if real else st.text(max_size=200)
                               | json_values, "choices": choice_map}),
        st.fixed_dictionaries({"token": st.just("A" * 60_000), "choices": choice_map}),
    ))
    if isinstance(body, dict) and real is not None:
        body["token"] = real
    response = client.post("/api/v1/cast", data=json.dumps(body), content_type="application/json")
    assert response.status_code < 500, response.get_data(as_text=True)
    assert response.status_code in (201, 400, 403, 409, 413)
    if real is not None:
        state = token_state(ballot, real)
        valid = isinstance(body, dict) and isinstance(body.get("choices"), dict) \
            and _follows_rules(body["choices"], ids)
        assert (response.status_code == 201) == valid, body
        assert state == ("spent" if response.status_code == 201 else "minted")


def _day(make):
    """One open ballot with plenty of tokens, shared by the examples of one test run (the
    fixtures, `make` included, live as long as the test, not one example)."""
    if not hasattr(make, "voting_day"):
        make.voting_day = open_with_tokens(make, 220, seats=2, candidates=3)
    return make.voting_day


def _follows_rules(choices: dict, ids: list[str]) -> bool:
    if any(k not in ids for k in choices):
        return False
    if any(v not in ("for", "against", "abstain") for v in choices.values()):
        return False
    return sum(v == "for" for v in choices.values()) <= 2
