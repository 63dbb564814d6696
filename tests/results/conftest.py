"""Fixtures for the count: a county sitting with a roster, a ballot cast through the real API.

`vote_day(...)` builds a ballot with candidates, three scrutineers, minted tokens (one voided),
opens it; `day.vote("FF..", …)` casts ballots through `POST /api/v1/cast`, one string per
ballot, one letter per candidate (F for, A against, . abstain; S satisfied, B basically
satisfied, D dissatisfied); `day.close()`. `sign_in(user)` switches the test client's account.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime

import pytest

from tests.conftest import PASSWORD
from voting.extensions import db
from voting.models import Attendance, Ballot, Deputy, Project, User
from voting.services import ballots

COUNTY = "青川县"
SESSION = "青川县第十八届人民代表大会第六次会议"
SCRUTINEERS = ("王建国", "李秀英", "张志强")  # the first is the 总监票人
TITLES = ("城区公办幼儿园建设项目", "城镇老旧小区改造", "农村公路提档升级", "农村供水保障工程")
RULES = "一、本次票决采用无记名投票方式。\n二、每张选票赞成的项目不得超过应选数。"
LETTERS = {"F": "for", "A": "against", "S": "satisfied", "B": "basically_satisfied",
           "D": "dissatisfied", ".": "abstain"}


@dataclass
class Day:
    client: object
    ballot: Ballot
    tokens: list[str]
    scrutineers: list[User]
    projects: list[Project]
    receipts: list[str] = field(default_factory=list)
    used: int = 0

    @property
    def ids(self) -> list[str]:
        return [str(p.id) for p in self.projects]

    def choices(self, letters: str) -> dict:
        return {cid: LETTERS[mark] for cid, mark in zip(self.ids, letters, strict=True)}

    def vote(self, *ballots_cast: str) -> None:
        """Cast each ballot with the next unused token, through the JSON API."""
        for letters in ballots_cast:
            token = self.tokens[self.used]
            self.used += 1
            response = self.client.post("/api/v1/cast", json={
                "token": token, "choices": self.choices(letters)})
            assert response.status_code == 201, response.get_json()
            self.receipts.append(response.get_json()["receipt"])

    def close(self) -> None:
        ballots.close_ballot(self.ballot)
        db.session.commit()

    def reload(self) -> Ballot:
        db.session.expire_all()
        self.ballot = db.session.get(Ballot, self.ballot.id)
        return self.ballot


@pytest.fixture
def vote_day(make, client):
    """vote_day(kind=…, seats=…, titles=…, roster=…, present=…, mint=…, void=…) → Day."""

    def build(*, kind="selection", seats=2, titles=TITLES, roster=10, present=9, mint=10,
              void=1, title="2027年青川县民生实事项目票决", session=None) -> Day:
        if session is None:
            county = make.jurisdiction(name=COUNTY)
            session = make.session(county, number=6, title=SESSION)
            deputies = [Deputy(jurisdiction_id=county.id, name=f"代表{n}")
                        for n in range(1, roster + 1)]
            db.session.add_all(deputies)
            for deputy in deputies[:present]:
                db.session.add(Attendance(session=session, deputy=deputy,
                                          signed_in_at=datetime.now()))
        ballot = make.ballot(session=session, kind=kind, candidates=len(titles), title=title,
                             seats=seats if kind == "selection" else None, rules_text=RULES)
        jurisdiction = session.term.jurisdiction
        for candidate, name in zip(ballot.candidates, titles, strict=True):
            candidate.project.title = name
            candidate.project.unit = make.unit(jurisdiction)
        people = [make.user("scrutineer", display_name=name) for name in SCRUTINEERS]
        ballots.set_scrutineers(ballot, people)
        tokens = ballots.mint_tokens(ballot, mint)
        db.session.commit()
        ballots.open_ballot(ballot)
        db.session.commit()
        for token in tokens[mint - void:]:
            ballots.void_token(ballot, token)
        db.session.commit()
        return Day(client, ballot, tokens[:mint - void], people,
                   [c.project for c in ballot.candidates])

    return build


@pytest.fixture
def sign_in(client, auth):
    """sign_in(user) or sign_in("clerk"): sign out whoever is signed in, then sign in."""

    def switch(who):
        client.post("/logout")
        return auth.login(who) if isinstance(who, str) else auth.login(user=who)

    return switch


@pytest.fixture
def cli(runner):
    """cli("ballot", "tally", 7, "--json", input=…) → the click Result."""

    def invoke(*args, input=None):
        db.session.commit()  # let the CLI's own connection see everything
        result = runner.invoke([str(a) for a in args], input=input)
        db.session.expire_all()
        return result

    return invoke


def tally_json(cli, ballot_id) -> dict:
    result = cli("ballot", "tally", ballot_id, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def certify_by_cli(cli, ballot_id, user, password=PASSWORD):
    return cli("ballot", "certify", ballot_id, "--user", user.username, "--password-stdin",
               input=password + "\n")


def certify_by_web(client, ballot_id, password=PASSWORD, **kw):
    return client.post(f"/office/results/{ballot_id}/certify", data={"password": password}, **kw)


def text_of(response) -> str:
    return response.get_data(as_text=True)
