"""The front page: this year's projects by jurisdiction with their sums, the vote of the sitting."""

import re

from tests.portal.conftest import text_of
from voting.extensions import db


def test_home_shows_this_years_projects_grouped_by_jurisdiction(client, portal):
    page = text_of(client.get("/?lang=zh_CN"))
    assert "2026年民生实事项目" in page
    for project in (portal.late, portal.done, portal.town_project):
        assert f'/projects/{project.id}"' in page
    # County first, then its town, each under its own heading.
    assert page.index(">青川县</h3>") < page.index(">青川县河口镇</h3>")
    assert page.index(portal.late.title) < page.index(">青川县河口镇</h3>") \
        < page.index(portal.town_project.title)
    # Not this year's, not decided, or not public: not among the cards.
    for project in (portal.old, portal.not_selected, portal.library, portal.loose):
        assert project.title not in page


def test_home_sums_up_the_year(client, portal):
    page = text_of(client.get("/?lang=zh_CN"))
    summary = page[page.index('<dl class="psummary">'):page.index("</dl>", page.index("psummary"))]
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>\s*([^<]+?)\s*<", summary))
    assert figures["项目数"] == "3个"
    assert figures["总投资"] == "7,060 万元"  # 5600 + 1280 + 180
    assert figures["已完成投资"] == "5,606 万元"  # 4310 + 1236 + 60
    assert figures["已完成"] == "1个"
    assert figures["实施中"] == "2个"
    assert figures["滞后"] == "1个"
    assert "/projects?year=2026&amp;status=delayed" in page


def test_home_marks_the_late_project_delayed_and_only_it(client, portal):
    page = text_of(client.get("/?lang=zh_CN"))
    cards = {int(pid): late for late, pid in re.findall(
        r'<article class="pcard( pcard--late)?" aria-labelledby="pcard-(\d+)"', page)}
    assert cards == {portal.late.id: " pcard--late", portal.done.id: "",
                     portal.town_project.id: ""}
    late_card = page[page.index(f'pcard-{portal.late.id}"'):page.index(f'pcard-{portal.done.id}"')]
    assert "滞后" in late_card and 'class="progress progress--delayed"' in late_card


def test_home_links_the_vote_that_selected_the_projects_and_the_coming_vote(client, portal):
    page = text_of(client.get("/?lang=zh_CN"))
    assert f'href="/ballots/{portal.selection.id}"' in page  # 由人大代表票决确定
    # The latest sitting's draft ballot: its candidate list, no result link yet.
    assert portal.draft.title in page and "尚未开始投票" in page
    assert f'href="/ballots/{portal.draft.id}"' not in page
    assert f'href="/projects/{portal.candidate.id}"' in page
    assert 'href="/verify"' in page


def test_home_links_earlier_years_and_the_list(client, portal):
    page = text_of(client.get("/?lang=zh_CN"))
    assert 'href="/projects?year=2025"' in page
    assert "/projects?year=2026" in page
    assert 'action="/projects"' in page  # the search form works without JavaScript


def test_a_newer_published_selection_becomes_this_year(client, portal):
    portal.candidate.status = "selected"
    db.session.commit()
    page = text_of(client.get("/?lang=zh_CN"))
    assert "2027年民生实事项目" in page
    assert 'href="/projects?year=2026"' in page  # now an earlier year


def test_home_in_english(client, portal):
    page = text_of(client.get("/?lang=en"))
    assert '<html lang="en">' in page
    assert "Behind schedule" in page and "Responsible unit" in page
    assert "承办单位</dt>" not in page
    assert 'lang="zh-CN"' in page  # the projects' Chinese titles are marked as such


def test_empty_portal_says_so(client):
    response = client.get("/?lang=zh_CN")
    assert response.status_code == 200
    assert "还没有公布的民生实事项目" in text_of(response)
