"""/projects/<id>: what, who, how much, how far, how it was voted and rated; and who has none."""

import re

import pytest

from tests.portal.conftest import text_of


def page_of(client, project, lang="zh_CN") -> str:
    response = client.get(f"/projects/{project.id}?lang={lang}")
    assert response.status_code == 200, text_of(response)
    return text_of(response)


def section(page: str, heading_id: str) -> str:
    """The HTML of the <section> whose heading has this id."""
    start = page.index(f'aria-labelledby="{heading_id}"')
    return page[start:page.index("</section>", start)]


def test_the_facts(client, portal):
    page = page_of(client, portal.late)
    assert "<h1>县城第三小学扩建工程</h1>" in page
    facts = section(page, "facts-heading")
    for text in ("青川县", "教育", "县教育局", "城关镇北坝社区", "5,600 万元", "4,310 万元",
                 "县级财政", "2026年3月1日", "2026年12月31日"):
        assert text in facts, text
    assert '<progress class="progress progress--delayed" max="100" value="78"' in facts
    assert 'value="77"' in facts  # funds spent: 4310 of 5600 万元
    assert "项目新建综合教学楼1栋" in section(page, "about-heading")


def test_milestones_say_in_words_which_are_done_overdue_and_upcoming(client, portal):
    timeline = section(page_of(client, portal.late), "steps-heading")
    assert "<ol class=\"timeline\">" in timeline
    steps = re.findall(r'timeline__step--(\w+)">.*?timeline__title">([^<]+)<.*?'
                       r'<strong class="tag[^"]*">([^<]+)</strong>', timeline, re.S)
    assert steps == [("done", "完成施工招标", "已完成"), ("overdue", "室内装修完成", "已逾期"),
                     ("upcoming", "竣工验收", "未到期")]


def test_delayed_project_says_which_milestone_is_late(client, portal):
    page = page_of(client, portal.late)
    assert "进度滞后" in page and "“室内装修完成”" in page
    assert "进度滞后" not in page_of(client, portal.town_project)
    assert "进度滞后" not in page_of(client, portal.done)


def test_updates_newest_first_with_photos_and_rectification_marked(client, portal):
    updates = section(page_of(client, portal.late), "updates-heading")
    assert updates.index("按视察意见加快消防设计变更报审") < updates.index("主体施工至第四层")
    newest = updates[:updates.index("主体施工至第四层")]
    assert "整改情况" in newest and "update--rectify" in newest
    stem = portal.photo.filename[:-4]
    assert f'<a href="/photos/{stem}.jpg">' in updates
    assert f'src="/photos/{stem}_thumb.jpg"' in updates
    assert 'alt="综合教学楼主体施工"' in updates
    assert "<figcaption" in updates
    assert 'id="update-' in updates  # the feed's entries point at #update-<id>


def test_supervision_notes(client, portal):
    notes = section(page_of(client, portal.late), "notes-heading")
    assert "第二代表监督小组" in notes and "建议尽快完成变更报审" in notes


def test_the_vote_that_selected_it(client, portal):
    vote = section(page_of(client, portal.late), "vote-heading")
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)<", vote))
    assert figures == {"赞成": "9票", "不赞成": "0票", "弃权": "0票", "入选所需赞成票": "6票",
                       "得票排名": "第1位"}
    assert "3个候选项目选" not in vote and "4个候选项目选3个" in vote
    assert f'href="/ballots/{portal.selection.id}"' in vote
    assert 'href="/verify"' in vote
    assert "以赞成票9票入选" in vote


def test_a_project_not_selected_shows_its_figures_too(client, portal):
    vote = section(page_of(client, portal.not_selected), "vote-heading")
    assert "未入选" in vote and "2票" in vote and "6票" in vote  # 2 for, 6 against


def test_the_evaluation_once_published(client, portal):
    page = page_of(client, portal.old)
    rating = section(page, "rating-heading")
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)<", rating))
    assert figures["满意"] == "3票" and figures["基本满意"] == "2票"
    assert figures["不满意"] == "4票" and figures["弃权"] == "0票"
    assert figures["满意率"] == "55.6%"  # (3 + 2) / 9
    assert figures["测评等次"] == "基本满意"
    assert "须整改" in rating
    assert f'href="/ballots/{portal.evaluation.id}"' in rating
    assert "整改中" in page  # also said at the top of the page
    assert "基本完成" in page  # the year-end class
    assert 'aria-labelledby="rating-heading"' not in page_of(client, portal.late)


def test_a_candidate_on_a_ballot_has_a_page_pointing_at_the_vote(client, portal):
    vote = section(page_of(client, portal.candidate), "vote-heading")
    assert "候选项目" in vote and portal.draft.title in vote and "尚未开始投票" in vote


@pytest.mark.parametrize("which", ["library", "loose"])
def test_library_entries_and_candidates_on_no_ballot_have_no_page(client, portal, which):
    response = client.get(f"/projects/{getattr(portal, which).id}")
    assert response.status_code == 404
    page = text_of(response)
    assert "找不到该项目" in page and getattr(portal, which).title not in page


def test_unknown_project_is_a_friendly_404(client, portal):
    response = client.get("/projects/999999")
    assert response.status_code == 404
    assert "找不到该项目" in text_of(response)
    assert client.get("/projects/abc").status_code == 404


def test_project_page_in_english(client, portal):
    page = page_of(client, portal.late, lang="en")
    assert '<html lang="en">' in page
    for text in ("Responsible unit", "Total investment", "Behind schedule", "Completed"):
        assert text in page, text
    assert "承办单位</dt>" not in page
    assert '<h1 lang="zh-CN">县城第三小学扩建工程</h1>' in page
    assert "Mar 1, 2026" in page  # dates in the reader's language


def test_the_page_prints_on_a4(client, portal):
    page = page_of(client, portal.late)
    assert "/static/css/portal.css" in page
    response = client.get("/static/css/portal.css")
    css = text_of(response)
    response.close()
    assert "@media print" in css and "size: A4" in css
