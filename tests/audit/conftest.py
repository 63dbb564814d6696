"""Helpers for the audit log tests: the entries as stored, raw SQL beside the app, a ready
ballot on the voting desk."""

import getpass

import pytest

from tests.ballot_day import ready_ballot
from voting.extensions import db
from voting.models import AuditEntry
from voting.services import ballots


def entries(**filters) -> list[AuditEntry]:
    """Every entry (matching `filters`), oldest first, as committed now."""
    db.session.expire_all()
    return list(db.session.scalars(db.select(AuditEntry).filter_by(**filters)
                                   .order_by(AuditEntry.id)))


def actions() -> list[str]:
    return [e.action for e in entries()]


def raw_sql(*statements: str) -> None:
    """Run SQL on a connection of its own, as a database operator would, and commit."""
    db.session.commit()
    with db.engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)
    db.session.expire_all()


def cli_actor() -> str:
    return f"cli:{getpass.getuser()}"


@pytest.fixture
def desk_ballot(make):
    """A ready draft ballot with 5 minted tokens: (ballot, tokens)."""
    ballot = ready_ballot(make)
    minted = ballots.mint_tokens(ballot, 5)
    db.session.commit()
    return ballot, minted
