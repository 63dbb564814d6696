"""What a citizen meets on the portal: a rectification followed to its end, a year whose vote is
still to come, the progress feed announced to browsers, languages however they are written,
and English without Chinese punctuation."""

import re
from datetime import date, datetime

import pytest
from flask_babel import force_locale, gettext

from tests.portal.conftest import text_of
from voting.extensions import db
from voting.models import ProgressUpdate


def listed(response) -> set[int]:
    assert response.status_code == 200, text_of(response)
    return {int(i) for i in re.findall(r'aria-labelledby="pcard-(\d+)"', text_of(response))}


def record_of(client, project) -> dict:
    return next(r for r in client.get("/api/v1/projects").get_json() if r["id"] == project.id)


# ------------------------------------------------------------------------------ 整改 to its end

def test_a_confirmed_rectification_reads_done_on_every_public_page(client, auth, make, portal):
    old = portal.old
    old.unit = make.unit(portal.county, name="县生态环境局")
    old.updates.append(ProgressUpdate(posted_at=datetime.now(), kind="rectification",
                                      percent=100, narrative="18座处理站全部正常运行。"))
    old.rectification_progress = 100
    db.session.commit()
    page = text_of(client.get(f"/projects/{old.id}"))
    assert "整改中" in page and "整改进度：100%" in page and "整改已完成" not in page
    assert (record_of(client, old)["rectification"],
            record_of(client, old)["rectification_status"]) == (True, "under_way")

    auth.login("clerk")
    response = client.post(f"/office/tracking/projects/{old.id}/rectified",
                           data={"done_on": date.today().isoformat()})
    assert response.status_code == 302
    auth.logout()

    page = text_of(client.get(f"/projects/{old.id}"))
    assert "整改已完成" in page and "整改中" not in page
    card = text_of(client.get("/projects?year=2025"))
    assert "整改已完成" in card and "须整改" not in card
    record = record_of(client, old)
    assert record["rectification"] is False
    assert (record["rectification_status"], record["rectified_on"],
            record["rectification_progress"]) == ("completed", date.today().isoformat(), 100)
    assert record["evaluation"]["rectify"] is True  # what the deputies decided stays on record
    csv_text = client.get("/api/v1/projects.csv?year=2025").get_data().decode("utf-8-sig")
    assert ",false,completed,100," + date.today().isoformat() + "," in csv_text


def test_projects_never_ordered_to_rectify_say_nothing_of_it(client, portal):
    record = record_of(client, portal.late)
    assert (record["rectification"], record["rectification_status"],
            record["rectification_progress"], record["rectified_on"]) == (False, None, None, None)


# ------------------------------------------------------------------------------ a year to come

def test_a_year_with_only_candidates_shows_them_and_the_coming_vote(client, portal):
    response = client.get("/projects?year=2027")
    assert listed(response) == {portal.candidate.id}  # on a ballot: public; `loose` is not
    page = text_of(response)
    assert "2027年的民生实事项目尚未经人大代表票决确定" in page
    assert portal.draft.title in page and "尚未开始投票" in page
    assert "没有找到符合条件的项目" not in page


def test_a_year_with_decided_projects_still_lists_only_those(client, portal):
    assert listed(client.get("/projects?year=2026")) == {
        portal.late.id, portal.done.id, portal.town_project.id}
    assert "尚未经人大代表票决确定" not in text_of(client.get("/projects?year=2026"))


def test_a_year_with_nothing_at_all_says_nothing_was_found(client, portal):
    page = text_of(client.get("/projects?year=2031"))
    assert "没有找到符合条件的项目" in page and "候选项目" not in page.split("<main")[1]


# ------------------------------------------------------------------------------ the feed

@pytest.mark.parametrize("path", ["/", "/projects", "/projects?year=2026", "project"])
def test_portal_pages_announce_the_progress_feed(client, portal, path):
    if path == "project":
        path = f"/projects/{portal.late.id}"
    page = text_of(client.get(path))
    feeds = re.findall(r'<link rel="alternate" type="application/atom\+xml" href="([^"]+)"', page)
    assert "/projects/updates.atom" in feeds
    for href in feeds:
        assert client.get(href).status_code == 200
    if path.startswith("/projects/"):
        assert f"/projects/updates.atom?project={portal.late.id}" in feeds


# ------------------------------------------------------------------------------ languages

@pytest.mark.parametrize("lang", ["zh", "zh-CN", "zh_CN", "zh-cn", "zh-Hans", "zh-Hans-CN"])
def test_every_way_of_writing_chinese_is_understood(client, portal, lang):
    response = client.get(f"/projects?lang={lang}", headers={"Accept-Language": "en"})
    assert '<html lang="zh-CN">' in text_of(response)
    assert client.get("/projects", headers={"Accept-Language": "en"}).get_data(
        as_text=True).count('<html lang="zh-CN">') == 1  # remembered, in the cookie's form


@pytest.mark.parametrize("lang", ["en", "en-US", "en_GB", "EN"])
def test_every_way_of_writing_english_is_understood(client, portal, lang):
    assert '<html lang="en">' in text_of(client.get(f"/projects?lang={lang}"))
    assert '<html lang="en">' in text_of(client.get("/projects"))  # remembered


@pytest.mark.parametrize("lang", ["zh-TW", "fr", "<b>", "x" * 300])
def test_other_languages_fall_back_to_the_browsers(client, portal, lang):
    response = client.get("/projects", query_string={"lang": lang},
                          headers={"Accept-Language": "en"})
    assert response.status_code == 200 and '<html lang="en">' in text_of(response)
    assert "lang=" not in response.headers.get("Set-Cookie", "")


# ------------------------------------------------------------------------------ punctuation

def english(app, msgid: str, **values) -> str:
    """The whole sentence as the English catalogue words it."""
    with app.test_request_context(), force_locale("en"):
        return gettext(msgid, **values)


def test_punctuation_comes_with_the_translated_sentence(app, client, auth, portal):
    """The template adds no "：" or "（）" of its own around a translated word: on an English
    page, each label is exactly one translated sentence ("Progress: …", "Log out (…)")."""
    auth.login("clerk", display_name="Wang Li")
    page = text_of(client.get("/projects?lang=en"))
    labels = re.findall(r'<progress[^>]*aria-label="([^"]+)"', page)
    titles = [portal.late.title, portal.done.title, portal.town_project.title, portal.old.title]
    assert sorted(labels) == sorted(english(app, "完成进度：%(what)s", what=t) for t in titles)
    logout = re.search(r'<button type="submit" class="link-button">([^<]+)</button>', page)[1]
    assert logout == english(app, "退出（%(name)s）", name="Wang Li")
    assert not logout.startswith("Log out（")  # the word translated, the brackets not
    chinese = text_of(client.get("/projects?lang=zh_CN"))
    assert "退出（Wang Li）" in chinese and 'aria-label="完成进度：县城第三小学扩建工程"' in chinese
