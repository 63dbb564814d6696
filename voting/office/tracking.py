"""政府办: units report progress on their own projects; clerks follow delays and supervision."""

from flask import Blueprint

bp = Blueprint("office_tracking", __name__, url_prefix="/office/tracking")
