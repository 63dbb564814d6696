"""GET /api/v1/projects: the contract's shape, which projects are public, filters, caching."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voting.extensions import db
from voting.models import BallotCandidate

CONTRACT = ("id", "title", "category", "unit", "budget_wan", "year", "status", "progress",
            "ballot_id", "evaluation")
EVALUATION = ("satisfied", "basically_satisfied", "dissatisfied", "abstain", "rate")


@pytest.fixture
def county_with_history(sitting, project, held, make):
    """A selection held and published (3 for 2 seats), a 2025 project rated, a library entry,
    a candidate on a draft ballot, and a town with one project."""
    day = sitting(roster=3, present=3)
    school, road, market = (project(day.county, title)
                            for title in ("城区公办幼儿园", "农村公路", "农贸市场"))
    selection = held(day, "selection", [school, road, market], "FF.", "F.F", "FFA", seats=2)
    rated = project(day.county, "学校食堂改造", status="completed", year=2025, progress=100,
                    budget_wan=Decimal("620"))
    evaluation = held(day, "evaluation", [rated], "S", "B", "D")
    library = project(day.county, "室内游泳馆", status="library", year=2027)
    project(day.county, "从票上撤下的项目", status="candidate", year=2027)  # on no ballot
    draft = make.ballot(session=day.session, candidates=0)
    candidate = project(day.county, "普惠托育", year=2027)
    draft.candidates.append(BallotCandidate(project=candidate, position=0))
    town = make.jurisdiction(name="青川县河口镇", level="town", parent=day.county)
    town_project = project(town, "便民桥维修", status="in_progress", progress=40, year=2026)
    db.session.commit()
    return {"county": day.county, "town": town, "selection": selection, "school": school,
            "road": road, "market": market, "rated": rated, "evaluation": evaluation,
            "library": library, "candidate": candidate, "draft": draft, "bridge": town_project}


def by_id(records) -> dict:
    return {r["id"]: r for r in records}


def test_every_contract_field_with_its_type(client, county_with_history):
    h = county_with_history
    response = client.get("/api/v1/projects")
    assert response.status_code == 200 and response.mimetype == "application/json"
    records = by_id(response.get_json())
    for record in records.values():
        assert set(CONTRACT) <= set(record)
        assert isinstance(record["id"], int) and isinstance(record["year"], int)
        assert isinstance(record["title"], str) and record["title"]
        assert isinstance(record["category"], str) and isinstance(record["unit"], str)
        assert isinstance(record["budget_wan"], str) and Decimal(record["budget_wan"]) > 0
        assert isinstance(record["progress"], int) and 0 <= record["progress"] <= 100
        assert record["ballot_id"] is None or isinstance(record["ballot_id"], int)
        assert record["evaluation"] is None or set(EVALUATION) <= set(record["evaluation"])
    school = records[h["school"].id]
    assert (school["title"], school["category"], school["year"]) == ("城区公办幼儿园", "education",
                                                                    2026)
    assert school["unit"] == h["school"].unit.name and school["budget_wan"] == "4650.5"
    assert (school["status"], school["progress"], school["ballot_id"]) == \
        ("selected", 0, h["selection"].id)
    assert school["evaluation"] is None
    assert school["votes"] == {"for": 3, "against": 0, "abstain": 0, "threshold": 2, "rank": 1,
                               "selected": True}
    assert records[h["market"].id]["status"] == "not_selected"
    assert records[h["market"].id]["votes"]["against"] == 1
    assert school["url"].endswith(f"/projects/{h['school'].id}")
    assert school["jurisdiction"] == h["county"].name


def test_budget_is_written_as_in_the_ballot_api(client, county_with_history):
    selection = county_with_history["selection"]
    listed = client.get(f"/api/v1/ballots/{selection.id}").get_json()["candidates"]
    records = by_id(client.get("/api/v1/projects").get_json())
    for candidate in listed:
        assert records[int(candidate["id"])]["budget_wan"] == candidate["budget_wan"]
        assert records[int(candidate["id"])]["unit"] == candidate["unit"]


def test_evaluation_is_null_until_a_rating_is_published(client, county_with_history):
    h = county_with_history
    records = by_id(client.get("/api/v1/projects").get_json())
    rated = records[h["rated"].id]
    assert rated["evaluation"] == {
        "satisfied": 1, "basically_satisfied": 1, "dissatisfied": 1, "abstain": 0,
        "rate": 0.6667, "grade": "basically_satisfied", "rectify": False,
        "ballot_id": h["evaluation"].id,
    }
    assert rated["ballot_id"] is None  # rated, but never on a selection ballot here
    assert all(records[h[k].id]["evaluation"] is None for k in ("school", "candidate", "bridge"))


def test_library_entries_stay_private_candidates_on_a_ballot_are_public(client,
                                                                        county_with_history):
    h = county_with_history
    records = by_id(client.get("/api/v1/projects").get_json())
    assert h["library"].id not in records
    assert "从票上撤下的项目" not in {r["title"] for r in records.values()}
    assert set(records) == {h[k].id for k in ("school", "road", "market", "rated", "candidate",
                                              "bridge")}
    candidate = records[h["candidate"].id]
    assert (candidate["status"], candidate["ballot_id"]) == ("candidate", h["draft"].id)
    assert candidate["votes"] is None


FILTERS = [
    ("year=2025", {"rated"}),
    ("year=2027", {"candidate"}),
    ("year=2031", set()),
    ("status=selected", {"school", "road"}),
    ("status=not_selected,in_progress", {"market", "bridge"}),
    ("status=selected,", {"school", "road"}),
    ("status=completed&year=2025", {"rated"}),
    ("jurisdiction=青川县河口镇", {"bridge"}),
    ("jurisdiction=%20青川县%20&status=candidate", {"candidate"}),
    ("year=&status=&jurisdiction=", {"school", "road", "market", "rated", "candidate", "bridge"}),
]


def test_filters(client, county_with_history):
    for query, keys in FILTERS:
        response = client.get(f"/api/v1/projects?{query}")
        assert response.status_code == 200, query
        assert {r["id"] for r in response.get_json()} == \
            {county_with_history[k].id for k in keys}, query


def test_jurisdiction_by_id(client, county_with_history):
    town = county_with_history["town"]
    records = client.get(f"/api/v1/projects?jurisdiction={town.id}").get_json()
    assert [r["title"] for r in records] == ["便民桥维修"]
    assert records[0]["jurisdiction"] == "青川县河口镇"


@pytest.mark.parametrize("query", [
    "year=abc", "year=-2026", "year=20260", "year=99999999999999999999999", "year=２０２６",
    "status=<script>alert(1)</script>", "status=library", "status=selected,<b>", "status=,",
    "jurisdiction=9999999999999999999999", "jurisdiction=0", "jurisdiction=不存在的县",
    "jurisdiction=" + "县" * 500, "year=2026.0", "year=1e3",
])
def test_bad_filters_answer_400_with_a_message(client, query):
    response = client.get(f"/api/v1/projects?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "invalid_request" and body["message"]
    assert "<script>" not in body["message"]
    assert any(word in body["message"] for word in ("年度", "状态", "行政区"))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["year", "status", "jurisdiction", "lang", "other"]),
       value=st.text(st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_any_filter_value_is_a_200_or_a_400_never_a_crash(client, name, value):
    response = client.get("/api/v1/projects", query_string={name: value})
    assert response.status_code in (200, 400), response.get_data(as_text=True)
    body = response.get_json()
    assert isinstance(body, list) if response.status_code == 200 else body["error"] == \
        "invalid_request"
    csv = client.get("/api/v1/projects.csv", query_string={name: value})
    assert csv.status_code == response.status_code


def test_cached_with_an_etag(client, county_with_history):
    first = client.get("/api/v1/projects")
    assert "max-age" in first.headers["Cache-Control"] and first.headers["ETag"]
    again = client.get("/api/v1/projects", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    county_with_history["school"].progress = 35
    db.session.commit()
    changed = client.get("/api/v1/projects", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]


def test_empty_database_gives_an_empty_list(client):
    response = client.get("/api/v1/projects")
    assert response.status_code == 200 and response.get_json() == []
