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
from voting.instance import DATABASE_FILE, SIGNING_KEY_FILE, ensure_instance
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
    # The signing key too: last year's slips and commitment were signed with it.
    shutil.copy(folder / SIGNING_KEY_FILE, instance / SIGNING_KEY_FILE)
    return output


def county() -> Jurisdiction:
    return db.session.scalar(db.select(Jurisdiction).filter_by(name="青川县"))


def ballots() -> dict[str, Ballot]:
    """The current session's drafts, by kind."""
    rows = db.session.scalars(db.select(Ballot).filter_by(state="draft")).all()
    return {b.kind: b for b in rows}


def published() -> dict[str, Ballot]:
    """Last year's sitting's published ballots, by kind."""
    rows = db.session.scalars(db.select(Ballot).filter_by(state="published")).all()
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
    # The drafts keep the first ids; last year's sitting comes after them.
    assert [(b["id"], b["state"], b["seats"]) for b in selection] == \
        [(1, "draft", 10), (3, "published", 8)]
    assert [(b["id"], b["state"], b["seats"]) for b in evaluation] == \
        [(2, "draft", None), (4, "published", None)]

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
    assert db.session.scalar(db.select(db.func.count()).select_from(BallotScrutineer)) == 12


def test_last_years_projects_have_history_photos_and_a_delay(demo, app):
    projects = db.session.scalars(db.select(Project).filter_by(year=2026).where(
        Project.status != "not_selected")).all()
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


@pytest.mark.parametrize("kind", ["selection", "evaluation"])
def test_a_draft_saved_as_its_form_shows_it_keeps_its_order(demo, app, client, kind):
    """The candidates' form numbers every listed project 1, 2, 3 …; saved as shown, the list
    stays as it was. (The demo once numbered from 0: the first project showed no number and
    went to the end of the ballot when the clerk saved the form.)"""
    ballot = ballots()[kind]
    before = [c.project_id for c in ballot.candidates]
    accounts = dict(m.groups() for m in map(ACCOUNT_LINE.match, demo.splitlines()) if m)
    assert client.post("/login", data={"username": "clerk",
                                       "password": accounts["clerk"]}).status_code == 302
    page = client.get(f"/office/ballots/{ballot.id}/candidates").get_data(as_text=True)
    shown = {int(pid): number for pid, number in
             re.findall(r'name="order-(\d+)" value="(\d*)"', page)}
    assert [shown[pid] for pid in before] == [str(n) for n in range(1, len(before) + 1)]

    form = {"project": [str(pid) for pid in before],
            **{f"order-{pid}": shown[pid] for pid in before}}
    assert client.post(f"/office/ballots/{ballot.id}/candidates", data=form).status_code == 302
    db.session.expire_all()
    assert [c.project_id for c in ballots()[kind].candidates] == before


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

    session = ballots()["selection"].session
    assert db.session.scalar(db.select(db.func.count()).select_from(Attendance)
                             .filter_by(session_id=session.id)) == 0


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


# ---------------------------------------------------------------- last year's sitting


def test_summary_mentions_last_years_sitting(demo):
    line = next(line for line in demo.splitlines() if line.strip().startswith("往届"))
    assert "第五次会议" in line and "#3" in line and "#4" in line
    assert "10选8" in line and "1个须整改" in line


def test_last_years_ballots_verify_with_the_real_verifier(demo, app, runner, tmp_path):
    for ballot in published().values():
        path = tmp_path / f"export-{ballot.id}.json"
        exported = runner.invoke(["export", str(ballot.id), "--out", str(path)])
        assert exported.exit_code == 0, exported.output
        verified = runner.invoke(["verify", str(path)])
        assert verified.exit_code == 0, verified.output
        assert verified.output.startswith("VALID") and ballot.title in verified.output
        document = json.loads(path.read_text(encoding="utf-8"))
        assert len(document["signatures"]) == 3


def test_last_years_selection_chose_the_eight_projects(demo, app):
    from voting.models import Attendance
    from voting.services.results import result_of

    selection = published()["selection"]
    result = result_of(selection)
    assert (result["roster"], result["present"], result["issued"]) == (150, 143, 143)
    assert result["cast"] == result["valid"] == 143 and result["quorum"]
    assert (len(selection.candidates), selection.seats, result["threshold"]) == (10, 8, 76)
    assert db.session.scalar(db.select(db.func.count()).select_from(Attendance)
                             .filter_by(session_id=selection.session_id)) == 143
    assert selection.session.number == 5 and selection.session.starts_on.year == 2026
    assert selection.session is not ballots()["selection"].session
    chosen = {int(pid) for pid in result["selected"]}
    built = {p.id for p in db.session.scalars(db.select(Project).filter_by(year=2026).where(
        Project.status.in_(("in_progress", "completed"))))}
    assert chosen == built and len(chosen) == 8
    for candidate in selection.candidates:
        row = result["counts"][str(candidate.project_id)]
        assert sum(row.values()) == 143
        if candidate.project_id in chosen:
            assert 120 <= row["for"] <= 140
        else:
            assert row["for"] < 76 and candidate.project.status == "not_selected"
    assert all(selection.session.starts_on <= moment.date() <= selection.session.ends_on
               for moment in (selection.opened_at, selection.closed_at, selection.published_at))


def test_last_years_evaluation_sent_one_project_back_for_rectification(demo, app):
    from voting.services.results import result_of

    evaluation = published()["evaluation"]
    result = result_of(evaluation)
    assert evaluation.session is published()["selection"].session
    projects = [c.project for c in evaluation.candidates]
    assert len(projects) == 5
    assert all(p.year == 2025 and p.status == "completed" and p.progress == 100
               and p.completion in ("met", "basically_met") for p in projects)
    flagged = [p for p in projects if p.rectification]
    assert len(flagged) == 1
    rows = {p.id: result["counts"][str(p.id)] for p in projects}
    for project in projects:
        row = rows[project.id]
        counted = row["satisfied"] + row["basically_satisfied"] + row["dissatisfied"]
        assert counted + row["abstain"] == result["valid"] == result["cast"]
        assert row["rectify"] is (project in flagged)
        assert (row["rate"] < 0.85) is (project in flagged)
    rectified = flagged[0]
    reports = [u for u in rectified.updates if u.kind == "rectification"]
    assert reports and all(u.posted_at > evaluation.published_at for u in reports)
    assert "整改" in reports[0].narrative and rectified.notes


def test_this_years_evaluation_rule_is_the_one_its_rules_text_states(demo, app):
    """测评办法 五: 整改 below an 85% satisfaction rate or for a 不满意 grade, as last year's; the
    ballot's own rule says the same, so a 基本满意 project at 61% is flagged."""
    import secrets

    from voting.domain import counting
    from voting.services.ballots import build_definition

    evaluation = ballots()["evaluation"]
    assert evaluation.rectify_below_rate == Decimal("0.85")
    assert "满意率（满意票与基本满意票之和占有效票的比例）低于85%或者测评结果为不满意的项目" \
        in evaluation.rules_text and "应当在三个月内制定整改方案" in evaluation.rules_text
    last_year = published()["evaluation"]
    assert evaluation.rectify_below_rate == last_year.rectify_below_rate
    definition = build_definition(evaluation)
    first = definition["candidates"][0]["id"]
    marks = ["satisfied"] * 30 + ["basically_satisfied"] * 31 + ["dissatisfied"] * 39
    cast = [{"id": secrets.token_hex(16),
             "choices": {c["id"]: mark if c["id"] == first else "abstain"
                         for c in definition["candidates"]}} for mark in marks]
    row = counting.tally(definition, cast, roster=150, present=100, issued=100)["counts"][first]
    assert (row["grade"], row["rate"], row["rectify"]) == ("basically_satisfied", 0.61, True)


def test_last_years_rectification_awaits_the_clerks_confirmation(demo, app, client):
    water = db.session.scalar(db.select(Project).filter_by(title="农村生活污水处理设施建设"))
    reports = sorted((u for u in water.updates if u.kind == "rectification"),
                     key=lambda u: u.posted_at)
    assert [u.percent for u in reports] == [40, 100]  # the rectification's own figure
    assert (water.progress, water.rectification, water.rectification_progress,
            water.rectified_on) == (100, True, 100, None)
    record = next(r for r in client.get("/api/v1/projects?year=2025").get_json()
                  if r["id"] == water.id)
    assert (record["rectification_status"], record["rectification_progress"]) == \
        ("under_way", 100)


def test_open_data_shows_the_history(demo, app, client):
    records = client.get("/api/v1/projects?year=2025").get_json()
    assert len(records) == 5 and all(r["evaluation"] for r in records)
    flagged = [r["title"] for r in records if r["evaluation"]["rectify"]]
    assert flagged == ["农村生活污水处理设施建设"]
    built = client.get("/api/v1/projects?year=2026&status=in_progress,completed").get_json()
    assert len(built) == 8 and {r["ballot_id"] for r in built} == {published()["selection"].id}
    assert all(r["evaluation"] is None for r in built)  # their evaluation is still a draft


def test_a_failure_after_the_first_cast_takes_the_whole_demo_back(app, monkeypatch):
    from voting.demo import demo_loaded, load_demo, sitting
    from voting.models import Attendance, CastBallot, Receipt, Token

    def fail(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(sitting.results, "publish_result", fail)  # the first ballot is cast
    with pytest.raises(RuntimeError):
        load_demo()
    assert not demo_loaded()
    for model in (Jurisdiction, Deputy, Project, Ballot, Token, CastBallot, Receipt, Attendance,
                  User, Photo, Proposal):
        assert db.session.scalar(db.select(db.func.count()).select_from(model)) == 0, model
    assert list((Path(app.instance_path) / "uploads").iterdir()) == []
