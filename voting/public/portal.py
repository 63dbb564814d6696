"""The public portal: this year's projects, each project's page, photos, the progress feed."""

from flask import Blueprint

bp = Blueprint("public_portal", __name__)
