"""Hypothesis-driven bodies on the JSON cast API (POST /api/v1/cast), against the demo county:
random JSON, random choice maps, wrong types, raw bytes, forged, spent and huge tokens. Never a
5xx; a refused body changes nothing anywhere — every row of every table and the upload folder
are compared, not just the token — and an accepted one (201) changes exactly what a vote is:
its token spent, one ballot and one receipt stored, nothing else."""

import json

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.ballot_day import candidate_ids, flip_bit, open_with_tokens
from tests.security.conftest import fingerprints

CANDIDATES = ("C0", "C1", "C2")  # stand-ins for the ballot's candidate ids (3 candidates)
A_VOTE = {"token", "cast_ballot", "receipt"}  # the tables a counted vote writes to

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12)
choice_words = st.sampled_from(["for", "against", "abstain", "satisfied", "FOR", ""]) | json_values
choice_maps = st.dictionaries(st.sampled_from(CANDIDATES) | st.text(max_size=6), choice_words,
                              max_size=4)
token_kinds = st.sampled_from(["fresh", "spent", "bit flipped", "huge"]) | st.text(max_size=120) \
    | json_values
shapes = st.sampled_from(["vote", "vote with an extra key", "any JSON", "raw bytes"])


def voting_day(make):
    """One open ballot (2 seats of 3) with plenty of tokens, one already spent, shared by the
    examples of one test run (the fixtures, `make` included, live as long as the test)."""
    if not hasattr(make, "voting_day"):
        ballot, minted = open_with_tokens(make, 160, seats=2, candidates=3)
        make.voting_day = (ballot, minted, [])
    return make.voting_day


def body_of(shape, token, choices, extra, raw) -> bytes:
    if shape == "raw bytes":
        return raw
    if shape == "any JSON":
        return json.dumps(extra).encode()
    body = {"token": token, "choices": choices}
    if shape == "vote with an extra key":
        body["note"] = extra
    return json.dumps(body).encode()


def follows_the_rules(shape, choices, ids) -> bool:
    if shape not in ("vote", "vote with an extra key") or not isinstance(choices, dict):
        return False
    return all(k in ids for k in choices) \
        and all(v in ("for", "against", "abstain") for v in choices.values()) \
        and sum(v == "for" for v in choices.values()) <= 2


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(shape=shapes, token_kind=token_kinds, choices=choice_maps | json_values,
       extra=json_values, raw=st.binary(max_size=200))
@example(shape="vote", token_kind="fresh", choices={"C0": "for", "C1": "against"}, extra=None,
         raw=b"")
@example(shape="vote", token_kind="spent", choices={"C0": "for"}, extra=None, raw=b"")
@example(shape="vote", token_kind="fresh", choices={"C0": "for", "C1": "for", "C2": "for"},
         extra=None, raw=b"")
def test_hostile_bodies_never_5xx_and_change_nothing_unless_they_vote(
        client, make, instance, shape, token_kind, choices, extra, raw):
    ballot, minted, spent = voting_day(make)
    ids = candidate_ids(ballot)
    if not spent:  # a token voted with before the first example
        spent.append(minted.pop())
        assert client.post("/api/v1/cast", json={"token": spent[0], "choices": {}}) \
            .status_code == 201
    stand_in = dict(zip(CANDIDATES, ids, strict=True))
    if isinstance(choices, dict):
        choices = {stand_in.get(k, k): v for k, v in choices.items()}
    fresh = minted.pop() if token_kind == "fresh" else None
    token = {"fresh": fresh, "spent": spent[0], "bit flipped": flip_bit(spent[0], 40),
             "huge": "A" * 60_000}.get(token_kind, token_kind) \
        if isinstance(token_kind, str) else token_kind

    before = fingerprints(instance)
    response = client.post("/api/v1/cast", data=body_of(shape, token, choices, extra, raw),
                           content_type="application/json")
    after = fingerprints(instance)
    changed = {part for part in after if after[part] != before.get(part)}

    assert response.status_code in (201, 400, 403, 409, 413), response.get_data(as_text=True)
    votes = fresh is not None and follows_the_rules(shape, choices, ids)
    assert (response.status_code == 201) == votes, (response.status_code, choices)
    assert changed == (A_VOTE if votes else set()), (response.status_code, sorted(changed))
