"""政府办: progress reports of the responsible units, milestones, delays, supervision notes.

The rules, in one place:

- Who reports: a unit account (role `unit`), on the projects of its own unit only
  (`may_report`); nobody else, not a clerk, not an administrator.
- What can be reported on: a project decided by a vote and being built or done (TRACKED).
- A report (`post_update`): `percent` 0–100 is the share of the whole work done to date; it
  never goes below the project's current figure (a setback is told in the narrative — the figure
  is cumulative). `funds_spent_wan` (万元, cumulative, optional) is 0 … budget × FUNDS_SLACK; it
  may go down (audits and refunds correct it). A narrative is required, at most MAX_NARRATIVE
  characters; at most MAX_PHOTOS photos, each checked by `photos.check_photo` before anything is
  written.
- Rectification (整改): ordered by a published evaluation (`order_rectification`, called when
  the result is published), under way while `Project.rectification` is set. The unit reports on
  it with kind `rectification` (整改情况), only while it is under way: `percent` is then the
  share of the rectification done (`Project.rectification_progress`, cumulative, never below
  the last), not of the project; funds and photos as in a progress report. A clerk — never the
  unit — confirms it complete (`confirm_rectified`, 整改完成, on a day not after today and not
  before the evaluation was published, once the unit has reported on it since), which ends it:
  `rectification` is cleared and `rectified_on` kept, so every page says 整改已完成.
- Status: `selected` becomes `in_progress` at the first report or milestone met; a project is
  `completed` once it stands at 100 % with every milestone met. It never goes back.
- Milestones (节点): a unit adds them and sets their dates; a date can be moved only while it
  has not passed (a missed date stays on the record), never into the past; a milestone is met on
  a day not after today.
- Delayed (滞后): a milestone whose date has passed unmet (`Project.is_delayed`), on every page.
- The clerks' overview (`overview`): delayed first, then those under rectification, then the
  least advanced; `show="rectified"` lists those whose rectification was confirmed complete.
- Supervision notes (视察意见): recorded by clerks, dated not after today.

No Flask here apart from the database session; `today`/`now` are passed in.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.orm import selectinload

from voting.errors import Forbidden, InvalidRequest, WrongState
from voting.extensions import db
from voting.models import (
    Ballot,
    BallotCandidate,
    Milestone,
    Photo,
    ProgressUpdate,
    Project,
    SupervisionNote,
    User,
)
from voting.services import photos

TRACKED = ("selected", "in_progress", "completed")
KINDS = ("progress", "rectification")
FUNDS_SLACK = Decimal("1.2")  # spent may exceed the budget by a fifth; more is a typing error
MAX_NARRATIVE = 2000  # characters
MAX_NOTE = 4000  # characters
MAX_PHOTOS = 4  # per report
MAX_CAPTION = 200  # characters (the column's size)
EARLIEST = date(2000, 1, 1)  # no milestone or inspection before this


# ------------------------------------------------------------------------------ who may do what

def may_report(user: User, project: Project) -> bool:
    """Whether `user` reports on `project`: a unit account of the project's own unit."""
    return (user.role == "unit" and user.unit_id is not None
            and project.unit_id == user.unit_id)


def require_reporter(user: User, project: Project) -> None:
    """Forbidden (403) unless `user` is an account of the project's responsible unit."""
    if not may_report(user, project):
        raise Forbidden(_("只有本项目的承办单位才能报告进度和维护节点。"))


def require_viewer(user: User, project: Project) -> None:
    """Forbidden (403) for a unit account looking at another unit's project."""
    if user.role == "unit" and not may_report(user, project):
        raise Forbidden(_("这不是本单位承办的项目。"))


def require_tracked(project: Project) -> None:
    """WrongState (409) for a project not decided by a vote (library, candidate, not selected)."""
    if project.status not in TRACKED:
        raise WrongState(_("该项目尚未经票决确定实施，不能报告进度。"))


# ------------------------------------------------------------------------------ reports

@dataclass
class PhotoUpload:
    """One photo as sent: its bytes (already size-limited by `photos.read_upload`), a caption."""

    data: bytes
    caption: str = ""


def post_update(project: Project, author: User, *, kind: str, percent: int, narrative: str,
                funds_spent_wan: Decimal | None, photo_uploads: list[PhotoUpload],
                uploads: Path, now: datetime) -> ProgressUpdate:
    """Add a report (进度 or 整改情况) with its photos and move the project's figures.

    Raises Forbidden, WrongState or InvalidRequest (naming the field) before anything is
    written; photos.PhotoRejected/PhotoTooLarge (naming the photo) if one photo is bad — then
    none is stored. Photo files are removed again unless the caller commits.
    """
    require_reporter(author, project)
    require_tracked(project)
    if kind not in KINDS:
        raise InvalidRequest(_("报告类型无效。"))
    if kind == "rectification" and not project.rectification:
        raise WrongState(_("该项目没有整改要求，不能报告整改情况。"))
    rectifying = kind == "rectification"
    _check_percent(percent, project.rectification_progress if rectifying else project.progress,
                   rectification=rectifying)
    _check_funds(project, funds_spent_wan)
    narrative = (narrative or "").strip()
    if not narrative:
        raise InvalidRequest(_("请填写进展情况。"), field="narrative")
    if len(narrative) > MAX_NARRATIVE:
        raise InvalidRequest(_("进展情况不能超过%(n)d个字。", n=MAX_NARRATIVE),
                             field="narrative")
    if len(photo_uploads) > MAX_PHOTOS:
        raise InvalidRequest(_("每次最多上传%(n)d张照片。", n=MAX_PHOTOS), field="photos")
    if any(len(upload.caption.strip()) > MAX_CAPTION for upload in photo_uploads):
        raise InvalidRequest(_("照片说明不能超过%(n)d个字。", n=MAX_CAPTION), field="photos")
    checked = []
    for number, upload in enumerate(photo_uploads, start=1):
        try:
            checked.append(photos.check_photo(upload.data, upload.caption.strip()))
        except photos.PhotoRejected as error:
            error.message = _("第%(n)d张照片：%(why)s", n=number, why=error.message)
            error.details.update(field="photos", photo=number)
            raise
    update = ProgressUpdate(project=project, author=author, posted_at=now, kind=kind,
                            percent=percent, narrative=narrative,
                            funds_spent_wan=funds_spent_wan)
    db.session.add(update)
    if kind == "rectification":
        project.rectification_progress = percent
    else:
        project.progress = percent
        _settle_status(project)
    if funds_spent_wan is not None:
        project.funds_spent_wan = funds_spent_wan
    for stored in photos.write_photos(checked, uploads):
        update.photos.append(Photo(filename=stored.filename, width=stored.width,
                                   height=stored.height, caption=stored.caption))
    db.session.flush()
    return update


def _check_percent(percent: int | None, last: int, *, rectification: bool) -> None:
    """A cumulative percent, of the project or of its rectification: 0–100, not below `last`."""
    if percent is None or not 0 <= percent <= 100:
        raise InvalidRequest(_("整改进度应在0到100之间。") if rectification
                             else _("完成进度应在0到100之间。"), field="percent")
    if percent < last:
        raise InvalidRequest(
            _("整改进度是累计数，不能低于上次报告的%(p)d%%；遇到反复请在整改情况中说明。", p=last)
            if rectification else
            _("完成进度是累计数，不能低于上次报告的%(p)d%%；遇到反复请在进展情况中说明。", p=last),
            field="percent")


def _check_funds(project: Project, funds: Decimal | None) -> None:
    if funds is None:
        return
    if not funds.is_finite() or funds < 0:
        raise InvalidRequest(_("累计完成投资不能为负数。"), field="funds_spent_wan")
    ceiling = (project.budget_wan * FUNDS_SLACK).quantize(Decimal("0.01"))
    if funds > ceiling:
        raise InvalidRequest(
            _("累计完成投资%(funds)s万元超过总投资%(budget)s万元的120%%，请核对单位（万元）。",
              funds=_wan(funds), budget=_wan(project.budget_wan)), field="funds_spent_wan")


def _wan(amount: Decimal) -> str:
    """4800 → "4,800", 1200.5 → "1,200.50" (as the pages show 万元)."""
    return f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"


def _settle_status(project: Project) -> None:
    """selected → in_progress on the first sign of work; → completed at 100 % with every
    milestone met. Never backwards."""
    if project.status == "selected":
        project.status = "in_progress"
    if (project.status == "in_progress" and project.progress >= 100
            and all(m.done_on is not None for m in project.milestones)):
        project.status = "completed"


# ------------------------------------------------------------------------------ rectification

def rectification_status(project: Project) -> str | None:
    """None (no 整改 ordered), "under_way" (ordered, not confirmed complete) or "completed"
    (a clerk confirmed it complete on `project.rectified_on`)."""
    if project.rectification:
        return "under_way"
    return "completed" if project.rectified_on is not None else None


def order_rectification(project: Project, ordered: bool) -> None:
    """What a published evaluation decides: 整改 ordered (or not). A rectification ordered anew
    starts again from 0 % and unconfirmed; one still under way keeps its progress."""
    if ordered and not project.rectification:
        project.rectification_progress = 0
        project.rectified_on = None
    project.rectification = ordered


def may_confirm_rectification(user: User) -> bool:
    """Clerks (and administrators) confirm a rectification complete; units only report on it."""
    return user.role in ("clerk", "admin")


def confirm_rectified(project: Project, clerk: User, *, done_on: date | None,
                      today: date) -> Project:
    """整改完成: a clerk confirms the rectification complete on `done_on`; it is no longer under
    way (`rectification` cleared, `rectified_on` kept).

    Raises Forbidden for anyone but a clerk or administrator, WrongState unless the project is
    under rectification and its unit has reported on it since the evaluation was published,
    InvalidRequest (field `done_on`) for a day after today or before that publication.
    """
    if not may_confirm_rectification(clerk):
        raise Forbidden(_("整改完成须由人大工作人员确认，承办单位只报告整改情况。"))
    if not project.rectification:
        raise WrongState(_("该项目没有正在进行的整改，不能确认整改完成。"))
    ordered_on = rectification_ordered_on(project)
    if not _reported_since(project, ordered_on):
        raise WrongState(_("承办单位还没有报告整改情况，不能确认整改完成。"))
    if done_on is None:
        raise InvalidRequest(_("请填写整改完成日期。"), field="done_on")
    if done_on > today:
        raise InvalidRequest(_("整改完成日期不能晚于今天。"), field="done_on")
    earliest = ordered_on.date() if ordered_on else EARLIEST
    if done_on < earliest:
        raise InvalidRequest(_("整改完成日期不能早于测评结果公布的日期（%(day)s）。",
                               day=earliest.isoformat()), field="done_on")
    project.rectification = False
    project.rectified_on = done_on
    db.session.flush()
    return project


def rectification_ordered_on(project: Project) -> datetime | None:
    """When the latest published evaluation of `project` was published (it ordered the 整改)."""
    return db.session.scalar(
        db.select(func.max(Ballot.published_at)).join(BallotCandidate)
        .where(BallotCandidate.project_id == project.id, Ballot.kind == "evaluation",
               Ballot.state == "published"))


def _reported_since(project: Project, since: datetime | None) -> bool:
    query = db.select(ProgressUpdate.id).where(ProgressUpdate.project_id == project.id,
                                               ProgressUpdate.kind == "rectification")
    if since is not None:
        query = query.where(ProgressUpdate.posted_at >= since)
    return db.session.scalar(query.limit(1)) is not None


# ------------------------------------------------------------------------------ milestones

def add_milestone(project: Project, author: User, *, title: str, due_on: date,
                  today: date) -> Milestone:
    """A new milestone (节点) due on `due_on`, not in the past."""
    require_reporter(author, project)
    require_tracked(project)
    title = (title or "").strip()
    if not title:
        raise InvalidRequest(_("请填写节点名称。"), field="title")
    if len(title) > 120:
        raise InvalidRequest(_("节点名称不能超过%(n)d个字。", n=120), field="title")
    _check_future(due_on, today)
    milestone = Milestone(project=project, title=title, due_on=due_on)
    db.session.add(milestone)
    db.session.flush()
    return milestone


def reschedule_milestone(milestone: Milestone, author: User, *, due_on: date,
                         today: date) -> Milestone:
    """Move the date of a milestone not met and not missed yet, to today or later."""
    require_reporter(author, milestone.project)
    require_tracked(milestone.project)
    if milestone.done_on is not None:
        raise WrongState(_("该节点已经完成，不能再改期。"))
    if milestone.is_overdue(today):
        raise WrongState(_("该节点已经逾期，不能改期：逾期记录保留，完成后请标记完成。"))
    _check_future(due_on, today)
    milestone.due_on = due_on
    db.session.flush()
    return milestone


def complete_milestone(milestone: Milestone, author: User, *, done_on: date,
                       today: date) -> Milestone:
    """Mark a milestone met on `done_on` (not after today)."""
    project = milestone.project
    require_reporter(author, project)
    require_tracked(project)
    if milestone.done_on is not None:
        raise WrongState(_("该节点已经标记完成。"))
    if done_on is None or done_on > today:
        raise InvalidRequest(_("完成日期不能晚于今天。"), field="done_on")
    if done_on < EARLIEST:
        raise InvalidRequest(_("完成日期不正确。"), field="done_on")
    milestone.done_on = done_on
    _settle_status(project)
    db.session.flush()
    return milestone


def _check_future(due_on: date | None, today: date) -> None:
    if due_on is None:
        raise InvalidRequest(_("请填写计划完成日期。"), field="due_on")
    if due_on < today:
        raise InvalidRequest(_("计划完成日期不能早于今天。"), field="due_on")
    if due_on.year > today.year + 10:
        raise InvalidRequest(_("计划完成日期太远，请核对。"), field="due_on")


# ------------------------------------------------------------------------------ supervision

def record_note(project: Project, clerk: User, *, inspected_on: date, group: str, text: str,
                today: date) -> SupervisionNote:
    """视察意见 of a deputies' supervision group, recorded by a clerk."""
    group, text = (group or "").strip(), (text or "").strip()
    if inspected_on is None or not EARLIEST <= inspected_on <= today:
        raise InvalidRequest(_("视察日期不能晚于今天。"), field="inspected_on")
    if not group:
        raise InvalidRequest(_("请填写监督小组。"), field="group")
    if len(group) > 80:
        raise InvalidRequest(_("监督小组名称不能超过%(n)d个字。", n=80), field="group")
    if not text:
        raise InvalidRequest(_("请填写视察意见。"), field="text")
    if len(text) > MAX_NOTE:
        raise InvalidRequest(_("视察意见不能超过%(n)d个字。", n=MAX_NOTE), field="text")
    note = SupervisionNote(project=project, inspected_on=inspected_on, group=group, text=text,
                           recorded_by_id=clerk.id)
    db.session.add(note)
    db.session.flush()
    return note


def known_groups(limit: int = 30) -> list[str]:
    """Supervision groups named before, most used first (suggestions for the form)."""
    return list(db.session.scalars(
        db.select(SupervisionNote.group).group_by(SupervisionNote.group)
        .order_by(func.count().desc(), SupervisionNote.group).limit(limit)))


# ------------------------------------------------------------------------------ overview

SHOW = ("all", "delayed", "rectification", "rectified")


@dataclass
class TrackedRow:
    """One line of the overview: a project and what the clerk looks at first."""

    project: Project
    delayed: bool
    overdue: list[Milestone]  # missed milestones, earliest first
    next_due: Milestone | None  # the next milestone not met and not missed
    last_report: datetime | None


def overview(today: date, *, year: int | None = None, jurisdiction_id: int | None = None,
             unit_id: int | None = None, show: str = "all") -> list[TrackedRow]:
    """Tracked projects: delayed first, then under rectification, then the least advanced.

    `year` None is every year; `show` is one of SHOW.
    """
    query = (db.select(Project).where(Project.status.in_(TRACKED))
             .options(selectinload(Project.milestones), selectinload(Project.unit),
                      selectinload(Project.jurisdiction)))
    if year:
        query = query.where(Project.year == year)
    if jurisdiction_id:
        query = query.where(Project.jurisdiction_id == jurisdiction_id)
    if unit_id:
        query = query.where(Project.unit_id == unit_id)
    if show == "rectification":
        query = query.where(Project.rectification.is_(True))
    elif show == "rectified":
        query = query.where(Project.rectification.is_(False), Project.rectified_on.is_not(None))
    projects = list(db.session.scalars(query))
    latest = dict(db.session.execute(
        db.select(ProgressUpdate.project_id, func.max(ProgressUpdate.posted_at))
        .where(ProgressUpdate.project_id.in_([p.id for p in projects]))
        .group_by(ProgressUpdate.project_id)).all()) if projects else {}
    rows = [_row(p, today, latest.get(p.id)) for p in projects]
    if show == "delayed":
        rows = [r for r in rows if r.delayed]
    rows.sort(key=lambda r: (not r.delayed, not r.project.rectification, r.project.progress,
                             r.project.id))
    return rows


def _row(project: Project, today: date, last_report: datetime | None) -> TrackedRow:
    overdue = [m for m in project.milestones if m.is_overdue(today)]
    coming = [m for m in project.milestones if m.done_on is None and not m.is_overdue(today)]
    return TrackedRow(project=project, delayed=bool(overdue), overdue=overdue,
                      next_due=coming[0] if coming else None, last_report=last_report)


def tracked_years() -> list[int]:
    """Years that have tracked projects, newest first."""
    return list(db.session.scalars(
        db.select(Project.year).where(Project.status.in_(TRACKED)).distinct()
        .order_by(Project.year.desc())))


def project_row(project: Project, today: date) -> TrackedRow:
    last = db.session.scalar(db.select(func.max(ProgressUpdate.posted_at))
                             .where(ProgressUpdate.project_id == project.id))
    return _row(project, today, last)
