"""The public form under real settings: CSRF checked, rate limits per address on."""

import re

import pytest

from tests.proposals.conftest import count_proposals, form_data, text_of


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True, "WTF_CSRF_SSL_STRICT": False, "RATELIMIT_ENABLED": True}


def token(client, url="/proposals/new") -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text_of(client.get(url))).group(1)


def test_the_form_needs_its_csrf_token(client, county):
    response = client.post("/proposals/new", data=form_data(county))
    assert response.status_code == 400
    assert "页面已过期" in text_of(response)
    assert count_proposals() == 0
    forged = client.post("/proposals/new", data=form_data(county, csrf_token="forged"))
    assert forged.status_code == 400 and count_proposals() == 0
    real = client.post("/proposals/new", data=form_data(county, csrf_token=token(client)))
    assert real.status_code == 303 and count_proposals() == 1


def test_a_flood_from_one_address_is_stopped_after_five(client, county):
    csrf = token(client)
    for n in range(5):
        response = client.post("/proposals/new", data=form_data(
            county, title=f"第{n}条建议：增开早班车", csrf_token=csrf))
        assert response.status_code == 303
    refused = client.post("/proposals/new", data=form_data(
        county, title="第六条建议：城关一小门口设临时停车区", csrf_token=csrf))
    assert refused.status_code == 429
    page = text_of(refused)
    assert "同一网络每小时最多提交5条建议" in page
    assert "第六条建议：城关一小门口设临时停车区" in page  # what was typed is still there
    assert "Retry-After" in refused.headers
    for _attempt in range(3):
        assert client.post("/proposals/new", data=form_data(
            county, title="又一条", csrf_token=csrf)).status_code == 429
    assert count_proposals() == 5


def test_another_address_may_still_propose(client, county):
    csrf = token(client)
    for n in range(6):
        client.post("/proposals/new", data=form_data(county, title=f"第{n}条", csrf_token=csrf))
    assert count_proposals() == 5
    other = client.post("/proposals/new",
                        data=form_data(county, title="邻村的建议", csrf_token=csrf),
                        environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert other.status_code == 303 and count_proposals() == 6


def test_form_errors_do_not_use_up_the_submissions(client, county):
    csrf = token(client)
    for _attempt in range(8):
        response = client.post("/proposals/new", data=form_data(county, content="太短",
                                                                csrf_token=csrf))
        assert response.status_code == 400
    assert client.post("/proposals/new", data=form_data(county, csrf_token=csrf)).status_code == 303


def test_a_junk_flood_hits_the_ceiling_too(client, county):
    csrf = token(client)
    statuses = [client.post("/proposals/new", data=form_data(county, category="",
                                                             csrf_token=csrf)).status_code
                for _attempt in range(31)]
    assert statuses[:30] == [400] * 30 and statuses[30] == 429
    assert count_proposals() == 0


def test_the_throttle_page_speaks_the_users_language(client, county):
    csrf = token(client)
    for n in range(5):
        client.post("/proposals/new", data=form_data(county, title=f"第{n}条", csrf_token=csrf))
    refused = client.post("/proposals/new?lang=en", data=form_data(county, csrf_token=csrf))
    assert refused.status_code == 429
    assert '<html lang="en">' in text_of(refused)


def test_code_lookups_are_throttled(client, county, add_proposal):
    proposal = add_proposal()
    csrf = token(client, "/proposals/track")
    statuses = [client.post("/proposals/track", data={"code": f"ABCD{n:04d}".replace("0", "A"),
                                                      "csrf_token": csrf}).status_code
                for n in range(20)]
    assert set(statuses) <= {400, 404}
    blocked = client.post("/proposals/track", data={"code": proposal.tracking_code,
                                                    "csrf_token": csrf})
    assert blocked.status_code == 429
    page = text_of(blocked)
    assert "查询太频繁" in page and proposal.title not in page
