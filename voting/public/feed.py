"""The Atom feed of progress updates, for anyone who follows the projects being built.

`GET /projects/updates.atom` (endpoint `public_feed.updates`): the latest 50 progress and
rectification reports (进度、整改) of public projects, newest first, as Atom 1.0 (RFC 4287).
`?jurisdiction=` (an id or the exact name) or `?project=` (an id) narrow it down. Each entry's
id is the absolute URL of the report on the project's page, its author the 承办单位, its summary
the report's text. Report times are local (the deployment's BABEL_DEFAULT_TIMEZONE).
"""

import re
from datetime import datetime
from urllib.parse import urlencode
from xml.etree import ElementTree as ET  # noqa: N817 (the usual name)
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, request
from flask_babel import gettext as _

from voting.i18n import html_lang
from voting.services import opendata

bp = Blueprint("public_feed", __name__)

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Characters XML 1.0 cannot carry at all: a report pasted from elsewhere may hold them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
LIMIT = 50  # entries: a feed reader wants what is new, the project pages keep the rest
MAX_AGE = 300  # seconds


@bp.get("/projects/updates.atom")
def updates():
    jurisdiction = opendata.find_jurisdiction(request.args.get("jurisdiction"))
    project = opendata.find_public_project(request.args.get("project"))
    reports = opendata.latest_updates(jurisdiction=jurisdiction, project=project, limit=LIMIT)
    title = (_("%(title)s：项目进展", title=project.title) if project
             else _("%(name)s民生实事项目进展", name=jurisdiction.name) if jurisdiction
             else _("民生实事项目进展"))
    query = {"jurisdiction": jurisdiction.id if jurisdiction else None,
             "project": project.id if project else None}
    body = atom_feed(title, reports, {k: v for k, v in query.items() if v is not None})
    response = Response(body, content_type="application/atom+xml; charset=utf-8")
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response.vary.update(("Accept-Language", "Cookie"))
    response.add_etag()
    return response.make_conditional(request)


def atom_feed(title: str, reports: list, query: dict) -> bytes:
    """The feed document for `reports` (ProgressUpdate rows, newest first); `query` (the
    resolved filters) makes the feed's id."""
    ET.register_namespace("", ATOM)
    root = request.url_root
    feed = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: html_lang()})
    _text(feed, "id", f"{root}projects/updates.atom" + (f"?{urlencode(query)}" if query else ""))
    _text(feed, "title", title)
    _text(feed, "subtitle", _("承办单位报送的项目进度和整改情况，最新的在前。"))
    newest = reports[0].posted_at if reports else datetime.now()
    _text(feed, "updated", _stamp(newest))
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=request.url,
                  type="application/atom+xml")
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=root, type="text/html")
    _text(feed, "generator", "voting")
    for report in reports:
        feed.append(_entry(report, root))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _entry(report, root: str) -> ET.Element:
    project = report.project
    page = f"{root}projects/{project.id}"
    rectification = report.kind == "rectification"
    entry = ET.Element(f"{{{ATOM}}}entry")
    _text(entry, "id", f"{page}#update-{report.id}")
    _text(entry, "title", _("%(title)s：整改情况", title=project.title) if rectification
          else _("%(title)s：进度%(percent)d%%", title=project.title, percent=report.percent))
    _text(entry, "updated", _stamp(report.posted_at))
    _text(entry, "published", _stamp(report.posted_at))
    author = ET.SubElement(entry, f"{{{ATOM}}}author")
    _text(author, "name", project.unit.name if project.unit else project.jurisdiction.name)
    ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=page, type="text/html")
    ET.SubElement(entry, f"{{{ATOM}}}category", term=report.kind,
                  label=_("整改") if rectification else _("进度"))
    _text(entry, "summary", report.narrative, type="text")
    return entry


def _text(parent: ET.Element, name: str, text: str, **attrs) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}", attrs)
    element.text = NOT_XML.sub("", text)
    return element


def _stamp(moment: datetime) -> str:
    """RFC 3339 with the offset of the deployment's time zone (report times are local)."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Shanghai")
    return moment.replace(microsecond=0, tzinfo=moment.tzinfo or zone).isoformat()
