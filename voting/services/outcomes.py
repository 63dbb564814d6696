"""The published figures behind each project: how the deputies voted on it, how they rated it.

Read from the canonical results of published ballots (`Ballot.result`, docs/formats.md), never
from anything that is not published yet. Two queries for any number of projects: which published
ballots list them, then those ballots' results. No Flask here apart from the database session.

`selection_figures(ids)` → `{project id: figures}` for the projects a published selection ballot
decided (the latest such ballot, so a runoff (另行投票) wins over the ballot that tied):

    {"ballot_id": 7, "ballot_title": "青川县2026年民生实事项目票决",
     "for": 131, "against": 7, "abstain": 5,   # votes on this project
     "threshold": 76,                            # "for" votes a project needed
     "rank": 2,                                  # by "for" votes on that ballot, 1-based; equal
                                                 # votes share a rank (1, 2, 2, 4)
     "selected": True, "seats": 8, "candidates": 10}

`evaluation_figures(ids)` → `{project id: figures}` for the projects rated in a published
evaluation ballot (the latest one):

    {"ballot_id": 8, "ballot_title": "青川县2025年民生实事项目满意度测评",
     "satisfied": 113, "basically_satisfied": 26, "dissatisfied": 3, "abstain": 1,
     "rate": 0.972,            # (满意 + 基本满意) / valid ballots, 0–1, 4 decimals, as published
     "grade": "satisfied",     # satisfied | basically_satisfied | dissatisfied
     "rectify": False}         # 整改 required

A project with no such published ballot is absent from the answer.
"""

import json
from collections.abc import Iterable

from sqlalchemy import select

from voting.extensions import db
from voting.models import Ballot, BallotCandidate

CHUNK = 500  # ids per IN (…): far below SQLite's and PostgreSQL's limits on bound parameters


def selection_figures(project_ids: Iterable[int]) -> dict[int, dict]:
    """How the latest published selection ballot on each project counted it (see module doc)."""
    figures = {}
    for project_id, ballot in _latest_published(project_ids, "selection").items():
        result, pid = ballot["result"], str(project_id)
        row = result["counts"][pid]
        fors = sorted((c["for"] for c in result["counts"].values()), reverse=True)
        figures[project_id] = {
            "ballot_id": ballot["id"], "ballot_title": ballot["title"],
            "for": row["for"], "against": row["against"], "abstain": row["abstain"],
            "threshold": result["threshold"], "rank": fors.index(row["for"]) + 1,
            "selected": pid in result["selected"], "seats": result["seats"],
            "candidates": len(result["counts"]),
        }
    return figures


def evaluation_figures(project_ids: Iterable[int]) -> dict[int, dict]:
    """How the deputies rated each project in the latest published evaluation (module doc)."""
    figures = {}
    for project_id, ballot in _latest_published(project_ids, "evaluation").items():
        row = ballot["result"]["counts"][str(project_id)]
        figures[project_id] = {
            "ballot_id": ballot["id"], "ballot_title": ballot["title"],
            **{key: row[key] for key in ("satisfied", "basically_satisfied", "dissatisfied",
                                         "abstain", "rate", "grade")},
            "rectify": bool(row.get("rectify")),
        }
    return figures


def _latest_published(project_ids: Iterable[int], kind: str) -> dict[int, dict]:
    """{project id: {"id", "title", "result"}} of the latest published `kind` ballot listing it."""
    ids = sorted({int(i) for i in project_ids})
    latest: dict[int, tuple] = {}
    for start in range(0, len(ids), CHUNK):
        rows = db.session.execute(
            select(BallotCandidate.project_id, Ballot.id, Ballot.published_at)
            .join(Ballot, Ballot.id == BallotCandidate.ballot_id)
            .where(BallotCandidate.project_id.in_(ids[start:start + CHUNK]),
                   Ballot.kind == kind, Ballot.state == "published")
        ).all()
        for project_id, ballot_id, published_at in rows:
            key = (published_at is not None, published_at, ballot_id)
            if project_id not in latest or key > latest[project_id]:
                latest[project_id] = key
    ballot_ids = {key[2] for key in latest.values()}
    ballots = {}
    for row in db.session.execute(
        select(Ballot.id, Ballot.title, Ballot.result).where(Ballot.id.in_(ballot_ids))
    ):
        if row.result:  # a published ballot always has its result; never trust it blindly
            ballots[row.id] = {"id": row.id, "title": row.title, "result": json.loads(row.result)}
    return {pid: ballots[key[2]] for pid, key in latest.items() if key[2] in ballots}
