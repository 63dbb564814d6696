"""Who sits in which congress: jurisdictions, terms, sessions, delegations, deputies, sign-in."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voting.extensions import db


class Jurisdiction(db.Model):
    """行政区/本级人大: a county, a city or a town, each holding its own vote."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    level: Mapped[str] = mapped_column(String(16))  # county | city | town
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdiction.id"))

    parent: Mapped["Jurisdiction | None"] = relationship(
        remote_side=[id], back_populates="children"
    )
    children: Mapped[list["Jurisdiction"]] = relationship(back_populates="parent")
    terms: Mapped[list["Term"]] = relationship(
        back_populates="jurisdiction", order_by="Term.number"
    )
    delegations: Mapped[list["Delegation"]] = relationship(back_populates="jurisdiction")


class Term(db.Model):
    """届: e.g. 第十八届人民代表大会, five years."""

    __table_args__ = (UniqueConstraint("jurisdiction_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdiction.id"))
    number: Mapped[int]  # 18 → 第十八届
    start_year: Mapped[int]
    end_year: Mapped[int]

    jurisdiction: Mapped[Jurisdiction] = relationship(back_populates="terms")
    sessions: Mapped[list["CongressSession"]] = relationship(
        back_populates="term", order_by="CongressSession.number"
    )


class CongressSession(db.Model):
    """会议: one sitting of the congress, e.g. 第十八届人民代表大会第四次会议."""

    __tablename__ = "congress_session"
    __table_args__ = (UniqueConstraint("term_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("term.id"))
    number: Mapped[int]  # 4 → 第四次会议
    title: Mapped[str] = mapped_column(String(120))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    venue: Mapped[str] = mapped_column(String(120), default="")

    term: Mapped[Term] = relationship(back_populates="sessions")
    attendance: Mapped[list["Attendance"]] = relationship(
        back_populates="session", cascade="all, delete-orphan"
    )
    ballots: Mapped[list["Ballot"]] = relationship(back_populates="session")  # noqa: F821

    @property
    def jurisdiction(self) -> Jurisdiction:
        return self.term.jurisdiction


class Delegation(db.Model):
    """代表团/代表小组: deputies are seated and counted by delegation."""

    __table_args__ = (UniqueConstraint("jurisdiction_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdiction.id"))
    name: Mapped[str] = mapped_column(String(80))

    jurisdiction: Mapped[Jurisdiction] = relationship(back_populates="delegations")
    deputies: Mapped[list["Deputy"]] = relationship(back_populates="delegation")


class Deputy(db.Model):
    """代表: a member of the roster. Never linked to a token or a ballot."""

    # Two deputies of one name may exist, but not in one delegation: that is a duplicate row.
    __table_args__ = (UniqueConstraint("jurisdiction_id", "delegation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdiction.id"), index=True)
    delegation_id: Mapped[int | None] = mapped_column(ForeignKey("delegation.id"))
    name: Mapped[str] = mapped_column(String(40))
    gender: Mapped[str] = mapped_column(String(4), default="")  # 男 | 女 | ""
    phone: Mapped[str] = mapped_column(String(20), default="")
    occupation: Mapped[str] = mapped_column(String(120), default="")  # 工作单位及职务
    active: Mapped[bool] = mapped_column(default=True)

    jurisdiction: Mapped[Jurisdiction] = relationship()
    delegation: Mapped[Delegation | None] = relationship(back_populates="deputies")


class Attendance(db.Model):
    """签到: a deputy present at a session. Records presence, never which slip was drawn."""

    __table_args__ = (UniqueConstraint("session_id", "deputy_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("congress_session.id"), index=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("deputy.id"))
    signed_in_at: Mapped[datetime]

    session: Mapped[CongressSession] = relationship(back_populates="attendance")
    deputy: Mapped[Deputy] = relationship()
