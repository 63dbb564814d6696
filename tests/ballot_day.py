"""Test helpers for voting day: a ready ballot, its minted tokens, casting and dumping.

`ready_ballot(make, …)` builds a draft ballot that can open (candidates, 票决办法, scrutineers);
`open_with_tokens(make, n, …)` also mints n tokens and opens it.
"""

import base64

from voting.extensions import db
from voting.models import Token
from voting.services import ballots

RULES = "一、本次票决采用无记名投票方式。\n二、每张选票赞成的项目不得超过应选数。"


def ready_ballot(make, *, kind="selection", seats=2, candidates=3, session=None,
                 scrutineers=1, **kw):
    """A complete draft ballot: candidates with units and budgets, rules, scrutineers."""
    session = session or make.session()
    ballot = make.ballot(session=session, kind=kind, candidates=candidates,
                         seats=seats if kind == "selection" else None, rules_text=RULES, **kw)
    jurisdiction = session.term.jurisdiction
    for n, candidate in enumerate(ballot.candidates, start=1):
        candidate.project.unit = make.unit(jurisdiction)
        candidate.project.title = f"新建公办幼儿园{n}所"
    people = [make.user("scrutineer", display_name=f"监票人{i}") for i in range(scrutineers)]
    if people:
        ballots.set_scrutineers(ballot, people)
    db.session.commit()
    return ballot


def open_with_tokens(make, n=5, **kw):
    """(ballot, tokens): a ready ballot with n minted tokens, opened."""
    ballot = ready_ballot(make, **kw)
    minted = ballots.mint_tokens(ballot, n)
    ballots.open_ballot(ballot)
    db.session.commit()
    return ballot, minted


def candidate_ids(ballot) -> list[str]:
    return [str(c.project_id) for c in ballot.candidates]


def token_state(ballot, token) -> str | None:
    return db.session.scalar(db.select(Token.state).filter_by(
        ballot_id=ballot.id, hash=ballots.token_key(token)))


def flip_bit(token: str, byte: int, bit: int = 0) -> str:
    """The token with one bit of its decoded bytes flipped (still well-formed base64url)."""
    raw = bytearray(base64.urlsafe_b64decode(token + "=="))
    raw[byte] ^= 1 << bit
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


def dump_tables() -> str:
    """Every row of every table, as text (SELECT * on each)."""
    lines = []
    with db.engine.connect() as connection:
        names = [r[0] for r in connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        for name in names:
            for row in connection.exec_driver_sql(f'SELECT * FROM "{name}"'):  # noqa: S608
                lines.append(f"{name}: {tuple(row)!r}")
    return "\n".join(lines)


def table_of_rows_containing(needle: str) -> set[str]:
    return {line.split(":", 1)[0] for line in dump_tables().splitlines() if needle in line}


def add_deputies(jurisdiction, n, active=True) -> list:
    """n deputies on the jurisdiction's roster (committed)."""
    from voting.models import Deputy

    start = db.session.scalar(db.select(db.func.count(Deputy.id))) or 0
    people = [Deputy(jurisdiction_id=jurisdiction.id, name=f"代表{start + i}", active=active)
              for i in range(n)]
    db.session.add_all(people)
    db.session.commit()
    return people
