"""/projects: search and filters in the query string, pages, and hostile input."""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.portal.conftest import text_of
from voting.extensions import db


def listed(response) -> set[int]:
    """Ids of the project cards on a list page."""
    assert response.status_code == 200, text_of(response)
    return {int(i) for i in re.findall(r'aria-labelledby="pcard-(\d+)"', text_of(response))}


def test_the_list_shows_decided_public_projects_of_every_year(client, portal):
    assert listed(client.get("/projects")) == {
        portal.late.id, portal.done.id, portal.town_project.id, portal.old.id}


def test_filters(client, portal):
    p = portal
    assert listed(client.get("/projects?year=2025")) == {p.old.id}
    assert listed(client.get(f"/projects?jurisdiction={p.town.id}")) == {p.town_project.id}
    assert listed(client.get("/projects?category=health")) == {p.done.id}
    assert listed(client.get("/projects?status=completed")) == {p.done.id, p.old.id}
    assert listed(client.get("/projects?status=in_progress&year=2026")) == {
        p.late.id, p.town_project.id}
    assert listed(client.get("/projects?status=not_selected")) == {p.not_selected.id}
    # Candidates on a ballot are public; one on no ballot and library entries are not.
    assert listed(client.get("/projects?status=candidate")) == {p.candidate.id}


def test_delayed_filter_and_marks(client, portal):
    response = client.get("/projects?status=delayed")
    assert listed(response) == {portal.late.id}
    page = text_of(response)
    assert "pcard--late" in page and "滞后" in page


def test_filters_stay_in_the_form(client, portal):
    page = text_of(client.get(f"/projects?year=2026&category=water&jurisdiction={portal.town.id}"
                              "&status=in_progress&q=管网"))
    assert '<option value="2026" selected>' in page
    assert '<option value="water" selected>' in page
    assert f'<option value="{portal.town.id}" selected>' in page
    assert '<option value="in_progress" selected>' in page
    assert 'value="管网"' in page
    assert listed(client.get(f"/projects?year=2026&category=water&jurisdiction={portal.town.id}"
                             "&status=in_progress&q=管网")) == {portal.town_project.id}


def test_search_title_description_location_and_unit(client, portal):
    assert listed(client.get("/projects?q=第三小学")) == {portal.late.id}  # title
    assert listed(client.get("/projects?q=学位900")) == {portal.late.id}  # description
    assert listed(client.get("/projects?q=柳湾村")) == {portal.town_project.id}  # location
    assert listed(client.get("/projects?q=卫生健康局")) == {portal.done.id}  # unit
    assert listed(client.get("/projects?q=柳湾村 河口")) == {portal.town_project.id}  # all words


def test_search_is_case_insensitive(client, portal):
    portal.late.title = "县城第三小学扩建工程（EPC总承包）"
    db.session.commit()
    assert listed(client.get("/projects?q=epc")) == {portal.late.id}


def test_like_wildcards_are_taken_literally(client, portal, make):
    percent = make.project(portal.county, year=2026, status="in_progress",
                           title="覆盖率提高到95%的项目", category="health")
    underscore = make.project(portal.county, year=2026, status="in_progress",
                              title="编号A_1的项目", category="health")
    db.session.commit()
    assert listed(client.get("/projects?q=%25")) == {percent.id}
    assert listed(client.get("/projects?q=_")) == {underscore.id}
    assert listed(client.get("/projects?q=A_1")) == {underscore.id}
    assert listed(client.get("/projects?q=%5C")) == set()  # a lone backslash


def test_no_result_says_so(client, portal):
    response = client.get("/projects?q=没有这样的项目")
    assert listed(response) == set()
    page = text_of(response)
    assert "没有找到符合条件的项目" in page and "清除筛选" in page


def test_hostile_query_strings_are_escaped_never_a_5xx(client, portal):
    script = "<script>alert(1)</script>"
    response = client.get("/projects", query_string={"q": script, "year": "2026' OR 1=1 --"})
    page = text_of(response)
    assert response.status_code == 200
    assert script not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    for query in ("year=-1", "year=99999999999999999999", "jurisdiction=abc", "page=0",
                  "page=-3", "page=１２", "status=deleted", "category=<b>", "q=' OR ''='",
                  "q=" + "长" * 5000, "year=2026&year=2025", "page=99999"):
        response = client.get(f"/projects?{query}")
        assert response.status_code == 200, query


def test_pages(client, portal, make):
    for n in range(23):
        make.project(portal.county, year=2024, status="completed", title=f"二〇二四年项目{n:02d}")
    db.session.commit()
    first = client.get("/projects?year=2024")
    assert len(listed(first)) == 20
    assert "第1页，共2页（23条）" in text_of(first)
    assert 'href="/projects?year=2024&amp;page=2"' in text_of(first)
    second = client.get("/projects?year=2024&page=2")
    assert len(listed(second)) == 3
    assert not listed(first) & listed(second)


def test_list_in_english(client, portal):
    page = text_of(client.get("/projects?status=delayed&lang=en"))
    assert '<html lang="en">' in page
    assert "Behind schedule" in page and "Responsible unit" in page
    assert "承办单位</dt>" not in page


HOSTILE = st.sampled_from(["<script>alert(1)</script>", "%", "_", "'", "\\", '"', "&amp;",
                           "1' OR '1'='1", "２０２６", "-1", "0", "99999999999", "delayed",
                           "education"])
VALUES = st.one_of(
    HOSTILE,
    st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
            max_size=40),
    st.tuples(st.text(max_size=8), HOSTILE).map("".join),
)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(args=st.dictionaries(
    st.sampled_from(["q", "year", "jurisdiction", "category", "status", "page", "lang"]),
    VALUES, max_size=6))
def test_any_query_string_answers_a_page(client, args):
    response = client.get("/projects", query_string=args)
    # A NUL byte anywhere in a request is refused as such (voting/errors.py); the rest is a page.
    expected = 400 if any("\x00" in value for value in args.values()) else 200
    assert response.status_code == expected, args
    assert "<script>" not in text_of(response)
