"""The blank ballot page, rendered once per ballot and language and shared by every deputy.

Every deputy of a ballot opens the same page: the same candidates, facts and options, nothing
marked. Only two strings differ from one deputy to the next — the token in the form's address
and the form's key (`form_key`, the booth's CSRF token) — so the page is rendered with a
placeholder for each, in a request context of its own that holds nothing of the deputy's (no
token, no cookie, no user), and the two are put in per request. This keeps a burst of 3,000
deputies opening their slips from rendering the same page 3,000 times.

What is kept holds nothing secret and nothing about a deputy: it is the blank ballot. It lives
in this process for `SHEET_SECONDS`, so a clerk's edit of a project's text shows within that
time; whether the slip may vote is checked on every request before the page is used.
"""

import hashlib
import secrets

from cachelib import SimpleCache
from flask import current_app, request
from flask_babel import force_locale, get_locale
from itsdangerous import Signer

from voting.i18n import LANG_COOKIE

SHEET_SECONDS = 30
# Per process and random: no project text can contain them by chance. Token characters only,
# so that the placeholder passes through url_for and the router as a token would.
TOKEN_HOLE = f"TOKEN{secrets.token_hex(12)}"
CSRF_HOLE = f"CSRF{secrets.token_hex(12)}"
LANGUAGE_QUERIES = (b"", b"lang=zh_CN", b"lang=en")  # anything else is rendered, not kept


def blank_page(token: str, ballot_id: int, render) -> str | None:
    """The blank ballot page for `token`, from the shared copy; None when this request must be
    rendered on its own (it carries a cookie other than the language's, which may hold a signed-in
    user or a flash message for the page; an unusual query).

    `render(token, ballot_id)` renders the page; it is called, when the copy is missing, inside
    a bare request context for the placeholder token.
    """
    if request.cookies.keys() - {LANG_COOKIE} or request.query_string not in LANGUAGE_QUERIES:
        return None  # a cookie may hold a signed-in user or a message: render this one alone
    locale = str(get_locale())
    query = request.query_string.decode()
    key = f"{ballot_id}|{locale}|{query}"
    sheets = _sheets()
    page = sheets.get(key)
    if page is None:
        page = _render_blank(ballot_id, locale, query, render)
        sheets.set(key, page)
    return page.replace(TOKEN_HOLE, token).replace(CSRF_HOLE, form_key(token))


def form_key(token: str) -> str:
    """The CSRF token of the booth's forms for this slip: an HMAC of the slip token under the
    app's secret key (itsdangerous' Signer, OWASP's "HMAC based token" pattern).

    A page from another site cannot post a vote without it. It is bound to the slip rather than
    to a session because the slip in the URL is already the deputy's whole credential: whoever
    could read this key could vote with the slip anyway. So the booth sets no cookie at all, and a
    phone that drops cookies (WeChat's browser, a kiosk in private mode, a long pause) never sees
    "page expired". Flask-WTF's tokens live in the session cookie, hence this instead.
    """
    return _signer().get_signature(token.encode()).decode()


def form_key_ok(token: str, value: str | None) -> bool:
    return bool(value) and _signer().verify_signature(token.encode(), value.encode())


def _signer() -> Signer:
    return Signer(current_app.secret_key, salt="voting.booth.form", key_derivation="hmac",
                  digest_method=hashlib.sha256)


def _render_blank(ballot_id: int, locale: str, query: str, render) -> str:
    with current_app.test_request_context(f"/v/{TOKEN_HOLE}", query_string=query, method="GET"), \
            force_locale(locale):
        page = render(TOKEN_HOLE, ballot_id, csrf_token=lambda: CSRF_HOLE)
    if TOKEN_HOLE not in page or CSRF_HOLE not in page:
        raise RuntimeError("the blank ballot page lost its placeholders")
    return page


def _sheets() -> SimpleCache:
    sheets = current_app.extensions.get("booth_sheets")
    if sheets is None:
        sheets = current_app.extensions["booth_sheets"] = SimpleCache(
            threshold=200, default_timeout=SHEET_SECONDS)
    return sheets
