"""The blank ballot page is rendered once and shared (voting/booth/sheet.py): each deputy must
still get a page that is theirs alone — their token in the form, a CSRF token that works, the
right language — and never a trace of another deputy's slip."""

import re

import pytest

from tests.ballot_day import candidate_ids, open_with_tokens, token_state
from voting.booth import sheet
from voting.extensions import db
from voting.services import ballots


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True, "WTF_CSRF_SSL_STRICT": False, "RATELIMIT_ENABLED": False}


@pytest.fixture
def day(make):
    return open_with_tokens(make, 3, seats=2, candidates=3)


def form_action(html: str) -> str:
    return re.search(r'<form method="post" action="([^"]+)"', html).group(1)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_each_deputy_gets_their_own_slip_in_the_shared_page(app, day):
    _ballot, minted = day
    pages = []
    for token in minted:
        client = app.test_client()  # one phone each
        pages.append(client.get(f"/v/{token}").get_data(as_text=True))
    for token, page in zip(minted, pages, strict=True):
        assert form_action(page) == f"/v/{token}/review"
        assert f'href="/v/{token}?lang=en"' in page  # the language switch keeps the slip
        others = [t for t in minted if t != token]
        assert not any(other in page for other in others)
        assert sheet.TOKEN_HOLE not in page and sheet.CSRF_HOLE not in page
    assert len(app.extensions["booth_sheets"]._cache) == 1  # one copy for all three


def test_the_csrf_token_of_a_shared_page_is_the_deputys_own_and_works(app, day):
    ballot, minted = day
    a, b, _c = candidate_ids(ballot)
    phones = [app.test_client(), app.test_client()]
    pages = [phone.get(f"/v/{token}").get_data(as_text=True)
             for phone, token in zip(phones, minted, strict=False)]
    assert csrf_of(pages[0]) != csrf_of(pages[1])

    # Another slip's CSRF token is refused, and so is one changed by a character: the token
    # is bound to the slip it was given with.
    mine = csrf_of(pages[0])
    altered = ("A" if mine[0] != "A" else "B") + mine[1:]  # the first: no spare bits in it
    for wrong in (mine, altered):
        refused = phones[1].post(f"/v/{minted[1]}/review",
                                 data={"csrf_token": wrong, f"c{a}": "for"})
        assert refused.status_code == 400 and "页面已过期" in refused.get_data(as_text=True)
    refused = phones[0].post(f"/v/{minted[0]}/cast", data={"csrf_token": altered, f"c{a}": "for"})
    assert refused.status_code == 400
    assert token_state(ballot, minted[0]) == "minted"

    review = phones[0].post(f"/v/{minted[0]}/review",
                            data={"csrf_token": mine, f"c{a}": "for", f"c{b}": "against"})
    assert review.status_code == 200
    # The phone may lose its cookies between the two steps (WeChat, a kiosk): no cookie is
    # needed, the slip and its form token are enough.
    cast = app.test_client().post(f"/v/{minted[0]}/cast",
                                  data={"csrf_token": csrf_of(review.get_data(as_text=True)),
                                        f"c{a}": "for", f"c{b}": "against"})
    assert cast.status_code == 200 and "您的选票已投出" in cast.get_data(as_text=True)
    assert token_state(ballot, minted[0]) == "spent"


def test_the_shared_page_is_never_used_for_a_slip_that_cannot_vote(app, day):
    ballot, minted = day
    client = app.test_client()
    assert client.get(f"/v/{minted[0]}").status_code == 200  # the copy now exists
    ballots.void_token(ballot, minted[1])
    db.session.commit()
    assert client.get(f"/v/{minted[1]}").status_code == 403
    ballots.close_ballot(ballot)
    db.session.commit()
    closed = client.get(f"/v/{minted[2]}")
    assert closed.status_code == 409 and "已经结束" in closed.get_data(as_text=True)


def test_each_language_has_its_own_copy(app, day):
    _ballot, minted = day
    client = app.test_client()
    chinese = client.get(f"/v/{minted[0]}").get_data(as_text=True)
    english = client.get(f"/v/{minted[0]}?lang=en").get_data(as_text=True)
    again = app.test_client().get(f"/v/{minted[1]}", headers={"Accept-Language": "en"})
    assert "下一步：核对选票" in chinese and 'lang="zh-CN"' in chinese
    assert "Next: check your ballot" in english and 'lang="en"' in english
    assert "Next: check your ballot" in again.get_data(as_text=True)
    assert form_action(english) == f"/v/{minted[0]}/review"


class TestSignedIn:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False}

    def test_a_signed_in_clerk_gets_a_page_of_their_own(self, app, client, day, auth):
        _ballot, minted = day
        app.test_client().get(f"/v/{minted[0]}")  # a deputy's visit makes the shared copy
        clerk = auth.login("clerk")
        assert clerk.display_name in client.get(f"/v/{minted[1]}").get_data(as_text=True)
        anonymous = app.test_client().get(f"/v/{minted[2]}").get_data(as_text=True)
        assert clerk.display_name not in anonymous


def test_an_unusual_query_is_rendered_for_itself_not_kept(app, day):
    _ballot, minted = day
    client = app.test_client()
    page = client.get(f"/v/{minted[0]}?x=%3Cb%3E").get_data(as_text=True)
    assert form_action(page) == f"/v/{minted[0]}/review"
    assert "<b>" not in page
    assert "booth_sheets" not in app.extensions  # nothing kept
