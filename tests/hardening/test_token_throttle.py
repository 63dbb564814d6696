"""Invalid ballot tokens from one address: after INVALID_TOKEN_LIMIT of them the booth and the
API answer 429 without looking at the token. Valid votes, used slips and other addresses are
not affected: a hall of deputies behind one NAT address keeps voting."""

import pytest

from tests.ballot_day import candidate_ids, flip_bit, open_with_tokens, token_state
from tests.hardening.conftest import INVALID_TOKEN_LIMIT, address

BAD = "not-a-real-token"


def cast(client, token, ballot, n=1, headers=None):
    return client.post("/api/v1/cast", json={"token": token,
                                             "choices": {candidate_ids(ballot)[0]: "for"}},
                       environ_base=address(n), headers=headers or {})


@pytest.fixture
def day(make):
    return open_with_tokens(make, 12, seats=2, candidates=3)


def test_the_api_refuses_an_address_after_too_many_invalid_tokens(client, day):
    ballot, tokens = day
    forged = flip_bit(tokens[0], 30)
    for _ in range(INVALID_TOKEN_LIMIT):
        assert cast(client, forged, ballot).status_code == 403
    refused = cast(client, BAD, ballot)
    assert refused.status_code == 429
    assert refused.get_json()["error"] == "too_many_requests"
    assert int(refused.headers["Retry-After"]) > 0

    # A genuine slip from that address is not even looked at, so not spent …
    assert cast(client, tokens[1], ballot).status_code == 429
    assert token_state(ballot, tokens[1]) == "minted"
    # … while another address votes as usual, with that very slip too.
    assert cast(client, tokens[2], ballot, n=2).status_code == 201
    assert cast(client, tokens[1], ballot, n=2).status_code == 201
    assert token_state(ballot, tokens[1]) == "spent"


def test_the_booth_answers_with_a_page_in_the_deputys_language(client, day):
    for _ in range(INVALID_TOKEN_LIMIT):
        assert client.get(f"/v/{BAD}", environ_base=address(1)).status_code == 403
    response = client.get(f"/v/{BAD}", environ_base=address(1))
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "请稍候再试" in page and "您的选票没有被使用" in page
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_booth_and_api_share_one_count_per_address(client, day):
    ballot, tokens = day
    for n in range(INVALID_TOKEN_LIMIT):
        if n % 2:
            assert client.get(f"/v/{BAD}", environ_base=address(1)).status_code == 403
        else:
            assert client.post(f"/v/{BAD}/cast", data={}, environ_base=address(1)
                               ).status_code == 403
    assert cast(client, BAD, ballot).status_code == 429
    assert client.post(f"/v/{tokens[0]}/review", data={}, environ_base=address(1)
                       ).status_code == 429


def test_valid_votes_and_used_slips_never_count(client, day):
    """Twelve deputies behind one address vote, and each then reloads a used slip."""
    ballot, tokens = day
    for token in tokens:
        assert cast(client, token, ballot).status_code == 201
    for token in tokens:
        assert cast(client, token, ballot).status_code == 409
        assert client.get(f"/v/{token}", environ_base=address(1)).status_code == 409
    assert cast(client, BAD, ballot).status_code == 403


def test_a_forwarded_for_header_is_ignored_without_a_trusted_proxy(client, day):
    ballot, _ = day
    for n in range(INVALID_TOKEN_LIMIT):
        assert cast(client, BAD, ballot, headers={"X-Forwarded-For": f"198.51.100.{n}"}
                    ).status_code == 403
    assert cast(client, BAD, ballot, headers={"X-Forwarded-For": "198.51.100.99"}
                ).status_code == 429
