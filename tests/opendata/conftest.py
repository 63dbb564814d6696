"""Fixtures for open data: a county with published ballots, voted through the real services.

`sitting(roster=…, present=…)` makes a county, its session, roster, sign-in and scrutineers;
`held(sitting, kind, projects, "FFA.", …)` puts those projects on a ballot and runs it all the
way through: mint, open, cast every ballot through `casting.cast`, close, the scrutineers
certify (one by default: each costs a slow key derivation), publish. One letter per candidate:
F for, A against, . abstain; S satisfied, B basically satisfied, D dissatisfied. `stop_at`
leaves the ballot closed or certified instead.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import pytest

from tests.conftest import PASSWORD
from voting.extensions import db
from voting.models import Attendance, Ballot, BallotCandidate, Project
from voting.services import ballots, casting, results

LETTERS = {"F": "for", "A": "against", "S": "satisfied", "B": "basically_satisfied",
           "D": "dissatisfied", ".": "abstain"}
RULES = "一、本次票决采用无记名投票方式。\n二、每张选票赞成的项目不得超过应选数。"


@dataclass
class Sitting:
    county: object
    session: object
    scrutineers: list


@pytest.fixture
def sitting(make):
    def build(*, roster=5, present=5, name="青川县", scrutineers=1) -> Sitting:
        county = make.jurisdiction(name=name)
        session = make.session(county, title=f"{name}第十八届人民代表大会第五次会议")
        deputies = [make.deputy(county) for _ in range(roster)]
        for deputy in deputies[:present]:
            db.session.add(Attendance(session=session, deputy=deputy,
                                      signed_in_at=datetime(2026, 1, 14, 8, 30)))
        people = [make.user("scrutineer", display_name=f"{name}监票人{n}")
                  for n in range(1, scrutineers + 1)]
        db.session.commit()
        return Sitting(county, session, people)

    return build


@pytest.fixture
def project(make):
    """project(county, title, **kw): a project with a unit, 万元 budget and a status."""

    def build(county, title, **kw) -> Project:
        defaults = {"category": "education", "budget_wan": Decimal("4650.50"),
                    "status": "candidate", "year": 2026, "unit": make.unit(county)}
        return make.project(county, title=title, **{**defaults, **kw})

    return build


@pytest.fixture
def held():
    def run(sitting: Sitting, kind: str, projects: list[Project], *cast: str, seats=None,
            stop_at="published", rectify_below_rate=None, title=None) -> Ballot:
        ballot = Ballot(session=sitting.session, kind=kind, rules_text=RULES,
                        title=title or ("2026年民生实事项目票决" if kind == "selection"
                                        else "2025年民生实事项目满意度测评"),
                        seats=seats if kind == "selection" else None,
                        rectify_below_rate=rectify_below_rate)
        for position, item in enumerate(projects):
            ballot.candidates.append(BallotCandidate(project=item, position=position))
        db.session.add(ballot)
        db.session.flush()
        return run_ballot(ballot, sitting.scrutineers, cast, stop_at)

    return run


def run_ballot(ballot: Ballot, scrutineers, cast, stop_at="published") -> Ballot:
    """Mint, open, cast, close (and certify, publish) an already drafted ballot."""
    ballots.set_scrutineers(ballot, scrutineers)
    tokens = ballots.mint_tokens(ballot, len(cast))
    db.session.commit()
    ballots.open_ballot(ballot)
    db.session.commit()
    ids = [str(c.project_id) for c in ballot.candidates]
    for token, letters in zip(tokens, cast, strict=True):
        casting.cast(token, {cid: LETTERS[mark] for cid, mark in zip(ids, letters, strict=True)})
    ballots.close_ballot(ballot)
    db.session.commit()
    if stop_at == "closed":
        return ballot
    for user in scrutineers:
        results.certify_result(ballot, user, PASSWORD)
        db.session.commit()
    if stop_at == "published":
        results.publish_result(ballot)
        db.session.commit()
    return ballot
