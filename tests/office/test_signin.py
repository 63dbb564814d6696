"""The sign-in desk (签到): search, one-click sign-in and undo, the live count and the quorum."""

import re
from datetime import datetime

import pytest

from voting.extensions import db
from voting.models import Attendance


@pytest.fixture
def roster(county, add_deputy):
    """Six deputies in two delegations (quorum: more than 2/3 of 6 → 5 present)."""
    names = [("刘建华", "城关镇代表团"), ("王丽", "城关镇代表团"), ("李四", "城关镇代表团"),
             ("何秀英", "河口镇代表团"), ("张三", "河口镇代表团"), ("赵六", "河口镇代表团")]
    return {name: add_deputy(county, name, group, occupation=f"{group[:3]}干部")
            for name, group in names}


def sign_in(client, sitting, deputy, **form):
    return client.post(f"/office/signin/{sitting.id}/deputies/{deputy.id}", data=form)


def turnout(client, sitting):
    response = client.get(f"/office/signin/{sitting.id}/turnout.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()


def test_desk_lists_the_roster_with_a_sign_in_button_each(client, clerk, sitting, roster):
    page = client.get(f"/office/signin/{sitting.id}").get_data(as_text=True)
    assert "实到 <strong data-present>0</strong> / 应到 <strong data-roster>6</strong>" in page
    assert "未达三分之二" in page
    assert page.count('class="button button--primary button--small">签到</button>') == 6


def test_search_by_part_of_a_name_or_by_delegation(client, clerk, sitting, roster):
    page = client.get(f"/office/signin/{sitting.id}?q=秀").get_data(as_text=True)
    assert "何秀英" in page and "刘建华" not in page
    delegation = roster["张三"].delegation_id
    page = client.get(f"/office/signin/{sitting.id}?delegation={delegation}").get_data(as_text=True)
    assert {"何秀英", "张三", "赵六"} <= set(re.findall(r"<strong>(\w+)</strong>", page))
    assert "刘建华" not in page


def test_sign_in_counts_once_and_undo_takes_it_back(client, clerk, sitting, roster):
    response = sign_in(client, sitting, roster["王丽"], q="王")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"?q=%E7%8E%8B#d{roster['王丽'].id}")
    assert turnout(client, sitting) == {"present": 1, "roster": 6, "quorum": False, "needed": 5}

    sign_in(client, sitting, roster["王丽"])  # a double click changes nothing
    assert turnout(client, sitting)["present"] == 1
    page = client.get(f"/office/signin/{sitting.id}?q=王丽").get_data(as_text=True)
    assert "已签到" in page and "撤销" in page

    client.post(f"/office/signin/{sitting.id}/deputies/{roster['王丽'].id}/undo")
    assert turnout(client, sitting)["present"] == 0


def test_quorum_needs_more_than_two_thirds(client, clerk, sitting, roster):
    deputies = list(roster.values())
    for deputy in deputies[:4]:
        sign_in(client, sitting, deputy)
    assert turnout(client, sitting)["quorum"] is False  # 4 of 6 is exactly 2/3: not more
    sign_in(client, sitting, deputies[4])
    assert turnout(client, sitting) == {"present": 5, "roster": 6, "quorum": True, "needed": 5}
    page = client.get(f"/office/signin/{sitting.id}").get_data(as_text=True)
    assert "已超过三分之二，符合开会人数" in page


def test_a_deputy_of_another_jurisdiction_cannot_be_signed_in(client, clerk, sitting, make,
                                                             add_deputy):
    town = make.jurisdiction(name="河口镇", level="town")
    stranger = add_deputy(town, "外地代表")
    response = sign_in(client, sitting, stranger)
    assert response.status_code == 400
    assert "不在本次会议的代表名册中" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Attendance)) == 0


def test_attendance_records_presence_only(client, clerk, sitting, roster):
    """Nothing about slips or ballots: the row has the session, the deputy and the time."""
    sign_in(client, sitting, roster["刘建华"])
    assert set(Attendance.__table__.columns.keys()) == {
        "id", "session_id", "deputy_id", "signed_in_at"}


def test_the_page_refreshes_by_a_script_file_not_inline(client, clerk, sitting, roster):
    page = client.get(f"/office/signin/{sitting.id}").get_data(as_text=True)
    assert 'src="/static/js/office.js"' in page
    assert f'data-turnout-url="/office/signin/{sitting.id}/turnout.json"' in page
    assert re.search(r"<script(?![^>]*\bsrc=)", page) is None
    script = client.get("/static/js/office.js")
    assert script.status_code == 200 and "turnout" in script.get_data(as_text=True)
    script.close()


def test_sessions_list_links_to_each_desk(client, clerk, sitting, roster):
    page = client.get("/office/signin/").get_data(as_text=True)
    assert f"/office/signin/{sitting.id}" in page and "应到 <strong data-roster>6</strong>" in page


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": False}  # CSRF on, as in production

    def test_sign_in_without_the_csrf_token_is_refused(self, client, sitting, roster, make):
        user = make.user("clerk")
        db.session.commit()
        login = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
        client.post("/login", data={"username": user.username, "password": "correct-horse-9",
                                    "csrf_token": token})
        response = sign_in(client, sitting, roster["王丽"])
        assert response.status_code == 400
        assert turnout(client, sitting)["present"] == 0

        desk = client.get(f"/office/signin/{sitting.id}").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', desk).group(1)
        sign_in(client, sitting, roster["王丽"], csrf_token=token)
        assert turnout(client, sitting)["present"] == 1


def test_two_desks_signing_in_the_same_deputy_count_once(app, sitting, roster, monkeypatch):
    """The second desk's insert hits the unique row: 'already signed in', not a 500."""
    from voting.services import roster as roster_service

    deputy = roster["王丽"]
    db.session.add(Attendance(session=sitting, deputy=deputy, signed_in_at=datetime.now()))
    db.session.commit()
    # This desk checked before the other desk's row was committed: its check saw nothing.
    real_scalar = db.session.scalar
    seen = []

    def stale_check(*args, **kwargs):
        seen.append(args)
        return None if len(seen) == 1 else real_scalar(*args, **kwargs)

    monkeypatch.setattr(db.session, "scalar", stale_check)
    assert roster_service.sign_in(sitting, deputy) is False
    monkeypatch.undo()
    db.session.commit()
    assert roster_service.turnout(sitting).present == 1
