"""GET /api/v1/projects.csv: opens in Excel (BOM, CRLF), says what the JSON says, runs nothing."""

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voting.extensions import db
from voting.services.opendata import CSV_COLUMNS

KEYS = [column for column, _label in CSV_COLUMNS]


@pytest.fixture
def published(sitting, project, held):
    day = sitting(roster=3, present=3)
    school, road = project(day.county, "城区公办幼儿园"), project(day.county, "农村公路")
    held(day, "selection", [school, road], "FF", "F.", "FA", seats=2)
    rated = project(day.county, "学校食堂改造", status="completed", year=2025)
    held(day, "evaluation", [rated], "S", "S", "D")
    school.status, school.progress, school.funds_spent_wan = "in_progress", 62, Decimal("2880.5")
    db.session.commit()
    return day


def rows_of(response) -> list[dict]:
    """The CSV's rows as {JSON field: cell}, checking the header row on the way."""
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark: Excel reads it as UTF-8
    text = raw.decode("utf-8")[1:]
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    table = list(csv.reader(io.StringIO(text, newline="")))
    assert len(table[0]) == len(KEYS)
    return [dict(zip(KEYS, row, strict=True)) for row in table[1:]]


def expected_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def test_a_download_excel_opens(client, published):
    response = client.get("/api/v1/projects.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and response.mimetype_params["charset"] == "utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert ".csv" in response.headers["Content-Disposition"]
    assert "max-age" in response.headers["Cache-Control"] and response.headers["ETag"]
    header = response.get_data().decode("utf-8")[1:].split("\r\n")[0]
    assert header.startswith("编号,项目名称,") and "总投资（万元）" in header and "满意率" in header


def test_the_rows_say_what_the_json_says(client, published):
    records = client.get("/api/v1/projects").get_json()
    rows = rows_of(client.get("/api/v1/projects.csv"))
    assert len(rows) == len(records) == 3
    for record, row in zip(records, rows, strict=True):
        for key in KEYS:
            if key.startswith("evaluation."):
                value = record["evaluation"][key[11:]] if record["evaluation"] else None
            else:
                value = record[key]
            assert row[key] == expected_cell(value), key
    rated = next(row for row in rows if row["title"] == "学校食堂改造")
    assert (rated["evaluation.satisfied"], rated["evaluation.rate"]) == ("2", "0.6667")
    school = next(row for row in rows if row["title"] == "城区公办幼儿园")
    assert (school["progress"], school["funds_spent_wan"], school["evaluation.rate"]) == \
        ("62", "2880.5", "")


def test_filters_apply_to_the_csv_too(client, published):
    rows = rows_of(client.get("/api/v1/projects.csv?year=2025&status=completed"))
    assert [row["title"] for row in rows] == ["学校食堂改造"]
    bad = client.get("/api/v1/projects.csv?year=abc")
    assert bad.status_code == 400 and bad.get_json()["error"] == "invalid_request"


def test_english_header_row(client, published):
    text = client.get("/api/v1/projects.csv?lang=en").get_data().decode("utf-8")
    assert text.startswith("\ufeff") and "项目名称" not in text.split("\r\n")[0]


@pytest.mark.parametrize("title", [
    "=HYPERLINK(\"http://evil.example\",\"点我\")", "+1+cmd|' /C calc'!A0", "-2+3",
    "@SUM(A1:A9)", "\t=1+1", "\r=1+1",
])
def test_formulas_are_neutralised(client, make, title):
    county = make.jurisdiction(name="青川县")
    make.project(county, title=title, status="selected",
                 unit=make.unit(county, name="=cmd|' /C notepad'!A0"))
    db.session.commit()
    (row,) = rows_of(client.get("/api/v1/projects.csv"))
    assert row["title"] == "'" + title
    assert row["unit"] == "'=cmd|' /C notepad'!A0"
    assert client.get("/api/v1/projects").get_json()[0]["title"] == title  # JSON as it is


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1,
                     max_size=60).filter(str.strip))
def test_any_title_comes_back_from_the_csv(client, make, title):
    from voting.models import Project

    db.session.execute(db.delete(Project))
    county = make.jurisdiction()
    make.project(county, title=title, status="selected")
    db.session.commit()
    (row,) = rows_of(client.get("/api/v1/projects.csv"))
    assert row["title"] == ("'" + title if title[0] in "=+-@" else title)
