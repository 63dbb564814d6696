"""The certification form under real settings: CSRF on, wrong passwords throttled."""

import re

import pytest

from tests.conftest import PASSWORD
from tests.results.conftest import certify_by_web, text_of
from voting.extensions import db
from voting.models import AuditEntry, Certification


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


def attempt(client, ballot_id, token, password, address):
    return client.post(f"/office/results/{ballot_id}/certify",
                       data={"password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def test_a_scrutineers_wrong_passwords_count_wherever_they_come_from(closed, client):
    login(client, closed.scrutineers[0])
    token = form_token(client, closed.ballot.id)
    for n in range(5):
        assert attempt(client, closed.ballot.id, token, "guess-again",
                       f"10.20.0.{n + 1}").status_code == 400
    blocked = attempt(client, closed.ballot.id, token, PASSWORD, "10.21.0.9")
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers
    assert signed(closed.ballot.id) == 0


def test_wrong_passwords_from_one_address_count_across_scrutineers(closed, client):
    """Three accounts guessing from one address: the address is held up at ten, for all of
    them; the same scrutineer elsewhere is not."""
    ballot_id, tried = closed.ballot.id, 0
    for scrutineer, guesses in zip(closed.scrutineers, (4, 4, 2), strict=True):
        login(client, scrutineer)
        token = form_token(client, ballot_id)
        for _guess in range(guesses):
            assert attempt(client, ballot_id, token, "guess-again", "10.30.0.1").status_code == 400
            tried += 1
        if tried < 10:
            client.post("/logout", data={"csrf_token": token})
    assert attempt(client, ballot_id, token, PASSWORD, "10.30.0.1").status_code == 429
    assert attempt(client, ballot_id, token, PASSWORD, "10.31.0.1").status_code == 302
    assert signed(ballot_id) == 1


def test_a_wrong_password_leaves_no_audit_entry(closed, client):
    login(client, closed.scrutineers[0])
    token = form_token(client, closed.ballot.id)
    for password in ("guess-again", "", "guess-once-more"):
        assert attempt(client, closed.ballot.id, token, password, "10.40.0.1").status_code == 400
    assert attempt(client, closed.ballot.id, token, PASSWORD, "10.40.0.1").status_code == 302
    db.session.expire_all()
    certified = db.session.scalars(db.select(AuditEntry).filter_by(
        action="office_results.certify")).all()
    assert [(e.actor, e.target) for e in certified] == [
        (closed.scrutineers[0].username, f"ballot:{closed.ballot.id}")]
