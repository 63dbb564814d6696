"""Public pages of a ballot: its definition and opening commitment, the published result, the
announcement, the receipt check, and how anyone can verify the count.

Nothing here needs an account. Before publication a ballot's page shows what voting is about
and, from the moment it opens, the commitment to the minted tokens (ballot stuffing by whoever
runs the server is then detectable); the result only once the scrutineers have certified it and
a clerk has published it.
"""

import json
from pathlib import Path

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _

from voting.domain import counting
from voting.domain.tokens import format_receipt, parse_receipt
from voting.errors import NotFound
from voting.extensions import db, limiter
from voting.models import Ballot, Receipt
from voting.office.results import fingerprint, result_sheet, session_title
from voting.services.ballots import opening_key, state_label, token_counts

bp = Blueprint("public_results", __name__)

RECEIPT_LIMIT = "30 per minute"  # per address: a receipt code cannot be guessed anyway


def get_public_ballot_or_404(ballot_id: int, published: bool = False) -> Ballot:
    """The ballot; NotFound (404) when there is none, or when `published` and it is not."""
    ballot = db.session.get(Ballot, ballot_id)
    if ballot is None or (published and ballot.state != "published"):
        raise NotFound(_("找不到该表决的公布结果。") if published else _("找不到该表决。"))
    return ballot


@bp.route("/ballots/<int:ballot_id>")
def ballot(ballot_id):
    ballot = get_public_ballot_or_404(ballot_id)
    sheet = result_sheet(ballot) if ballot.state == "published" else None
    return render_template("public/ballot.html", ballot=ballot, sheet=sheet,
                           state=state_label(ballot.state), session=session_title(ballot),
                           commitment=opening_commitment(ballot))


@bp.route("/ballots/<int:ballot_id>/announcement")
def announcement(ballot_id):
    """公告, the same page the clerks print."""
    ballot = get_public_ballot_or_404(ballot_id, published=True)
    return render_template("public/ballot_announcement.html", sheet=result_sheet(ballot))


@bp.route("/ballots/<int:ballot_id>/receipt")
@limiter.limit(RECEIPT_LIMIT)
def receipt(ballot_id):
    """Is this receipt code in the published list? Found or not found, nothing else."""
    ballot = get_public_ballot_or_404(ballot_id, published=True)
    text = request.args.get("code", "").strip()
    found, code, problem = None, None, None
    if text:
        try:
            code = parse_receipt(text)
        except ValueError:
            problem = _("回执码由16个字母和数字组成，例如 ABCD-EFGH-JKLM-NPQR。")
        else:
            found = db.session.get(Receipt, (ballot.id, code)) is not None
    status = 400 if problem else 200
    return render_template("public/receipt.html", ballot=ballot, text=text, found=found,
                           code=format_receipt(code) if code else None, problem=problem), status


@bp.route("/verify")
def verify():
    """如何核验计票结果, for everyone, in Chinese and English."""
    published = db.session.scalars(
        db.select(Ballot).filter_by(state="published").order_by(Ballot.id.desc()).limit(20)
    ).all()
    return render_template("public/verify.html", published=published)


@bp.route("/verify/counting.py")
def verifier_source():
    """The verifier itself: the very module the server counts with, to run at home."""
    source = Path(counting.__file__).read_bytes()  # 40 KB, and the file is never left open
    return Response(source, mimetype="text/x-python",
                    headers={"Content-Disposition": 'inline; filename="counting.py"'})


def opening_commitment(ballot: Ballot) -> dict | None:
    """开启承诺 as shown publicly from the opening on; None while the ballot is a draft."""
    if not ballot.commitment:
        return None
    commitment = json.loads(ballot.commitment)
    key = opening_key(ballot)
    counts = token_counts(ballot) if ballot.state != "open" else None
    return {"document": commitment, "signature": ballot.commitment_signature,
            "instance_key": key, "instance_fingerprint": fingerprint(key), "counts": counts}
