"""The voting desk in the back office: mint and download, void, open and close, live count."""

import re

import pytest

from tests.ballot_day import open_with_tokens, ready_ballot, token_state
from voting.extensions import db
from voting.models import Ballot, Token


def state_of(ballot_id) -> str:
    db.session.expire_all()
    return db.session.get(Ballot, ballot_id).state


def test_the_desk_is_for_clerks(client, auth, make):
    ballot = ready_ballot(make)
    assert client.get(f"/office/desk/{ballot.id}").status_code == 302  # to /login
    auth.login("unit", unit=make.unit(ballot.session.term.jurisdiction))
    assert client.get(f"/office/desk/{ballot.id}").status_code == 403
    assert client.post(f"/office/desk/{ballot.id}/open").status_code == 403
    assert state_of(ballot.id) == "draft"


def test_mint_downloads_the_only_copy(client, clerk, make):
    ballot = ready_ballot(make)
    page = client.get(f"/office/desk/{ballot.id}")
    assert page.status_code == 200 and "生成并下载" in page.get_data(as_text=True)
    sheet = client.post(f"/office/desk/{ballot.id}/tokens", data={"count": 10, "format": "html"})
    assert sheet.status_code == 200
    assert sheet.headers["Content-Disposition"].startswith("attachment;")
    assert sheet.headers["Cache-Control"] == "no-store"
    assert sheet.get_data(as_text=True).count('class="slip"') == 10
    listing = client.post(f"/office/desk/{ballot.id}/tokens", data={"count": 2, "format": "txt"})
    urls = listing.get_data(as_text=True).splitlines()
    assert listing.mimetype == "text/plain" and len(urls) == 2
    assert db.session.scalar(db.select(db.func.count()).select_from(Token)) == 12
    bad = client.post(f"/office/desk/{ballot.id}/tokens", data={"count": 0, "format": "txt"})
    assert bad.status_code == 400


def test_void_open_count_close(client, clerk, make):
    ballot = ready_ballot(make)
    listing = client.post(f"/office/desk/{ballot.id}/tokens", data={"count": 3, "format": "txt"})
    urls = listing.get_data(as_text=True).splitlines()

    confirm = client.get(f"/office/desk/{ballot.id}/open")
    assert "确认开始投票" in confirm.get_data(as_text=True) and state_of(ballot.id) == "draft"
    assert client.post(f"/office/desk/{ballot.id}/open").status_code == 302
    assert state_of(ballot.id) == "open"

    voided = client.post(f"/office/desk/{ballot.id}/void", data={"slip": urls[0]},
                         follow_redirects=True)
    assert "已作废一张选票" in voided.get_data(as_text=True)
    assert token_state(ballot, urls[0].rsplit("/", 1)[1]) == "voided"
    again = client.post(f"/office/desk/{ballot.id}/void", data={"slip": urls[0]})
    assert again.status_code == 409 and urls[0] not in again.get_data(as_text=True)

    client.post("/api/v1/cast", json={"token": urls[1].rsplit("/", 1)[1], "choices": {}})
    count = client.get(f"/office/desk/{ballot.id}/count.json")
    assert count.get_json() == {"state": "open", "cast": 1}
    desk = client.get(f"/office/desk/{ballot.id}").get_data(as_text=True)
    assert re.search(r'data-live-count\s+data-url="[^"]+count.json"', desk)
    assert "js/desk.js" in desk

    assert client.post(f"/office/desk/{ballot.id}/close").status_code == 302
    assert state_of(ballot.id) == "closed"
    late = client.post(f"/office/desk/{ballot.id}/close", follow_redirects=True)
    assert state_of(ballot.id) == "closed" and late.status_code == 200


class TestWithCsrfOn:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": False}

    def test_open_without_csrf_token_changes_nothing(self, client, make):
        ballot, _ = open_with_tokens(make, 1)
        from tests.conftest import PASSWORD

        user = make.user("clerk")
        db.session.commit()
        login = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login)[1]
        client.post("/login", data={"username": user.username, "password": PASSWORD,
                                    "csrf_token": token})
        response = client.post(f"/office/desk/{ballot.id}/close")
        assert response.status_code in (200, 400)
        assert state_of(ballot.id) == "open"
