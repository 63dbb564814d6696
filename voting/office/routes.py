"""The back office's front page: what each role needs today."""

from datetime import date, timedelta

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import func

from voting.auth.guards import role_required
from voting.extensions import db
from voting.models import Ballot, BallotScrutineer, Delegation, Deputy, Project
from voting.office import choices
from voting.office.labels import office_context
from voting.services import catalogue, roster

bp = Blueprint("office", __name__, url_prefix="/office")
bp.context_processor(office_context)


@bp.route("/")
@role_required("clerk", "scrutineer", "unit")
def dashboard():
    if current_user.role == "scrutineer":
        return _scrutineer_dashboard()
    if current_user.role == "unit":
        return _unit_dashboard()
    return _clerk_dashboard()


def _clerk_dashboard():
    today = date.today()
    sessions = catalogue.sessions_by_date()
    # Current and coming sittings first: those are the ones a clerk prepares for today.
    upcoming = [s for s in sessions if s.ends_on >= today - timedelta(days=1)]
    recent = upcoming[-5:][::-1] if upcoming else sessions[:3]
    counts = _roster_counts()
    library = dict(db.session.execute(
        db.select(Project.status, func.count()).group_by(Project.status)).all())
    return render_template(
        "office/dashboard.html", role="clerk",
        sessions=[(s, roster.turnout(s)) for s in recent], all_sessions=len(sessions),
        ballots=catalogue.ballots_by_state(),
        jurisdictions=[(j, counts.get(j.id, (0, 0))) for j in choices.jurisdictions()],
        library=library, today=today)


def _roster_counts() -> dict[int, tuple[int, int]]:
    """jurisdiction id → (active deputies, delegations)."""
    deputies = dict(db.session.execute(
        db.select(Deputy.jurisdiction_id, func.count()).filter_by(active=True)
        .group_by(Deputy.jurisdiction_id)).all())
    delegations = dict(db.session.execute(
        db.select(Delegation.jurisdiction_id, func.count()).group_by(Delegation.jurisdiction_id)
    ).all())
    return {jid: (deputies.get(jid, 0), delegations.get(jid, 0))
            for jid in set(deputies) | set(delegations)}


def _scrutineer_dashboard():
    assigned = list(db.session.execute(
        db.select(Ballot, BallotScrutineer.chief).join(BallotScrutineer)
        .filter(BallotScrutineer.user_id == current_user.id).order_by(Ballot.id.desc())).all())
    return render_template("office/dashboard.html", role="scrutineer", assigned=assigned)


def _unit_dashboard():
    projects = list(db.session.scalars(
        db.select(Project).filter_by(unit_id=current_user.unit_id)
        .order_by(Project.year.desc(), Project.id))) if current_user.unit_id else []
    return render_template("office/dashboard.html", role="unit", projects=projects,
                           today=date.today())
