"""Domain errors, each with a code and a message, mapped to HTTP answers in one place.

API requests (/api/…) get `{"error": code, "message": text}`; pages get a page in the user's
language. A 500 rolls the session back so no half-written change survives.
"""

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter


class VotingError(Exception):
    """Base of the errors a user can cause; `status` is the HTTP answer."""

    status = 400
    code = "invalid_request"
    message = _l("请求无效。")

    def __init__(self, message=None, **details):
        super().__init__(message or self.message)
        if message is not None:
            self.message = message
        self.details = details


class InvalidRequest(VotingError):
    pass


class InvalidToken(VotingError):
    status, code, message = 403, "invalid_token", _l("这张选票凭证无效。")


class TokenUsed(VotingError):
    status, code, message = 409, "token_used", _l("这张选票凭证已经投过票。")


class BallotNotOpen(VotingError):
    status, code, message = 409, "ballot_not_open", _l("本次表决尚未开始或已经结束。")


class WrongState(VotingError):
    status, code, message = 409, "wrong_state", _l("当前状态下不能进行此操作。")


class NotFound(VotingError):
    status, code, message = 404, "not_found", _l("找不到该内容。")


class Forbidden(VotingError):
    status, code, message = 403, "forbidden", _l("您没有权限进行此操作。")


HTTP_MESSAGES = {
    400: ("invalid_request", _l("请求无效。")),
    403: ("forbidden", _l("您没有权限进行此操作。")),
    404: ("not_found", _l("找不到该页面。")),
    405: ("method_not_allowed", _l("不支持这种请求方式。")),
    413: ("too_large", _l("提交的内容太大。")),
    429: ("too_many_requests", _l("尝试次数过多，请稍后再试。")),
    500: ("server_error", _l("服务器出错，操作未完成，请重试。")),
}


class DatabaseId(IntegerConverter):
    """<int:…> in a route: an id the database can hold, so /projects/10**20 is a plain 404."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def wants_json() -> bool:
    return request.path.startswith("/api/")


def answer(status: int, code: str, message: str):
    if wants_json():
        return jsonify(error=code, message=str(message)), status
    return render_template("error.html", status=status, message=message), status


def with_headers_of(error: HTTPException, answered):
    """The answer with the error's own headers: Retry-After of a 429, Allow of a 405."""
    response = make_response(answered)
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def init_app(app: Flask) -> None:
    from voting.extensions import db

    app.url_map.converters["int"] = DatabaseId

    @app.errorhandler(VotingError)
    def domain_error(error: VotingError):
        db.session.rollback()
        return answer(error.status, error.code, error.message)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return answer(400, "csrf", _l("页面已过期，请刷新后重新提交。"))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code, message = HTTP_MESSAGES.get(error.code, ("error", error.description))
        return with_headers_of(error, answer(error.code or 500, code, message))

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def number_out_of_range(error):
        # A number from the request the database cannot hold (?page=10**20 on SQLite, an
        # out-of-range value on PostgreSQL): the user's mistake, not the server's.
        db.session.rollback()
        return answer(400, "invalid_request", _l("请求中的数字超出了范围。"))

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        code, message = HTTP_MESSAGES[500]
        return answer(500, code, message)

    @app.before_request
    def reject_nul_bytes():
        # NUL bytes have no business in any field and break SQLite/PostgreSQL text columns.
        values = [request.path, *request.args.values()]
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            values += request.form.values()
        if any("\x00" in v for v in values):
            return answer(400, "invalid_request", _l("输入中含有不允许的字符。"))
        return None
