"""审计日志: who did what in the back office, and when. Append-only and hash-chained.

Each entry stores the actor's name as text (deleting an account never breaks the chain), the
action's stable code, its target, a short JSON text of non-secret parameters, and the hash of
the entry before it. `hash` = SHA-256 over the canonical JSON of the other fields
(`voting.services.audit.entry_hash`). Ids are given out one by one under a lock, starting at 1,
so a missing id is a deleted entry; `prev_hash` is unique, so the chain cannot fork.

Never stored here: a token, a receipt, a password, a choice, or anything linking a deputy to a
slip. Casting a ballot is not a back-office action and leaves no entry. The migration adds
triggers that refuse UPDATE and DELETE on this table.
"""

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from voting.extensions import db


class AuditEntry(db.Model):
    """审计日志: one back-office action."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # 1, 2, 3… no gaps
    at: Mapped[datetime] = mapped_column(index=True)  # local time, whole seconds
    actor: Mapped[str] = mapped_column(String(80), index=True)  # username, or cli:<os user>
    role: Mapped[str] = mapped_column(String(16))  # ROLES, "cli", or "" when nobody signed in
    action: Mapped[str] = mapped_column(String(120), index=True)  # endpoint or command code
    target: Mapped[str] = mapped_column(String(200))  # e.g. "ballot:3", or ""
    details: Mapped[str] = mapped_column(Text)  # canonical JSON object, short
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex; 64 zeros first
    hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of this entry
