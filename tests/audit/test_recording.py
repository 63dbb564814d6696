"""What leaves an entry: every back-office action that commits, sign-in and sign-out, CLI
commands that change something. What leaves none: a refused action, a read."""

import json

from tests.audit.conftest import actions, cli_actor, entries
from tests.ballot_day import open_with_tokens
from tests.conftest import PASSWORD
from voting.extensions import db
from voting.models import Ballot, CongressSession


def session_form(jurisdiction, **overrides):
    return {"jurisdiction": str(jurisdiction.id), "term_number": "18", "start_year": "2022",
            "end_year": "2027", "number": "4", "title": "", "starts_on": "2027-01-10",
            "ends_on": "2027-01-13", "venue": "县会议中心", **overrides}


def test_opening_a_ballot_at_the_desk_leaves_one_entry(client, auth, desk_ballot):
    ballot, _ = desk_ballot
    clerk = auth.login("clerk")
    response = client.post(f"/office/desk/{ballot.id}/open")
    assert response.status_code == 302
    assert db.session.get(Ballot, ballot.id).state == "open"
    [entry] = entries(action="office_desk.open_vote")
    assert (entry.actor, entry.role, entry.target) == (clerk.username, "clerk",
                                                       f"ballot:{ballot.id}")
    assert json.loads(entry.details) == {"ip": "127.0.0.1"}
    assert actions() == ["auth.login", "office_desk.open_vote"]


def test_creating_a_session_names_the_new_row(client, auth, make):
    county = make.jurisdiction(name="青川县")
    clerk = auth.login("clerk")
    response = client.post("/office/sessions/new", data=session_form(county))
    assert response.status_code == 302
    created = db.session.scalar(db.select(CongressSession))
    [entry] = entries(action="office_sessions.create")
    assert entry.actor == clerk.username
    assert entry.target == f"congress_session:{created.id}"


def test_minting_keeps_the_count_and_never_a_token(client, auth, desk_ballot):
    ballot, _ = desk_ballot
    auth.login("clerk")
    response = client.post(f"/office/desk/{ballot.id}/tokens", data={"count": "3",
                                                                     "format": "txt"})
    assert response.status_code == 200
    urls = response.get_data(as_text=True).split()
    [entry] = entries(action="office_desk.mint")
    assert json.loads(entry.details) == {"count": "3", "format": "txt", "ip": "127.0.0.1"}
    for url in urls:
        assert url.rsplit("/", 1)[1] not in entry.details + entry.target


def test_a_refused_action_leaves_no_entry(client, auth, make, desk_ballot):
    ballot, tokens = desk_ballot
    # 403: a unit account may not open a ballot.
    auth.login("unit", unit=make.unit(make.jurisdiction()))
    assert client.post(f"/office/desk/{ballot.id}/open").status_code == 403
    auth.logout()
    auth.login("clerk")
    # 400: a form error (no count).
    assert client.post(f"/office/desk/{ballot.id}/tokens", data={"count": "0"}).status_code == 400
    # 400: a slip that is not one of ours.
    assert client.post(f"/office/desk/{ballot.id}/void",
                       data={"slip": "not-a-slip"}).status_code in (400, 403)
    # Wrong state: closing a ballot still in draft (refused, flashed, redirected).
    assert client.post(f"/office/desk/{ballot.id}/close").status_code == 302
    assert db.session.get(Ballot, ballot.id).state == "draft"
    assert [a for a in actions() if not a.startswith("auth.")] == []


def test_a_plain_read_leaves_no_entry(client, auth, desk_ballot):
    ballot, _ = desk_ballot
    auth.login("clerk")
    for url in ("/office/", f"/office/desk/{ballot.id}", f"/office/desk/{ballot.id}/open",
                "/office/audit/"):
        assert client.get(url).status_code == 200
    assert actions() == ["auth.login"]


def test_voiding_a_slip_names_the_ballot_not_the_slip(client, auth, desk_ballot):
    ballot, tokens = desk_ballot
    auth.login("clerk")
    response = client.post(f"/office/desk/{ballot.id}/void",
                           data={"slip": f"http://127.0.0.1:5000/v/{tokens[0]}"})
    assert response.status_code == 302
    [entry] = entries(action="office_desk.void")
    assert entry.target == f"ballot:{ballot.id}"
    assert tokens[0] not in entry.details and tokens[0][:20] not in entry.details


def test_sign_in_failure_records_the_name_tried_and_never_the_password(client, make):
    user = make.user("clerk", username="wangli")
    db.session.commit()
    response = client.post("/login", data={"username": "wangli", "password": "guess-guess-1"},
                           environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 401
    [entry] = entries()
    assert (entry.action, entry.actor, entry.role, entry.target) == \
        ("auth.login_failed", "", "", "user:wangli")
    assert json.loads(entry.details) == {"ip": "10.1.2.3"}
    assert "guess-guess-1" not in repr(vars(entry))
    assert user.check_password(PASSWORD)


def test_sign_in_and_sign_out_are_recorded(client, auth):
    clerk = auth.login("clerk")
    auth.logout()
    assert [(e.action, e.actor, e.target) for e in entries()] == [
        ("auth.login", clerk.username, f"user:{clerk.username}"),
        ("auth.logout", clerk.username, f"user:{clerk.username}"),
    ]


def test_a_cli_command_that_changes_something_is_recorded(runner, desk_ballot):
    ballot, _ = desk_ballot
    db.session.commit()
    result = runner.invoke(["ballot", "open", str(ballot.id)])
    assert result.exit_code == 0, result.output
    [entry] = entries()
    assert (entry.action, entry.actor, entry.role, entry.target) == \
        ("cli.ballot.open", cli_actor(), "cli", f"ballot:{ballot.id}")


def test_cli_reads_and_refusals_leave_no_entry(runner, make):
    ballot, _ = open_with_tokens(make, 2)
    assert runner.invoke(["ballot", "list", "--json"]).exit_code == 0
    assert runner.invoke(["ballot", "open", str(ballot.id)]).exit_code == 1  # already open
    assert runner.invoke(["audit", "verify"]).exit_code == 0
    assert entries() == []


def test_a_cli_void_keeps_the_slip_out_of_the_log(runner, make):
    ballot, tokens = open_with_tokens(make, 2)
    result = runner.invoke(["ballot", "void", str(ballot.id), tokens[0]])
    assert result.exit_code == 0, result.output
    [entry] = entries()
    assert entry.action == "cli.ballot.void" and entry.target == f"ballot:{ballot.id}"
    assert json.loads(entry.details) == {}


def test_a_cli_account_creation_names_the_account(app, runner):
    result = runner.invoke(["user", "add", "zhaolei", "--role", "clerk", "--password-stdin"],
                           input="a-long-pass-phrase\n")
    assert result.exit_code == 0, result.output
    [entry] = entries()
    assert entry.action == "cli.user.add"
    assert json.loads(entry.details) == {"display_name": "", "name": "zhaolei", "role": "clerk"}
    assert "a-long-pass-phrase" not in entry.details
