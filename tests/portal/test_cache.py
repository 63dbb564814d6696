"""The front page is kept a few seconds per language for anonymous visitors (issue 6: the portal
must serve hundreds of requests a second); signed-in users and pages with a message never share
a copy."""

import pytest

from voting.extensions import db


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "CACHE_TYPE": "SimpleCache"}


def page(client, url="/", **kw):
    return client.get(url, **kw).get_data(as_text=True)


def test_anonymous_visitors_share_one_copy_for_a_while(client, portal):
    assert "县城第三小学扩建工程" in page(client)
    portal.late.title = "县城第三小学扩建工程（二期）"
    db.session.commit()
    assert "（二期）" not in page(client)  # the kept copy
    assert "（二期）" in page(client, "/projects")  # other pages are live


def test_each_language_and_query_has_its_own_copy(client, portal):
    chinese = page(client)
    english = page(client, "/?lang=en")
    assert english != chinese
    assert 'lang="en"' in english and 'lang="zh-CN"' in chinese
    assert page(client, "/", headers={"Accept-Language": "en"}).count('lang="en"') >= 1


def test_a_signed_in_clerk_never_gets_or_leaves_a_shared_copy(client, auth, portal):
    anonymous = page(client)
    clerk = auth.login("clerk")
    signed_in = page(client)
    assert clerk.display_name in signed_in and clerk.display_name not in anonymous
    auth.logout()
    assert clerk.display_name not in page(client)
