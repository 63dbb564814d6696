"""Transport and browser security: headers on every response, TLS-aware cookies, the proxy in
front, and the throttle on invalid ballot tokens.

- Headers: CSP, nosniff, frame DENY, Referrer-Policy, and HSTS when the request came over TLS.
- TLS: when `PUBLIC_BASE_URL` starts with https://, the session and remember cookies are
  Secure and URLs are built with https; a cookie set on any request that came over TLS is
  Secure too.
- Proxy: only when `VOTING_PROXY_COUNT=N` (N ≥ 1 proxies, e.g. 1 for nginx) does the app believe
  the last N X-Forwarded-For / X-Forwarded-Proto hops (werkzeug's ProxyFix). Without it those
  headers are ignored: anyone could send them, and the rate limits would count the forged
  address instead of the real one.
- `invalid_token_limit`: one counter per client address shared by the booth and the API cast,
  counting only answers "invalid token" (403); past INVALID_TOKEN_LIMIT the request is refused
  with 429 before the token is looked at.
"""

import math
import time
from functools import lru_cache, wraps

from flask import Flask, current_app, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from werkzeug.exceptions import TooManyRequests
from werkzeug.middleware.proxy_fix import ProxyFix

from voting.errors import InvalidToken
from voting.extensions import limiter

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    configure_tls(app)
    trust_proxies(app)

    @app.before_request
    def throttle():
        # Flask-Limiter marks the views it decorates with this attribute (a weak proxy of the
        # limiter, hence ==); only those have limits to check.
        view = app.view_functions.get(request.endpoint)
        if getattr(view, "__wrapper-limiter-instance", None) == limiter:
            limiter.check()

    @app.after_request
    def add_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = HSTS
        return response


def configure_tls(app: Flask) -> None:
    """Secure cookies and https URLs when the public address is https://."""
    if str(app.config.get("PUBLIC_BASE_URL", "")).lower().startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"
    app.session_interface = SessionOverTLS()


class SessionOverTLS(SecureCookieSessionInterface):
    """The session cookie is Secure when configured so, and on every request made over TLS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)

    def open_session(self, app: Flask, request):
        # Most requests (the public, every deputy in the booth) carry no session cookie: an empty
        # session for them, without building the signing serializer first (the app always has
        # a secret key, create_app refuses to start without one).
        if not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def trust_proxies(app: Flask) -> None:
    """Wrap the WSGI app in ProxyFix when PROXY_COUNT (env VOTING_PROXY_COUNT) is ≥ 1."""
    count = proxy_count(app.config.get("PROXY_COUNT"))
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def proxy_count(value) -> int:
    """The number of trusted proxies: a whole number ≥ 0 ('' or None: 0); else RuntimeError."""
    text = str(value if value is not None else "").strip()
    if not text:
        return 0
    if not (text.isascii() and text.isdigit()):
        raise RuntimeError(f"VOTING_PROXY_COUNT must be a whole number ≥ 0, not {text!r}.")
    return int(text)


INVALID_TOKEN_SCOPE = "invalid-token"  # noqa: S105 (a counter's name, not a password)


def invalid_token_limit(view):
    """Before the view: refuse with 429 an address past INVALID_TOKEN_LIMIT invalid tokens,
    without looking at its token. After it: count the request if its token was invalid.

    A hall full of deputies may share one address (NAT): only refused tokens count, never a
    valid vote, a used slip (409) or a closed ballot.

    The count is kept by Flask-Limiter's own storage and strategy (`limiter.limiter`), but not
    through its decorator: resolving a decorated limit on each request cost the booth page more
    than its database query (docs/performance.md), and this runs on every booth request.
    """

    @wraps(view)
    def throttled(*args, **kwargs):
        if not current_app.config.get("RATELIMIT_ENABLED", True):
            return view(*args, **kwargs)
        limit, address = _parsed(current_app.config["INVALID_TOKEN_LIMIT"]), get_remote_address()
        if not limiter.limiter.test(limit, INVALID_TOKEN_SCOPE, address):
            reset = limiter.limiter.get_window_stats(limit, INVALID_TOKEN_SCOPE, address).reset_time
            raise TooManyRequests(retry_after=max(1, math.ceil(reset - time.time())))
        try:
            return view(*args, **kwargs)
        except InvalidToken:
            limiter.limiter.hit(limit, INVALID_TOKEN_SCOPE, address)
            raise

    return throttled


@lru_cache(maxsize=8)
def _parsed(text: str) -> RateLimitItem:
    return parse(text)
