"""The voting booth /v/<token>: the ballot, a review step, the receipt.

The token in the URL is the deputy's only credential. Every booth response is `no-store` and
`no-referrer`, and the booth sets no cookie: its forms' CSRF token is bound to the slip, not to
a session (`sheet.form_key`), and is checked here rather than by CSRFProtect, whose strict
Referer check on HTTPS would refuse every booth form: the booth sends no Referer, by design.
Log lines mentioning /v/<token> are redacted (`RedactTokens`).
"""

import logging

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from voting.booth import sheet
from voting.domain import tokens
from voting.errors import InvalidRequest, VotingError, with_headers_of
from voting.extensions import csrf
from voting.security import invalid_token_limit
from voting.services import casting
from voting.services.ballots import voting_rules
from voting.serving import redact

bp = Blueprint("booth", __name__)

# Every option looks and works alike (positive marking): no colour, no order of importance.
CHOICE_LABELS = {
    "selection": {"for": _l("赞成"), "against": _l("不赞成"), "abstain": _l("弃权")},
    "evaluation": {"satisfied": _l("满意"), "basically_satisfied": _l("基本满意"),
                   "dissatisfied": _l("不满意"), "abstain": _l("弃权")},
}
FIELD_PREFIX = "c"  # form field of a candidate: c<project id>


class RedactTokens(logging.Filter):
    """Rewrites /v/<token> in a log record to /v/[redacted] (Flask's and werkzeug's logs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(str(record.msg))
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


@bp.record_once
def _redact_logs(state) -> None:
    for logger in (state.app.logger, logging.getLogger("werkzeug")):
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())


@bp.context_processor
def _form_key():
    # The booth's forms carry the slip's key (sheet.form_key), not Flask-WTF's session token.
    token = (request.view_args or {}).get("token")
    return {"csrf_token": lambda: sheet.form_key(token)}


@bp.after_app_request
def _no_trace(response):
    # On every /v/ answer, including errors and 404s: the URL holds the token.
    if request.path.startswith("/v/"):
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


# ---------------------------------------------------------------- pages


@bp.get("/v/<token>")
@invalid_token_limit
def ballot(token):
    ballot_id = casting.open_slip(token)
    return sheet.blank_page(token, ballot_id, blank_form) or blank_form(token, ballot_id)


@bp.post("/v/<token>/review")
@invalid_token_limit
@csrf.exempt
def review(token):
    ballot = casting.booth_ballot(token)
    choices = submitted_choices(ballot)
    if not csrf_ok(token):
        return form_page(token, ballot, choices, problem=_("页面已过期，请再点一次“下一步”。"),
                         status=400)
    try:
        casting.checked_choices(voting_rules(ballot.id), choices)
    except InvalidRequest as error:
        return form_page(token, ballot, choices, problem=error.message, status=400)
    return render_template("booth/review.html", token=token, ballot=ballot, choices=choices,
                           labels=CHOICE_LABELS[ballot.kind], tally=tally_marks(ballot, choices))


@bp.post("/v/<token>/cast")
@invalid_token_limit
@csrf.exempt
def confirm(token):
    if request.form.get("action") == "edit":
        ballot = casting.booth_ballot(token)
        return form_page(token, ballot, submitted_choices(ballot))
    if not csrf_ok(token):
        ballot = casting.booth_ballot(token)
        return form_page(token, ballot, submitted_choices(ballot),
                         problem=_("页面已过期，您的选票还没有投出。请核对后再提交。"), status=400)
    choices = {key[len(FIELD_PREFIX):]: value for key, value in request.form.items()
               if key.startswith(FIELD_PREFIX) and key[len(FIELD_PREFIX):].isdigit() and value}
    try:
        receipt = casting.cast(token, choices)
    except InvalidRequest as error:
        ballot = casting.booth_ballot(token)
        return form_page(token, ballot, submitted_choices(ballot), problem=error.message,
                         status=400)
    code = tokens.format_receipt(receipt)
    return render_template("booth/receipt.html", groups=code.split("-"), code=code)


@bp.errorhandler(VotingError)
def refused(error: VotingError):
    """A page for each way a slip can fail, in the deputy's language."""
    kind = error.code
    if kind == "ballot_not_open":
        kind = "not_open_yet" if error.details.get("state") == "draft" else "closed"
    return render_template("booth/problem.html", kind=kind, token=request.view_args.get("token")
                           if request.view_args else None), error.status


@bp.errorhandler(429)
def throttled(error):
    """Too many invalid slips from this address: the slip was not looked at, nor spent."""
    return with_headers_of(error, (render_template("booth/problem.html", kind="rate_limited",
                                                   token=None), 429))


# ---------------------------------------------------------------- helpers


def form_page(token, ballot, choices, problem=None, status=200, **context):
    rules = voting_rules(ballot.id)
    marked = sum(1 for value in choices.values() if value == "for")
    return render_template(
        "booth/ballot.html", token=token, ballot=ballot, choices=choices, problem=problem,
        labels=CHOICE_LABELS[ballot.kind], marked=marked, seats=rules["seats"],
        field=lambda candidate: f"{FIELD_PREFIX}{candidate.project_id}", **context
    ), status


def blank_form(token, ballot_id, **context) -> str:
    """The ballot with nothing marked, as a slip first opens it."""
    return form_page(token, casting.ballot_with_candidates(ballot_id), {}, **context)[0]


def submitted_choices(ballot) -> dict:
    """{candidate id: choice} from the form; blank and unknown fields are left out."""
    known = {str(c.project_id) for c in ballot.candidates}
    words = CHOICE_LABELS[ballot.kind]
    choices = {}
    for key, value in request.form.items():
        cid = key[len(FIELD_PREFIX):]
        if key.startswith(FIELD_PREFIX) and cid in known and value in words:
            choices[cid] = value
    return choices


def tally_marks(ballot, choices) -> list[tuple[str, int]]:
    """How many projects got each option, for the review page (omitted = abstain)."""
    labels = CHOICE_LABELS[ballot.kind]
    ids = [str(c.project_id) for c in ballot.candidates]
    return [(labels[word], sum(1 for cid in ids if choices.get(cid, "abstain") == word))
            for word in labels]


def csrf_ok(token) -> bool:
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return True
    return sheet.form_key_ok(token, request.form.get("csrf_token"))
