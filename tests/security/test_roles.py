"""Role escalation on every back-office route, generated from the URL map and judged against a
table written from the domain, not from the guards under test: every role (admin and anonymous
included) tries every route with every method it answers. A role the table lets in gets in (no
403, no login page); any other signed-in role gets 403, an anonymous visitor the login page —
and in both cases nothing in the database or the upload folder changes."""

import re

import pytest

from tests.conftest import PASSWORD
from tests.security.conftest import fingerprint, log_in, office_blueprints, rules, url_for_rule
from tests.security.every_form import set_the_stage
from voting import office
from voting.extensions import db
from voting.models import Milestone, Project, ResponsibleUnit

STAFF = frozenset({"admin", "clerk", "scrutineer", "unit"})
OFFICE = frozenset({"admin", "clerk"})
# Who may enter, from DOMAIN.md ("The cycle and who does what"): the clerk (人大工作人员) and the
# administrator run the office; a scrutineer (监票人) sees the count and signs it, nothing else;
# a responsible unit (承办单位) follows and reports on its own projects, nothing else; the public
# nothing. First match on the route's rule wins.
MAY_ENTER = (
    (r"^/office/$", STAFF),  # the dashboard: each role sees its own work
    (r"^/office/results/[^/]+/certify$", {"scrutineer"}),  # only a scrutineer signs
    (r"^/office/results/[^/]+(/announcement)?$", OFFICE | {"scrutineer"}),  # the count
    (r"^/office/results/", OFFICE),  # publish, runoff
    (r"^/office/tracking/projects/[^/]+/(report|rectify|milestones)(/|$)", {"unit"}),  # own
    (r"^/office/tracking/(projects/[^/]+)?$", OFFICE | {"unit"}),  # following progress
    (r"^/office/tracking/", OFFICE),  # the Congress's records: 视察意见, rectification done
    (r"^/office/", OFFICE),  # sessions, people, roster, sign-in, projects, ballots, desk, …
)
ROLES = ("anonymous", "admin", "clerk", "scrutineer", "unit")
# Blueprints outside /office, all public: a new blueprint must be named here or live there.
PUBLIC_BLUEPRINTS = {"", "public", "public_portal", "public_feed", "public_proposals",
                     "public_results", "auth", "booth", "api", "api_projects", "api_results"}


@pytest.fixture
def app_config():
    """A crash answers 500, as in production, so that one crash does not hide the others."""
    return {"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
            "PROPAGATE_EXCEPTIONS": False}


def may_enter(rule) -> frozenset:
    return next(frozenset(roles) for pattern, roles in MAY_ENTER
                if re.search(pattern, rule.rule))


def back_office(app) -> list:
    """(rule, method) for every route under /office, every method it answers (HEAD and
    OPTIONS aside); reading pages first, then changes, deletions last."""
    found = [(rule, method) for rule in app.url_map.iter_rules()
             if rule.rule.startswith("/office")
             for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return sorted(found, key=lambda rm: (rm[1] != "GET", "delete" in rm[0].rule, rm[0].rule))


def test_the_url_map_has_back_office_routes_to_attack(app):
    # Guards the guard: if the office routes were not found, every test below would pass.
    assert len(back_office(app)) > 60
    assert {rule.endpoint.rpartition(".")[0] for rule, _ in back_office(app)} \
        == {bp.name for bp in office.blueprints}
    outside = {rule.endpoint.rpartition(".")[0] for rule in app.url_map.iter_rules()
               if not rule.rule.startswith("/office")}
    assert outside <= PUBLIC_BLUEPRINTS, outside - PUBLIC_BLUEPRINTS


def test_the_guards_declare_what_the_domain_table_says(app):
    """The roles each guard names (admin always passes) are the table's: a disagreement is
    shown route by route, before any request is sent."""
    different = []
    for rule, _ in rules(app, blueprints=office_blueprints()):
        declared = set(getattr(app.view_functions[rule.endpoint], "allowed_roles", ()))
        expected = set(may_enter(rule)) - {"admin"}
        if declared != expected:
            different.append(f"{rule.rule}: guard {sorted(declared)}, domain {sorted(expected)}")
    assert not different, "\n".join(sorted(set(different)))


@pytest.fixture
def visitors(app, make):
    """A signed-in client per role, on rows that role is concerned with: the unit's own project
    (under way, and to be rectified), a ballot closed and waiting for its scrutineer's
    signature, proposals still to handle. Returns (clients by role, URL argument values)."""
    stage = set_the_stage(app, make)
    under_way = db.session.get(Project, stage.ids["project_id"])
    under_way.rectification = True  # so that the unit's rectification page exists too
    milestone = db.session.scalars(db.select(Milestone).filter_by(project_id=under_way.id)
                                   .order_by(Milestone.id)).first()
    db.session.commit()
    admin = app.test_client()
    log_in(admin, "admin", "qc-admin-2027")
    clients = {"anonymous": stage.visitors["anonymous"], "admin": admin,
               "clerk": stage.visitors["clerk"], "scrutineer": stage.visitors["scrutineer"],
               "unit": stage.visitors["reporter"]}
    known = {**stage.ids, "milestone_id": milestone.id}
    closed = stage.by_endpoint["office_results.detail"]["ballot_id"]
    return clients, known, closed


def url_of(rule, known: dict, closed_ballot: int) -> str:
    values = dict(known)
    if rule.rule.startswith("/office/results/"):
        values["ballot_id"] = closed_ballot
    return url_for_rule(rule, **values)


def entered(response) -> bool:
    location = response.headers.get("Location", "")
    return response.status_code not in (401, 403) and not location.startswith("/login")


@pytest.mark.parametrize("role", ROLES)
def test_each_role_enters_exactly_where_the_domain_lets_it(app, instance, visitors, role):
    clients, known, closed = visitors
    client = clients[role]
    routes = back_office(app)
    kept_out = [(r, m) for r, m in routes if role not in may_enter(r)]
    let_in = [(r, m) for r, m in routes if role in may_enter(r)]
    assert kept_out or role == "admin"
    failures, before = [], fingerprint(instance)
    for rule, method in kept_out:  # before any allowed request changes the database
        url = url_of(rule, known, closed)
        response = client.open(url, method=method, data={"text": "x"} if method == "POST" else None)
        location = response.headers.get("Location", "")
        refused = (response.status_code == 302 and location.startswith("/login")) \
            if role == "anonymous" else response.status_code == 403
        after = fingerprint(instance)
        if not refused or after != before:
            failures.append(f"{role} {method} {url}: {response.status_code} {location} "
                            f"changed={after != before}")
        before = after
    for rule, method in let_in:
        url = url_of(rule, known, closed)
        response = client.open(url, method=method, data={"text": "x"} if method == "POST" else None)
        if response.status_code >= 500:
            failures.append(f"{role} {method} {url} with a junk body: crashed, "
                            f"{response.status_code}")
        elif not entered(response):
            failures.append(f"{role} kept out of {method} {url}: {response.status_code} "
                            f"{response.headers.get('Location', '')}")
    assert not failures, "\n".join(failures)


def test_a_unit_cannot_change_another_units_projects(app, client, auth, instance):
    """Every write a unit may make, aimed at a project of another unit: refused, nothing stored."""
    own, other = db.session.scalars(
        db.select(ResponsibleUnit).join(Project, Project.unit_id == ResponsibleUnit.id)
        .group_by(ResponsibleUnit.id).order_by(ResponsibleUnit.id)).all()[:2]
    theirs = db.session.scalars(db.select(Project).filter_by(unit_id=other.id)).first()
    known = {"project_id": theirs.id}
    if theirs.milestones:
        known["milestone_id"] = theirs.milestones[0].id
    if theirs.updates:
        known["update_id"] = theirs.updates[0].id
    auth.login("unit", username="attacker-unit", unit=own)
    failures, tried, before = [], 0, fingerprint(instance)
    for rule, method in back_office(app):
        if method != "POST" or "unit" not in may_enter(rule) or "project_id" not in rule.arguments:
            continue
        tried += 1
        url = url_for_rule(rule, **known)
        response = client.open(url, method=method, data={"text": "x"})
        after = fingerprint(instance)
        if response.status_code not in (403, 404) or after != before:
            failures.append(f"{method} {url}: {response.status_code} changed={after != before}")
        before = after
    assert tried >= 4  # report, rectify, milestones, and a milestone's date
    assert not failures, "\n".join(failures)


def test_demo_accounts_keep_their_roles(client, instance):
    """The demo's unit account cannot reach the clerk's ballots even with a valid session."""
    response = client.post("/login", data={"username": "unit-edu", "password": "qc-jiaoyu-2027"})
    assert response.status_code == 302
    assert client.get("/office/ballots/").status_code == 403
    assert PASSWORD  # the shared test password stays unused here on purpose
