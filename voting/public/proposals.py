"""群众提: the public proposal form, the tracking-code lookup, and the proposals' status."""

from flask import Blueprint

bp = Blueprint("public_proposals", __name__, url_prefix="/proposals")
