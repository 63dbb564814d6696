"""A ballot's life: draft → open → closed (→ certified → published, in `results`), never back.

`ballot_definition` is the document every later step agrees on (docs/formats.md). Minting,
voiding, opening and closing are here; casting is in `casting`. Each function raises a
`VotingError` (`WrongState` 409 for the wrong state, `InvalidRequest` 400 for bad input) and then
changes nothing; the caller commits.

Concurrency: every function that writes first takes the ballot's lock (`lock_ballot`), so that a
close cannot slip between a cast's check and its insert, and a mint cannot slip between an
opening's commitment and its state change. See `lock_ballot` for SQLite and PostgreSQL.
"""

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, event, func, insert, select, update

from voting.database import begin_sqlite_write
from voting.domain import counting, tokens
from voting.errors import InvalidRequest, InvalidToken, NotFound, TokenUsed, WrongState
from voting.extensions import db
from voting.instance import load_signing_key
from voting.models import (
    Attendance,
    Ballot,
    BallotCandidate,
    CastBallot,
    Deputy,
    Project,
    Receipt,
    Token,
    User,
)
from voting.models.ballots import STATES
from voting.services import drafting

MAX_MINT = 10_000  # tokens per request: the National People's Congress has ~3,000 deputies
BALLOT_LOCK_CLASS = 0x566F7465  # PostgreSQL advisory lock (class, ballot id): "Vote"


# ---------------------------------------------------------------- loading, locking


def get_ballot_or_404(ballot_id, state: str | None = None) -> Ballot:
    """The ballot `ballot_id`. Raises NotFound (404), or WrongState (409) unless its state is
    `state` (when given)."""
    ballot = db.session.get(Ballot, ballot_id) if isinstance(ballot_id, int) else None
    if ballot is None:
        raise NotFound(_("找不到该表决。"))
    if state is not None and ballot.state != state:
        raise WrongState(_("表决当前状态为“%(state)s”，不能进行此操作。",
                           state=state_label(ballot.state)))
    return ballot


STATE_LABELS = {
    "draft": _l("草稿"), "open": _l("投票中"), "closed": _l("已截止"),
    "certified": _l("已签署"), "published": _l("已公布"),
}


def state_label(state: str) -> str:
    """The ballot state as people say it: 草稿, 投票中, 已截止, 已签署, 已公布."""
    return str(STATE_LABELS.get(state, state))


# Built once: every cast asks it (Core on the session's connection, no ORM on the hot path).
BALLOT_STATE = (select(Ballot.__table__.c.state)
                .where(Ballot.__table__.c.id == bindparam("ballot")))


def lock_ballot(ballot_id: int, *, exclusive: bool = False) -> str | None:
    """Lock the ballot for the rest of the transaction; return its state as committed now.

    SQLite: `BEGIN IMMEDIATE` takes the database's single write lock up front, after this
    writer's turn (`database.begin_sqlite_write`: writers queue in the kernel rather than sleep
    in SQLite's busy handler), so everything up to the commit runs as if alone, and what it
    reads is the latest committed data. Starting the write transaction first also avoids
    SQLITE_BUSY on a read-to-write upgrade. PostgreSQL: a transaction-level advisory lock on
    (BALLOT_LOCK_CLASS, ballot id), shared (casts, voids, mints: many may hold it at once) or
    exclusive (`exclusive`: state changes, which also take the row FOR UPDATE); a state change
    waits for every cast holding the share lock to commit, and a cast that comes after it waits
    for it and then reads the new state (each statement of a READ COMMITTED transaction sees what
    was committed before it began). A shared holder reads the row without locking it: the
    advisory lock already keeps state changes out, and FOR SHARE by many casts at once made
    PostgreSQL write a MultiXact of the row's lockers on every cast. None when there is no such
    ballot.
    """
    connection = db.session.connection()
    query = BALLOT_STATE
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if not raw.in_transaction:  # else this transaction has written: it holds the lock
            begin_sqlite_write(db.session(), connection)
    else:
        # A FOR SHARE request on a row that is already share-locked does not queue behind a
        # waiting FOR UPDATE: a steady stream of casts would starve a close, and casts arriving
        # after it would still get in. The lock manager queues a transaction-level advisory
        # lock fairly, so a cast that comes after the close waits for it.
        lock = func.pg_advisory_xact_lock if exclusive else func.pg_advisory_xact_lock_shared
        db.session.execute(select(lock(BALLOT_LOCK_CLASS, ballot_id)))
        if exclusive:
            query = query.with_for_update()
    return connection.execute(query, {"ballot": ballot_id}).scalar_one_or_none()


def _change_state(ballot: Ballot, old: str, new: str, **values) -> None:
    """old → new, only forward, only if nobody changed it meanwhile (the lock is held)."""
    if STATES.index(new) <= STATES.index(old):
        raise ValueError(f"a ballot never goes back: {old} → {new}")
    state = lock_ballot(ballot.id, exclusive=True)
    if state != old:
        raise WrongState(_("表决当前状态为“%(state)s”，不能进行此操作。",
                           state=state_label(state or "")))
    done = db.session.execute(
        update(Ballot).where(Ballot.id == ballot.id, Ballot.state == old)
        .values(state=new, **values).execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # cannot happen under the lock; refuse rather than go on
        raise WrongState()
    db.session.refresh(ballot)


# ---------------------------------------------------------------- the definition


def ballot_definition(ballot: Ballot) -> dict:
    """The ballot as docs/formats.md defines it: what the opening commitment pins and what
    the verifier recomputes. Frozen at opening; built from the live rows while in draft."""
    if ballot.definition:
        return json.loads(ballot.definition)
    return build_definition(ballot)


def build_definition(ballot: Ballot) -> dict:
    """The definition from the live rows. Candidate ids are project ids as strings; 万元."""
    evaluation_rule = dict(counting.DEFAULT_EVALUATION_RULE)
    if ballot.kind == "evaluation":
        rate = ballot.rectify_below_rate
        evaluation_rule = {"numerator": ballot.threshold_num,
                           "denominator": ballot.threshold_den,
                           "rectify_below_rate": float(rate) if rate is not None else None}
    scrutineers = sorted(ballot.scrutineers, key=lambda s: (not s.chief, s.user.display_name))
    session = ballot.session
    return {
        "id": ballot.id,
        "title": ballot.title,
        "kind": ballot.kind,
        "seats": ballot.seats if ballot.kind == "selection" else None,
        "threshold_rule": {"base": ballot.threshold_base, "numerator": ballot.threshold_num,
                           "denominator": ballot.threshold_den},
        "evaluation_rule": evaluation_rule,
        "candidates": [candidate_entry(c.project) for c in ballot.candidates],
        "jurisdiction": session.term.jurisdiction.name,
        "session": session.title,
        "runoff_of": ballot.runoff_of_id,
        "scrutineers": [{"name": s.user.display_name, "chief": bool(s.chief),
                         "public_key": s.user.public_key or ""} for s in scrutineers],
    }


def candidate_entry(project: Project) -> dict:
    return {"id": str(project.id), "title": project.title,
            "unit": project.unit.name if project.unit else "",
            "budget_wan": decimal_text(project.budget_wan), "summary": project.summary}


def decimal_text(amount: Decimal | None) -> str:
    """4800.00 → "4800", 260.50 → "260.5" (never an exponent)."""
    if amount is None:
        return "0"
    text = format(Decimal(amount).normalize(), "f")
    return text if text != "-0" else "0"


def voting_rules(ballot_id: int) -> dict | None:
    """What casting checks a ballot against (kind, seats, candidate ids), in two small queries;
    None when there is no such ballot.

    Kept per app once the ballot has left draft: from then on its definition never changes
    (`drafting.ensure_draft`) and it can no longer be deleted, so every cast after the first
    skips both queries. Nothing in it is secret or about a voter.
    """
    known = current_app.extensions.setdefault("voting_rules", {})
    if ballot_id in known:
        return known[ballot_id]
    row = db.session.execute(
        select(Ballot.kind, Ballot.seats, Ballot.state).where(Ballot.id == ballot_id)
    ).one_or_none()
    if row is None:
        return None
    ids = db.session.scalars(
        select(BallotCandidate.project_id).where(BallotCandidate.ballot_id == ballot_id)
        .order_by(BallotCandidate.position)
    ).all()
    rules = {"id": ballot_id, "kind": row.kind, "seats": row.seats,
             "candidates": [{"id": str(pid)} for pid in ids]}
    if row.state != "draft":
        known[ballot_id] = rules
    return rules


# ---------------------------------------------------------------- figures


def roster_count(ballot: Ballot) -> int:
    """Active deputies of the ballot's jurisdiction (全体代表)."""
    return db.session.scalar(
        select(func.count(Deputy.id)).where(
            Deputy.jurisdiction_id == ballot.session.term.jurisdiction_id,
            Deputy.active.is_(True))
    ) or 0


def present_count(ballot: Ballot) -> int:
    """Deputies signed in (签到) at the ballot's session."""
    return db.session.scalar(
        select(func.count(Attendance.id)).where(Attendance.session_id == ballot.session_id)
    ) or 0


def cast_count(ballot: Ballot) -> int:
    """Ballots cast so far: a number, nothing about them."""
    return db.session.scalar(
        select(func.count()).select_from(CastBallot).where(CastBallot.ballot_id == ballot.id)
    ) or 0


def token_counts(ballot: Ballot) -> dict:
    """{"minted", "voided", "spent", "issued"}: issued = minted − voided (发出的选票)."""
    rows = db.session.execute(
        select(Token.state, func.count()).where(Token.ballot_id == ballot.id)
        .group_by(Token.state)
    ).all()
    by_state = {state: n for state, n in rows}
    minted = sum(by_state.values())
    voided = by_state.get("voided", 0)
    return {"minted": minted, "voided": voided, "spent": by_state.get("spent", 0),
            "issued": minted - voided}


def current_threshold(ballot: Ballot) -> int | None:
    """Votes a project needs, from the snapshot once closed, else from today's figures.
    None for a base of ballots cast while the vote is not over (not known yet)."""
    closed = ballot.state not in ("draft", "open")
    if ballot.threshold_base == "cast" and not closed:
        return None
    roster = ballot.roster_count if closed and ballot.roster_count is not None \
        else roster_count(ballot)
    present = ballot.present_count if closed and ballot.present_count is not None \
        else present_count(ballot)
    rule = {"base": ballot.threshold_base, "numerator": ballot.threshold_num,
            "denominator": ballot.threshold_den}
    return counting.threshold(rule, roster, present, cast_count(ballot))


# ---------------------------------------------------------------- scrutineers


def set_scrutineers(ballot: Ballot, users: list[User], chief: User | None = None) -> None:
    """The ballot's 监票人 (accounts of role scrutineer, at least one) and its 总监票人
    (`chief`, by default the first of `users`). Only while draft."""
    drafting.ensure_draft(ballot)
    if not users:
        raise InvalidRequest(_("请至少指定一位监票人。"), field="users")
    names = [u.display_name for u in users]
    if len(set(names)) != len(names):
        raise InvalidRequest(_("两位监票人同名，公告中无法区分，请先修改显示名称。"), field="users")
    drafting.set_scrutineers(ballot, users, chief if chief is not None else users[0])


# ---------------------------------------------------------------- tokens


def instance_key():
    return load_signing_key(Path(current_app.instance_path))


def instance_public_key() -> str:
    """The instance public key (hex), read once per app: every cast checks a token with it."""
    key = current_app.extensions.get("voting_public_key")
    if key is None:
        key = tokens.public_key_hex(instance_key())
        current_app.extensions["voting_public_key"] = key
    return key


def opening_key(ballot: Ballot) -> str:
    """The instance public key (hex) a ballot was opened with; the instance's own for a draft,
    and for a ballot opened before the key was recorded."""
    return ballot.instance_public_key or instance_public_key()


def mint_tokens(ballot: Ballot, count: int) -> list[str]:
    """Mint `count` one-time tokens (选票凭证) for a draft ballot and return them.

    The tokens themselves leave here and are never stored: the database keeps each one's public
    part and hash, in one bulk insert. Opening commits to the minted set, hence draft only.
    """
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_MINT:
        raise InvalidRequest(_("选票数量必须是1到%(n)d之间的整数。", n=MAX_MINT), field="count")
    if lock_ballot(ballot.id) != "draft":
        raise WrongState(_("只有草稿状态的表决才能生成选票：开启时已公开承诺选票总数。"))
    minted = tokens.mint_tokens(instance_key(), ballot.id, count)
    db.session.execute(insert(Token), [
        {"ballot_id": ballot.id, **token_record(t), "state": "minted"} for t in minted
    ])
    return minted


def token_record(token: str) -> dict:
    """What the database keeps of a token (docs/formats.md): its public part and that part's
    hash, never the token (whose nonce is what casts)."""
    public = tokens.token_public(token)
    return {"public": public, "hash": tokens.public_hash(public)}


def token_key(token: str) -> str:
    """The hash the token table is keyed by (never raises: a non-token matches no row)."""
    return tokens.token_hash(token)


def token_from_text(text: str) -> str:
    """A token from what a desk scanner or a clerk typed: the token or its voting URL."""
    text = (text or "").strip()
    if "/v/" in text:
        text = text.rsplit("/v/", 1)[1]
    for mark in ("?", "#", "/"):
        text = text.split(mark, 1)[0]
    return text.strip()


def void_token(ballot: Ballot, token: str) -> None:
    """Void a slip that was not handed out (作废), scanned at the desk: issued = minted − voided.

    Only a minted token of this ballot, only while draft or open. Raises InvalidToken (not a
    token of this ballot), TokenUsed (already cast), WrongState (already voided, or wrong state).
    """
    token = token_from_text(token)
    if counting.token_ballot_id(token, instance_public_key()) != ballot.id:
        raise InvalidToken(_("这不是本次表决的有效选票。"))
    state = lock_ballot(ballot.id)
    if state not in ("draft", "open"):
        raise WrongState(_("表决已经结束，不能再作废选票。"))
    hashed = token_key(token)
    done = db.session.execute(
        update(Token).where(Token.ballot_id == ballot.id, Token.hash == hashed,
                            Token.state == "minted")
        .values(state="voided").execution_options(synchronize_session=False)
    )
    if done.rowcount == 1:
        return
    now = db.session.scalar(select(Token.state).where(Token.ballot_id == ballot.id,
                                                      Token.hash == hashed))
    if now == "spent":
        raise TokenUsed(_("这张选票已经投过票，不能作废。"))
    if now == "voided":
        raise WrongState(_("这张选票已经作废过了。"))
    raise InvalidToken(_("这不是本次表决的有效选票。"))


# ---------------------------------------------------------------- opening and closing


def open_ballot(ballot: Ballot) -> None:
    """draft → open (开始投票). Needs candidates, scrutineers with a chief, the 票决办法 and at
    least one minted token. Makes the opening commitment (docs/formats.md): the number and
    digest of the minted tokens and the digest of the definition, signed with the instance key.
    """
    problems = drafting.readiness(ballot)
    if problems:
        raise WrongState(_("还不能开始投票：%(problems)s", problems=" ".join(problems)))
    definition = ballot_definition(ballot)
    problems = counting.definition_problems(definition)
    if problems:
        raise WrongState(_("表决内容不完整，不能开始投票：%(problems)s",
                           problems="; ".join(problems)))
    if lock_ballot(ballot.id, exclusive=True) != "draft":
        raise WrongState(_("只有草稿状态的表决才能开始投票。"))
    # Read under the lock: no mint can add a token that the commitment would not cover.
    hashes = db.session.scalars(select(Token.hash).where(Token.ballot_id == ballot.id)).all()
    if not hashes:
        raise WrongState(_("还没有生成选票，不能开始投票。"))
    commitment = counting.make_commitment(definition, hashes)
    _change_state(ballot, "draft", "open",
                  definition=counting.canonical(definition).decode(),
                  commitment=counting.canonical(commitment).decode(),
                  commitment_signature=counting.sign_commitment(instance_key(), commitment),
                  instance_public_key=instance_public_key(),
                  opened_at=datetime.now())


def close_ballot(ballot: Ballot) -> None:
    """open → closed (截止投票). Snapshots the roster (active deputies of the jurisdiction)
    and the deputies present (签到 at the session), the bases of the threshold and quorum."""
    _change_state(ballot, "open", "closed", closed_at=datetime.now(),
                  roster_count=roster_count(ballot), present_count=present_count(ballot))
    forget_cast_order(ballot)


def forget_cast_order(ballot: Ballot) -> None:
    """Make the stored rows of a closed ballot say nothing about the order of casting.

    SQLite keeps tokens, cast ballots and receipts in WITHOUT ROWID tables ordered by their
    random keys; what remains is the write-ahead log, whose frames follow the commits: it is
    checkpointed and truncated to zero bytes once the closing transaction has committed.
    PostgreSQL appends row versions to its heap in the order they are written and stamps each
    with its transaction id (xmin), the same for a ballot and the token spent with it.
    Rewriting the ballot's rows in key order in the closing transaction gives them all one xmin
    and a physical order that follows the random keys. Dead row versions stay until VACUUM:
    run `VACUUM` on PostgreSQL after a ballot closes.
    """
    if db.session.connection().dialect.name == "sqlite":
        event.listen(db.session(), "after_commit", _truncate_sqlite_log, once=True)
        return
    for table in (Token.__table__, CastBallot.__table__, Receipt.__table__):
        key = [c for c in table.primary_key.columns]
        rows = db.session.execute(
            select(table).where(table.c.ballot_id == ballot.id).order_by(*key)
        ).mappings().all()
        db.session.execute(table.delete().where(table.c.ballot_id == ballot.id))
        if rows:
            db.session.execute(table.insert(), [dict(r) for r in rows])


def _truncate_sqlite_log(_session) -> None:
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
