"""The public portal: the project list with search and filters, each project's page, photos.

Thin: parse the query string, call `voting.services.portal`, render. Pages need no account.
"""

from datetime import date
from pathlib import Path

from flask import Blueprint, current_app, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

from voting.errors import NotFound
from voting.office.labels import CATEGORY, PROJECT_STATUS
from voting.services import portal
from voting.services.ballots import state_label

bp = Blueprint("public_portal", __name__)

PHOTO_MAX_AGE = 365 * 86400  # seconds: a photo's name is random and its bytes never change

# The list's status filter, in the words a citizen uses.
STATUS_FILTER = {
    "in_progress": _l("实施中"), "delayed": _l("滞后"), "completed": _l("已完成"),
    "selected": _l("已确定，待开工"), "not_selected": _l("未入选"),
    "candidate": _l("候选（待票决）"),
}

# The status tag of a project on the portal.
STATUS = {**PROJECT_STATUS, "selected": _l("已确定，待开工"), "candidate": _l("候选（待票决）")}

GRADE = {"satisfied": _l("满意"), "basically_satisfied": _l("基本满意"),
         "dissatisfied": _l("不满意")}

COMPLETION = {"met": _l("完成"), "basically_met": _l("基本完成"), "not_met": _l("未完成")}

LABELS = {"category": CATEGORY, "status": STATUS, "status_filter": STATUS_FILTER,
          "grade": GRADE, "completion": COMPLETION}

# Pages other parts of the app provide; linked only when this build has them. The CSV a person
# downloads has its header row in words (the JSON's keys are for scripts).
OPTIONAL_PAGES = {
    "proposals": ("endpoint", "public_proposals.index"),
    "propose": ("endpoint", "public_proposals.new"),
    "feed": ("endpoint", "public_feed.updates"),
    "projects_json": ("path", "/api/v1/projects"),
    "projects_csv": ("path", "/api/v1/projects.csv"),
}
LINK_QUERIES = {"projects_csv": "?header=labels"}


def portal_links() -> dict[str, str | None]:
    """The URL of each page in OPTIONAL_PAGES, or None where this build has none."""
    paths = {rule.rule for rule in current_app.url_map.iter_rules()}
    links = {}
    for name, (kind, target) in OPTIONAL_PAGES.items():
        if kind == "path":
            links[name] = target + LINK_QUERIES.get(name, "") if target in paths else None
        else:
            try:
                links[name] = url_for(target) if target in current_app.view_functions else None
            except BuildError:  # the page needs arguments: not a page to link from here
                links[name] = None
    return links


def portal_context() -> dict:
    """Template context of every portal page: labels, the optional links, ballot states."""
    return {"portal_labels": LABELS, "portal_links": portal_links(), "state_label": state_label}


bp.context_processor(portal_context)


@bp.route("/projects")
def projects():
    """项目列表: search and filters in the query string; works without JavaScript."""
    filters = portal.ProjectFilters.from_args(request.args)
    page = portal.search_projects(filters, date.today())
    return render_template("public/projects.html", page=page, filters=filters,
                           choices=portal.filter_choices())


@bp.route("/projects/<int:project_id>")
def project(project_id):
    """One project's page: what, who, how much, how far, how it was voted and rated."""
    found = portal.public_project(project_id)
    if found is None:
        raise NotFound(_("找不到该项目。项目经人大代表票决或列入票决候选名单后，才在这里公开。"))
    return render_template("public/project.html", **portal.project_page(found, date.today()))


@bp.route("/photos/<name>")
def photo(name):
    """A site photo or its thumbnail (`<32 hex>.jpg`, `<32 hex>_thumb.jpg`), of a public
    project; 404 for any other name, so nothing else in uploads/ can be reached."""
    if not portal.photo_is_public(name):
        raise NotFound(_("找不到该照片。"))
    response = send_from_directory(Path(current_app.instance_path) / "uploads", name,
                                   mimetype="image/jpeg", max_age=PHOTO_MAX_AGE)
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response
