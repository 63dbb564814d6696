"""The booth as a deputy sees it: ballot, review, receipt, and a clear page for each refusal."""

import re
from html import unescape

import pytest

from tests.ballot_day import candidate_ids, open_with_tokens, ready_ballot, token_state
from voting.extensions import db
from voting.services import ballots

EN = {"Accept-Language": "en"}


def text_of(response) -> str:
    """The visible text of a page: tags and scripts out, entities decoded, spaces squeezed."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def radios(response) -> list[tuple[str, str, bool]]:
    html = response.get_data(as_text=True)
    return [(m.group(1), m.group(2), "checked" in m.group(0))
            for m in re.finditer(r'<input class="booth-choice__input" type="radio" '
                                 r'name="([^"]+)" value="([^"]+)"\s*(checked)?>', html)]


def assert_no_trace(response):
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.fixture
def day(make):
    ballot, minted = open_with_tokens(make, 3, seats=2, candidates=3)
    return ballot, minted


def test_the_ballot_page_shows_everything_a_deputy_needs(client, day):
    ballot, minted = day
    response = client.get(f"/v/{minted[0]}")
    assert response.status_code == 200
    assert_no_trace(response)
    text = text_of(response)
    assert ballot.title in text and "票决办法" in text
    assert "赞成的项目最多2个" in text
    for c in ballot.candidates:
        assert c.project.title in text and c.project.unit.name in text
        assert "100 万元" in text and c.project.summary in text
    # positive marking: three options per candidate, all alike, none preselected
    options = radios(response)
    assert len(options) == 9 and not any(checked for _, _, checked in options)
    html = response.get_data(as_text=True)
    assert html.count('class="booth-choice"') == 9
    assert "已选赞成" in text and "0/2" in text.replace(" ", "")
    assert '<script src="/static/js/booth.js"' in html and "<script>" not in html


def test_an_evaluation_ballot_offers_the_four_words(client, make):
    _ballot, minted = open_with_tokens(make, 1, kind="evaluation", candidates=2)
    text = text_of(client.get(f"/v/{minted[0]}"))
    for word in ("满意", "基本满意", "不满意", "弃权"):
        assert word in text
    assert "已选赞成" not in text


def test_review_then_confirm_casts_and_shows_the_receipt(client, day):
    ballot, minted = day
    a, b, c = candidate_ids(ballot)
    review = client.post(f"/v/{minted[0]}/review", data={f"c{a}": "for", f"c{b}": "against"})
    assert review.status_code == 200
    assert_no_trace(review)
    text = text_of(review)
    assert "请核对您的选票" in text and "确认投票" in text and "返回修改" in text
    assert "未选（按弃权计）" in text
    assert token_state(ballot, minted[0]) == "minted"  # nothing cast yet
    hidden = dict(re.findall(r'<input type="hidden" name="(c\d+)" value="([a-z_]+)">',
                             review.get_data(as_text=True)))
    assert hidden == {f"c{a}": "for", f"c{b}": "against"}

    done = client.post(f"/v/{minted[0]}/cast", data={**hidden, "action": "confirm"})
    assert done.status_code == 200
    assert_no_trace(done)
    text = text_of(done)
    assert "您的选票已投出" in text and "回执码" in text
    code = re.search(r"([A-Z2-7]{4}) ([A-Z2-7]{4}) ([A-Z2-7]{4}) ([A-Z2-7]{4})", text)
    assert code, text
    assert token_state(ballot, minted[0]) == "spent"
    assert client.get(f"/v/{minted[0]}").status_code == 409


def test_edit_goes_back_to_the_form_with_the_choices_kept(client, day):
    ballot, minted = day
    a, b, _c = candidate_ids(ballot)
    back = client.post(f"/v/{minted[0]}/cast", data={f"c{a}": "for", f"c{b}": "abstain",
                                                     "action": "edit"})
    assert back.status_code == 200
    checked = {(name, value) for name, value, on in radios(back) if on}
    assert checked == {(f"c{a}", "for"), (f"c{b}", "abstain")}
    assert token_state(ballot, minted[0]) == "minted"


def test_more_for_than_seats_shows_the_form_again_with_the_choices(client, day):
    ballot, minted = day
    ids = candidate_ids(ballot)
    data = {f"c{cid}": "for" for cid in ids}
    for url in (f"/v/{minted[0]}/review", f"/v/{minted[0]}/cast"):
        response = client.post(url, data={**data, "action": "confirm"})
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        text = text_of(response)
        assert "选票还不能提交" in text and "赞成的项目不能超过应选数2个，您选了3个" in text
        assert re.search(r'id="problem"[^>]*autofocus', html)
        assert html.index('id="problem"') < html.index("booth-cands")  # message on top
        checked = {(name, value) for name, value, on in radios(response) if on}
        assert checked == {(f"c{cid}", "for") for cid in ids}
    assert token_state(ballot, minted[0]) == "minted"
    ok = client.post(f"/v/{minted[0]}/cast", data={f"c{ids[0]}": "for", "action": "confirm"})
    assert "您的选票已投出" in text_of(ok)


PAGES = {
    "used": ("这张选票已经投过票", "This ballot slip has already been used"),
    "invalid": ("无法识别这张选票", "This slip cannot be recognised"),
    "not_yet": ("投票尚未开始", "Voting has not started yet"),
    "closed": ("投票已经结束", "Voting has closed"),
}


def problem_pages(client, make, headers):
    ballot, minted = open_with_tokens(make, 3)
    client.post("/api/v1/cast", json={"token": minted[0], "choices": {}})
    draft = ready_ballot(make)
    early = ballots.mint_tokens(draft, 1)[0]
    db.session.commit()
    closed, late = open_with_tokens(make, 1)
    ballots.close_ballot(closed)
    db.session.commit()
    return {
        "used": client.get(f"/v/{minted[0]}", headers=headers),
        "invalid": client.get(f"/v/{minted[1][:-2]}xx", headers=headers),
        "not_yet": client.get(f"/v/{early}", headers=headers),
        "closed": client.get(f"/v/{late[0]}", headers=headers),
    }


@pytest.mark.parametrize("language", [0, 1], ids=["zh-CN", "en"])
def test_each_refusal_has_its_page_in_the_deputys_language(client, make, language):
    headers = EN if language else {"Accept-Language": "zh-CN"}
    pages = problem_pages(client, make, headers)
    statuses = {"used": 409, "invalid": 403, "not_yet": 409, "closed": 409}
    for kind, response in pages.items():
        assert response.status_code == statuses[kind], kind
        assert_no_trace(response)
        assert PAGES[kind][language] in text_of(response), (kind, text_of(response))
        assert f'<html lang="{"en" if language else "zh-CN"}"' in response.get_data(as_text=True)


def test_the_booth_in_english(client, day):
    ballot, minted = day
    a, _b, _c = candidate_ids(ballot)
    text = text_of(client.get(f"/v/{minted[0]}", headers=EN))
    for words in ("For", "Against", "Abstain", "Next: check your ballot"):
        assert words in text
    review = client.post(f"/v/{minted[0]}/review", data={f"c{a}": "for"}, headers=EN)
    assert "Check your ballot" in text_of(review) and "Cast my ballot" in text_of(review)
    done = client.post(f"/v/{minted[0]}/cast", data={f"c{a}": "for", "action": "confirm"},
                       headers=EN)
    assert "Your ballot has been cast" in text_of(done)
    over = client.post(f"/v/{minted[1]}/review", headers=EN,
                       data={f"c{c}": "for" for c in candidate_ids(ballot)})
    assert "at most 2" in text_of(over)


def test_tampered_choices_are_refused_without_spending(client, day):
    ballot, minted = day
    a, _b, _c = candidate_ids(ballot)
    response = client.post(f"/v/{minted[0]}/cast", data={f"c{a}": "maybe", "c99999": "for",
                                                         "action": "confirm"})
    assert response.status_code == 400
    assert token_state(ballot, minted[0]) == "minted"


def test_other_booth_urls_are_no_store_too(client, day):
    _ballot, minted = day
    response = client.get(f"/v/{minted[0]}/nowhere")
    assert response.status_code == 404
    assert_no_trace(response)


class TestWithCsrfOn:
    """Production settings: CSRF checked, HTTPS, and browsers that send no Referer."""

    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": False}

    def test_the_booth_works_over_https_without_referer(self, client, day):
        ballot, minted = day
        a, _b, _c = candidate_ids(ballot)
        base = "https://vote.example.gov.cn"
        page = client.get(f"/v/{minted[0]}", base_url=base)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))[1]
        review = client.post(f"/v/{minted[0]}/review", base_url=base,
                             data={"csrf_token": csrf, f"c{a}": "for"})
        assert review.status_code == 200 and "请核对您的选票" in text_of(review)
        done = client.post(f"/v/{minted[0]}/cast", base_url=base,
                           data={"csrf_token": csrf, f"c{a}": "for", "action": "confirm"})
        assert "您的选票已投出" in text_of(done)

    def test_a_missing_csrf_token_casts_nothing(self, client, day):
        ballot, minted = day
        a, _b, _c = candidate_ids(ballot)
        client.get(f"/v/{minted[0]}")
        response = client.post(f"/v/{minted[0]}/cast", data={f"c{a}": "for", "action": "confirm"})
        assert response.status_code == 400
        assert "页面已过期" in text_of(response)
        checked = {(name, value) for name, value, on in radios(response) if on}
        assert checked == {(f"c{a}", "for")}
        assert token_state(ballot, minted[0]) == "minted"

    def test_the_booth_sets_no_cookie(self, client, day):
        # The forms' CSRF token is bound to the slip, not to a session: nothing is left on the
        # phone, and a browser that drops cookies still votes.
        ballot, minted = day
        a, _b, _c = candidate_ids(ballot)
        page = client.get(f"/v/{minted[0]}")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))[1]
        review = client.post(f"/v/{minted[0]}/review", data={"csrf_token": csrf, f"c{a}": "for"})
        done = client.post(f"/v/{minted[0]}/cast",
                           data={"csrf_token": csrf, f"c{a}": "for", "action": "confirm"})
        assert "您的选票已投出" in text_of(done)
        for response in (page, review, done):
            assert response.headers.getlist("Set-Cookie") == []
