from flask import Blueprint, jsonify, render_template
from sqlalchemy import text

from voting.extensions import db
from voting.models import Ballot
from voting.services.ballots import state_label

bp = Blueprint("public", __name__)


@bp.route("/")
def home():
    """The portal's front page: every ballot that has left the drafting table, newest first."""
    ballots = db.session.scalars(
        db.select(Ballot).where(Ballot.state != "draft").order_by(Ballot.id.desc())
    ).all()
    return render_template("public/home.html", ballots=ballots, state_label=state_label)


@bp.route("/healthz")
def healthz():
    """200 once the database answers; load balancers and `voting serve` checks use it."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
