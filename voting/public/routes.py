from datetime import date

from flask import Blueprint, jsonify, render_template
from sqlalchemy import text

from voting.extensions import db
from voting.public.portal import portal_context
from voting.services import portal

bp = Blueprint("public", __name__)
bp.context_processor(portal_context)


@bp.route("/")
def home():
    """The portal's front page: this year's projects by jurisdiction, their sums, the vote of
    the current sitting, earlier years, and the ways in (search, proposals, open data)."""
    return render_template("public/home.html", **portal.front_page(date.today()))


@bp.route("/healthz")
def healthz():
    """200 once the database answers; load balancers and `voting serve` checks use it."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
