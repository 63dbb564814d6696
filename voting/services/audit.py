"""The audit log (审计日志): recording back-office actions in a hash chain, and checking it.

Recording. An entry is written in the same transaction as the action it describes, when that
transaction commits: an action that is rolled back (a refused form, a wrong state, an error)
leaves no entry, and one that commits always has one. Two ways in:

- `begin_action(...)`: the entry of a whole request or command, kept until the first commit
  (`voting/office/audit.py` calls it for every POST of a signed-in user to the back office,
  `voting/cli/audit.py` for every `voting` command). A request that never commits leaves none.
- `record(action, target, **details)`: an extra entry from inside a transaction (sign-in and
  sign-out, which change no other row), dropped if that transaction rolls back.

At commit (`_append_pending`), the action's own writes are flushed first, then the chain is
locked (PostgreSQL: a transaction-level advisory lock; SQLite: the single write lock, taken with
BEGIN IMMEDIATE if the transaction holds it not yet), the head is read and the entries are
appended with ids head+1, head+2… So two workers never fork the chain, and the chain's lock is
always the last one a transaction takes (no deadlock with the ballot locks).

Checking. `check_chain` recomputes every hash and link; see `ChainCheck` for what it finds.
A chain alone cannot tell a log cut back at its end from a shorter one, so every commit that
appends entries also writes the new head to the witness file `<instance>/audit-head`, outside
the database; `verify_log` requires the chain to still hold that head. Someone who can change
the database but not the server's files (a database operator) cannot cut the log back
unnoticed; someone who can change both is caught only against a head noted on paper
(`expect_head`).

Secrecy: details hold view arguments, a client address and a short allow-list of form fields
(never a password, token, receipt or choice); long token-like strings are redacted anyway.
"""

import fcntl
import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from flask import current_app, g, has_app_context, has_request_context, request
from flask_login import current_user
from sqlalchemy import event, func, inspect, select

from voting.extensions import db
from voting.models import AuditEntry
from voting.serving import redact

GENESIS = "0" * 64  # prev_hash of entry #1
AUDIT_LOCK_CLASS = 0x41756469  # PostgreSQL advisory lock (class, 0): "Audi"
HASHED_FIELDS = ("id", "at", "actor", "role", "action", "target", "details", "prev_hash")
SECRET_TABLES = {"token", "cast_ballot", "receipt", "audit_entry"}
SAFE_FORM_FIELDS = ("count", "format")  # mint N slips, html/txt: the only form values kept
SECRET_WORDS = ("password", "token", "secret", "receipt", "code", "slip", "key", "choice")
TOKEN_LIKE = re.compile(r"[A-Za-z0-9_\-]{40,}")  # a token is 114 such characters
MAX_TEXT = 120  # characters of one detail value
MAX_CREATED = 5  # new rows named in an entry's details

PENDING = "audit.pending"  # session.info key: entries waiting for the commit
WRITING = "audit.writing"  # session.info key: entries added to the transaction being committed
HEAD = "audit.head"  # session.info key: (id, hash) of the head the commit being made writes
WITNESS_FILE = "audit-head"  # in the instance folder: "<id> <hash>" of the newest head written


# ---------------------------------------------------------------- the chain (no database)


def canonical(fields: Mapping) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


def entry_hash(fields: Mapping) -> str:
    """SHA-256 hex over the canonical JSON of HASHED_FIELDS (`at` as ISO text, seconds)."""
    values = {name: fields[name] for name in HASHED_FIELDS}
    if isinstance(values["at"], datetime):
        values["at"] = values["at"].isoformat(timespec="seconds")
    return hashlib.sha256(canonical(values)).hexdigest()


@dataclass(frozen=True)
class ChainCheck:
    """What `check_chain` found. `problem` is None when the chain is whole.

    problem: "missing" (ids jump: entries `missing_from`…`broken_at`-1 were deleted),
    "changed" (entry `broken_at` does not match its hash), "relinked" (entry `broken_at` does
    not point at the entry before it: one was changed and re-hashed, or removed and the rest
    renumbered), "cut_back" (the chain no longer holds the head the witness file names: entries
    `witness_id`… were deleted from the end, or the log rewritten), "no_witness" (entries but
    no witness file), "head_missing" (no entry has the head hash noted earlier: the log was cut
    back or rewritten since). Cannot be found without a noted head: a chain rebuilt from
    scratch, with its witness, by someone with write access to the database and the files.
    """

    count: int
    head_id: int
    head_hash: str
    problem: str | None = None
    broken_at: int | None = None
    missing_from: int | None = None
    witness_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def check_chain(rows: Iterable[Mapping], expect_head: str | None = None,
                witness: tuple[int, str] | None = None) -> ChainCheck:
    """Check entries given in id order (mappings with HASHED_FIELDS and `hash`); `witness`:
    (id, hash) of a head the chain must hold, as read by `read_witness` (None: not checked)."""
    count, head_id, head_hash, seen_expected = 0, 0, GENESIS, expect_head is None
    witnessed = None
    for row in rows:
        entry_id = row["id"]
        if entry_id != head_id + 1:
            return ChainCheck(count, head_id, head_hash, "missing", entry_id, head_id + 1)
        if entry_hash(row) != row["hash"]:
            return ChainCheck(count, head_id, head_hash, "changed", entry_id)
        if row["prev_hash"] != head_hash:
            return ChainCheck(count, head_id, head_hash, "relinked", entry_id)
        count, head_id, head_hash = count + 1, entry_id, row["hash"]
        seen_expected = seen_expected or head_hash == expect_head
        if witness is not None and entry_id == witness[0]:
            witnessed = head_hash
    if witness is not None and witness[0] != 0 and witnessed != witness[1]:
        return ChainCheck(count, head_id, head_hash, "cut_back", witness_id=witness[0])
    if not seen_expected:
        return ChainCheck(count, head_id, head_hash, "head_missing")
    return ChainCheck(count, head_id, head_hash)


# ---------------------------------------------------------------- recording


def current_actor() -> tuple[str, str]:
    """(actor, role): `cli:<os user>` in a command, the signed-in user's name on the web,
    ("", "") when nobody is signed in."""
    if has_app_context() and g.get("audit_actor"):
        return g.audit_actor, "cli"
    if has_request_context() and current_user.is_authenticated:
        return current_user.username, current_user.role
    return "", ""


def begin_action(action: str, target: str = "", *, web: bool = False,
                 actor: tuple[str, str] | None = None, **details) -> None:
    """The entry of this request or command, written at its first commit (if any).

    `web`: a back-office request; its entry also names the rows it creates (the target of a
    "new …" page) and keeps the SAFE_FORM_FIELDS of its form, read at commit time (after the
    view has parsed the form under its own limits).
    """
    _pending().append(_entry(action, target, details, actor, sticky=True, web=web))


def record(action: str, target: str = "", **details) -> None:
    """An entry in the current transaction: committed with it, dropped if it rolls back."""
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback before any query still drops the entry
    _pending(session).append(_entry(action, target, details, None, sticky=False, web=False))


def target_of(arguments: Mapping) -> str:
    """"ballot:3", "session:2 deputy:12" from view arguments or command parameters."""
    return " ".join(f"{name.removesuffix('_id')}:{value}" for name, value in arguments.items()
                    if value is not None)[:200]


def _entry(action, target, details, actor, *, sticky, web) -> dict:
    who, role = actor or current_actor()
    return {"action": str(action)[:120], "target": str(target or "")[:200],
            "details": dict(details), "actor": who[:80], "role": role[:16],
            "sticky": sticky, "web": web, "created": []}


def _pending(session=None) -> list:
    return (session or db.session).info.setdefault(PENDING, [])


def safe_details(details: Mapping) -> str:
    """Canonical JSON of the details: secret-sounding keys dropped, values cut short, anything
    that looks like a token or a voting URL redacted."""
    kept = {}
    for key, value in details.items():
        if any(word in key.lower() for word in SECRET_WORDS):
            continue
        kept[key] = _safe_value(value)
    return canonical(kept).decode()


def _safe_value(value):
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return [_safe_value(v) for v in list(value)[:MAX_CREATED * 4]]
    text = TOKEN_LIKE.sub("[redacted]", redact(str(value)))
    return text[:MAX_TEXT]


@event.listens_for(db.session, "after_flush")
def _note_created_rows(session, _context) -> None:
    """Name the rows a request creates (`project:7`), so that "create" entries have a target."""
    entries = [e for e in session.info.get(PENDING, ()) if e["web"]]
    if not entries:
        return
    for row in session.new:
        table = getattr(row, "__tablename__", None)
        key = inspect(row).mapper.primary_key_from_instance(row)
        if table in SECRET_TABLES or len(key) != 1 or not isinstance(key[0], int):
            continue
        for entry in entries:
            entry["created"].append(f"{table}:{key[0]}")


@event.listens_for(db.session, "before_commit")
def _append_pending(session) -> None:
    pending = session.info.get(PENDING)
    if not pending or session.in_nested_transaction():
        return
    session.flush()  # the action's own writes (and row locks) first; the chain lock last
    head_id, head_hash = _lock_head(session)
    at = datetime.now().replace(microsecond=0)
    for item in pending:
        fields = {"id": head_id + 1, "at": at, "actor": item["actor"], "role": item["role"],
                  "action": item["action"], "target": item["target"] or _main_row(item["created"]),
                  "details": safe_details(_details_at_commit(item)), "prev_hash": head_hash}
        fields["hash"] = entry_hash(fields)
        session.add(AuditEntry(**fields))
        head_id, head_hash = fields["id"], fields["hash"]
    session.info[WRITING], session.info[PENDING] = pending, []
    session.info[HEAD] = (head_id, head_hash)


@event.listens_for(db.session, "after_commit")
def _witness_written(session) -> None:
    session.info.pop(WRITING, None)
    head = session.info.pop(HEAD, None)
    if head is None or not has_app_context():
        return
    try:
        write_witness(Path(current_app.instance_path), *head)
    except OSError as error:  # the action is committed: say so, never turn it into an error
        current_app.logger.warning("audit witness file not written (%s): it names an earlier "
                                   "entry until the next action", error)


@event.listens_for(db.session, "after_soft_rollback")
def _drop_rolled_back(session, previous_transaction) -> None:
    if previous_transaction.nested:
        return
    # A request's own entry waits for a later commit (also when the commit itself failed);
    # the entries recorded inside the failed transaction go with it.
    session.info.pop(HEAD, None)
    entries = session.info.pop(WRITING, []) + session.info.get(PENDING, [])
    session.info[PENDING] = [e for e in entries if e["sticky"]]
    for entry in session.info[PENDING]:
        entry["created"].clear()


def _main_row(created: list) -> str:
    """The row a "new …" page made: of the rows created, the first of the table that depends
    on the others (a session, not the term made for it)."""
    if not created:
        return ""
    order = {table.name: n for n, table in enumerate(db.metadata.sorted_tables)}
    return max(created, key=lambda row: (order.get(row.partition(":")[0], -1),
                                         -created.index(row)))


def _details_at_commit(item: dict) -> dict:
    details = dict(item["details"])
    if item["web"] and has_request_context():
        details.update({name: request.form[name] for name in SAFE_FORM_FIELDS
                        if request.form.get(name)})
    if len(item["created"]) > 1 or (item["created"] and item["target"]):
        details["created"] = item["created"][:MAX_CREATED]
        if len(item["created"]) > MAX_CREATED:
            details["created_more"] = len(item["created"]) - MAX_CREATED
    return details


def _lock_head(session) -> tuple[int, str]:
    """Take the chain's lock for the rest of the transaction; return the head (id, hash)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        if not connection.connection.dbapi_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(AUDIT_LOCK_CLASS, 0)))
    row = session.execute(select(AuditEntry.id, AuditEntry.hash)
                          .order_by(AuditEntry.id.desc()).limit(1)).first()
    return (row.id, row.hash) if row else (0, GENESIS)


# ---------------------------------------------------------------- the witness file
#
# Written by hand: it is one line in a file, kept newest-wins under an flock so that workers
# and commands committing at once never move it back; replaced atomically (a crash leaves the
# old line or the new one, never half of one). Written after the commit, so it may lag behind
# the database (a crash between the two) but never runs ahead of it.


def write_witness(folder: Path, head_id: int, head_hash: str, *, force: bool = False) -> None:
    """Note (head_id, head_hash) in the witness file, unless it already names a later entry
    (`force`: always; after a restore, whose log ends earlier)."""
    path = folder / WITNESS_FILE
    with open(folder / f"{WITNESS_FILE}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        noted = read_witness(folder)
        if not force and noted is not None and noted[0] >= head_id:
            return
        temporary = folder / f"{WITNESS_FILE}.{os.getpid()}.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as f:
            f.write(f"{head_id} {head_hash}\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)


def read_witness(folder: Path) -> tuple[int, str] | None:
    """(id, hash) the witness file names; None when there is none. (0, GENESIS) stands for an
    empty log; an unreadable file names entry #-1, which no chain holds."""
    try:
        text = (folder / WITNESS_FILE).read_text()
    except FileNotFoundError:
        return None
    except OSError:  # not readable by this user: as good as changed
        return -1, ""
    head_id, _sep, head_hash = text.strip().partition(" ")
    return (int(head_id), head_hash) if head_id.isdigit() else (-1, "")


def note_head_if_unwitnessed(folder: Path) -> tuple[int, str] | None:
    """Start the witness of an instance upgraded from before it (`voting init`): the chain's
    head, when the chain is whole and there is no witness yet. Returns what it wrote."""
    if read_witness(folder) is not None:
        return None
    check = verify_log(witness=False)
    if not check.ok or not check.count:
        return None
    write_witness(folder, check.head_id, check.head_hash)
    return check.head_id, check.head_hash


# ---------------------------------------------------------------- reading


def verify_log(expect_head: str | None = None, witness: bool = True) -> ChainCheck:
    """Check the whole stored chain (reads every entry, in id order, in batches), and that it
    still holds the head named in the instance's witness file (`witness`)."""
    noted = read_witness(Path(current_app.instance_path)) if witness else None
    columns = [getattr(AuditEntry, name) for name in (*HASHED_FIELDS, "hash")]
    rows = db.session.execute(select(*columns).order_by(AuditEntry.id)
                              .execution_options(yield_per=1000))
    try:
        check = check_chain((row._mapping for row in rows), expect_head, noted)
    finally:
        rows.close()  # a break stops early: free the (server-side) cursor now
    if witness and check.ok and noted is None and check.count:
        return ChainCheck(check.count, check.head_id, check.head_hash, "no_witness")
    return check


def entries_query(actor: str | None = None, action: str | None = None,
                  since: date | None = None, until: date | None = None):
    """Entries newest first: by actor (exact), action code prefix, and days (inclusive)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if actor is not None:
        query = query.where(AuditEntry.actor == actor)
    if action:
        escaped = action.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(AuditEntry.action.like(f"{escaped}%", escape="\\"))
    if since:
        query = query.where(AuditEntry.at >= datetime.combine(since, time.min))
    if until:
        query = query.where(AuditEntry.at < datetime.combine(until + timedelta(days=1), time.min))
    return query


def actors() -> list[str]:
    """Every actor that has an entry, by name."""
    return list(db.session.scalars(select(AuditEntry.actor).distinct().order_by(AuditEntry.actor)))


def parsed_details(entry: AuditEntry) -> dict:
    try:
        value = json.loads(entry.details)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
