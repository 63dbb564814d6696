from datetime import date

from flask import Blueprint, jsonify, render_template, request, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import text

from voting.extensions import cache, db
from voting.public.portal import portal_context
from voting.services import portal

bp = Blueprint("public", __name__)
bp.context_processor(portal_context)


def _shared_page_key() -> str:
    """One cached copy per page, query and language."""
    return f"{request.full_path}|{get_locale()}"


def _personal() -> bool:
    """A signed-in user's page (their name, a CSRF token) or one with a flash is not shared."""
    return current_user.is_authenticated or bool(session.get("_flashes"))


@bp.route("/")
@cache.cached(make_cache_key=_shared_page_key, unless=_personal)  # errors raise: never kept
def home():
    """The portal's front page: this year's projects by jurisdiction, their sums, the vote of
    the current sitting, earlier years, and the ways in (search, proposals, open data)."""
    return render_template("public/home.html", **portal.front_page(date.today()))


@bp.route("/healthz")
def healthz():
    """200 once the database answers; load balancers and `voting serve` checks use it."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
