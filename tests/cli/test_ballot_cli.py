"""voting ballot scrutineers, tokens, void, open, close: voting day from the command line."""

import json
import re
import stat

import pytest

from tests.ballot_day import ready_ballot, token_state
from voting.extensions import db
from voting.models import Ballot, BallotScrutineer, Token
from voting.services import ballots


def ballot_state(ballot_id) -> str:
    db.session.expire_all()
    return db.session.get(Ballot, ballot_id).state


def token_count(ballot_id) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Token)
                             .filter_by(ballot_id=ballot_id))


def test_scrutineers_first_is_chief_unless_told(runner, make):
    ballot = ready_ballot(make, scrutineers=0)
    a, b = make.user("scrutineer", username="wangqiang"), make.user("scrutineer", username="limin")
    make.user("clerk", username="zhao")
    db.session.commit()
    result = runner.invoke(["ballot", "scrutineers", str(ballot.id), "wangqiang", "limin"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    chiefs = db.session.execute(db.select(BallotScrutineer.user_id, BallotScrutineer.chief)
                                .filter_by(ballot_id=ballot.id)).all()
    assert set(chiefs) == {(a.id, True), (b.id, False)}
    result = runner.invoke(["ballot", "scrutineers", str(ballot.id), "wangqiang", "limin",
                            "--chief", "limin"])
    assert result.exit_code == 0 and "chief: limin" in result.output


def test_scrutineers_refuses_bad_names_and_changes_nothing(runner, make):
    ballot = ready_ballot(make, scrutineers=1)
    before = [(s.user_id, s.chief) for s in ballot.scrutineers]
    make.user("clerk", username="zhao")
    db.session.commit()
    for args in (["nobody"], ["zhao"], [ballot.scrutineers[0].user.username, "--chief", "zhao"]):
        result = runner.invoke(["ballot", "scrutineers", str(ballot.id), *args])
        assert result.exit_code != 0
        assert len(result.output.strip().splitlines()) == 1, result.output
    db.session.expire_all()
    assert [(s.user_id, s.chief) for s in db.session.get(Ballot, ballot.id).scrutineers] == before


def test_tokens_txt_writes_the_voting_urls_privately(runner, make, tmp_path):
    ballot = ready_ballot(make)
    out = tmp_path / "urls.txt"
    result = runner.invoke(["ballot", "tokens", str(ballot.id), "--count", "5", "--format", "txt",
                            "--out", str(out), "--base", "https://vote.example.gov.cn/"])
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert len(lines) == 5 and all(
        re.fullmatch(r"https://vote\.example\.gov\.cn/v/[A-Za-z0-9_-]{114}", u) for u in lines)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert token_count(ballot.id) == 5
    assert all(token_state(ballot, u.rsplit("/", 1)[1]) == "minted" for u in lines)


def test_tokens_html_writes_the_slip_sheet_and_never_overwrites(runner, make, tmp_path):
    ballot = ready_ballot(make)
    out = tmp_path / "slips.html"
    result = runner.invoke(["ballot", "tokens", str(ballot.id), "--count", "9", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().count('class="slip"') == 9
    again = runner.invoke(["ballot", "tokens", str(ballot.id), "--count", "3", "--out", str(out)])
    assert again.exit_code != 0 and "exists" in again.output
    assert token_count(ballot.id) == 9


def test_tokens_only_for_a_draft(runner, make, tmp_path):
    ballot = ready_ballot(make)
    ballots.mint_tokens(ballot, 1)
    ballots.open_ballot(ballot)
    db.session.commit()
    result = runner.invoke(["ballot", "tokens", str(ballot.id), "--count", "2", "--out",
                            str(tmp_path / "x.txt"), "--format", "txt"])
    assert result.exit_code != 0 and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "x.txt").exists() and token_count(ballot.id) == 1


def test_open_void_close(runner, make, tmp_path):
    ballot = ready_ballot(make)
    out = tmp_path / "urls.txt"
    runner.invoke(["ballot", "tokens", str(ballot.id), "--count", "3", "--format", "txt",
                   "--out", str(out)])
    urls = out.read_text().splitlines()
    assert runner.invoke(["ballot", "open", str(ballot.id)]).exit_code == 0
    assert ballot_state(ballot.id) == "open"
    voided = runner.invoke(["ballot", "void", str(ballot.id), urls[0]])
    assert voided.exit_code == 0 and "issued 2" in voided.output
    twice = runner.invoke(["ballot", "void", str(ballot.id), urls[0]])
    assert twice.exit_code != 0
    forged = runner.invoke(["ballot", "void", str(ballot.id), urls[1][:-3] + "abc"])
    assert forged.exit_code != 0
    closed = runner.invoke(["ballot", "close", str(ballot.id)])
    assert closed.exit_code == 0 and "0 ballots cast" in closed.output
    assert ballot_state(ballot.id) == "closed"
    for command in ("open", "close"):
        result = runner.invoke(["ballot", command, str(ballot.id)])
        assert result.exit_code != 0 and len(result.output.strip().splitlines()) == 1
    assert ballot_state(ballot.id) == "closed"
    listing = json.loads(runner.invoke(["ballot", "list", "--json"]).output)
    assert listing[0]["state"] == "closed"


def test_open_refuses_an_incomplete_ballot_with_one_line(runner, make):
    ballot = ready_ballot(make, scrutineers=0)
    result = runner.invoke(["ballot", "open", str(ballot.id)])
    assert result.exit_code != 0
    assert len(result.output.strip().splitlines()) == 1 and "监票人" in result.output
    assert ballot_state(ballot.id) == "draft"
    missing = runner.invoke(["ballot", "open", "99999"])
    assert missing.exit_code != 0


@pytest.mark.parametrize("args", [["ballot", "open"], ["ballot", "tally"], ["export"],
                                  ["roster", "attendance"]])
def test_an_id_too_big_for_the_database_is_a_usage_error(runner, args):
    from click.testing import CliRunner

    from voting.cli import main

    result = CliRunner().invoke(main, [*args, "9" * 20], catch_exceptions=False)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
