"""`voting project note|delayed|update|rectified`: following the projects after the vote (政府办).

The web's forms (`voting.office.tracking`) and `voting.services.progress`: a clerk records a
supervision group's notes, reads the overview (delayed first) and confirms a rectification
complete (整改完成); a unit's report (progress, or rectification with `--rectification`) can be
posted from a file, for bulk imports by the 人大 office, in the unit account's name (`--as`),
under exactly the rules of the unit's own page.
"""

import json
from datetime import date, datetime
from pathlib import Path

import click
from flask import current_app
from flask_babel import gettext as _

from voting.cli.app import in_app
from voting.cli.forms import (
    ROW_ID,
    checked,
    jurisdiction_named,
    number,
    one_line,
    plain,
    read_text,
    user_named,
)
from voting.errors import InvalidRequest, NotFound
from voting.extensions import db
from voting.models import Project
from voting.office.tracking import NoteForm, RectifiedForm, ReportForm
from voting.services import photos, progress
from voting.services.ballots import decimal_text


def tracked_project(project_id: int) -> Project:
    """A project decided by a vote (selected, in progress, completed), else NotFound."""
    found = db.session.get(Project, project_id) if 0 < project_id < 2**62 else None
    if found is None or found.status not in progress.TRACKED:
        raise NotFound(_("找不到该项目，或该项目尚未经票决确定实施。"))
    return found


@click.command("note")
@click.argument("project_id", type=ROW_ID)
@click.option("--date", "inspected_on", metavar="YYYY-MM-DD", help="视察日期 (default: today)")
@click.option("--group", required=True, help="监督小组, e.g. 第三代表监督小组")
@click.option("--text", help="视察意见")
@click.option("--text-file", type=click.File(encoding="utf-8"),
              help="The 视察意见 from a UTF-8 file (- for stdin)")
@click.option("--as", "username", required=True, help="The clerk recording it (username)")
@in_app
def note(project_id, inspected_on, group, text, text_file, username):
    """Record the 视察意见 of a deputies' supervision group on a project."""
    found = tracked_project(project_id)
    clerk = user_named(username, "clerk")
    form = checked(NoteForm, {"inspected_on": inspected_on, "group": group,
                              "text": read_text(text, text_file)}, options={
                                  "inspected_on": "--date"})
    progress.record_note(found, clerk, inspected_on=form.inspected_on.data,
                         group=form.group.data, text=form.text.data, today=date.today())
    db.session.commit()
    click.echo(_("已记录%(group)s的视察意见。", group=form.group.data))


@click.command("delayed")
@click.option("--year", help="实施年度, or all (default: the latest with tracked projects)")
@click.option("--jurisdiction", help="行政区 name or id")
@click.option("--show", type=click.Choice(progress.SHOW), default="all", show_default=True,
              help="all tracked projects, only the delayed, those under rectification, or "
                   "those whose rectification was confirmed complete")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output")
@in_app
def delayed(year, jurisdiction, show, as_json):
    """The tracking overview: delayed first, then under rectification, then the least advanced."""
    today = date.today()
    rows = progress.overview(today, year=_year(year),
                             jurisdiction_id=jurisdiction_named(jurisdiction).id
                             if jurisdiction else None, show=show)
    records = [_record(row) for row in rows]
    if as_json:
        click.echo(json.dumps(records, ensure_ascii=False, indent=1))
        return
    for r in records:
        flags = " ".join(flag for flag, on in (
            (_("滞后"), r["delayed"]), (_("整改"), r["rectification"]),
            (_("整改已完成"), r["rectification_status"] == "completed")) if on)
        late = "; ".join(f"{m['title']} {m['due_on']}" for m in r["overdue"])
        click.echo(f"{r['id']:>5}  {r['progress']:>3}%  {flags or '—'}  {r['title']}  "
                   f"{r['unit'] or '—'}" + (f"  ({late})" if late else ""))
    click.echo(_("共%(n)d个项目，滞后%(d)d个。", n=len(records),
                 d=sum(r["delayed"] for r in records)))


def _year(text: str | None) -> int | None:
    if text == "all":
        return None
    if text is None:
        years = progress.tracked_years()
        return years[0] if years else None
    year = number(one_line(text))
    if year is None or not 2000 <= year <= 2100:
        raise InvalidRequest(_("年度应为2000到2100之间的数字，或 all。"))
    return year


def _record(row: progress.TrackedRow) -> dict:
    p = row.project
    return {"id": p.id, "title": p.title, "year": p.year, "jurisdiction": p.jurisdiction.name,
            "unit": p.unit.name if p.unit else "", "status": p.status, "progress": p.progress,
            "budget_wan": decimal_text(p.budget_wan),
            "funds_spent_wan": decimal_text(p.funds_spent_wan), "delayed": row.delayed,
            "rectification": bool(p.rectification),
            "rectification_status": progress.rectification_status(p),
            "rectification_progress": p.rectification_progress,
            "rectified_on": p.rectified_on.isoformat() if p.rectified_on else None,
            "overdue": [{"title": m.title, "due_on": m.due_on.isoformat()} for m in row.overdue],
            "next_due": {"title": row.next_due.title, "due_on": row.next_due.due_on.isoformat()}
            if row.next_due else None,
            "last_report": row.last_report.isoformat(timespec="seconds")
            if row.last_report else None}


@click.command("update")
@click.argument("project_id", type=ROW_ID)
@click.option("--percent", required=True,
              help="累计完成进度, 0–100, never below the last (with --rectification: 整改进度)")
@click.option("--narrative", help="进展情况")
@click.option("--narrative-file", type=click.File(encoding="utf-8"),
              help="The 进展情况 from a UTF-8 file (- for stdin)")
@click.option("--funds", "funds_spent_wan", help="累计完成投资, 万元")
@click.option("--photo", "photo_files", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help=f"A site photo (JPEG, PNG, WebP); up to {progress.MAX_PHOTOS}")
@click.option("--caption", "captions", multiple=True, help="Caption of the photo at its place")
@click.option("--rectification", is_flag=True, help="A report on 整改 (rectification)")
@click.option("--as", "username", required=True, help="The responsible unit's account")
@in_app
def update(project_id, percent, narrative, narrative_file, funds_spent_wan, photo_files,
           captions, rectification, username):
    """Post a progress report in a unit account's name, as on the unit's own page."""
    found = tracked_project(project_id)
    author = user_named(username, "unit")
    form = checked(ReportForm, {"percent": percent, "funds_spent_wan": funds_spent_wan,
                                "narrative": read_text(narrative, narrative_file)},
                   options={"funds_spent_wan": "--funds"})
    if len(captions) > len(photo_files):
        raise InvalidRequest(_("填写了照片说明，但没有选择照片。"))
    uploads = [progress.PhotoUpload(_read_photo(path, number), plain(caption))
               for number, (path, caption) in enumerate(
                   zip(photo_files, [*captions, *[""] * len(photo_files)], strict=False),
                   start=1)]
    saved = progress.post_update(
        found, author, kind="rectification" if rectification else "progress",
        percent=form.percent.data, narrative=form.narrative.data,
        funds_spent_wan=form.funds_spent_wan.data, photo_uploads=uploads,
        uploads=Path(current_app.instance_path) / "uploads", now=datetime.now())
    db.session.commit()
    click.echo(_("已报告整改情况。") if rectification else
               _("已报告进度（%(p)d%%，照片%(n)d张）。", p=saved.percent, n=len(saved.photos)))


def _read_photo(path: Path, number: int) -> bytes:
    """The file's bytes, at most MAX_PHOTO_BYTES (else PhotoTooLarge naming the photo)."""
    with path.open("rb") as stream:
        try:
            return photos.read_upload(stream, current_app.config["MAX_PHOTO_BYTES"])
        except photos.PhotoRejected as error:
            error.message = _("第%(n)d张照片：%(why)s", n=number, why=error.message)
            raise


@click.command("rectified")
@click.argument("project_id", type=ROW_ID)
@click.option("--date", "done_on", metavar="YYYY-MM-DD", help="整改完成日期 (default: today)")
@click.option("--as", "username", required=True, help="The clerk confirming it (username)")
@in_app
def rectified(project_id, done_on, username):
    """Confirm that a project's rectification (整改) is complete, as on its tracking page."""
    found = tracked_project(project_id)
    clerk = user_named(username, "clerk")
    form = checked(RectifiedForm, {"done_on": done_on}, options={"done_on": "--date"})
    progress.confirm_rectified(found, clerk, done_on=form.done_on.data, today=date.today())
    db.session.commit()
    click.echo(_("已确认整改完成（%(day)s）。", day=form.done_on.data.isoformat()))
