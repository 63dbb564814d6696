"""The project library, what happens to a project after the vote (政府办), proposals (群众提)."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voting.extensions import db

# Code → the Chinese category name used on every page (see DOMAIN.md).
CATEGORIES = (
    "education", "health", "housing", "transport", "water", "elderly",
    "childcare", "safety", "market", "environment", "employment",
)

# A project's life: screened into the library, put on a ballot, selected (or not), built, done.
STATUSES = ("library", "candidate", "selected", "not_selected", "in_progress", "completed")

# Year-end class of a selected project against its annual target.
COMPLETIONS = ("met", "basically_met", "not_met")

Money = Numeric(12, 2)  # 万元


class ResponsibleUnit(db.Model):
    """承办单位: the department that builds a project, e.g. 县教育局."""

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdiction.id"))
    name: Mapped[str] = mapped_column(String(80))

    jurisdiction: Mapped["Jurisdiction"] = relationship()  # noqa: F821


class Project(db.Model):
    """民生实事项目: one entry of the project library, from candidate to completion."""

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdiction.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)  # the year it is to be built
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("responsible_unit.id"))
    budget_wan: Mapped[Decimal] = mapped_column(Money)  # total investment, 万元
    funding_source: Mapped[str] = mapped_column(String(120), default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(String(300), default="")  # the one line on the ballot
    description: Mapped[str] = mapped_column(Text, default="")
    planned_start: Mapped[date | None]
    planned_finish: Mapped[date | None]
    source: Mapped[str] = mapped_column(String(16), default="department")  # public|deputy|dept.
    status: Mapped[str] = mapped_column(String(16), default="library", index=True)
    progress: Mapped[int] = mapped_column(default=0)  # percent, 0–100
    funds_spent_wan: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    completion: Mapped[str | None] = mapped_column(String(16))  # COMPLETIONS, at year end
    rectification: Mapped[bool] = mapped_column(default=False)  # 整改 after an unsatisfied rating
    # 整改 follow-up: the unit's cumulative percent of it (0–100), and the day a clerk confirmed
    # it complete (整改完成, which ends `rectification`); see voting.services.progress.
    rectification_progress: Mapped[int] = mapped_column(default=0, server_default="0")
    rectified_on: Mapped[date | None]

    jurisdiction: Mapped["Jurisdiction"] = relationship()  # noqa: F821
    unit: Mapped[ResponsibleUnit | None] = relationship()
    milestones: Mapped[list["Milestone"]] = relationship(
        back_populates="project", order_by="Milestone.due_on", cascade="all, delete-orphan"
    )
    updates: Mapped[list["ProgressUpdate"]] = relationship(
        back_populates="project", order_by="ProgressUpdate.posted_at.desc()",
        cascade="all, delete-orphan",
    )
    notes: Mapped[list["SupervisionNote"]] = relationship(
        back_populates="project", order_by="SupervisionNote.inspected_on.desc()",
        cascade="all, delete-orphan",
    )

    def is_delayed(self, today: date) -> bool:
        """A milestone whose date has passed unmet makes the whole project delayed."""
        return any(m.is_overdue(today) for m in self.milestones)


class Milestone(db.Model):
    """节点: a dated step of a project, e.g. 主体完工."""

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    due_on: Mapped[date]
    done_on: Mapped[date | None]

    project: Mapped[Project] = relationship(back_populates="milestones")

    def is_overdue(self, today: date) -> bool:
        return self.done_on is None and self.due_on < today


class ProgressUpdate(db.Model):
    """进度: a unit's report on its project; kind `rectification` for 整改 follow-up."""

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    posted_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(16), default="progress")  # progress | rectification
    percent: Mapped[int]  # 0–100
    funds_spent_wan: Mapped[Decimal | None] = mapped_column(Money)
    narrative: Mapped[str] = mapped_column(Text)

    project: Mapped[Project] = relationship(back_populates="updates")
    author: Mapped["User | None"] = relationship()  # noqa: F821
    photos: Mapped[list["Photo"]] = relationship(
        back_populates="update", cascade="all, delete-orphan"
    )


class Photo(db.Model):
    """A re-encoded site photo (metadata stripped) and its thumbnail, stored under uploads/."""

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("progress_update.id"), index=True)
    filename: Mapped[str] = mapped_column(String(64), unique=True)  # random name, .jpg
    width: Mapped[int]
    height: Mapped[int]
    caption: Mapped[str] = mapped_column(String(200), default="")

    update: Mapped[ProgressUpdate] = relationship(back_populates="photos")


class SupervisionNote(db.Model):
    """视察意见: what a deputies' supervision group found on site, recorded by a clerk."""

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    inspected_on: Mapped[date]
    group: Mapped[str] = mapped_column(String(80))  # e.g. 第三代表监督小组
    text: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    project: Mapped[Project] = relationship(back_populates="notes")


class Proposal(db.Model):
    """群众建议: a project proposed by the public, looked up later by its tracking code."""

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdiction.id"), index=True)
    tracking_code: Mapped[str] = mapped_column(String(16), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    location: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(16))
    contact: Mapped[str] = mapped_column(String(120), default="")  # never shown publicly
    submitted_at: Mapped[datetime]
    # received | accepted | merged | declined
    status: Mapped[str] = mapped_column(String(16), default="received")
    reply: Mapped[str] = mapped_column(Text, default="")  # the public answer
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id"))

    jurisdiction: Mapped["Jurisdiction"] = relationship()  # noqa: F821
    project: Mapped[Project | None] = relationship()
