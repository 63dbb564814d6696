"""Ballots and the secret vote (代表决).

Secrecy by construction: `Token` knows its ballot and state, nothing else (no deputy, no time);
`CastBallot` and `Receipt` carry a random key and their content, nothing else (no token, no
time, no sequence, no user, no address). Their primary keys start with the ballot and end with
random bytes, and on SQLite they are WITHOUT ROWID tables, so rows are stored and read in random
order, not in cast order.
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voting.extensions import db

KINDS = ("selection", "evaluation")
STATES = ("draft", "open", "closed", "certified", "published")
THRESHOLD_BASES = ("roster", "present", "cast")
TOKEN_STATES = ("minted", "voided", "spent")

RANDOM_ORDER = {"sqlite_with_rowid": False}


class Ballot(db.Model):
    """一次票决或测评: a selection vote on candidates, or a satisfaction evaluation of projects."""

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("congress_session.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # KINDS
    title: Mapped[str] = mapped_column(String(200))
    seats: Mapped[int | None]  # 应选数; None on an evaluation ballot
    state: Mapped[str] = mapped_column(String(16), default="draft")  # STATES, never backwards
    # Selected = among the top `seats` and "for" > base × num / den (default: half the roster).
    threshold_base: Mapped[str] = mapped_column(String(8), default="roster")
    threshold_num: Mapped[int] = mapped_column(default=1)
    threshold_den: Mapped[int] = mapped_column(default=2)
    # Evaluation: rectify (整改) below this satisfaction rate, besides a 不满意 grade.
    rectify_below_rate: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))
    rules_text: Mapped[str] = mapped_column(Text, default="")  # 票决办法, shown to everyone
    colour: Mapped[str] = mapped_column(String(16), default="#c8102e")  # slip colour
    runoff_of_id: Mapped[int | None] = mapped_column(ForeignKey("ballot.id"))
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    roster_count: Mapped[int | None]  # snapshot at close
    present_count: Mapped[int | None]  # snapshot at close
    # Canonical JSON frozen at opening (docs/formats.md): later edits to a project's title or a
    # scrutineer's name cannot change what was committed, certified and exported.
    definition: Mapped[str | None] = mapped_column(Text)
    commitment: Mapped[str | None] = mapped_column(Text)  # canonical JSON, made at opening
    commitment_signature: Mapped[str | None] = mapped_column(String(128))
    # The instance key the ballot was opened with (64 hex): its tokens and commitment are signed
    # with it, and its exports name it even after the instance key has been changed.
    instance_public_key: Mapped[str | None] = mapped_column(String(64))
    result: Mapped[str | None] = mapped_column(Text)  # canonical JSON, computed at close

    session: Mapped["CongressSession"] = relationship(back_populates="ballots")  # noqa: F821
    runoff_of: Mapped["Ballot | None"] = relationship(remote_side=[id])
    candidates: Mapped[list["BallotCandidate"]] = relationship(
        back_populates="ballot", order_by="BallotCandidate.position", cascade="all, delete-orphan"
    )
    scrutineers: Mapped[list["BallotScrutineer"]] = relationship(
        back_populates="ballot", cascade="all, delete-orphan"
    )
    certifications: Mapped[list["Certification"]] = relationship(
        back_populates="ballot", cascade="all, delete-orphan"
    )

    @property
    def projects(self):
        return [c.project for c in self.candidates]


class BallotCandidate(db.Model):
    """候选项目: a project on a ballot, in the order the ballot lists it."""

    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id"), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), primary_key=True)
    position: Mapped[int]

    ballot: Mapped[Ballot] = relationship(back_populates="candidates")
    project: Mapped["Project"] = relationship()  # noqa: F821


class BallotScrutineer(db.Model):
    """监票人 assigned to a ballot; `chief` marks the 总监票人."""

    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    chief: Mapped[bool] = mapped_column(default=False)

    ballot: Mapped[Ballot] = relationship(back_populates="scrutineers")
    user: Mapped["User"] = relationship()  # noqa: F821


class Token(db.Model):
    """选票凭证: only the hash of a minted token and its state; a stolen copy casts nothing."""

    __table_args__ = RANDOM_ORDER

    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id"), primary_key=True)
    hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of `public`
    # The token's public part (docs/formats.md): proves the signature, cannot cast.
    public: Mapped[str] = mapped_column(String(136))
    state: Mapped[str] = mapped_column(String(8), default="minted")  # TOKEN_STATES


class CastBallot(db.Model):
    """A cast ballot: its choices and a random id. No token, no time, no voter."""

    __tablename__ = "cast_ballot"
    __table_args__ = RANDOM_ORDER

    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # 128 random bits, hex
    choices: Mapped[str] = mapped_column(Text)  # canonical JSON {candidate id: choice}


class Receipt(db.Model):
    """回执码: proves a ballot was counted; not linked to the ballot it came with."""

    __table_args__ = RANDOM_ORDER

    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), primary_key=True)


class Certification(db.Model):
    """监票签署: a scrutineer's Ed25519 signature over the canonical result."""

    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128))
    signed_at: Mapped[datetime]

    ballot: Mapped[Ballot] = relationship(back_populates="certifications")
    user: Mapped["User"] = relationship()  # noqa: F821
