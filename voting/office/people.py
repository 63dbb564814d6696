"""The roster by hand: deputies (代表) and delegations (代表团), for clerks."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from voting.auth.guards import role_required
from voting.errors import InvalidRequest, WrongState
from voting.extensions import db
from voting.models import Delegation, Deputy, Jurisdiction
from voting.office import choices
from voting.office.forms import ActionForm, DelegationForm, DeputyForm, attach_error
from voting.office.labels import office_context
from voting.services import roster

bp = Blueprint("office_people", __name__, url_prefix="/office/people")
bp.context_processor(office_context)

PER_PAGE = 100


@bp.route("/")
@role_required("clerk")
def index():
    """Deputies of one jurisdiction, searchable by name, delegation or occupation."""
    jurisdiction = choices.chosen_jurisdiction()
    if jurisdiction is None:
        return render_template("office/deputies.html", jurisdiction=None, jurisdictions=[])
    q = request.args.get("q", "").strip()[:40]
    delegation_id = request.args.get("delegation", type=int)
    inactive = request.args.get("inactive") == "1"
    page = db.paginate(roster.search_deputies(jurisdiction, q, delegation_id, inactive),
                       per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False)
    return render_template(
        "office/deputies.html", jurisdiction=jurisdiction, jurisdictions=choices.jurisdictions(),
        page=page, q=q, delegation_id=delegation_id, inactive=inactive,
        delegations=roster.delegations_with_counts(jurisdiction),
        roster_count=roster.roster_count(jurisdiction), action=ActionForm())


@bp.route("/deputies/new", methods=["GET", "POST"])
@role_required("clerk")
def create_deputy():
    form = DeputyForm()
    if not form.is_submitted():
        selected = choices.chosen_jurisdiction()
        form.jurisdiction.data = selected.id if selected else None
    return _save_deputy(form, None)


@bp.route("/deputies/<int:deputy_id>/edit", methods=["GET", "POST"])
@role_required("clerk")
def edit_deputy(deputy_id):
    deputy = db.get_or_404(Deputy, deputy_id)
    # A post is read from its own fields only: a field missing from it must not fall back to
    # the row's attribute of that name (`deputy.delegation` is a row, not a name).
    form = DeputyForm() if request.method == "POST" else DeputyForm(obj=deputy)
    if not form.is_submitted():
        form.jurisdiction.data = deputy.jurisdiction_id
        form.delegation.data = deputy.delegation.name if deputy.delegation else ""
    return _save_deputy(form, deputy)


def _save_deputy(form: DeputyForm, deputy: Deputy | None):
    form.jurisdiction.choices = choices.jurisdiction_choices()
    if not form.jurisdiction.choices:
        flash(_("请先添加行政区。"), "error")
        return redirect(url_for("office_sessions.create_jurisdiction"))
    if form.validate_on_submit():
        jurisdiction = db.session.get(Jurisdiction, form.jurisdiction.data)
        try:
            deputy = roster.save_deputy(
                deputy, jurisdiction=jurisdiction, delegation_name=form.delegation.data,
                name=form.name.data, gender=form.gender.data, phone=form.phone.data,
                occupation=form.occupation.data, active=form.active.data)
        except InvalidRequest as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("已保存代表“%(name)s”。", name=deputy.name), "success")
            return redirect(url_for(".index", jurisdiction=jurisdiction.id))
    delegation_names = sorted({name for (name,) in db.session.execute(
        db.select(Delegation.name).filter_by(jurisdiction_id=form.jurisdiction.data or 0))})
    status = 400 if form.is_submitted() else 200
    return render_template("office/deputy_form.html", form=form, deputy=deputy,
                           delegation_names=delegation_names,
                           title=_("编辑代表") if deputy else _("添加代表")), status


@bp.route("/deputies/<int:deputy_id>/delete", methods=["POST"])
@role_required("clerk")
def delete_deputy(deputy_id):
    deputy = db.get_or_404(Deputy, deputy_id)
    jurisdiction_id = deputy.jurisdiction_id
    if ActionForm().validate_on_submit():
        try:
            roster.delete_deputy(deputy)
        except WrongState as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("已删除代表。"), "success")
    return redirect(url_for(".index", jurisdiction=jurisdiction_id))


@bp.route("/delegations", methods=["GET", "POST"])
@role_required("clerk")
def delegations():
    """The delegations of a jurisdiction with their sizes; add one."""
    jurisdiction = choices.chosen_jurisdiction()
    if jurisdiction is None:
        return redirect(url_for(".index"))
    form = DelegationForm()
    if form.validate_on_submit():
        existing = db.session.scalar(db.select(Delegation).filter_by(
            jurisdiction=jurisdiction, name=form.name.data))
        if existing is not None:
            form.name.errors.append(_("已有名为“%(name)s”的代表团。", name=form.name.data))
        else:
            roster.find_or_create_delegation(jurisdiction, form.name.data)
            db.session.commit()
            flash(_("已添加代表团“%(name)s”。", name=form.name.data), "success")
            return redirect(url_for(".delegations", jurisdiction=jurisdiction.id))
    status = 400 if form.is_submitted() else 200
    return render_template("office/delegations.html", jurisdiction=jurisdiction, form=form,
                           jurisdictions=choices.jurisdictions(),
                           rows=roster.delegations_with_counts(jurisdiction),
                           action=ActionForm()), status


@bp.route("/delegations/<int:delegation_id>/edit", methods=["GET", "POST"])
@role_required("clerk")
def edit_delegation(delegation_id):
    delegation = db.get_or_404(Delegation, delegation_id)
    form = DelegationForm(obj=delegation)
    back = url_for(".delegations", jurisdiction=delegation.jurisdiction_id)
    if form.validate_on_submit():
        try:
            roster.rename_delegation(delegation, form.name.data)
        except InvalidRequest as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("已保存代表团“%(name)s”。", name=delegation.name), "success")
            return redirect(back)
    status = 400 if form.is_submitted() else 200
    return render_template("office/form_page.html", form=form, title=_("修改代表团名称"),
                           back=back), status


@bp.route("/delegations/<int:delegation_id>/delete", methods=["POST"])
@role_required("clerk")
def delete_delegation(delegation_id):
    delegation = db.get_or_404(Delegation, delegation_id)
    back = url_for(".delegations", jurisdiction=delegation.jurisdiction_id)
    if ActionForm().validate_on_submit():
        try:
            roster.delete_delegation(delegation)
        except WrongState as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("已删除代表团。"), "success")
    return redirect(back)
