"""Open data: /api/v1/projects as JSON and as CSV (CONTRACT.md, docs/api.md).

Both take the same filters (`?year=&status=&jurisdiction=`, see `voting.services.opendata`)
and answer 400 `invalid_request` for a value that is not one. The CSV's header row is the JSON's
keys, or with `?header=labels` words in the caller's language (the portal's download link).
Both carry an ETag and may be cached for a few minutes; a client that sends `If-None-Match`
gets 304 when nothing changed.
"""

import json
from datetime import date

from flask import Blueprint, Response, request

from voting.services import opendata

bp = Blueprint("api_projects", __name__, url_prefix="/api/v1")

MAX_AGE = 300  # seconds: progress reports come in days apart, a vote is announced in the hall


@bp.get("/projects")
def projects():
    """`[{"id", "title", "category", "unit", "budget_wan", "year", "status", "progress",
    "ballot_id", "evaluation", …}]` of the public projects."""
    body = json.dumps(_records(), ensure_ascii=False, separators=(",", ":"))
    return _cached(Response(body, mimetype="application/json"))


@bp.get("/projects.csv")
def projects_csv():
    """The same records as a spreadsheet (UTF-8 with BOM, CRLF), as a download."""
    header = opendata.csv_header(request.args.get("header"))
    response = Response(opendata.records_csv(_records(), header),
                        content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="projects.csv"'
    return _cached(response)


def _records() -> list[dict]:
    filters = opendata.parse_filters(request.args)
    return opendata.project_records(opendata.public_projects(**filters), date.today(),
                                    base_url=request.url_root)


def _cached(response: Response) -> Response:
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    # Labels and CSV headers follow the language (?lang=, the cookie, the browser).
    response.vary.update(("Accept-Language", "Cookie"))
    response.add_etag()
    return response.make_conditional(request)
