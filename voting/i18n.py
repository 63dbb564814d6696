"""Languages: 简体中文 first, English complete. ?lang=, then the cookie, then the browser."""

from urllib.parse import urlencode

from babel import Locale
from flask import Flask, has_request_context, request
from flask_babel import get_locale

from voting.extensions import babel

LANG_COOKIE = "lang"
# Parsed once: Flask-Babel passes a Locale through as it is, while parsing a name looks it up
# among every locale Babel knows, on every request.
LOCALES = {name: Locale.parse(name) for name in ("zh_CN", "en")}
# Chinese script and regions written as Simplified Chinese here (zh-TW, zh-Hant… are not).
SIMPLIFIED = {"", "cn", "hans", "sg", "my", "hans-cn", "hans-sg"}


def locale_name(text: str | None) -> str | None:
    """A language as people and browsers write it → "zh_CN" or "en", else None.

    zh, zh_CN, zh-cn, zh-Hans, zh-Hans-CN → zh_CN; en, en-US, en_GB, EN → en.
    """
    tag = (text or "").strip().replace("_", "-").lower()
    language, _sep, rest = tag.partition("-")
    if language == "zh" and rest in SIMPLIFIED:
        return "zh_CN"
    if language == "en" and (not rest or rest.replace("-", "").isalnum()):
        return "en"
    return None


def select_locale() -> Locale:
    if not has_request_context():
        return LOCALES["zh_CN"]  # the CLI and background work speak the default language
    wanted = locale_name(request.args.get("lang")) or locale_name(request.cookies.get(LANG_COOKIE))
    if wanted:
        return LOCALES[wanted]
    best = request.accept_languages.best_match(["zh-CN", "en"], default="zh-CN")
    return LOCALES["en" if best == "en" else "zh_CN"]


def html_lang() -> str:
    """The value for <html lang>: zh-CN or en."""
    return "en" if str(get_locale()) == "en" else "zh-CN"


def other_language_url(language: str) -> str:
    """This page in `language`: same path, same filters and search, only ?lang= changed."""
    query = request.args.to_dict(flat=False)
    query["lang"] = [language]
    return f"{request.path}?{urlencode(query, doseq=True)}"


def init_app(app: Flask) -> None:
    from pathlib import Path

    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(__file__).parent / "translations")
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["html_lang"] = html_lang
    app.jinja_env.globals["other_language_url"] = other_language_url

    @app.after_request
    def remember_language(response):
        # The header switch sets ?lang=; keep the choice for the next pages (as zh_CN or en).
        wanted = locale_name(request.args.get("lang"))
        if wanted and wanted != request.cookies.get(LANG_COOKIE):
            response.set_cookie(LANG_COOKIE, wanted, max_age=365 * 86400, samesite="Lax")
        return response
