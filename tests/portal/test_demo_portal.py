"""The portal a newcomer sees after `voting demo`, in Chinese and in English.

The demo is loaded once for the module, by the real CLI, into an instance folder; each test
works on its own copy of that folder (database and photos).
"""

import re
import shutil

import pytest

from tests.conftest import FreshContextClient
from voting import create_app
from voting.extensions import db
from voting.instance import ensure_instance
from voting.models import Ballot, BallotCandidate, Project


@pytest.fixture(scope="module")
def demo_instance(tmp_path_factory, migrated_database):
    from click.testing import CliRunner

    from voting.cli import main

    folder = tmp_path_factory.mktemp("portal-demo") / "instance"
    ensure_instance(folder)
    shutil.copy(migrated_database, folder / migrated_database.name)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VOTING_INSTANCE", str(folder))
        patch.delenv("DATABASE_URL", raising=False)
        result = CliRunner().invoke(main, ["demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def instance(tmp_path, demo_instance, monkeypatch):
    """This test's copy of the demo instance (overrides tests/conftest.py's empty one)."""
    folder = tmp_path / "instance"
    shutil.copytree(demo_instance, folder)
    monkeypatch.setenv("VOTING_INSTANCE", str(folder))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return folder


@pytest.fixture
def app(instance, app_config):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(instance), **app_config})
    app.test_client_class = FreshContextClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_demo_portal_in_both_languages(client):
    """Home, list and every project page of the demo answer in Chinese and English, with
    last year's projects, their progress and photos, the delayed ones marked, and the vote."""
    this_year = db.session.scalars(
        db.select(Project).where(Project.year == 2026, Project.status.in_(
            ("selected", "in_progress", "completed")))).all()
    assert this_year
    home = text(client.get("/?lang=zh_CN"))
    assert "2026年民生实事项目" in home
    for project in this_year:
        assert f'href="/projects/{project.id}"' in home
    assert "滞后" in home and "progress--delayed" in home
    selection = db.session.scalar(db.select(Ballot).filter_by(kind="selection", state="draft"))
    assert selection.title in home and "候选项目名单" in home
    for project in this_year:
        for lang, unit_label in (("zh_CN", "承办单位"), ("en", "Responsible unit")):
            page = text(client.get(f"/projects/{project.id}?lang={lang}"))
            assert unit_label in page and project.title in page
            assert project.unit.name in page
    english = text(client.get("/?lang=en"))
    assert '<html lang="en">' in english and "Responsible unit" in english
    listing = text(client.get("/projects?year=2026&lang=en"))
    assert len(re.findall(r'aria-labelledby="pcard-\d+"', listing)) == len(this_year)


def test_demo_photos_and_vote_figures_are_on_the_pages(client):
    projects = db.session.scalars(db.select(Project).where(Project.year == 2026)).all()
    with_photos = [p for p in projects if any(u.photos for u in p.updates)]
    assert with_photos
    project = with_photos[0]
    page = text(client.get(f"/projects/{project.id}"))
    names = re.findall(r'src="/photos/([0-9a-f]{32}_thumb\.jpg)"', page)
    assert names
    for name in names[:2]:
        response = client.get(f"/photos/{name}")
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        response.close()
    # Where the demo holds a published selection ballot on a project, its page shows the votes.
    published = db.session.execute(
        db.select(BallotCandidate.project_id, Ballot.id).join(Ballot)
        .where(Ballot.state == "published", Ballot.kind == "selection")).all()
    for project_id, ballot_id in published[:3]:
        page = text(client.get(f"/projects/{project_id}"))
        assert f'href="/ballots/{ballot_id}"' in page and "得票排名" in page
