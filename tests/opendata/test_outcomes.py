"""The figures behind each project, read from real published ballots (voting.services.outcomes)."""

from decimal import Decimal

from sqlalchemy import event

from tests.opendata.conftest import run_ballot
from voting.extensions import db
from voting.services import results
from voting.services.outcomes import evaluation_figures, selection_figures


def test_selection_figures_of_a_published_ballot(sitting, project, held):
    day = sitting(roster=5, present=5)
    a, b, c, d = (project(day.county, t) for t in ("幼儿园", "老旧小区", "农村公路", "供水"))
    # Threshold: more than half of 5 = 3; three seats. A 5, B 3, C 3, D 1.
    ballot = held(day, "selection", [a, b, c, d], "FFA.", "F.FF", "FFF.", "FF..", "FAF.",
                  seats=3)
    figures = selection_figures([a.id, b.id, c.id, d.id])
    assert figures[a.id] == {
        "ballot_id": ballot.id, "ballot_title": "2026年民生实事项目票决",
        "for": 5, "against": 0, "abstain": 0, "threshold": 3, "rank": 1, "selected": True,
        "seats": 3, "candidates": 4,
    }
    assert (figures[b.id]["for"], figures[b.id]["against"], figures[b.id]["abstain"]) == (3, 1, 1)
    assert figures[b.id]["rank"] == figures[c.id]["rank"] == 2  # equal votes share a rank
    assert figures[b.id]["selected"] and figures[c.id]["selected"]
    assert (figures[d.id]["rank"], figures[d.id]["selected"], figures[d.id]["for"]) == (4, False, 1)


def test_only_published_ballots_count(sitting, project, held):
    day = sitting()
    closed = [project(day.county, "托育"), project(day.county, "养老")]
    certified = [project(day.county, "就业"), project(day.county, "市场")]
    held(day, "selection", closed, "F.", "F.", ".F", seats=1, stop_at="closed")
    held(day, "selection", certified, "F.", "F.", ".F", seats=1, stop_at="certified")
    held(day, "evaluation", closed, "SS", "BD", stop_at="certified")
    ids = [p.id for p in closed + certified]
    assert selection_figures(ids) == {} and evaluation_figures(ids) == {}
    assert selection_figures([]) == {} and evaluation_figures([]) == {}


def test_a_runoff_decides_the_tied_projects(sitting, project, held):
    day = sitting(roster=5, present=5)
    a, b, c = (project(day.county, t) for t in ("幼儿园", "老旧小区", "农村公路"))
    first = held(day, "selection", [a, b, c], "FF.", "F.F", "FF.", "F.F", ".FF", seats=2)
    runoff = results.create_runoff(first)
    db.session.commit()
    run_ballot(runoff, day.scrutineers, ["F.", "F.", "F.", ".F", ".F"])
    figures = selection_figures([a.id, b.id, c.id])
    assert figures[a.id]["ballot_id"] == first.id and figures[a.id]["selected"]
    assert figures[b.id]["ballot_id"] == figures[c.id]["ballot_id"] == runoff.id
    assert (figures[b.id]["selected"], figures[b.id]["for"], figures[b.id]["seats"]) == (True, 3, 1)
    assert (figures[c.id]["selected"], figures[c.id]["rank"]) == (False, 2)


def test_evaluation_figures_and_rectification(sitting, project, held):
    day = sitting(roster=6, present=6)
    good, poor = project(day.county, "学校食堂", status="completed", year=2025), \
        project(day.county, "污水处理", status="completed", year=2025)
    # 6 voters: good 4 S, 1 B, 1 D (rate 5/6); poor 1 S, 2 B, 2 D, 1 abstain (rate 3/6).
    ballot = held(day, "evaluation", [good, poor], "SS", "SB", "SB", "SD", "BD", "D.",
                  rectify_below_rate=Decimal("0.85"))
    figures = evaluation_figures([good.id, poor.id, 999_999])
    assert figures[good.id] == {
        "ballot_id": ballot.id, "ballot_title": "2025年民生实事项目满意度测评",
        "satisfied": 4, "basically_satisfied": 1, "dissatisfied": 1, "abstain": 0,
        "rate": 0.8333, "grade": "satisfied", "rectify": True,  # under 85%
    }
    assert figures[poor.id]["rate"] == 0.5 and figures[poor.id]["grade"] == "dissatisfied"
    assert figures[poor.id]["abstain"] == 1 and figures[poor.id]["rectify"] is True
    assert 999_999 not in figures
    assert selection_figures([good.id]) == {}  # rated, never voted on


def test_the_latest_evaluation_wins(sitting, project, held):
    day = sitting(roster=3, present=3)
    item = project(day.county, "污水处理", status="completed", year=2025)
    held(day, "evaluation", [item], "D", "D", "B", title="第一次测评")
    later = held(day, "evaluation", [item], "S", "S", "B", title="整改后再次测评")
    figures = evaluation_figures([item.id])[item.id]
    assert (figures["ballot_id"], figures["ballot_title"]) == (later.id, "整改后再次测评")
    assert (figures["grade"], figures["rectify"]) == ("satisfied", False)


def test_a_few_queries_for_any_number_of_projects(sitting, project, held, app):
    day = sitting(roster=3, present=3)
    many = [project(day.county, f"项目{n}") for n in range(12)]
    held(day, "selection", many, *(["F" * 6 + "." * 6] * 3), seats=6)
    ids = [p.id for p in many]
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        selection_figures(ids[:1])
        few = len(statements)
        statements.clear()
        figures = selection_figures(ids + list(range(10**6, 10**6 + 1200)))
        assert len(figures) == 12
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert few <= 2
    assert len(statements) <= 5  # the ids go in chunks of 500, the results in one query
