"""政府办: units report progress on their own projects; clerks follow delays and supervision.

Units (`unit`) see and change only the projects of their own unit: the check is
`progress.require_reporter` / `require_viewer`, made before any form is read. Clerks (and
administrators) see every tracked project, record the supervision groups' notes and confirm a
rectification complete (整改完成). The rules themselves are in `voting.services.progress`, the
photo pipeline in `voting.services.photos`. A report too large to read (413) shows the report
form again, saying what the limits are.
"""

from datetime import date, datetime
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import FieldList, Form, FormField, StringField, TextAreaField
from wtforms.validators import Optional, ValidationError

from voting.auth.guards import role_required
from voting.errors import HTTP_MESSAGES, NotFound, VotingError, WrongState, answer
from voting.extensions import db
from voting.models import Milestone, Project, ResponsibleUnit
from voting.office import choices
from voting.office.forms import (
    Amount,
    Day,
    Integer,
    at_most,
    attach_error,
    between,
    given,
    required,
    strip,
)
from voting.office.labels import office_context
from voting.services import photos, progress

bp = Blueprint("office_tracking", __name__, url_prefix="/office/tracking")
bp.context_processor(office_context)


# Forms -------------------------------------------------------------------------------------------

class PhotoSlot(Form):
    file = FileField(_l("照片"))
    caption = StringField(_l("照片说明"), filters=[strip], validators=[at_most(200)])

    def validate_caption(self, field):
        if field.data and not self.file.data:
            raise ValidationError(_l("填写了照片说明，但没有选择照片。"))


class ReportForm(FlaskForm):
    percent = Integer(_l("累计完成进度（%）"), validators=[given(_l("完成进度")), between(0, 100)])
    funds_spent_wan = Amount(_l("累计完成投资（万元）"), places=2, validators=[Optional()])
    narrative = TextAreaField(_l("进展情况"), filters=[strip], validators=[
        required(_l("进展情况")), at_most(progress.MAX_NARRATIVE)])
    photos = FieldList(FormField(PhotoSlot), min_entries=progress.MAX_PHOTOS,
                       max_entries=progress.MAX_PHOTOS)


class MilestoneForm(FlaskForm):
    title = StringField(_l("节点名称"), filters=[strip],
                        validators=[required(_l("节点名称")), at_most(120)])
    due_on = Day(_l("计划完成日期"), validators=[given(_l("计划完成日期"))])


class RescheduleForm(FlaskForm):
    due_on = Day(_l("新的计划完成日期"), validators=[given(_l("计划完成日期"))])


class DoneForm(FlaskForm):
    done_on = Day(_l("实际完成日期"), default=date.today, validators=[given(_l("完成日期"))])


class RectifiedForm(FlaskForm):
    done_on = Day(_l("整改完成日期"), default=date.today, validators=[given(_l("整改完成日期"))])


class NoteForm(FlaskForm):
    inspected_on = Day(_l("视察日期"), default=date.today, validators=[given(_l("视察日期"))])
    group = StringField(_l("监督小组"), filters=[strip],
                        validators=[required(_l("监督小组")), at_most(80)])
    text = TextAreaField(_l("视察意见"), filters=[strip],
                         validators=[required(_l("视察意见")), at_most(progress.MAX_NOTE)])


# Overview ----------------------------------------------------------------------------------------

@bp.route("/")
@role_required("clerk", "unit")
def index():
    """Clerks: every tracked project of a year, delayed first. Units: their own projects."""
    today = date.today()
    if current_user.role == "unit":
        rows = progress.overview(today, unit_id=current_user.unit_id) \
            if current_user.unit_id else []
        return render_template("office/tracking/unit_index.html", rows=rows, today=today)
    years = progress.tracked_years()
    filters = _overview_filters(years)
    rows = progress.overview(today, year=filters["year"], jurisdiction_id=filters["jurisdiction"],
                             unit_id=filters["unit"], show=filters["show"])
    everything = progress.overview(today, year=filters["year"]) \
        if any(filters[k] for k in ("jurisdiction", "unit")) or filters["show"] != "all" else rows
    return render_template(
        "office/tracking/index.html", rows=rows, filters=filters, years=years, today=today,
        summary=_summary(everything), jurisdictions=choices.jurisdictions(),
        units=list(db.session.scalars(db.select(ResponsibleUnit).order_by(
            ResponsibleUnit.jurisdiction_id, ResponsibleUnit.name))),
        rectifying=len(progress.overview(today, show="rectification")))


def _overview_filters(years: list[int]) -> dict:
    wanted = request.args.get("year", "")
    if wanted == "all":
        year = None
    elif wanted.isdigit() and int(wanted) in years:
        year = int(wanted)
    else:
        year = years[0] if years else None
    show = request.args.get("show", "all")
    return {"year": year, "jurisdiction": request.args.get("jurisdiction", type=int),
            "unit": request.args.get("unit", type=int),
            "show": show if show in progress.SHOW else "all"}


def _summary(rows: list[progress.TrackedRow]) -> dict:
    return {"total": len(rows), "delayed": sum(r.delayed for r in rows),
            "rectification": sum(r.project.rectification for r in rows),
            "rectified": sum(progress.rectification_status(r.project) == "completed"
                             for r in rows),
            "completed": sum(r.project.status == "completed" for r in rows)}


# One project -------------------------------------------------------------------------------------

@bp.route("/projects/<int:project_id>")
@role_required("clerk", "unit")
def project(project_id):
    found = _tracked_project(project_id)
    progress.require_viewer(current_user, found)
    return _project_page(found)


def _tracked_project(project_id: int) -> Project:
    found = db.session.get(Project, project_id)
    if found is None or found.status not in progress.TRACKED:
        raise NotFound(_("找不到该项目，或该项目尚未经票决确定实施。"))
    return found


def _own_project(project_id: int) -> Project:
    """The project, if the signed-in unit account is its responsible unit (else 404/403)."""
    found = _tracked_project(project_id)
    progress.require_reporter(current_user, found)
    return found


def _project_page(project: Project, status: int = 200,
                  milestone_errors: dict[int, list[str]] | None = None, **forms):
    """The tracking page. `forms`: a bound form with its errors, shown instead of a blank one;
    `milestone_errors`: milestone id → messages of a refused date change or completion."""
    today = date.today()
    owner = progress.may_report(current_user, project)
    clerk = current_user.role in ("clerk", "admin")
    if clerk:
        forms.setdefault("note_form", NoteForm(formdata=None))
        forms.setdefault("rectified_form", RectifiedForm(formdata=None))
    if owner:
        forms.setdefault("milestone_form", MilestoneForm(formdata=None))
    return render_template(
        "office/tracking/project.html", project=project, row=progress.project_row(project, today),
        today=today, owner=owner, clerk=clerk, milestone_errors=milestone_errors or {},
        groups=progress.known_groups() if clerk else [], **forms), status


# Reports (units) ---------------------------------------------------------------------------------

@bp.route("/projects/<int:project_id>/report", methods=["GET", "POST"])
@role_required("unit")
def report(project_id):
    """进度: percent, funds spent, narrative and up to MAX_PHOTOS photos."""
    return _report(_own_project(project_id), "progress")


@bp.route("/projects/<int:project_id>/rectify", methods=["GET", "POST"])
@role_required("unit")
def rectify(project_id):
    """整改情况: the same report, for a project flagged for rectification after its rating."""
    found = _own_project(project_id)
    if not found.rectification:
        raise WrongState(_("该项目没有整改要求，不能报告整改情况。"))
    return _report(found, "rectification")


def _report(project: Project, kind: str):
    form = _report_form(project, kind, ReportForm())
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            update = progress.post_update(
                project, current_user, kind=kind, percent=form.percent.data,
                narrative=form.narrative.data, funds_spent_wan=form.funds_spent_wan.data,
                photo_uploads=_photo_uploads(form), uploads=_uploads(), now=datetime.now())
            db.session.commit()
        except VotingError as error:
            db.session.rollback()
            _attach_report_error(form, error)
            status = error.status
        else:
            flash(_("已报告整改情况。") if kind == "rectification" else
                  _("已报告进度（%(p)d%%，照片%(n)d张）。", p=update.percent,
                    n=len(update.photos)), "success")
            return redirect(url_for(".project", project_id=project.id, _anchor="updates"))
    # A browser never sends chosen files again: say so when a refused report carried photos.
    dropped = form.is_submitted() and any(slot.file.data for slot in form.photos)
    return _report_page(form, project, kind, status, photos_dropped=dropped)


def _report_form(project: Project, kind: str, form: ReportForm) -> ReportForm:
    """The report form, its percent the rectification's own for a 整改 report; a blank form
    starts from the figures last reported."""
    last = project.rectification_progress if kind == "rectification" else project.progress
    if kind == "rectification":
        form.percent.label.text = _("累计整改进度（%）")
    if not form.is_submitted():
        form.percent.data = last
        form.funds_spent_wan.data = project.funds_spent_wan
    return form


def _report_page(form: ReportForm, project: Project, kind: str, status: int, **extra):
    return render_template("office/tracking/report.html", form=form, project=project, kind=kind,
                           limits=upload_limits(), **extra), status


def upload_limits() -> dict:
    """What a report may carry, in whole MB: each photo, and the whole report."""
    config = current_app.config
    return {"photo_mb": config["MAX_PHOTO_BYTES"] // (1024 * 1024),
            "total_mb": (config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024),
            "photos": progress.MAX_PHOTOS}


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """413: the body was not read, so nothing typed can come back; the report form is shown
    again (to its unit) with the limits, else a page that states them."""
    limits = upload_limits()
    message = _("提交的内容太大，报告没有提交。照片每张不超过%(photo)d MB，"
                "一次报告的内容（含全部照片）合计不超过%(total)d MB；"
                "照片较大时请分几次报告，或先在手机上压缩。",
                photo=limits["photo_mb"], total=limits["total_mb"])
    kind = {"office_tracking.report": "progress",
            "office_tracking.rectify": "rectification"}.get(request.endpoint)
    project = _reporting_on(request.view_args or {}) if kind else None
    if project is None or (kind == "rectification" and not project.rectification):
        return answer(413, HTTP_MESSAGES[413][0], message)
    form = _report_form(project, kind, ReportForm(formdata=None))
    form.form_errors.append(message)
    return _report_page(form, project, kind, 413, too_large=True)


def _reporting_on(view_args: dict) -> Project | None:
    """The project of the report URL, if the signed-in account is its unit (else None)."""
    if not (current_user.is_authenticated and current_user.role == "unit"):
        return None
    found = db.session.get(Project, view_args.get("project_id") or 0)
    if found is None or found.status not in progress.TRACKED \
            or not progress.may_report(current_user, found):
        return None
    return found


def _photo_uploads(form: ReportForm) -> list[progress.PhotoUpload]:
    """The chosen photos, each read up to MAX_PHOTO_BYTES (more: PhotoTooLarge, naming it)."""
    limit = current_app.config["MAX_PHOTO_BYTES"]
    uploads = []
    for number, slot in enumerate(form.photos, start=1):
        if not slot.file.data:
            continue
        try:
            data = photos.read_upload(slot.file.data.stream, limit)
        except photos.PhotoRejected as error:
            error.details["photo"] = number
            raise
        uploads.append(progress.PhotoUpload(data, slot.caption.data or ""))
    return uploads


def _attach_report_error(form: ReportForm, error: VotingError) -> None:
    number = error.details.get("photo")
    if number:  # at the top, where a phone's screen starts, and beside the photo
        form.form_errors.append(error.message)
        form.photos[number - 1].file.errors = [error.message]
    elif error.details.get("field") == "photos":
        form.form_errors.append(error.message)
    else:
        attach_error(form, error)


def _uploads() -> Path:
    return Path(current_app.instance_path) / "uploads"


# Milestones (units) ------------------------------------------------------------------------------

@bp.route("/projects/<int:project_id>/milestones", methods=["POST"])
@role_required("unit")
def add_milestone(project_id):
    found = _own_project(project_id)
    form = MilestoneForm()
    if form.validate_on_submit():
        try:
            progress.add_milestone(found, current_user, title=form.title.data,
                                   due_on=form.due_on.data, today=date.today())
            db.session.commit()
        except VotingError as error:
            db.session.rollback()
            attach_error(form, error)
            return _project_page(found, error.status, milestone_form=form)
        flash(_("已添加节点“%(title)s”。", title=form.title.data), "success")
        return redirect(url_for(".project", project_id=found.id, _anchor="milestones"))
    return _project_page(found, 400, milestone_form=form)


@bp.route("/projects/<int:project_id>/milestones/<int:milestone_id>/reschedule",
          methods=["POST"])
@role_required("unit")
def reschedule_milestone(project_id, milestone_id):
    return _milestone_action(
        project_id, milestone_id, RescheduleForm(),
        lambda milestone, form: progress.reschedule_milestone(
            milestone, current_user, due_on=form.due_on.data, today=date.today()),
        _("节点“%(title)s”已改期。"))


@bp.route("/projects/<int:project_id>/milestones/<int:milestone_id>/done", methods=["POST"])
@role_required("unit")
def complete_milestone(project_id, milestone_id):
    return _milestone_action(
        project_id, milestone_id, DoneForm(),
        lambda milestone, form: progress.complete_milestone(
            milestone, current_user, done_on=form.done_on.data, today=date.today()),
        _("节点“%(title)s”已标记完成。"))


def _milestone_action(project_id, milestone_id, form, act, done_message):
    """Load the unit's own milestone, check the form, act, commit; else the page with why."""
    found, milestone = _own_milestone(project_id, milestone_id)
    if not form.validate_on_submit():
        return _project_page(found, 400, {milestone.id: _form_messages(form)})
    try:
        act(milestone, form)
        db.session.commit()
    except VotingError as error:
        return _milestone_refused(found, milestone, error)
    flash(done_message % {"title": milestone.title}, "success")
    return redirect(url_for(".project", project_id=found.id, _anchor="milestones"))


def _own_milestone(project_id: int, milestone_id: int) -> tuple[Project, Milestone]:
    found = _own_project(project_id)
    milestone = db.session.get(Milestone, milestone_id)
    if milestone is None or milestone.project_id != found.id:
        raise NotFound(_("找不到该节点。"))
    return found, milestone


def _milestone_refused(project: Project, milestone: Milestone, error: VotingError):
    db.session.rollback()
    return _project_page(project, error.status, {milestone.id: [error.message]})


def _form_messages(form: FlaskForm) -> list[str]:
    return [message for errors in form.errors.values() for message in errors]


# Rectification (clerks) --------------------------------------------------------------------------

@bp.route("/projects/<int:project_id>/rectified", methods=["POST"])
@role_required("clerk")
def rectified(project_id):
    """整改完成: a clerk confirms, on a day, that the unit's rectification is complete."""
    found = _tracked_project(project_id)
    form = RectifiedForm()
    if form.validate_on_submit():
        try:
            progress.confirm_rectified(found, current_user, done_on=form.done_on.data,
                                       today=date.today())
            db.session.commit()
        except VotingError as error:
            db.session.rollback()
            attach_error(form, error)
            return _project_page(found, error.status, rectified_form=form)
        flash(_("已确认整改完成（%(day)s）。", day=form.done_on.data.isoformat()), "success")
        return redirect(url_for(".project", project_id=found.id))
    return _project_page(found, 400, rectified_form=form)


# Supervision notes (clerks) ----------------------------------------------------------------------

@bp.route("/projects/<int:project_id>/notes", methods=["POST"])
@role_required("clerk")
def add_note(project_id):
    """视察意见 of a deputies' supervision group (代表监督小组), recorded by a clerk."""
    found = _tracked_project(project_id)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            progress.record_note(found, current_user, inspected_on=form.inspected_on.data,
                                 group=form.group.data, text=form.text.data, today=date.today())
            db.session.commit()
        except VotingError as error:
            db.session.rollback()
            attach_error(form, error)
            return _project_page(found, error.status, note_form=form)
        flash(_("已记录%(group)s的视察意见。", group=form.group.data), "success")
        return redirect(url_for(".project", project_id=found.id, _anchor="notes"))
    return _project_page(found, 400, note_form=form)
