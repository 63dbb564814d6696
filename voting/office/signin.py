"""The sign-in desk (签到): find a deputy, mark them present, see 实到/应到 and the quorum.

The page works without script; static/js/office.js refreshes the count from `turnout`.
Attendance says who is present, nothing about slips or ballots.
"""

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from voting.auth.guards import role_required
from voting.extensions import db
from voting.models import CongressSession, Deputy
from voting.office.forms import ActionForm
from voting.office.labels import office_context
from voting.services import catalogue, roster

bp = Blueprint("office_signin", __name__, url_prefix="/office/signin")
bp.context_processor(office_context)


@bp.route("/")
@role_required("clerk")
def index():
    sessions = catalogue.sessions_by_date()
    return render_template("office/signin_sessions.html",
                           rows=[(s, roster.turnout(s)) for s in sessions])


@bp.route("/<int:session_id>")
@role_required("clerk")
def desk(session_id):
    session = db.get_or_404(CongressSession, session_id)
    q = request.args.get("q", "").strip()[:40]
    delegation_id = request.args.get("delegation", type=int)
    deputies = list(db.session.scalars(
        roster.search_deputies(session.jurisdiction, q, delegation_id)))
    return render_template(
        "office/signin.html", session=session, deputies=deputies, q=q,
        delegation_id=delegation_id, turnout=roster.turnout(session),
        attendance=roster.attendance_of(session), action=ActionForm(),
        delegations=roster.delegations_with_counts(session.jurisdiction))


@bp.route("/<int:session_id>/turnout.json")
@role_required("clerk")
def turnout(session_id):
    """{"present", "roster", "quorum", "needed"} for the desk's live count."""
    session = db.get_or_404(CongressSession, session_id)
    response = jsonify(roster.turnout(session).as_dict())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:session_id>/deputies/<int:deputy_id>", methods=["POST"])
@role_required("clerk")
def sign_in(session_id, deputy_id):
    session, deputy = _load(session_id, deputy_id)
    if ActionForm().validate_on_submit():
        if roster.sign_in(session, deputy):
            db.session.commit()
            flash(_("%(name)s 已签到。", name=deputy.name), "success")
        else:
            flash(_("%(name)s 此前已经签到。", name=deputy.name), "success")
    return _back_to_desk(session, deputy)


@bp.route("/<int:session_id>/deputies/<int:deputy_id>/undo", methods=["POST"])
@role_required("clerk")
def undo(session_id, deputy_id):
    session, deputy = _load(session_id, deputy_id)
    if ActionForm().validate_on_submit():
        if roster.undo_sign_in(session, deputy):
            db.session.commit()
            flash(_("已撤销 %(name)s 的签到。", name=deputy.name), "success")
        else:
            flash(_("%(name)s 尚未签到。", name=deputy.name), "success")
    return _back_to_desk(session, deputy)


def _load(session_id: int, deputy_id: int) -> tuple[CongressSession, Deputy]:
    return db.get_or_404(CongressSession, session_id), db.get_or_404(Deputy, deputy_id)


def _back_to_desk(session: CongressSession, deputy: Deputy):
    """Back to the same search, scrolled to the deputy just handled."""
    args = {"q": request.form.get("q", "")[:40] or None,
            "delegation": request.form.get("delegation", type=int) or None}
    return redirect(url_for(".desk", session_id=session.id, **args) + f"#d{deputy.id}")
