"""Jurisdictions, terms and congress sessions."""

import re
from datetime import date

from voting.extensions import db
from voting.models import CongressSession, Jurisdiction, Term


def session_form(jurisdiction, **overrides):
    return {"jurisdiction": str(jurisdiction.id), "term_number": "18", "start_year": "2022",
            "end_year": "2027", "number": "4", "title": "", "starts_on": "2027-01-10",
            "ends_on": "2027-01-13", "venue": "县会议中心", **overrides}


def test_create_a_jurisdiction_and_a_town_under_it(client, clerk):
    response = client.post("/office/sessions/jurisdictions/new",
                           data={"name": " 青川县 ", "level": "county", "parent": "0"},
                           follow_redirects=True)
    assert "已保存行政区“青川县”" in response.get_data(as_text=True)
    county = db.session.scalar(db.select(Jurisdiction).filter_by(name="青川县"))
    client.post("/office/sessions/jurisdictions/new",
                data={"name": "城关镇", "level": "town", "parent": str(county.id)})
    town = db.session.scalar(db.select(Jurisdiction).filter_by(name="城关镇"))
    assert town.parent is county and town.level == "town"


def test_jurisdiction_names_are_unique_and_required(client, clerk, county):
    response = client.post("/office/sessions/jurisdictions/new",
                           data={"name": "青川县", "level": "county", "parent": "0"})
    assert response.status_code == 400
    assert "已有名为“青川县”的行政区" in response.get_data(as_text=True)
    response = client.post("/office/sessions/jurisdictions/new",
                           data={"name": "  ", "level": "county", "parent": "0"})
    assert "请填写名称" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Jurisdiction)) == 1


def test_a_new_session_gets_its_term_and_the_usual_title(client, clerk, county):
    response = client.post("/office/sessions/new", data=session_form(county),
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "青川县第十八届人民代表大会第四次会议" in page
    session = db.session.scalar(db.select(CongressSession))
    assert session.term.number == 18 and session.term.jurisdiction is county
    assert (session.starts_on, session.ends_on) == (date(2027, 1, 10), date(2027, 1, 13))

    # The next session of the same term reuses the term.
    client.post("/office/sessions/new", data=session_form(county, number="5",
                                                          starts_on="2028-01-09",
                                                          ends_on="2028-01-12"))
    assert db.session.scalar(db.select(db.func.count()).select_from(Term)) == 1


def test_session_validation_messages_are_chinese(client, clerk, county):
    response = client.post("/office/sessions/new", data=session_form(
        county, starts_on="2027-01-13", ends_on="2027-01-10", end_year="2020", number="x"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "闭幕日期不能早于开幕日期" in page
    assert "结束年份不能早于起始年份" in page
    assert "请输入整数" in page
    response = client.post("/office/sessions/new",
                           data=session_form(county, starts_on="2027-02-30"))
    assert "日期格式不正确" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(CongressSession)) == 0


def test_the_same_session_number_twice_in_a_term_is_refused(client, clerk, county):
    client.post("/office/sessions/new", data=session_form(county))
    response = client.post("/office/sessions/new", data=session_form(county))
    assert response.status_code == 400
    assert "第十八届已有第四次会议" in response.get_data(as_text=True)


def test_edit_a_session(client, clerk, sitting):
    form = session_form(sitting.jurisdiction, title="青川县第十八届人民代表大会第四次会议（改期）",
                        starts_on="2027-02-01", ends_on="2027-02-03")
    client.post(f"/office/sessions/{sitting.id}/edit", data=form)
    db.session.refresh(sitting)
    assert sitting.title.endswith("（改期）") and sitting.starts_on == date(2027, 2, 1)


def test_a_session_with_a_ballot_cannot_be_deleted(client, clerk, make, sitting):
    make.ballot(sitting)
    db.session.commit()
    response = client.post(f"/office/sessions/{sitting.id}/delete", follow_redirects=True)
    assert "已有表决或签到记录，不能删除" in response.get_data(as_text=True)
    assert db.session.get(CongressSession, sitting.id) is not None


def test_an_unused_session_can_be_deleted(client, clerk, sitting):
    session_id = sitting.id
    client.post(f"/office/sessions/{session_id}/delete")
    assert db.session.get(CongressSession, session_id) is None


def test_sessions_page_lists_jurisdictions_and_sessions(client, clerk, sitting):
    page = client.get("/office/sessions/").get_data(as_text=True)
    assert "青川县" in page and sitting.title in page and "第18届（2022—2027）" in page


def test_the_new_session_form_suggests_the_next_session_of_the_term(client, clerk, sitting):
    page = client.get(f"/office/sessions/new?jurisdiction={sitting.jurisdiction.id}").get_data(
        as_text=True)
    assert re.search(r'id="term_number"[^>]*value="18"', page)
    assert re.search(r'id="start_year"[^>]*value="2022"', page)
    assert re.search(rf'id="number"[^>]*value="{sitting.number + 1}"', page)
