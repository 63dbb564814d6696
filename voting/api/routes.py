"""The JSON API /api/v1 (CONTRACT.md): the public ballot definition and the token-authenticated
cast. Errors are `{"error": code, "message": text}` (voting/errors.py)."""

import json

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _

from voting.domain import tokens
from voting.errors import InvalidRequest
from voting.extensions import csrf
from voting.security import invalid_token_limit
from voting.services import casting
from voting.services.ballots import (
    candidate_entry,
    current_threshold,
    get_ballot_or_404,
    opening_key,
)

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_DEPTH = 20  # nesting a cast body never needs


@bp.get("/ballots/<int:ballot_id>")
def ballot(ballot_id):
    """The public definition: what a kiosk needs to show the ballot, and the threshold now."""
    ballot = get_ballot_or_404(ballot_id)
    body = {
        "id": ballot.id, "title": ballot.title, "kind": ballot.kind, "state": ballot.state,
        "seats": ballot.seats, "threshold": current_threshold(ballot),
        "threshold_rule": {"base": ballot.threshold_base, "numerator": ballot.threshold_num,
                           "denominator": ballot.threshold_den},
        "session": ballot.session.title, "jurisdiction": ballot.session.term.jurisdiction.name,
        "rules_text": ballot.rules_text,
        "candidates": [candidate_entry(c.project) for c in ballot.candidates],
    }
    if ballot.commitment:  # public from the moment the ballot opens (docs/formats.md)
        body["commitment"] = json.loads(ballot.commitment)
        body["commitment_signature"] = ballot.commitment_signature
        body["instance_public_key"] = opening_key(ballot)
    return jsonify(body)


@bp.post("/cast")
@invalid_token_limit
@csrf.exempt
def cast():
    """`{"token": T, "choices": {candidate id: choice}}` → 201 `{"receipt": "ABCD-EFGH-…"}`.

    Authenticated by the token alone: no cookie is read or set. 400 invalid_request, 403
    invalid_token, 409 token_used / ballot_not_open, 413 too_large, 429 too_many_requests
    (too many invalid tokens from this address: the token is not even looked at).
    """
    body = json_body()
    token, choices = body.get("token"), body.get("choices")
    if not isinstance(token, str) or not isinstance(choices, dict):
        raise InvalidRequest(
            _("请求体应为 {\"token\": 选票凭证, \"choices\": {候选项目编号: 选项}}。"))
    receipt = casting.cast(token, choices)
    return jsonify(receipt=tokens.format_receipt(receipt)), 201


@bp.after_request
def _no_trace(response):
    if request.endpoint == "api.cast":
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


def json_body() -> dict:
    """The request's JSON object, within MAX_JSON_BYTES (else 413); InvalidRequest for
    anything that is not UTF-8 JSON holding an object, or that holds a NUL character."""
    request.max_content_length = current_app.config["MAX_JSON_BYTES"]
    if request.mimetype != "application/json":
        raise InvalidRequest(_("请以 application/json 格式提交。"))
    raw = request.get_data(cache=False)  # 413 past the limit, even without Content-Length
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InvalidRequest(_("请求体不是有效的 JSON。")) from None
    if not isinstance(body, dict):
        raise InvalidRequest(_("请求体应为 JSON 对象。"))
    if _has_nul(body, 0):
        raise InvalidRequest(_("输入中含有不允许的字符或层次过深的结构。"))
    return body


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


def _has_nul(value, depth: int) -> bool:
    """True when a NUL sits in any key or string, or the nesting is absurdly deep."""
    if depth > MAX_DEPTH:
        return True
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k, depth + 1) or _has_nul(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v, depth + 1) for v in value)
    return False
