"""Configuration classes. Secrets and keys come from the instance folder, never from here."""

import os


class Config:
    """Settings shared by every deployment."""

    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024  # bytes: a roster spreadsheet or a photo, not more
    MAX_JSON_BYTES = 64 * 1024  # bytes: a cast body is a few hundred bytes
    MAX_IMPORT_BYTES = 10 * 1024 * 1024  # bytes: a county roster is ~100 KB
    MAX_PHOTO_BYTES = 10 * 1024 * 1024  # bytes per site photo: a 50-megapixel phone JPEG
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = None  # a clerk's form may stay open all through a sitting
    # Per worker by default; e.g. memcached://127.0.0.1:11211 to share the counts between workers.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # The portal's front page is the same for every anonymous visitor in a language: it is kept
    # in each worker's memory this many seconds (a new progress report shows within that time).
    CACHE_TYPE = "SimpleCache"
    CACHE_DEFAULT_TIMEOUT = 30  # seconds
    # Per client address, counting only answers "invalid token" from the booth and the API.
    INVALID_TOKEN_LIMIT = "30 per minute"  # noqa: S105 (a rate, not a secret)
    # Proxies in front of the app whose X-Forwarded-For/-Proto are believed (nginx: 1); 0: none.
    PROXY_COUNT = os.environ.get("VOTING_PROXY_COUNT", "0")
    # The address deputies' phones reach; used in the voting URLs printed on slips. https://
    # makes the cookies Secure (voting/security.py).
    PUBLIC_BASE_URL = os.environ.get(
        "PUBLIC_BASE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '5000')}"
    )
    TESTING = False


class TestConfig(Config):
    """For the test suite: a throw-away instance folder; CSRF on unless a test turns it off."""

    TESTING = True
    RATELIMIT_ENABLED = True
    CACHE_TYPE = "NullCache"  # a test reads what it just wrote; tests/portal turn it on
    CACHE_NO_NULL_WARNING = True
