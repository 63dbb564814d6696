"""Jurisdictions (行政区), terms (届) and congress sessions (会议), for clerks."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from voting.auth.guards import role_required
from voting.errors import InvalidRequest, WrongState
from voting.extensions import db
from voting.models import CongressSession, Jurisdiction, Term
from voting.office import choices
from voting.office.forms import ActionForm, JurisdictionForm, SessionForm, attach_error
from voting.office.labels import office_context
from voting.services import catalogue, roster

bp = Blueprint("office_sessions", __name__, url_prefix="/office/sessions")
bp.context_processor(office_context)


@bp.route("/")
@role_required("clerk")
def index():
    selected = choices.chosen_jurisdiction(required=False)
    query = db.select(CongressSession).join(CongressSession.term) \
        .order_by(CongressSession.starts_on.desc(), CongressSession.id.desc())
    if selected is not None:
        query = query.filter(Term.jurisdiction_id == selected.id)
    jurisdictions = choices.jurisdictions()
    return render_template(
        "office/sessions.html", sessions=list(db.session.scalars(query)), selected=selected,
        jurisdictions=[(j, roster.roster_count(j)) for j in jurisdictions],
        action=ActionForm())


@bp.route("/new", methods=["GET", "POST"])
@role_required("clerk")
def create():
    form = SessionForm()
    form.jurisdiction.choices = choices.jurisdiction_choices()
    if not form.jurisdiction.choices:
        flash(_("请先添加行政区，再添加会议。"), "error")
        return redirect(url_for(".create_jurisdiction"))
    if not form.is_submitted():
        selected = choices.chosen_jurisdiction()
        form.jurisdiction.data = selected.id
        for name, value in catalogue.next_session_defaults(selected).items():
            form[name].data = value
    return _save_session(form, None)


@bp.route("/<int:session_id>/edit", methods=["GET", "POST"])
@role_required("clerk")
def edit(session_id):
    session = db.get_or_404(CongressSession, session_id)
    form = SessionForm(obj=session)
    # A session stays in its jurisdiction: its attendance and ballots belong to that roster.
    form.jurisdiction.choices = [SelectChoice(session.jurisdiction.id, session.jurisdiction.name)]
    if not form.is_submitted():
        form.jurisdiction.data = session.jurisdiction.id
        form.term_number.data = session.term.number
        form.start_year.data, form.end_year.data = session.term.start_year, session.term.end_year
    return _save_session(form, session)


def _save_session(form: SessionForm, session: CongressSession | None):
    if form.validate_on_submit():
        try:
            session = catalogue.save_session(
                session, jurisdiction=db.session.get(Jurisdiction, form.jurisdiction.data),
                term_number=form.term_number.data, start_year=form.start_year.data,
                end_year=form.end_year.data, number=form.number.data, title=form.title.data,
                starts_on=form.starts_on.data, ends_on=form.ends_on.data, venue=form.venue.data)
        except InvalidRequest as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("已保存会议“%(title)s”。", title=session.title), "success")
            return redirect(url_for(".index", jurisdiction=session.jurisdiction.id))
    status = 400 if form.is_submitted() else 200
    title = _("编辑会议") if session else _("新建会议")
    return render_template("office/session_form.html", form=form, session=session,
                           title=title), status


@bp.route("/<int:session_id>/delete", methods=["POST"])
@role_required("clerk")
def delete(session_id):
    session = db.get_or_404(CongressSession, session_id)
    jurisdiction_id = session.jurisdiction.id
    if ActionForm().validate_on_submit():
        try:
            catalogue.delete_session(session)
        except WrongState as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("会议已删除。"), "success")
    return redirect(url_for(".index", jurisdiction=jurisdiction_id))


@bp.route("/jurisdictions/new", methods=["GET", "POST"])
@role_required("clerk")
def create_jurisdiction():
    return _save_jurisdiction(JurisdictionForm(), None)


@bp.route("/jurisdictions/<int:jurisdiction_id>/edit", methods=["GET", "POST"])
@role_required("clerk")
def edit_jurisdiction(jurisdiction_id):
    jurisdiction = db.get_or_404(Jurisdiction, jurisdiction_id)
    form = JurisdictionForm(obj=jurisdiction)
    if not form.is_submitted():
        form.parent.data = jurisdiction.parent_id or 0
    return _save_jurisdiction(form, jurisdiction)


def _save_jurisdiction(form: JurisdictionForm, jurisdiction: Jurisdiction | None):
    form.parent.choices = [SelectChoice(0, _("（无）"))] + [
        c for c in choices.jurisdiction_choices() if not jurisdiction or c.value != jurisdiction.id]
    if form.validate_on_submit():
        try:
            jurisdiction = catalogue.save_jurisdiction(
                jurisdiction, name=form.name.data, level=form.level.data,
                parent=db.session.get(Jurisdiction, form.parent.data) if form.parent.data else None)
        except InvalidRequest as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("已保存行政区“%(name)s”。", name=jurisdiction.name), "success")
            return redirect(url_for(".index", jurisdiction=jurisdiction.id))
    status = 400 if form.is_submitted() else 200
    title = _("编辑行政区") if jurisdiction else _("新建行政区")
    return render_template("office/form_page.html", form=form, title=title,
                           back=url_for(".index")), status
