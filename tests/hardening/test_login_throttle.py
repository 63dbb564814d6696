"""Guessing passwords: wrong passwords for one account are refused with 429 whatever the
address they come from; many attempts from one address are refused whatever the account."""

from tests.conftest import PASSWORD
from tests.hardening.conftest import address
from voting.auth.routes import LOGIN_LIMIT_PER_ACCOUNT, LOGIN_LIMIT_PER_ADDRESS

PER_ACCOUNT = int(LOGIN_LIMIT_PER_ACCOUNT.split()[0])  # wrong passwords a minute
PER_ADDRESS = int(LOGIN_LIMIT_PER_ADDRESS.split()[0])  # attempts a minute


def login(client, username, password, n):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base=address(n)).status_code


def test_wrong_passwords_for_one_account_from_many_addresses(client, make):
    target, other = make.user("clerk"), make.user("clerk")
    for n in range(PER_ACCOUNT):
        assert login(client, target.username, f"guess-{n}", n=10 + n) == 401
    # The right password, from yet another address: the account is resting for now.
    assert login(client, target.username, PASSWORD, n=50) == 429
    assert login(client, f" {target.username.upper()} ", PASSWORD, n=51) == 429
    # Other accounts are not affected, not even from the addresses used.
    assert login(client, other.username, PASSWORD, n=10) == 302


def test_successful_sign_ins_do_not_count_against_the_account(client, make):
    user = make.user("clerk")
    for n in range(PER_ACCOUNT + 2):
        assert login(client, user.username, PASSWORD, n=n) == 302
        client.post("/logout")


def test_many_accounts_tried_from_one_address(client, make):
    real = make.user("clerk")
    for n in range(PER_ADDRESS):
        assert login(client, f"nobody{n}", "guess", n=1) == 401
    assert login(client, real.username, PASSWORD, n=1) == 429
    assert login(client, real.username, PASSWORD, n=2) == 302
