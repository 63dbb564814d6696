"""A whole ballot on PostgreSQL: mint, open, cast through POST /api/v1/cast, refuse a spent
token, close, count, certify, publish, export and verify."""

import json

from tests.results.conftest import certify_by_cli, tally_json
from voting.extensions import db
from voting.models import CastBallot, Receipt, Token
from voting.services import results

# Ten deputies on the roster, nine present; ten slips printed, one voided: nine issued, cast.
BALLOTS = ("FFA.", "FF..", "FF..", "FF.A", "FF..", "F.F.", ".FF.", ".F..", "....")


def count(model, ballot) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model)
                             .filter_by(ballot_id=ballot.id))


def test_a_whole_ballot_on_postgresql(vote_day, client, cli, tmp_path):
    day = vote_day()
    ballot = day.ballot
    assert ballot.state == "open" and ballot.commitment
    day.vote(*BALLOTS)

    # A spent token is refused and changes nothing.
    again = client.post("/api/v1/cast", json={"token": day.tokens[0],
                                              "choices": day.choices("FF..")})
    assert (again.status_code, again.get_json()["error"]) == (409, "token_used")
    # The voided one is invalid.
    voided = db.session.scalars(db.select(Token.state).filter_by(ballot_id=ballot.id)).all()
    assert sorted(voided) == ["spent"] * 9 + ["voided"]
    assert count(CastBallot, ballot) == count(Receipt, ballot) == 9

    day.close()
    assert day.reload().state == "closed"
    after = client.post("/api/v1/cast", json={"token": day.tokens[0], "choices": {}})
    assert after.status_code == 409

    result = results.record_result(day.ballot)
    db.session.commit()
    a, b, c, d = day.ids
    assert {k: result[k] for k in ("roster", "present", "quorum", "issued", "cast", "valid",
                                   "invalid", "blank", "threshold", "seats")} == {
        "roster": 10, "present": 9, "quorum": True, "issued": 9, "cast": 9, "valid": 9,
        "invalid": 0, "blank": 1, "threshold": 6, "seats": 2}
    assert result["counts"] == {
        a: {"for": 6, "against": 0, "abstain": 3}, b: {"for": 7, "against": 0, "abstain": 2},
        c: {"for": 2, "against": 1, "abstain": 6}, d: {"for": 0, "against": 1, "abstain": 8}}
    assert result["selected"] == [b, a]
    stored = sorted(db.session.scalars(db.select(Receipt.code).filter_by(ballot_id=ballot.id)))
    assert stored == sorted(r.replace("-", "") for r in day.receipts)

    # The CLI on the same PostgreSQL database (DATABASE_URL): tally, certify, publish, verify.
    assert tally_json(cli, ballot.id) == result
    for person in day.scrutineers:
        signed = certify_by_cli(cli, ballot.id, person)
        assert signed.exit_code == 0, signed.output
    assert cli("ballot", "publish", ballot.id).exit_code == 0
    assert day.reload().state == "published"
    out = tmp_path / "export.json"
    assert cli("export", ballot.id, "--out", out).exit_code == 0
    verified = cli("verify", out)
    assert verified.exit_code == 0 and verified.output.startswith("VALID"), verified.output
    assert json.loads(out.read_text(encoding="utf-8"))["result"] == result


def test_the_booth_reads_each_slips_state_on_postgresql(vote_day, client):
    """The booth's first look reads outside a transaction on PostgreSQL: it must still see each
    change as soon as it is committed."""
    day = vote_day(mint=3, void=0)
    fresh, used = day.tokens[0], day.tokens[1]
    page = client.get(f"/v/{fresh}")
    assert page.status_code == 200 and day.ballot.title in page.get_data(as_text=True)
    day.vote("FF..")  # the first slip
    assert client.get(f"/v/{fresh}").status_code == 409
    assert client.get(f"/v/{used}").status_code == 200
    day.close()
    closed = client.get(f"/v/{used}")
    assert closed.status_code == 409 and "已经结束" in closed.get_data(as_text=True)
