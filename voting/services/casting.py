"""Casting a ballot (投票): the one function behind the HTML booth and `POST /api/v1/cast`.

Order of work, each step refusing before the next:

1. the token's signature, checked with the instance public key before any database work
   (bad format, bad signature or another instance's token: InvalidToken, all alike);
2. the choices against the ballot's rules (InvalidRequest; the token is not spent);
3. one transaction: lock the ballot (`ballots.lock_ballot`), spend the token with a conditional
   UPDATE (… WHERE state = 'minted': of simultaneous attempts exactly one changes a row), check
   the ballot is open, store the ballot under a random id and a receipt apart from it, commit.

A close racing a cast cannot let a ballot in afterwards: on SQLite both take the one write lock
(BEGIN IMMEDIATE); on PostgreSQL casts hold a shared and the close an exclusive advisory lock on
the ballot, queued fairly, so a cast after the close waits for it and reads "closed".
What is stored: the token's new state, the choices under a random 128-bit id, the receipt
code. Nothing else — no time, no token, no link between the three — and nothing is logged.
"""

import secrets

from flask_babel import gettext as _
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import selectinload

from voting.domain import counting, tokens
from voting.errors import BallotNotOpen, InvalidRequest, InvalidToken, TokenUsed
from voting.extensions import db
from voting.models import Ballot, BallotCandidate, CastBallot, Project, Receipt, Token
from voting.services.ballots import instance_public_key, lock_ballot, token_key, voting_rules

# The statements of a cast and of a slip's first look, built once (building a query costs more
# than running it) and run as Core SQL on the session's connection: this is the hot path, and a
# cast runs it while holding the write lock.
TOKENS, BALLOTS = Token.__table__, Ballot.__table__
SLIP_STATES = (select(TOKENS.c.state, BALLOTS.c.state)
               .join(BALLOTS, BALLOTS.c.id == TOKENS.c.ballot_id)
               .where(TOKENS.c.ballot_id == bindparam("ballot"),
                      TOKENS.c.hash == bindparam("token_hash")))
SPEND = (update(TOKENS).where(TOKENS.c.ballot_id == bindparam("ballot"),
                              TOKENS.c.hash == bindparam("token_hash"),
                              TOKENS.c.state == "minted")
         .values(state="spent"))
STORE_BALLOT = insert(CastBallot.__table__)
STORE_RECEIPT = insert(Receipt.__table__)


def cast(token: str, choices: dict) -> str:
    """Record one ballot and return its receipt code (16 characters, no dashes).

    Raises InvalidToken (403), InvalidRequest (400, token not spent), TokenUsed (409),
    BallotNotOpen (409). Commits on success, rolls back on any error.
    """
    ballot_id = signed_ballot_id(token)
    rules = voting_rules(ballot_id)
    if rules is None:
        raise InvalidToken()
    stored = checked_choices(rules, choices)
    try:
        state = lock_ballot(ballot_id)
        spend_token(ballot_id, token)
        if state != "open":
            raise not_open(state)
        receipt = tokens.new_receipt()
        sql = db.session.connection()
        sql.execute(STORE_BALLOT, {"ballot_id": ballot_id, "id": secrets.token_hex(16),
                                   "choices": counting.canonical(stored).decode()})
        sql.execute(STORE_RECEIPT, {"ballot_id": ballot_id, "code": receipt})
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return receipt


def signed_ballot_id(token) -> int:
    """The ballot a genuine token is for; InvalidToken for anything else. No database work."""
    ballot_id = counting.token_ballot_id(token, instance_public_key()) \
        if isinstance(token, str) else None
    if ballot_id is None:
        raise InvalidToken()
    return ballot_id


def spend_token(ballot_id: int, token: str) -> None:
    """minted → spent, or raise: InvalidToken (unknown or voided), TokenUsed (spent)."""
    hashed = token_key(token)
    done = db.session.connection().execute(SPEND, {"ballot": ballot_id, "token_hash": hashed})
    if done.rowcount == 1:
        return
    state = db.session.scalar(select(Token.state).where(Token.ballot_id == ballot_id,
                                                        Token.hash == hashed))
    if state == "spent":
        raise TokenUsed()
    raise InvalidToken()


def not_open(state: str | None) -> BallotNotOpen:
    if state == "draft":
        return BallotNotOpen(_("本次表决尚未开始投票。"), state="draft")
    return BallotNotOpen(_("本次表决已经结束投票。"), state=state or "closed")


# ---------------------------------------------------------------- choices


def checked_choices(rules: dict, choices) -> dict:
    """The choices as stored (every candidate, omitted ones abstain), or InvalidRequest with a
    message for the voter. The rule itself is `counting.normalise_choices`."""
    try:
        return counting.normalise_choices(rules, choices)
    except ValueError:
        raise InvalidRequest(choices_problem(rules, choices), **over_limit(rules, choices)) \
            from None


def over_limit(rules: dict, choices) -> dict:
    """{"marked": n, "seats": s} when a selection ballot has more "for" than seats, else {}."""
    if rules["kind"] != "selection" or not isinstance(choices, dict):
        return {}
    marked = sum(1 for choice in choices.values() if choice == "for")
    return {"marked": marked, "seats": rules["seats"]} if marked > rules["seats"] else {}


def choices_problem(rules: dict, choices) -> str:
    """Why normalise_choices refused, in the voter's language."""
    if not isinstance(choices, dict):
        return _("选择内容的格式不对：应为“候选项目编号 → 选项”。")
    known = {c["id"] for c in rules["candidates"]}
    if any(key not in known for key in choices):
        return _("选票中有不属于本次表决的项目。")
    words = counting.CHOICES[rules["kind"]]
    if any(not isinstance(value, str) or value not in words for value in choices.values()):
        return _("选项无效：只能是 %(words)s。", words=", ".join(words))
    limit = over_limit(rules, choices)
    if limit:
        return _("赞成的项目不能超过应选数%(seats)d个，您选了%(marked)d个。请减少赞成后再提交。",
                 **limit)
    return _("选票内容无效。")


# ---------------------------------------------------------------- the booth's first look


def booth_ballot(token: str) -> Ballot:
    """The ballot a deputy's slip opens, if it can be voted with now, with its candidates.
    Reads only. Raises as `open_slip`."""
    return ballot_with_candidates(open_slip(token))


def open_slip(token: str) -> int:
    """The ballot a slip is for, if the slip can be voted with now; one query. Reads only.

    Raises InvalidToken (not genuine, unknown or voided), TokenUsed, BallotNotOpen.
    """
    ballot_id = signed_ballot_id(token)
    # A connection of its own rather than the ORM session's: the session's transaction
    # bookkeeping cost more than the query itself, on a page every deputy opens. On PostgreSQL
    # it reads outside a transaction, saving the BEGIN and the ROLLBACK, two round trips to the
    # server (on SQLite a SELECT begins none, and switching the mode would only cost).
    with db.engine.connect() as sql:
        if sql.dialect.name != "sqlite":
            sql.execution_options(isolation_level="AUTOCOMMIT")
        row = sql.execute(SLIP_STATES, {"ballot": ballot_id, "token_hash": token_key(token)}
                          ).one_or_none()
    slip, ballot = row if row is not None else (None, None)
    if slip not in ("minted", "spent"):
        raise InvalidToken()
    if slip == "spent":
        raise TokenUsed()
    if ballot != "open":
        raise not_open(ballot)
    return ballot_id


def ballot_with_candidates(ballot_id: int) -> Ballot:
    """The ballot with every candidate, its project and unit, in two queries (not two per
    candidate): what the booth's pages list."""
    return db.session.get(Ballot, ballot_id, options=[
        selectinload(Ballot.candidates).joinedload(BallotCandidate.project)
        .joinedload(Project.unit)])
