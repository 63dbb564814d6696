"""The certification form under real settings: CSRF on, wrong passwords throttled."""

import re

import pytest

from tests.conftest import PASSWORD
from tests.results.conftest import certify_by_web, text_of
from voting.extensions import db
from voting.models import Certification


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True, "WTF_CSRF_SSL_STRICT": False, "RATELIMIT_ENABLED": True}


@pytest.fixture
def closed(vote_day):
    day = vote_day(roster=4, present=4, mint=4, void=0)
    day.vote("FF..", "F.F.")
    day.close()
    return day


def login(client, user):
    page = text_of(client.get("/login"))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": user.username, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302


def form_token(client, ballot_id) -> str:
    page = text_of(client.get(f"/office/results/{ballot_id}"))
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def signed(ballot_id) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Certification)
                             .filter_by(ballot_id=ballot_id))


def test_certifying_needs_the_forms_csrf_token(closed, client):
    login(client, closed.scrutineers[0])
    assert certify_by_web(client, closed.ballot.id).status_code == 400
    assert signed(closed.ballot.id) == 0
    token = form_token(client, closed.ballot.id)
    response = client.post(f"/office/results/{closed.ballot.id}/certify",
                           data={"password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert signed(closed.ballot.id) == 1


def test_wrong_passwords_are_throttled(closed, client):
    login(client, closed.scrutineers[1])
    token = form_token(client, closed.ballot.id)
    url = f"/office/results/{closed.ballot.id}/certify"
    for _attempt in range(5):
        response = client.post(url, data={"password": "guess-again", "csrf_token": token})
        assert response.status_code == 400 and "密码不正确" in text_of(response)
    blocked = client.post(url, data={"password": PASSWORD, "csrf_token": token})
    assert blocked.status_code == 429
    assert "尝试次数过多" in text_of(blocked)
    assert signed(closed.ballot.id) == 0
    # Another scrutineer (another key of the limit) is not held up.
    client.post("/logout", data={"csrf_token": token})
    login(client, closed.scrutineers[2])
    token = form_token(client, closed.ballot.id)
    assert client.post(url, data={"password": PASSWORD, "csrf_token": token}).status_code == 302
    assert signed(closed.ballot.id) == 1
