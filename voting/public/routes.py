from flask import Blueprint, jsonify, render_template
from sqlalchemy import text

from voting.extensions import db

bp = Blueprint("public", __name__)


@bp.route("/")
def home():
    return render_template("public/home.html")


@bp.route("/healthz")
def healthz():
    """200 once the database answers; load balancers and `voting serve` checks use it."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
