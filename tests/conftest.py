"""Fixtures: a real instance folder and SQLite file per test, built by the real migrations.

`app`, `client`, `runner` (the `voting` CLI against the same instance), `auth` (log in as a role),
and `make` (factories for test data, one per model).
"""

import shutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from tests.postgres_harness import pg_app, pg_database, postgres_url  # noqa: F401 (fixtures)
from voting import create_app
from voting.extensions import db
from voting.instance import DATABASE_FILE, ensure_instance

PASSWORD = "correct-horse-9"


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> Path:
    """Run the migrations once; every test gets a copy of the resulting database file."""
    from flask_migrate import upgrade

    folder = tmp_path_factory.mktemp("template-instance")
    ensure_instance(folder)
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(folder)})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return folder / DATABASE_FILE


@pytest.fixture
def instance(tmp_path, migrated_database, monkeypatch) -> Path:
    folder = tmp_path / "instance"
    ensure_instance(folder)
    shutil.copy(migrated_database, folder / DATABASE_FILE)
    monkeypatch.setenv("VOTING_INSTANCE", str(folder))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return folder


@pytest.fixture
def app_config() -> dict:
    """Override in a test module to change settings; CSRF is checked in tests/security."""
    return {"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False}


class FreshContextClient(FlaskClient):
    """Each request runs in its own app context (its own `g` and database session), as in
    production. The test's pending rows are committed first so the request sees them; the
    test's objects are expired afterwards so it reads what the request wrote."""

    def open(self, *args, **kwargs):
        db.session.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


@pytest.fixture
def app(instance, app_config):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(instance), **app_config})
    app.test_client_class = FreshContextClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(instance):
    """Invoke the `voting` CLI on the test's instance: runner.invoke(["ballot", "list"])."""
    from voting.cli import main

    class Runner:
        def invoke(self, args, input=None):
            return CliRunner().invoke(main, args, input=input, catch_exceptions=False)

    return Runner()


class Factories:
    """make.<model>(**overrides) creates and flushes a row with sensible defaults."""

    def __init__(self):
        self._n = 0

    def _next(self) -> int:
        self._n += 1
        return self._n

    def jurisdiction(self, **kw):
        from voting.models import Jurisdiction

        return self._add(Jurisdiction(**{"name": f"测试县{self._next()}", "level": "county", **kw}))

    def session(self, jurisdiction=None, **kw):
        from voting.models import CongressSession, Term

        term = Term(jurisdiction=jurisdiction or self.jurisdiction(), number=18,
                    start_year=2022, end_year=2027)
        defaults = {"number": self._next(), "title": "第十八届人民代表大会第四次会议",
                    "starts_on": date(2027, 1, 10), "ends_on": date(2027, 1, 13)}
        return self._add(CongressSession(term=term, **{**defaults, **kw}))

    def deputy(self, jurisdiction, **kw):
        from voting.models import Deputy

        return self._add(Deputy(jurisdiction=jurisdiction, **{"name": f"代表{self._next()}", **kw}))

    def unit(self, jurisdiction, **kw):
        from voting.models import ResponsibleUnit

        return self._add(ResponsibleUnit(jurisdiction=jurisdiction,
                                         **{"name": f"县局{self._next()}", **kw}))

    def project(self, jurisdiction, **kw):
        from voting.models import Project

        defaults = {"year": 2027, "title": f"项目{self._next()}", "category": "education",
                    "budget_wan": Decimal("100"), "summary": "一句话简介"}
        return self._add(Project(jurisdiction=jurisdiction, **{**defaults, **kw}))

    def ballot(self, session=None, candidates=3, **kw):
        from voting.models import Ballot, BallotCandidate

        session = session or self.session()
        defaults = {"kind": "selection", "title": "民生实事项目票决", "seats": 2}
        ballot = self._add(Ballot(session=session, **{**defaults, **kw}))
        for position in range(candidates):
            project = self.project(session.term.jurisdiction, status="candidate")
            ballot.candidates.append(BallotCandidate(project=project, position=position))
        db.session.flush()
        return ballot

    def user(self, role="clerk", password=PASSWORD, **kw):
        from voting.services.accounts import create_user

        username = kw.pop("username", f"{role}{self._next()}")
        user = create_user(username, role, password, **kw)
        db.session.flush()
        return user

    def _add(self, row):
        db.session.add(row)
        db.session.flush()
        return row


@pytest.fixture
def make(app):
    return Factories()


@pytest.fixture
def auth(client, make):
    """auth.login("clerk") creates a user of that role (if needed) and signs in as them."""

    class Auth:
        def login(self, role="clerk", user=None, **kw):
            user = user or make.user(role, **kw)
            db.session.commit()
            response = client.post("/login", data={"username": user.username, "password": PASSWORD})
            assert response.status_code == 302, response.get_data(as_text=True)
            return user

        def logout(self):
            return client.post("/logout")

    return Auth()


def now() -> datetime:
    return datetime.now()
