"""Every form of the app, found by crawling, filled in validly, and sent with chosen text in
its free-text fields: the machinery of the stored-XSS and SQL-injection tests.

The forms are found by opening every GET page of the URL map as each kind of visitor
(anonymous, the clerk, the unit reporting on a project under way, the unit rectifying one, a
scrutineer) and reading the <form>s. What is written by hand is the state the pages are opened
in (`set_the_stage`): which rows the URL arguments point to, so that forms that exist only in
some state — a proposal still to handle, a project under way with its unit signed in, a project
to rectify, a draft ballot… — are on the page; and the few text fields that are not free text
(a lookup, a phone number) or that only a robot fills (the honeypot).
"""

import io
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urljoin, urlsplit

from markupsafe import escape
from PIL import Image
from werkzeug.exceptions import HTTPException

from tests.ballot_day import open_with_tokens
from tests.conftest import PASSWORD
from tests.security.conftest import (
    ARG_TABLES,
    first_id,
    forms_in,
    log_in,
    rules,
    url_for_rule,
)
from voting.extensions import db
from voting.models import Ballot, Delegation, Deputy, Jurisdiction, Project
from voting.services import ballots, proposals, roster

TEXT_TYPES = ("text", "textarea", "search")
MARKUP_TYPES = ("text/html", "application/atom+xml", "application/xml")
# Pages that are not read here: the booth (needs a token), files, JSON and CSV, the API.
NOT_PAGES = ("static", "booth.", "public_portal.photo", "api")

# Text fields that are not stored but looked up (a slip, another proposal's number, a tracking
# code, a user name): the value must be a real one for the form to do anything.
LOOKUPS = {
    ("office_desk.void", "slip"): "the QR content of a slip, looked up to void it",
    ("office_proposals.merge", "merge-other"): "the number of the proposal to keep",
    ("public_proposals.track", "code"): "a tracking code, looked up",
    ("auth.login", "username"): "an account name, looked up",
}
# Text fields that take a format, not free text (checked by the form, refused otherwise).
FORMATTED = {"phone": "13800000000"}
# Values for numbers and dates the form cannot know: in range and consistent with each other.
NUMBERS = {"start_year": "2027", "end_year": "2031", "term_number": "19", "number": "9",
           "seats": "1", "rectify_below": "60", "count": "2", "budget_wan": "120"}


def future(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


DATES = {"starts_on": lambda: "2027-03-01", "ends_on": lambda: "2027-03-03",
         "planned_start": lambda: "2027-03-01", "planned_finish": lambda: "2027-12-31",
         "due_on": lambda: future(60), "done_on": date.today().isoformat,
         "inspected_on": date.today().isoformat}


@dataclass
class Found:
    """A form found on a page: its endpoint, the page, who saw it, and its fields."""

    endpoint: str
    action: str
    fields: dict
    visitor: str
    page: str

    @property
    def text_fields(self) -> list[str]:
        return [name for name, f in self.fields.items()
                if f["type"] in TEXT_TYPES and not is_honeypot(f)]

    @property
    def free_text(self) -> list[str]:
        return [name for name in self.text_fields if (self.endpoint, name) not in LOOKUPS
                and name not in FORMATTED]


@dataclass
class Stage:
    """The rows the pages are opened on, and the signed-in visitors (test clients)."""

    ids: dict  # URL argument → row id, for every page
    by_endpoint: dict  # endpoint → {URL argument → row id}, where one page needs its own row
    lookups: dict  # (endpoint, field) → a real value to look up
    visitors: dict = field(default_factory=dict)  # name → test client, signed in
    extra_pages: list = field(default_factory=list)  # pages the stage's ids do not lead to

    def url(self, rule) -> str:
        return url_for_rule(rule, **{**self.ids, **self.by_endpoint.get(rule.endpoint, {})})


def is_honeypot(f: dict) -> bool:
    """A field hidden from people (out of the tab order): only a robot fills it."""
    return f.get("attrs", {}).get("tabindex") == "-1"


# ---------------------------------------------------------------- the state the forms need


def set_the_stage(app, make) -> Stage:
    """Rows for the state-dependent forms, and one signed-in test client per visitor:

    - four proposals still to handle (待办理): one accepted, one merged into the fourth, one
      declined — each decision is final, so each form gets its own;
    - a project under way (实施中) whose unit's account is signed in (progress report,
      milestones, the clerk's supervision notes);
    - a project to rectify after its rating, with its unit's account signed in too (and its
      tracking page, where the clerk confirms the rectification done);
    - a draft ballot (edit, candidates, the desk's slip forms), an open one (close) and a
      closed one with its scrutineer signed in (certify);
    - rows that may be deleted: an empty delegation, a unit without projects, a library
      project; a deputy signed in at a sitting (undo); a roster file uploaded, not yet
      confirmed (confirm, cancel).
    """
    county = db.session.get(Jurisdiction, first_id("jurisdiction"))
    pending = []
    for n in range(4):
        proposal, _ = proposals.submit(
            jurisdiction=county, title=f"待办理的建议{n}", category="education",
            description=f"第{n}条：城关镇需要新建一所幼儿园，解决入园难的问题。")
        pending.append(proposal)
    under_way = db.session.scalars(db.select(Project).filter_by(status="in_progress")
                                   .where(Project.unit_id.is_not(None))
                                   .order_by(Project.id)).first()
    to_rectify = db.session.scalars(db.select(Project).filter_by(rectification=True)
                                    .where(Project.unit_id.is_not(None))
                                    .order_by(Project.id)).first()
    draft = db.session.scalars(db.select(Ballot).filter_by(state="draft")
                               .order_by(Ballot.id)).first()
    assert under_way and to_rectify and draft, "the demo no longer has the rows the forms need"
    reporter = make.user("unit", unit=under_way.unit, username="reporter")
    rectifier = reporter if to_rectify.unit_id == under_way.unit_id else \
        make.user("unit", unit=to_rectify.unit, username="rectifier")
    open_ballot, _ = open_with_tokens(make, 1)
    closed, _ = open_with_tokens(make, 1)
    ballots.close_ballot(closed)
    db.session.commit()  # at once, as the desk does: closing checkpoints the SQLite log
    scrutineer = closed.scrutineers[0].user
    empty = Delegation(jurisdiction=county, name="空代表团")
    db.session.add(empty)
    spare_unit = make.unit(county, name="县待撤并局")
    library = make.project(county, status="library", title="入库项目")
    sitting = draft.session
    deputy = db.session.scalars(db.select(Deputy).filter_by(jurisdiction_id=county.id)
                                .order_by(Deputy.id)).first()
    roster.sign_in(sitting, deputy)
    db.session.commit()
    stage = Stage(
        ids={"proposal_id": pending[0].id, "project_id": under_way.id, "ballot_id": draft.id,
             "delegation_id": empty.id, "unit_id": spare_unit.id},
        by_endpoint={
            "office_proposals.merge": {"proposal_id": pending[1].id},
            "office_proposals.decline": {"proposal_id": pending[2].id},
            "office_tracking.rectify": {"project_id": to_rectify.id},
            "office_projects.edit": {"project_id": library.id},
            "office_desk.close_vote": {"ballot_id": open_ballot.id},
            "office_results.detail": {"ballot_id": closed.id},
            "office_signin.desk": {"session_id": sitting.id},
        },
        lookups={("office_proposals.merge", "merge-other"): str(pending[3].id)})
    stage.visitors = {"anonymous": app.test_client(), "clerk": app.test_client(),
                      "reporter": app.test_client(), "rectifier": app.test_client(),
                      "scrutineer": app.test_client()}
    log_in(stage.visitors["clerk"], "clerk", "qc-clerk-2027")
    log_in(stage.visitors["reporter"], reporter.username, PASSWORD)
    log_in(stage.visitors["rectifier"], rectifier.username, PASSWORD)
    log_in(stage.visitors["scrutineer"], scrutineer.username, PASSWORD)
    upload_a_roster(stage.visitors["clerk"], county)
    stage.extra_pages = [f"/projects/{to_rectify.id}",
                         f"/office/tracking/projects/{to_rectify.id}"]
    return stage


def upload_a_roster(client, county) -> None:
    """A one-deputy roster file, uploaded and waiting for the clerk's confirmation."""
    text = "姓名,代表团,性别,联系电话,工作单位及职务\n张新民,城关镇代表团,男,,\n"
    response = client.post("/office/roster/import", data={
        "jurisdiction": str(county.id), "file": (io.BytesIO(text.encode()), "名册.csv")})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]


# ---------------------------------------------------------------- finding the forms


def page_urls(app, stage: Stage | None, newest: bool = False) -> list[str]:
    """Every GET page of the URL map, opened on the stage's rows (or on the newest row of each
    table, where what a form created is shown)."""
    urls = []
    for rule, _ in rules(app, methods=("GET",)):
        if rule.endpoint.startswith(NOT_PAGES) or rule.rule.endswith((".json", ".csv")):
            continue
        if newest:
            urls.append(url_for_rule(rule, **newest_ids(rule)))
        else:
            urls.append(stage.url(rule))
    return list(dict.fromkeys(urls))


def newest_ids(rule) -> dict:
    """The newest row's id for each id argument of the rule."""
    values = {}
    for name in rule.arguments:
        if name.endswith("_id"):
            table = ARG_TABLES.get(name, name.removesuffix("_id"))
            values[name] = db.session.scalar(
                db.text(f'SELECT max(id) FROM "{table}"')) or 1  # noqa: S608
    return values


def endpoint_of(app, url: str, method: str = "POST") -> tuple[str, dict] | None:
    """(endpoint, URL arguments) of the route answering `method` at `url`; None if none does."""
    try:
        return app.url_map.bind("localhost").match(urlsplit(url).path, method=method)
    except HTTPException:  # a form posting outside the URL map: not ours
        return None


def crawl(app, stage: Stage) -> dict[str, Found]:
    """The POST forms on every page, as each visitor sees them: endpoint → the first found."""
    found: dict[str, Found] = {}
    urls = page_urls(app, stage) + stage.extra_pages
    for visitor, client in stage.visitors.items():
        for url in urls:
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.content_type:
                continue
            for form in forms_in(response.get_data(as_text=True)):
                if form["method"] != "post":
                    continue
                action = urljoin(url, form["action"] or url)
                matched = endpoint_of(app, action)
                if matched is None:
                    continue
                endpoint, _ = matched
                current = found.get(endpoint)
                # Prefer the visitor who sees free-text fields (a unit sees the report form).
                candidate = Found(endpoint, action, form["fields"], visitor, url)
                if current is None or (not current.text_fields and candidate.text_fields):
                    found[endpoint] = candidate
    return found


def post_endpoints(app) -> set[str]:
    return {rule.endpoint for rule, _ in rules(app, methods=("POST",))}


# ---------------------------------------------------------------- filling and sending


def small_png(colour=(200, 30, 40)) -> bytes:
    """A real 64 × 48 PNG, drawn by Pillow."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "PNG")
    return buffer.getvalue()


def filled(found: Found, stage: Stage, text_for, lookups_too: bool = False
           ) -> tuple[dict, dict[str, str]]:
    """(form data, {field: text sent}): every field valid, `text_for(endpoint, field)` in each
    free-text field (and in the lookups, with `lookups_too`), the honeypot empty, a real PNG in
    every file input."""
    data, sent = {}, {}
    for name, f in found.fields.items():
        kind, value = f["type"], f["value"]
        if kind in ("submit", "button", "image", "reset"):
            continue
        if kind in TEXT_TYPES:
            if is_honeypot(f):
                data[name] = ""
            elif (found.endpoint, name) in stage.lookups and not lookups_too:
                data[name] = stage.lookups[(found.endpoint, name)]
            elif name in FORMATTED and not lookups_too:
                data[name] = FORMATTED[name]
            else:
                data[name] = sent[name] = text_for(found.endpoint, name)
        elif kind == "file":
            data[name] = (io.BytesIO(small_png()), "site.png")
        elif kind == "number":
            data[name] = value or NUMBERS.get(name.rpartition("-")[2]) or \
                f["attrs"].get("min") or "1"
        elif kind == "date":
            data[name] = value or DATES.get(name.rpartition("-")[2], lambda: future(30))()
        elif kind == "select":
            if value is not None:
                data[name] = value
        elif kind in ("checkbox", "radio"):
            if value:
                data[name] = value
        else:
            data[name] = value
    return data, sent


def post_url(app, found: Found, stage: Stage) -> str:
    """The form's action, on the row the stage chose for this endpoint."""
    endpoint, args = endpoint_of(app, found.action)
    args = {**args, **stage.by_endpoint.get(endpoint, {})}
    return app.url_map.bind("localhost").build(endpoint, args)


def send(app, found: Found, stage: Stage, text_for, lookups_too: bool = False):
    """Post the filled form as the visitor who saw it: (response, {field: text sent})."""
    data, sent = filled(found, stage, text_for, lookups_too)
    client = stage.visitors[found.visitor]
    return client.post(post_url(app, found, stage), data=data), sent


def accepted(response) -> bool:
    """Stored: a redirect away from the form (not to the login page), as every form here
    answers a success (Post/Redirect/Get)."""
    location = response.headers.get("Location", "")
    return response.status_code in (302, 303) and not location.startswith("/login")


class DistinctTexts:
    """A different text for every (endpoint, field) a form is filled with — `shape(n)` for the
    n-th — so that a text found where it should not be names its field."""

    def __init__(self, shape):
        self.shape = shape
        self.by_field: dict[tuple[str, str], str] = {}

    def __call__(self, endpoint: str, name: str) -> str:
        return self.by_field.setdefault((endpoint, name), self.shape(len(self.by_field)))


def why(response) -> str:
    """The messages a refused form shows (field errors, alerts), for a failure's report."""
    messages = re.findall(r'class="(?:field__error|flash flash--error)"[^>]*>([^<]*)<',
                          response.get_data(as_text=True))
    return "; ".join(messages) or response.get_data(as_text=True)[:300]


def shown_as_text(text: str) -> str:
    """How a page shows `text` when it escapes it (Jinja's autoescape)."""
    return str(escape(text))


# ---------------------------------------------------------------- reading the pages again


def newest_urls(app) -> list[str]:
    """Every GET page that takes row ids, opened on the newest row of each table."""
    return page_urls(app, None, newest=True)


def read_pages(app, stage: Stage, extra: list[str]) -> dict[str, dict[str, str]]:
    """visitor → {url: body} of every markup page: the URL map on the stage's rows, and `extra`
    (where what the forms created is shown)."""
    urls = list(dict.fromkeys(page_urls(app, stage) + list(extra)))
    bodies = {}
    for visitor, client in stage.visitors.items():
        bodies[visitor] = {}
        for url in urls:
            response = client.get(url)
            if response.status_code == 200 and any(
                    kind in response.content_type for kind in MARKUP_TYPES):
                bodies[visitor][url] = response.get_data(as_text=True)
    return bodies
