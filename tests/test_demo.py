"""`voting demo`: what a newcomer relies on after loading the demo (CONTRACT.md, "Demo data")."""

import json
import re
import shutil
import sqlite3
from contextlib import closing
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from voting.domain.counting import threshold
from voting.extensions import db
from voting.instance import DATABASE_FILE, ensure_instance
from voting.models import (
    Ballot,
    BallotScrutineer,
    Deputy,
    Jurisdiction,
    Photo,
    Project,
    Proposal,
    User,
)
from voting.models.projects import CATEGORIES

ACCOUNT_LINE = re.compile(r"^\s+(\S+)\s+密码 (\S+)\s")


@pytest.fixture(scope="module")
def loaded_instance(tmp_path_factory, migrated_database) -> tuple[Path, str]:
    """One `voting demo` run per module (it takes a few seconds): its instance and output."""
    from voting.cli import main

    folder = tmp_path_factory.mktemp("demo-instance")
    ensure_instance(folder)
    shutil.copy(migrated_database, folder / DATABASE_FILE)
    result = CliRunner().invoke(main, ["demo"], catch_exceptions=False,
                                env={"VOTING_INSTANCE": str(folder), "DATABASE_URL": None})
    assert result.exit_code == 0, result.output
    return folder, result.output


@pytest.fixture
def demo(loaded_instance, instance) -> str:
    """This test's instance holds a copy of the loaded demo; returns what `voting demo` printed.

    List it before `app`, `client` and `runner`, so that the copy is in place before they start.
    """
    folder, output = loaded_instance
    # SQLite's backup reads through the write-ahead log, which a plain file copy would miss.
    with closing(sqlite3.connect(folder / DATABASE_FILE)) as source, \
            closing(sqlite3.connect(instance / DATABASE_FILE)) as target:
        source.backup(target)
    shutil.copytree(folder / "uploads", instance / "uploads", dirs_exist_ok=True)
    return output


def county() -> Jurisdiction:
    return db.session.scalar(db.select(Jurisdiction).filter_by(name="青川县"))


def ballots() -> dict[str, Ballot]:
    rows = db.session.scalars(db.select(Ballot)).all()
    return {b.kind: b for b in rows}


def snapshot(app) -> dict:
    """Row counts and upload files: what a refused `voting demo` must leave as it was."""
    counts = {model.__name__: db.session.scalar(db.select(db.func.count()).select_from(model))
              for model in (Jurisdiction, Deputy, Project, Ballot, User, Photo, Proposal)}
    counts["files"] = sorted(p.name for p in (Path(app.instance_path) / "uploads").iterdir())
    return counts


def test_printed_passwords_let_every_account_log_in(demo, app):
    accounts = dict(m.groups() for m in map(ACCOUNT_LINE.match, demo.splitlines()) if m)
    roles = {}
    for username, password in accounts.items():
        assert len(password) >= 8
        response = app.test_client().post("/login", data={"username": username,
                                                          "password": password})
        assert response.status_code == 302, username
        roles[username] = db.session.scalar(db.select(User.role).filter_by(username=username))
    assert sorted(roles.values()).count("scrutineer") == 3
    assert {"admin", "clerk", "unit"} <= set(roles.values())


def test_selection_and_evaluation_ballots_are_drafts(demo, app, runner):
    listed = json.loads(runner.invoke(["ballot", "list", "--json"]).output)
    selection = [b for b in listed if b["kind"] == "selection"]
    evaluation = [b for b in listed if b["kind"] == "evaluation"]
    assert [(b["state"], b["seats"]) for b in selection] == [("draft", 10)]
    assert [(b["state"], b["seats"]) for b in evaluation] == [("draft", None)]

    by_kind = ballots()
    assert len(by_kind["selection"].candidates) == 12
    assert all(c.project.status == "candidate" and c.project.year == 2027
               for c in by_kind["selection"].candidates)
    assert len(by_kind["evaluation"].candidates) == 8
    assert by_kind["selection"].session is by_kind["evaluation"].session
    assert by_kind["selection"].colour != by_kind["evaluation"].colour
    for ballot in by_kind.values():
        assert "弃权" in ballot.rules_text and ballot.session.term.jurisdiction == county()


def test_threshold_is_more_than_half_of_the_150_deputies(demo, app):
    selection = ballots()["selection"]
    assert (selection.threshold_base, selection.threshold_num, selection.threshold_den) == \
        ("roster", 1, 2)
    roster = db.session.scalar(db.select(db.func.count(Deputy.id))
                               .filter_by(jurisdiction_id=county().id, active=True))
    assert roster == 150
    rule = {"base": selection.threshold_base, "numerator": selection.threshold_num,
            "denominator": selection.threshold_den}
    assert threshold(rule, roster=roster, present=0, cast=0) == 76
    assert "76" in selection.rules_text and "76" in demo


def test_county_roster_looks_real(demo, app):
    deputies = db.session.scalars(db.select(Deputy).filter_by(jurisdiction_id=county().id)).all()
    assert len(county().delegations) == 8
    assert "县直机关代表团" in {d.name for d in county().delegations}
    women = sum(d.gender == "女" for d in deputies)
    assert 0.25 <= women / len(deputies) <= 0.4
    assert all(re.fullmatch(r"1\d\d-\d{4}-\d{4}", d.phone) for d in deputies)
    assert all(d.occupation and d.delegation for d in deputies)
    assert len({d.name for d in deputies}) == 150


def test_three_scrutineers_with_keys_on_both_ballots(demo, app):
    names = set(db.session.scalars(db.select(Deputy.name).filter_by(jurisdiction_id=county().id)))
    for ballot in ballots().values():
        assigned = ballot.scrutineers
        assert len(assigned) == 3
        assert sum(s.chief for s in assigned) == 1
        for row in assigned:
            assert row.user.role == "scrutineer"
            assert row.user.public_key and row.user.sealed_key
            assert row.user.display_name in names  # scrutineers are deputies
    assert db.session.scalar(db.select(db.func.count()).select_from(BallotScrutineer)) == 6


def test_last_years_projects_have_history_photos_and_a_delay(demo, app):
    projects = db.session.scalars(db.select(Project).filter_by(year=2026)).all()
    assert len(projects) == 8
    uploads = Path(app.instance_path) / "uploads"
    for project in projects:
        assert project.status in ("in_progress", "completed")
        assert 3 <= len(project.milestones) <= 5
        assert any(m.done_on for m in project.milestones)
        assert 3 <= len(project.updates) <= 6
        percents = [u.percent for u in sorted(project.updates, key=lambda u: u.posted_at)]
        assert percents == sorted(percents) and percents[-1] == project.progress
        assert project.funds_spent_wan <= project.budget_wan
        assert all(u.posted_at.year == 2026 or u.posted_at.date() <= date.today()
                   for u in project.updates)
        photos = [photo for update in project.updates for photo in update.photos]
        assert photos, project.title
        for photo in photos:
            full, thumb = uploads / photo.filename, uploads / photo.filename.replace(
                ".jpg", "_thumb.jpg")
            with Image.open(full) as image:
                assert image.format == "JPEG" and not image.getexif()
                assert image.size == (photo.width, photo.height)
            with Image.open(thumb) as image:
                assert image.format == "JPEG" and image.width == 320
    assert any(p.status == "completed" for p in projects)
    assert any(p.is_delayed(date.today()) for p in projects)
    assert any(p.notes for p in projects)


def test_candidates_are_in_the_grain_of_a_real_list(demo, app):
    candidates = [c.project for c in ballots()["selection"].candidates]
    assert len({p.category for p in candidates}) >= 8
    assert all(p.category in CATEGORIES for p in candidates)
    assert all(p.unit and p.summary and p.description and p.funding_source for p in candidates)
    assert all(p.planned_start.year == p.planned_finish.year == 2027 for p in candidates)
    total = sum(p.budget_wan for p in candidates)
    assert Decimal(10000) <= total <= Decimal(100000)  # a few hundred million yuan


def test_two_towns_with_their_own_rosters_and_candidates(demo, app):
    towns = db.session.scalars(db.select(Jurisdiction).filter_by(level="town")).all()
    assert len(towns) == 2
    for town in towns:
        assert town.parent == county()
        roster = db.session.scalar(db.select(db.func.count(Deputy.id))
                                   .filter_by(jurisdiction_id=town.id))
        assert 45 <= roster <= 60
        assert town.terms and town.terms[0].sessions
        projects = db.session.scalars(db.select(Project).filter_by(jurisdiction_id=town.id)).all()
        assert len(projects) == 5
        assert Decimal(100) <= sum(p.budget_wan for p in projects) <= Decimal(200)


def test_public_proposals_in_every_state(demo, app):
    proposals = db.session.scalars(db.select(Proposal)).all()
    assert 5 <= len(proposals) <= 8
    assert {p.status for p in proposals} == {"received", "accepted", "declined", "merged"}
    assert len({p.tracking_code for p in proposals}) == len(proposals)
    assert all(re.fullmatch(r"[A-HJ-NP-Z2-9]{8}", p.tracking_code) for p in proposals)
    for proposal in proposals:
        if proposal.status == "accepted":
            assert proposal.project is not None and proposal.reply
        if proposal.status == "declined":
            assert "感谢" in proposal.reply
        if proposal.status == "merged":
            assert proposal.merged_into_id is not None


def test_no_one_has_signed_in_yet(demo, app):
    from voting.models import Attendance

    assert db.session.scalar(db.select(db.func.count()).select_from(Attendance)) == 0


def test_second_load_is_refused_politely_and_changes_nothing(demo, runner, app):
    before = snapshot(app)
    result = runner.invoke(["demo"])
    assert result.exit_code != 0
    assert "已经载入" in result.output and "Traceback" not in result.output
    db.session.rollback()
    assert snapshot(app) == before


def test_if_empty_prints_accounts_when_loaded(demo, runner, app):
    before = snapshot(app)
    result = runner.invoke(["demo", "--if-empty"])
    assert result.exit_code == 0
    assert "scrutineer1" in result.output and "qc-clerk-2027" in result.output
    db.session.rollback()
    assert snapshot(app) == before


def test_if_empty_loads_into_an_empty_database(runner, app):
    result = runner.invoke(["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert county() is not None


def test_if_empty_leaves_a_real_deployment_alone(runner, app, make):
    make.jurisdiction(name="某县")
    db.session.commit()
    result = runner.invoke(["demo", "--if-empty"])
    assert result.exit_code == 0
    assert county() is None and "密码" not in result.output


def test_a_failed_load_leaves_no_rows_and_no_files(app, monkeypatch):
    from voting.demo import demo_loaded, load_demo, loader

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(loader, "add_proposals", fail)
    with pytest.raises(RuntimeError):
        load_demo()
    assert not demo_loaded()
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0
    assert list((Path(app.instance_path) / "uploads").iterdir()) == []
