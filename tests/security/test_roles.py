"""Role escalation on every back-office route, generated from the URL map: an anonymous
visitor is sent to the login page, a signed-in user whose role the route does not allow gets
403 — and in both cases nothing in the database or the upload folder changes."""

import pytest

from tests.conftest import PASSWORD
from tests.security.conftest import fingerprint, office_blueprints, rules, url_for_rule
from voting.extensions import db
from voting.models import Project, ResponsibleUnit

ROLES = ("clerk", "scrutineer", "unit")


def attempt(client, rule, method, instance, **known):
    """Send one request to the rule; (status, location, changed?)."""
    url = url_for_rule(rule, **known)
    before = fingerprint(instance)
    response = client.open(url, method=method, data={"text": "x"} if method == "POST" else None)
    return url, response, fingerprint(instance) != before


def test_the_url_map_has_back_office_routes_to_attack(app):
    # Guards the guard: if the office blueprints were not found, every test below would pass.
    assert len(rules(app, blueprints=office_blueprints())) > 50


def test_anonymous_visitors_are_sent_to_login_everywhere_in_the_office(app, client, instance):
    failures = []
    for rule, method in rules(app, blueprints=office_blueprints()):
        url, response, changed = attempt(client, rule, method, instance)
        location = response.headers.get("Location", "")
        if response.status_code != 302 or not location.startswith("/login") or changed:
            failures.append(f"{method} {url}: {response.status_code} {location} changed={changed}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_a_role_gets_403_wherever_the_route_does_not_allow_it(app, client, auth, make, instance,
                                                              role):
    unit = db.session.scalars(db.select(ResponsibleUnit)).first()
    user = auth.login(role, username=f"attacker-{role}",
                      **({"unit": unit} if role == "unit" else {}))
    failures, tried = [], 0
    for rule, method in rules(app, blueprints=office_blueprints()):
        allowed = app.view_functions[rule.endpoint].allowed_roles
        if role in allowed:
            continue
        tried += 1
        url, response, changed = attempt(client, rule, method, instance)
        if response.status_code != 403 or changed:
            failures.append(f"{method} {url}: {response.status_code} changed={changed}")
    assert tried, f"no route refuses {role}"
    assert not failures, f"as {user.username}:\n" + "\n".join(failures)


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
    failures, tried = [], 0
    for rule, method in rules(app, blueprints=office_blueprints(), methods=("POST",)):
        if "unit" not in app.view_functions[rule.endpoint].allowed_roles:
            continue
        if not set(rule.arguments) & set(known):
            continue
        tried += 1
        url, response, changed = attempt(client, rule, method, instance, **known)
        if response.status_code not in (403, 404) or changed:
            failures.append(f"{method} {url}: {response.status_code} changed={changed}")
    assert not failures, "\n".join(failures)
    assert tried or not any(
        "unit" in app.view_functions[r.endpoint].allowed_roles and "project_id" in r.arguments
        for r, _ in rules(app, blueprints=office_blueprints(), methods=("POST",)))


def test_demo_accounts_keep_their_roles(client, instance):
    """The demo's unit account cannot reach the clerk's ballots even with a valid session."""
    response = client.post("/login", data={"username": "unit-edu", "password": "qc-jiaoyu-2027"})
    assert response.status_code == 302
    assert client.get("/office/ballots/").status_code == 403
    assert PASSWORD  # the shared test password stays unused here on purpose
