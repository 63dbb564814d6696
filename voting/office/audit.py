"""The audit log as clerks see it: who did what, when."""

from flask import Blueprint

bp = Blueprint("office_audit", __name__, url_prefix="/office/audit")
