"""Open data: /api/v1/projects as JSON and as CSV (CONTRACT.md)."""

from flask import Blueprint

bp = Blueprint("api_projects", __name__, url_prefix="/api/v1")
