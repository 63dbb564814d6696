"""Who may open the back office: clerks (and admins) everything; scrutineers and units only the
dashboard; nobody anonymous."""

import pytest

from voting.extensions import db
from voting.models import Jurisdiction

# Every clerk page, as (method, url) with the ids made by the `world` fixture.
CLERK_PAGES = [
    ("GET", "/office/sessions/"), ("GET", "/office/sessions/new"),
    ("GET", "/office/sessions/{session}/edit"), ("POST", "/office/sessions/{session}/delete"),
    ("GET", "/office/sessions/jurisdictions/new"),
    ("GET", "/office/sessions/jurisdictions/{jurisdiction}/edit"),
    ("GET", "/office/people/"), ("GET", "/office/people/deputies/new"),
    ("GET", "/office/people/deputies/{deputy}/edit"),
    ("POST", "/office/people/deputies/{deputy}/delete"),
    ("GET", "/office/people/delegations?jurisdiction={jurisdiction}"),
    ("GET", "/office/roster/import"), ("GET", "/office/roster/import/preview"),
    ("POST", "/office/roster/import/confirm"), ("POST", "/office/roster/import/cancel"),
    ("GET", "/office/roster/export?jurisdiction={jurisdiction}"),
    ("GET", "/office/signin/"), ("GET", "/office/signin/{session}"),
    ("GET", "/office/signin/{session}/turnout.json"),
    ("POST", "/office/signin/{session}/deputies/{deputy}"),
    ("POST", "/office/signin/{session}/deputies/{deputy}/undo"),
    ("GET", "/office/projects/"), ("GET", "/office/projects/new"),
    ("GET", "/office/projects/{project}/edit"), ("POST", "/office/projects/{project}/delete"),
    ("GET", "/office/projects/units"), ("GET", "/office/projects/units/new"),
    ("GET", "/office/ballots/"), ("GET", "/office/ballots/new"),
    ("GET", "/office/ballots/{ballot}"), ("GET", "/office/ballots/{ballot}/edit"),
    ("GET", "/office/ballots/{ballot}/candidates"), ("GET", "/office/ballots/{ballot}/scrutineers"),
    ("POST", "/office/ballots/{ballot}/delete"),
]


@pytest.fixture
def world(make, county, sitting, add_deputy):
    deputy = add_deputy(county, "张三", "城关镇代表团")
    ballot = make.ballot(sitting)
    project = make.project(county)
    db.session.commit()
    return {"jurisdiction": county.id, "session": sitting.id, "deputy": deputy.id,
            "ballot": ballot.id, "project": project.id}


def visit(client, method, url, world):
    return client.open(url.format(**world), method=method)


@pytest.mark.parametrize(("method", "url"), CLERK_PAGES)
def test_anonymous_visitors_are_sent_to_login(client, world, method, url):
    response = visit(client, method, url, world)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", ["scrutineer", "unit"])
@pytest.mark.parametrize(("method", "url"), CLERK_PAGES)
def test_scrutineers_and_units_get_403_on_clerk_pages(client, auth, make, world, role, method,
                                                      url):
    county = db.session.get(Jurisdiction, world["jurisdiction"])
    extra = {"unit": make.unit(county)} if role == "unit" else {}
    auth.login(role, **extra)
    response = visit(client, method, url, world)
    assert response.status_code == 403
    assert "您没有权限" in response.get_data(as_text=True)


@pytest.mark.parametrize(("method", "url"), [p for p in CLERK_PAGES if p[0] == "GET"])
def test_admins_pass_every_clerk_guard(client, auth, world, method, url):
    auth.login("admin")
    response = visit(client, method, url, world)
    # Pages answer; the preview without a pending upload sends the clerk back to the form.
    assert response.status_code in (200, 302), url
    if response.status_code == 302:
        assert not response.headers["Location"].startswith("/login")


def test_every_office_view_is_guarded(app):
    """A new office page without @role_required would be open to anyone signed in (or not)."""
    from voting import office

    names = {bp.name for bp in office.blueprints}
    for endpoint, view in app.view_functions.items():
        if endpoint.split(".")[0] in names:
            assert getattr(view, "allowed_roles", None), endpoint


def test_dashboard_for_the_anonymous_redirects_to_login(client):
    response = client.get("/office/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
