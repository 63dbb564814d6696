"""Roster files: upload → preview (every row, its errors) → confirm (all or nothing); export.

Between preview and confirm the upload stays on the server under a random name; the clerk's
signed session holds that name, the jurisdiction and the file's SHA-256, all checked again on
confirm, and every row is checked again against the roster as it is then.
"""

import hashlib
import io

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _

from voting.auth.guards import role_required
from voting.errors import InvalidRequest
from voting.extensions import db
from voting.models import Jurisdiction
from voting.office import choices
from voting.office.forms import ConfirmImportForm, ImportForm
from voting.office.labels import office_context
from voting.services import roster_files

bp = Blueprint("office_roster", __name__, url_prefix="/office/roster")
bp.context_processor(office_context)

PENDING = "roster_import"  # key in the signed session cookie


@bp.route("/import", methods=["GET", "POST"])
@role_required("clerk")
def upload():
    form = ImportForm()
    form.jurisdiction.choices = choices.jurisdiction_choices()
    if not form.is_submitted():
        selected = choices.chosen_jurisdiction()
        form.jurisdiction.data = selected.id if selected else None
    if form.validate_on_submit():
        jurisdiction = db.session.get(Jurisdiction, form.jurisdiction.data)
        max_bytes = current_app.config["MAX_IMPORT_BYTES"]
        data = form.file.data.read(max_bytes + 1)
        filename = form.file.data.filename or ""
        try:
            roster_files.load_roster_file(jurisdiction, data, filename, max_bytes)
        except InvalidRequest as error:
            form.file.errors.append(error.message)
        else:
            _forget_pending()
            name = roster_files.stash_upload(data, filename)
            session[PENDING] = {"upload": name, "jurisdiction": jurisdiction.id,
                                "sha256": hashlib.sha256(data).hexdigest(),
                                "filename": filename[-120:]}
            return redirect(url_for(".preview"))
    status = 400 if form.is_submitted() else 200
    return render_template("office/roster_import.html", form=form), status


@bp.route("/import/preview")
@role_required("clerk")
def preview():
    pending = session.get(PENDING)
    if not pending:
        flash(_("没有待确认的导入，请先上传名册文件。"), "error")
        return redirect(url_for(".upload"))
    try:
        jurisdiction, checked = _load_pending(pending)
    except InvalidRequest as error:
        _forget_pending()
        flash(error.message, "error")
        return redirect(url_for(".upload"))
    form = ConfirmImportForm(upload=pending["upload"])
    return render_template("office/roster_preview.html", roster=checked, form=form,
                           jurisdiction=jurisdiction, filename=pending["filename"])


@bp.route("/import/confirm", methods=["POST"])
@role_required("clerk")
def confirm():
    form = ConfirmImportForm()
    pending = session.get(PENDING)
    if not form.validate_on_submit() or not pending or form.upload.data != pending["upload"]:
        flash(_("这次导入已失效（可能已在其他窗口完成或取消），请重新上传。"), "error")
        return redirect(url_for(".upload"))
    try:
        jurisdiction, checked = _load_pending(pending)
    except InvalidRequest as error:
        _forget_pending()
        flash(error.message, "error")
        return redirect(url_for(".upload"))
    try:
        added, created = roster_files.import_roster(jurisdiction, checked)
    except InvalidRequest as error:
        db.session.rollback()
        flash(error.message, "error")
        return render_template("office/roster_preview.html", roster=checked, form=form,
                               jurisdiction=jurisdiction, filename=pending["filename"]), 400
    db.session.commit()
    _forget_pending()
    flash(_("已导入%(n)d位代表（新建代表团%(m)d个）。", n=added, m=created), "success")
    return redirect(url_for("office_people.index", jurisdiction=jurisdiction.id))


@bp.route("/import/cancel", methods=["POST"])
@role_required("clerk")
def cancel():
    if ConfirmImportForm().validate_on_submit():
        _forget_pending()
        flash(_("已取消导入，未做任何更改。"), "success")
    return redirect(url_for(".upload"))


@bp.route("/export")
@role_required("clerk")
def export():
    jurisdiction = choices.chosen_jurisdiction()
    if jurisdiction is None:
        return redirect(url_for("office_people.index"))
    data, _count = roster_files.export_roster(jurisdiction)
    return send_file(
        io.BytesIO(data), as_attachment=True,
        download_name=_("%(name)s代表名册.xlsx", name=jurisdiction.name),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _load_pending(pending: dict):
    """The stashed file, re-read and re-checked; refuses a file that changed since preview."""
    jurisdiction = db.session.get(Jurisdiction, pending["jurisdiction"])
    data = roster_files.read_stash(pending["upload"])
    if jurisdiction is None or hashlib.sha256(data).hexdigest() != pending["sha256"]:
        raise InvalidRequest(_("导入文件已失效，请重新上传。"))
    checked = roster_files.load_roster_file(jurisdiction, data, pending["filename"],
                                            current_app.config["MAX_IMPORT_BYTES"])
    return jurisdiction, checked


def _forget_pending() -> None:
    pending = session.pop(PENDING, None)
    if pending:
        roster_files.discard_stash(pending.get("upload", ""))
