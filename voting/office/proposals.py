"""The clerks' proposal queue: accept into the project library, merge duplicates, decline."""

from flask import Blueprint

bp = Blueprint("office_proposals", __name__, url_prefix="/office/proposals")
