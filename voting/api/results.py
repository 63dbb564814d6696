"""Published results in the JSON API (CONTRACT.md): the certified result and the export.

Both answer 404 `{"error": "not_found", …}` until the ballot is published, exactly as for a
ballot that does not exist: a result is nobody's business before the scrutineers certified it
and a clerk published it.
"""

import json

from flask import Blueprint, Response, jsonify
from flask_babel import gettext as _

from voting.errors import NotFound
from voting.extensions import db
from voting.models import Ballot
from voting.services import results

bp = Blueprint("api_results", __name__, url_prefix="/api/v1")


def get_published_ballot_or_404(ballot_id: int) -> Ballot:
    """The ballot if it is published; NotFound (404) otherwise."""
    ballot = db.session.get(Ballot, ballot_id)
    if ballot is None or ballot.state != "published":
        raise NotFound(_("找不到该表决的公布结果。"))
    return ballot


@bp.get("/ballots/<int:ballot_id>/result")
def result(ballot_id):
    """The result document (docs/formats.md) with, under "signatures", the scrutineers'
    signatures over it: remove "signatures" to get the document they signed."""
    ballot = get_published_ballot_or_404(ballot_id)
    document = results.export_document(ballot)
    return jsonify({**document["result"], "signatures": document["signatures"]})


@bp.get("/ballots/<int:ballot_id>/export")
def export(ballot_id):
    """公示数据: the same bytes as `voting export ID --out FILE`, as a download."""
    ballot = get_published_ballot_or_404(ballot_id)
    body = json.dumps(results.export_document(ballot), ensure_ascii=False, indent=1)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="ballot-{ballot.id}-export.json"'})
