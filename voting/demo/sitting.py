"""Holding the demo's past sitting through the real services (texts and figures in `past.py`).

`add_past_sitting` adds the 2025 projects and the two 2026 candidates that lost, signs 143 of
the 150 deputies in, then runs both ballots the way a clerk does on the day: mint the slips,
open, void the slips nobody drew, cast every ballot through `casting.cast` (the booth's own
function), close, let each scrutineer sign with their key and password, publish. Afterwards the
records are dated back to the sitting (January 2026); nothing signed holds a date.

`casting.cast` commits each ballot, as in the hall: from the first cast on, the demo is in the
database, so `load_demo` removes it again if anything fails later (see `unload.py`).
"""

import random
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from flask import current_app
from sqlalchemy import event

from voting.demo import history, past
from voting.demo.loader import EVALUATION_COLOUR, SELECTION_COLOUR, make_photo
from voting.extensions import db
from voting.models import (
    Attendance,
    Ballot,
    BallotScrutineer,
    CongressSession,
    Deputy,
    Jurisdiction,
    Milestone,
    ProgressUpdate,
    Project,
    ResponsibleUnit,
    SupervisionNote,
    User,
)
from voting.services import ballots, casting, drafting, results


def add_past_sitting(county: Jurisdiction, units: dict[str, ResponsibleUnit],
                     authors: dict[str, User], clerk: User, last_year: list[Project],
                     signers: list[tuple[User, str, bool]], uploads: Path,
                     written: list[Path]) -> tuple[Ballot, Ballot]:
    """The 第五次会议's selection vote and evaluation, published. `signers` are the scrutineers
    as (account, password, chief); `last_year` the 2026 projects in `history.PROJECTS_2026`
    order. Returns (selection, evaluation)."""
    session = db.session.scalar(db.select(CongressSession).filter_by(
        term_id=county.terms[-1].id, number=past.SESSION_NUMBER))
    rng = random.Random(2026)  # noqa: S311 -- a repeatable story, not a secret
    losing = [_project(county, units, spec, 2026, "candidate") for spec in past.LOSING_2026]
    evaluated = [_project_2025(county, units, authors, clerk, spec, uploads, written)
                 for spec in past.PROJECTS_2025]
    db.session.add_all(losing + evaluated)
    db.session.flush()
    sign_in(county, session, rng)

    by_key = {**dict(enumerate(last_year)), **{p.title: p for p in losing}}
    listed = [by_key[key] for key in past.SELECTION_ORDER]
    scrutineers = [(user, chief) for user, _password, chief in signers]
    selection = _draft(session, "selection", past.SELECTION_TITLE, past.SELECTION_RULES,
                       SELECTION_COLOUR, listed, scrutineers, seats=8)
    evaluation = _draft(session, "evaluation", past.EVALUATION_TITLE, past.EVALUATION_RULES,
                        EVALUATION_COLOUR, evaluated, scrutineers,
                        rectify_below_rate=Decimal(past.RECTIFY_BELOW_RATE))
    votes = {str(by_key[key].id): figures for key, figures in past.SELECTION_VOTES.items()}
    rows = {str(p.id): spec["votes"] for p, spec in zip(evaluated, past.PROJECTS_2025,
                                                         strict=True)}
    plan = [(selection.id, selection_ballots(votes, rng), past.SELECTION_TIMES),
            (evaluation.id, evaluation_ballots(rows, rng), past.EVALUATION_TIMES)]
    keys = [(user.id, password) for user, password, _chief in signers]
    db.session.commit()
    with quick_commits():
        for ballot_id, cast, times in plan:
            # A fresh session, as each request in the hall has: committing a ballot then does
            # not expire the thousand demo rows this one holds.
            with current_app.app_context():
                hold_vote(db.session.get(Ballot, ballot_id), cast, keys, times)
    # Publishing marked the 8 as "selected"; a year on, they are being built or done.
    for project, spec in zip(last_year, history.PROJECTS_2026, strict=True):
        project.status = spec["status"]
    # Publishing the evaluation ordered 整改 afresh (0 %); the unit has reported on it since.
    for project, spec in zip(evaluated, past.PROJECTS_2025, strict=True):
        if project.rectification and spec.get("rectification"):
            project.rectification_progress = spec["rectification"][-1][1]
    db.session.commit()
    return selection, evaluation


@contextmanager
def quick_commits():
    """SQLite: commit without waiting for the disk while the past sitting's ~300 ballots go in
    (a lost demo is loaded again; a real vote keeps `synchronous=FULL`). Every connection
    goes back to FULL as it returns to the pool."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        yield
        return

    def pragma(value):
        def run(dbapi_connection, *_args):
            dbapi_connection.execute(f"PRAGMA synchronous={value}")
        return run

    off, full = pragma("OFF"), pragma("FULL")
    event.listen(engine, "checkout", off)
    event.listen(engine, "checkin", full)
    try:
        yield
    finally:
        event.remove(engine, "checkout", off)
        event.remove(engine, "checkin", full)


def _project(county, units, spec: dict, year: int, status: str, **values) -> Project:
    return Project(
        jurisdiction=county, year=year, title=spec["title"], category=spec["category"],
        unit=units[spec["unit"]], budget_wan=Decimal(spec["budget"]),
        funding_source=spec["funding"], location=spec["location"], summary=spec["summary"],
        description=spec["description"], planned_start=date(year, 3, 1),
        planned_finish=date(year, 12, 31), source="department", status=status,
        **values)


def _project_2025(county, units, authors, clerk, spec, uploads, written) -> Project:
    """A completed 2025 project with its milestones, reports (and 整改 reports) and notes."""
    reports = spec["updates"] + spec.get("rectification", ())
    project = _project(county, units, spec, 2025, "completed", progress=100,
                       completion=spec["completion"],
                       funds_spent_wan=Decimal(reports[-1][2]))
    for title, due, done in spec["milestones"]:
        project.milestones.append(Milestone(title=title, due_on=due, done_on=done))
    for n, (posted, percent, funds, narrative, photo) in enumerate(reports):
        kind = "progress" if n < len(spec["updates"]) else "rectification"
        update = ProgressUpdate(posted_at=posted, percent=percent, narrative=narrative,
                                funds_spent_wan=Decimal(funds), kind=kind,
                                author=authors.get(spec["unit"]))
        if photo:
            update.photos.append(make_photo(photo, posted, 7 * n + percent, uploads, written))
        project.updates.append(update)
    for inspected_on, group, text in spec.get("notes", ()):
        project.notes.append(SupervisionNote(inspected_on=inspected_on, group=group, text=text,
                                             recorded_by_id=clerk.id))
    return project


def sign_in(county: Jurisdiction, session: CongressSession, rng: random.Random) -> None:
    """签到: all but `past.ROSTER_ABSENT` deputies of the county, between 8:00 and 8:50."""
    deputies = db.session.scalars(db.select(Deputy.id).filter_by(
        jurisdiction_id=county.id, active=True).order_by(Deputy.id)).all()
    absent = set(rng.sample(deputies, past.ROSTER_ABSENT))
    db.session.add_all(
        Attendance(session_id=session.id, deputy_id=deputy_id,
                   signed_in_at=past.SIGN_IN + timedelta(seconds=rng.randint(0, 50 * 60)))
        for deputy_id in deputies if deputy_id not in absent)


def _draft(session, kind, title, rules, colour, projects, scrutineers, seats=None,
           rectify_below_rate=None) -> Ballot:
    ballot = Ballot(session=session, kind=kind, title=title, seats=seats, rules_text=rules,
                    colour=colour, threshold_base="roster", threshold_num=1, threshold_den=2,
                    rectify_below_rate=rectify_below_rate, state="draft")
    drafting.list_in_order(ballot, projects)
    for user, chief in scrutineers:
        ballot.scrutineers.append(BallotScrutineer(user=user, chief=chief))
    db.session.add(ballot)
    db.session.flush()
    return ballot


def hold_vote(ballot: Ballot, cast: list[dict], signers: list[tuple[int, str]],
              times: tuple[datetime, ...]) -> None:
    """Mint a slip per deputy on the roster, open, void the slips not drawn, cast `cast`,
    close, certify by every scrutineer (`signers`: (user id, password)), publish; then date
    it all to `times` (opened, closed, published)."""
    present = db.session.scalar(db.select(db.func.count(Attendance.id))
                                .filter_by(session_id=ballot.session_id))
    slips = ballots.mint_tokens(ballot, past.SLIPS)
    ballots.open_ballot(ballot)
    for slip in slips[present:]:  # 作废: the slips nobody drew, in front of the scrutineers
        ballots.void_token(ballot, slip)
    db.session.commit()
    for slip, choices in zip(slips, cast, strict=False):
        casting.cast(slip, choices)
    ballots.close_ballot(ballot)
    db.session.commit()
    for user_id, password in signers:
        results.certify_result(ballot, db.session.get(User, user_id), password)
        db.session.commit()
    results.publish_result(ballot)
    opened, closed, published = times
    ballot.opened_at, ballot.closed_at, ballot.published_at = opened, closed, published
    for n, certification in enumerate(ballot.certifications, start=1):
        certification.signed_at = closed + timedelta(minutes=12 + 3 * n)
    db.session.commit()


def selection_ballots(votes: dict[str, tuple[int, int]], rng: random.Random) -> list[dict]:
    """Ballots adding up to `votes` ({candidate id: (for, against)}), one of them blank.

    The "for" marks are dealt round the non-blank ballots in turn, so that no ballot holds more
    than ceil(marks / ballots) of them (8 for the demo's 1,130 marks on 142 ballots)."""
    filled = past.SELECTION_CAST - past.SELECTION_BLANK
    cast = [dict.fromkeys(votes, "abstain") for _ in range(past.SELECTION_CAST)]
    turn = 0
    for cid, (fors, against) in votes.items():
        for k in range(fors):
            cast[(turn + k) % filled][cid] = "for"
        turn = (turn + fors) % filled
        others = [n for n in range(filled) if cast[n][cid] != "for"]
        for n in rng.sample(others, against):
            cast[n][cid] = "against"
    rng.shuffle(cast)
    return cast


def evaluation_ballots(rows: dict[str, tuple[int, int, int, int]],
                       rng: random.Random) -> list[dict]:
    """Ballots adding up to `rows` ({candidate id: (满意, 基本满意, 不满意, 弃权)})."""
    words = ("satisfied", "basically_satisfied", "dissatisfied", "abstain")
    columns = {}
    for cid, counts in rows.items():
        column = [word for word, n in zip(words, counts, strict=True) for _ in range(n)]
        rng.shuffle(column)
        columns[cid] = column
    return [{cid: columns[cid][n] for cid in rows} for n in range(past.EVALUATION_CAST)]
