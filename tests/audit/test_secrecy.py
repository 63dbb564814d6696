"""After a whole voting day done through the web desk, the booth, the API and the CLI, the
audit log holds the clerks' and scrutineers' actions and nothing that could tell a vote: no
token, no token hash, no receipt, no choice, no password."""

import json

from tests.audit.conftest import actions
from tests.ballot_day import add_deputies, candidate_ids, ready_ballot
from tests.conftest import PASSWORD
from voting.extensions import db
from voting.models import Ballot, CastBallot, Token


def audit_text() -> str:
    with db.engine.connect() as connection:
        return "\n".join(repr(tuple(row)) for row in
                         connection.exec_driver_sql("SELECT * FROM audit_entry"))


def test_a_voting_day_leaves_no_trace_of_any_vote_in_the_log(client, auth, make, runner):
    ballot = ready_ballot(make, seats=2, candidates=3)
    scrutineer = ballot.scrutineers[0].user
    deputies = add_deputies(ballot.session.term.jurisdiction, 6)
    ids = candidate_ids(ballot)
    auth.login("clerk")

    # The desk: mint (the only copy of the tokens is this answer), sign deputies in, open.
    minted = client.post(f"/office/desk/{ballot.id}/tokens", data={"count": "6",
                                                                   "format": "txt"})
    urls = minted.get_data(as_text=True).split()
    tokens = [url.rsplit("/", 1)[1] for url in urls]
    for deputy in deputies[:5]:
        assert client.post(f"/office/signin/{ballot.session_id}/deputies/{deputy.id}"
                           ).status_code == 302
    assert client.post(f"/office/desk/{ballot.id}/open").status_code == 302
    assert client.post(f"/office/desk/{ballot.id}/void", data={"slip": urls[5]}
                       ).status_code == 302

    # Deputies vote: four through the API, one in the booth.
    receipts = []
    for token, marks in zip(tokens[:4], (("for", "for", "against"), ("against", "for", "for"),
                                         ("abstain", "against", "for"), ("for", "abstain", "for")),
                            strict=True):
        response = client.post("/api/v1/cast", json={"token": token,
                                                     "choices": dict(zip(ids, marks, strict=True))})
        assert response.status_code == 201
        receipts.append(response.get_json()["receipt"])
    assert client.get(f"/v/{tokens[4]}").status_code == 200
    booth = client.post(f"/v/{tokens[4]}/cast", data={f"c{ids[0]}": "for", f"c{ids[2]}": "against"})
    assert booth.status_code == 200

    # Close, count by the CLI, sign as the scrutineer, publish.
    assert client.post(f"/office/desk/{ballot.id}/close").status_code == 302
    db.session.commit()
    assert runner.invoke(["ballot", "tally", str(ballot.id)]).exit_code == 0
    auth.logout()
    auth.login(user=scrutineer)
    assert client.post(f"/office/results/{ballot.id}/certify",
                       data={"password": PASSWORD}).status_code == 302
    auth.logout()
    auth.login("clerk")
    assert client.post(f"/office/results/{ballot.id}/publish").status_code == 302
    assert db.session.get(Ballot, ballot.id).state == "published"

    # The log has the day's actions …
    done = actions()
    for action in ("office_desk.mint", "office_signin.sign_in", "office_desk.open_vote",
                   "office_desk.void", "office_desk.close_vote", "cli.ballot.tally",
                   "office_results.certify", "office_results.publish"):
        assert action in done
    assert done.count("office_signin.sign_in") == 5
    assert not any(a.startswith(("api.", "booth.")) for a in done)

    # … and nothing of any vote.
    text = audit_text()
    booth_receipt = booth.get_data(as_text=True)
    secrets = [PASSWORD, *tokens, *(t[:24] for t in tokens), *receipts,
               *(r.replace("-", "") for r in receipts)]
    secrets += db.session.scalars(db.select(Token.hash).filter_by(ballot_id=ballot.id)).all()
    secrets += db.session.scalars(db.select(Token.public).filter_by(ballot_id=ballot.id)).all()
    for cast in db.session.scalars(db.select(CastBallot).filter_by(ballot_id=ballot.id)):
        secrets += [cast.id, cast.choices]
    found = [s for s in secrets if s in text]
    assert found == []
    for word in ("for", "against", "abstain"):
        assert json.dumps(word) not in text
    assert "receipt" not in text.lower() and "/v/" not in text
    assert booth_receipt  # the booth answered with its receipt page, which the log never saw
