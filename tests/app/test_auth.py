"""Staff sign-in: passwords, sessions, logout by POST, role checks."""

from tests.conftest import PASSWORD
from voting.extensions import db


def test_login_with_right_password_reaches_the_office(client, make):
    make.user("clerk", username="wangli")
    db.session.commit()
    response = client.post("/login", data={"username": "wangli", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/office/")
    assert client.get("/office/").status_code == 200


def test_wrong_password_is_refused_with_a_message(client, make):
    make.user("clerk", username="wangli")
    db.session.commit()
    response = client.post("/login", data={"username": "wangli", "password": "nope-nope"})
    assert response.status_code == 401
    assert "用户名或密码不正确" in response.get_data(as_text=True)
    assert client.get("/office/").status_code == 302


def test_passwords_are_stored_hashed(make):
    user = make.user("clerk")
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith("scrypt:")


def test_disabled_account_cannot_sign_in(client, make):
    user = make.user("clerk", username="gone")
    user.active = False
    db.session.commit()
    response = client.post("/login", data={"username": "gone", "password": PASSWORD})
    assert response.status_code == 401


def test_anonymous_is_sent_to_login(client):
    response = client.get("/office/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_logout_is_post_only(client, auth):
    auth.login("clerk")
    refused = client.get("/logout")
    assert refused.status_code == 405
    assert refused.headers["Allow"].split(", ").count("POST") == 1  # what a client may send
    assert client.post("/logout").status_code == 302
    assert client.get("/office/").status_code == 302


def test_login_does_not_redirect_off_site(client, make):
    make.user("clerk", username="wangli")
    db.session.commit()
    response = client.post("/login?next=//evil.example/x",
                           data={"username": "wangli", "password": PASSWORD})
    assert response.headers["Location"].endswith("/office/")


def test_scrutineer_gets_a_sealed_personal_key(make):
    user = make.user("scrutineer")
    assert len(user.public_key) == 64
    assert user.sealed_key and PASSWORD not in user.sealed_key
