"""GET /api/v1/projects.csv: opens in Excel (BOM, CRLF), says what the JSON says, runs nothing."""

import csv
import io
import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voting.extensions import db
from voting.services.opendata import CSV_COLUMNS, CSV_KEYS

LABELLED = [column for column, _label in CSV_COLUMNS]


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


def table_of(response) -> list[list[str]]:
    """The CSV's rows (the header row first), checking BOM and CRLF on the way."""
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark: Excel reads it as UTF-8
    text = raw.decode("utf-8")[1:]
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return list(csv.reader(io.StringIO(text, newline="")))


def rows_of(response) -> list[dict]:
    """The default CSV's rows as csv.DictReader gives them: {JSON key: cell}."""
    header, *rows = table_of(response)
    assert header == list(CSV_KEYS)
    return [dict(zip(header, row, strict=True)) for row in rows]


def flattened(record: dict) -> dict:
    """A JSON record as its CSV row should read: nested objects as "evaluation.rate"…, null
    empty, true/false and numbers as the JSON writes them."""
    flat = {}
    for key, value in record.items():
        if key in ("evaluation", "votes"):
            inner = value or {}
            subkeys = [c.split(".", 1)[1] for c in CSV_KEYS if c.startswith(key + ".")]
            for sub in subkeys:
                flat[f"{key}.{sub}"] = inner.get(sub)
        else:
            flat[key] = value
    return {key: "" if value is None else value if isinstance(value, str)
            else json.dumps(value) for key, value in flat.items()}


def test_a_download_excel_opens(client, published):
    response = client.get("/api/v1/projects.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and response.mimetype_params["charset"] == "utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert ".csv" in response.headers["Content-Disposition"]
    assert "max-age" in response.headers["Cache-Control"] and response.headers["ETag"]
    header = response.get_data().decode("utf-8")[1:].split("\r\n")[0]
    assert header.startswith("id,title,category,unit,budget_wan,year,status,progress,ballot_id,"
                             "evaluation.satisfied,")


def test_the_header_row_is_the_json_keys_whatever_the_language(client, published):
    records = client.get("/api/v1/projects").get_json()
    rated = next(r for r in records if r["evaluation"] and r["votes"] is None)
    voted = next(r for r in records if r["votes"])
    keys = list(flattened({**rated, "votes": voted["votes"]}))
    for language in ("zh_CN", "en"):
        (header, *_rows) = table_of(client.get(f"/api/v1/projects.csv?lang={language}"))
        assert header == keys == list(CSV_KEYS)


def test_a_dict_reader_row_is_the_json_record(client, published):
    records = client.get("/api/v1/projects").get_json()
    text = client.get("/api/v1/projects.csv").get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == len(records) == 3
    for record, row in zip(records, rows, strict=True):
        assert row == flattened(record)
    school = next(row for row in rows if row["title"] == "城区公办幼儿园")
    assert (school["progress"], school["funds_spent_wan"], school["delayed"]) == \
        ("62", "2880.5", "false")
    assert (school["votes.for"], school["votes.selected"], school["evaluation.rate"]) == \
        ("3", "true", "")
    rated = next(row for row in rows if row["title"] == "学校食堂改造")
    assert (rated["evaluation.satisfied"], rated["evaluation.rate"], rated["rectification"]) \
        == ("2", "0.6667", "false")
    assert rated["id"] == str(next(r["id"] for r in records if r["title"] == "学校食堂改造"))


def test_labels_give_the_peoples_spreadsheet_in_their_language(client, published):
    records = client.get("/api/v1/projects").get_json()
    header, *rows = table_of(client.get("/api/v1/projects.csv?header=labels"))
    assert header[:3] == ["编号", "项目名称", "类别代码"] and "满意率" in header
    assert len(header) == len(LABELLED)
    school = dict(zip(LABELLED, next(r for r in rows if r[1] == "城区公办幼儿园"), strict=True))
    assert (school["delayed"], school["rectification"], school["progress"]) == ("否", "否", "62")
    english, *rows = table_of(client.get("/api/v1/projects.csv?header=labels&lang=en"))
    assert english[:2] == ["No.", "Project"] and "项目名称" not in english
    assert {row[LABELLED.index("delayed")] for row in rows} <= {"yes", "no"}
    assert len(rows) == len(records)


@pytest.mark.parametrize("value", ["label", "LABELS", "<b>", "json"])
def test_an_unknown_header_choice_is_a_400(client, published, value):
    response = client.get("/api/v1/projects.csv", query_string={"header": value})
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_request"
    assert "labels" in response.get_json()["message"]


def test_filters_apply_to_the_csv_too(client, published):
    rows = rows_of(client.get("/api/v1/projects.csv?year=2025&status=completed"))
    assert [row["title"] for row in rows] == ["学校食堂改造"]
    bad = client.get("/api/v1/projects.csv?year=abc")
    assert bad.status_code == 400 and bad.get_json()["error"] == "invalid_request"


def test_the_portal_links_the_labelled_download(client, published):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/api/v1/projects.csv?header=labels"' in page


@pytest.mark.parametrize("title", [
    "=HYPERLINK(\"http://evil.example\",\"点我\")", "+1+cmd|' /C calc'!A0", "-2+3",
    "@SUM(A1:A9)", "\t=1+1", "\r=1+1",
])
def test_formulas_are_neutralised(client, make, title):
    county = make.jurisdiction(name="青川县")
    make.project(county, title=title, status="selected",
                 unit=make.unit(county, name="=cmd|' /C notepad'!A0"))
    db.session.commit()
    for query in ("", "?header=labels"):
        header, row = table_of(client.get(f"/api/v1/projects.csv{query}"))
        names = list(CSV_KEYS) if not query else LABELLED
        row = dict(zip(names, row, strict=True))
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
