"""Drafting ballots: definition, candidates in order, scrutineers; nothing after opening."""

import pytest

from voting.extensions import db
from voting.models import Ballot, BallotCandidate, Project


def ballot_form(session, **overrides):
    return {"session": str(session.id), "kind": "selection",
            "title": "2027年度县级重大民生实事项目票决", "seats": "10",
            "threshold_base": "roster", "threshold": "1/2", "rectify_below": "",
            "rules_text": "一、本次票决采用无记名投票方式……", "colour": "#c8102e", **overrides}


@pytest.fixture
def library(make, county):
    """Twelve projects in the county's library."""
    projects = [make.project(county, title=f"民生项目{i:02d}", status="library")
                for i in range(1, 13)]
    db.session.commit()
    return projects


@pytest.fixture
def draft(make, sitting):
    ballot = make.ballot(sitting, candidates=0, seats=10, title="票决草稿")
    db.session.commit()
    return ballot


def pick(client, ballot, projects, orders=None):
    data = {"project": [str(p.id) for p in projects]}
    for project, order in zip(projects, orders or [], strict=False):
        data[f"order-{project.id}"] = str(order)
    return client.post(f"/office/ballots/{ballot.id}/candidates", data=data)


def candidate_titles(ballot_id) -> list[str]:
    rows = db.session.scalars(db.select(BallotCandidate).filter_by(ballot_id=ballot_id)
                              .order_by(BallotCandidate.position))
    return [c.project.title for c in rows]


def test_create_a_selection_ballot(client, clerk, sitting):
    response = client.post("/office/ballots/new", data=ballot_form(sitting),
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "已保存表决" in page and "还没有候选项目" in page and "草稿" in page
    ballot = db.session.scalar(db.select(Ballot))
    assert (ballot.state, ballot.seats, ballot.threshold_base, ballot.threshold_num,
            ballot.threshold_den) == ("draft", 10, "roster", 1, 2)


def test_a_selection_ballot_needs_seats(client, clerk, sitting):
    response = client.post("/office/ballots/new", data=ballot_form(sitting, seats=""))
    assert response.status_code == 400
    assert "项目票决必须填写应选数" in response.get_data(as_text=True)
    response = client.post("/office/ballots/new", data=ballot_form(sitting, seats="0"))
    assert "应在1到500之间" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Ballot)) == 0


def test_an_evaluation_ballot_has_no_seats(client, clerk, sitting):
    client.post("/office/ballots/new", data=ballot_form(sitting, kind="evaluation", seats="",
                                                        rectify_below="80", threshold="2/3"))
    ballot = db.session.scalar(db.select(Ballot))
    assert ballot.kind == "evaluation" and ballot.seats is None
    assert float(ballot.rectify_below_rate) == 0.8


def test_candidates_are_listed_in_the_order_given(client, clerk, draft, library):
    chosen = library[:12]
    orders = list(range(12, 0, -1))  # the clerk numbers them backwards
    response = pick(client, draft, chosen, orders)
    assert response.status_code == 302
    assert candidate_titles(draft.id) == [p.title for p in reversed(chosen)]
    statuses = set(db.session.scalars(db.select(Project.status)))
    assert statuses == {"candidate"}
    page = client.get(f"/office/ballots/{draft.id}").get_data(as_text=True)
    assert "差额 12选10" in page


def test_equal_numbers_are_allowed_fewer_candidates_than_seats_are_not(client, clerk, draft,
                                                                       library):
    response = pick(client, draft, library[:9])
    assert response.status_code == 400
    assert "候选项目（9个）不能少于应选数（10个）" in response.get_data(as_text=True)
    assert candidate_titles(draft.id) == []

    assert pick(client, draft, library[:10]).status_code == 302  # 等额 10选10
    assert "等额 10选10" in client.get(f"/office/ballots/{draft.id}").get_data(as_text=True)


def test_seats_cannot_exceed_the_candidates(client, clerk, draft, library, sitting):
    pick(client, draft, library[:12])
    response = client.post(f"/office/ballots/{draft.id}/edit",
                           data=ballot_form(sitting, seats="13"))
    assert response.status_code == 400
    assert "应选数（13）不能多于候选项目数（12）" in response.get_data(as_text=True)
    db.session.refresh(draft)
    assert draft.seats == 10


def test_projects_taken_off_go_back_to_the_library(client, clerk, draft, library):
    pick(client, draft, library[:12])
    pick(client, draft, library[:11])
    db.session.refresh(library[11])
    assert library[11].status == "library"


def test_a_project_of_another_jurisdiction_cannot_be_a_candidate(client, clerk, draft, library,
                                                                 make):
    town = make.jurisdiction(name="城关镇", level="town")
    foreign = make.project(town, title="镇上的项目")
    response = pick(client, draft, [*library[:10], foreign])
    assert response.status_code == 400
    assert "所选项目不能列入本次表决" in response.get_data(as_text=True)


def test_scrutineers_with_one_chief(client, clerk, draft, make):
    a, b, c = (make.user("scrutineer", display_name=n) for n in ("刘建华", "何秀英", "邓志远"))
    url = f"/office/ballots/{draft.id}/scrutineers"
    response = client.post(url, data={"users": [str(a.id), str(b.id)], "chief": str(c.id)})
    assert response.status_code == 400
    assert "总监票人必须是勾选的监票人之一" in response.get_data(as_text=True)
    response = client.post(url, data={"users": [str(a.id), str(b.id)]})
    assert "请在监票人中指定一位总监票人" in response.get_data(as_text=True)

    client.post(url, data={"users": [str(a.id), str(b.id), str(c.id)], "chief": str(a.id)})
    db.session.refresh(draft)
    assert {(s.user.display_name, s.chief) for s in draft.scrutineers} == {
        ("刘建华", True), ("何秀英", False), ("邓志远", False)}


def test_only_scrutinee_accounts_can_be_scrutineers(client, clerk, draft, make):
    a_clerk = make.user("clerk")
    response = client.post(f"/office/ballots/{draft.id}/scrutineers",
                           data={"users": [str(a_clerk.id)], "chief": str(a_clerk.id)})
    assert response.status_code == 400
    db.session.refresh(draft)
    assert draft.scrutineers == []


def test_a_complete_draft_says_it_is_ready(client, clerk, draft, library, make):
    pick(client, draft, library[:12])
    chief = make.user("scrutineer")
    client.post(f"/office/ballots/{draft.id}/scrutineers",
                data={"users": [str(chief.id)], "chief": str(chief.id)})
    page = client.get(f"/office/ballots/{draft.id}").get_data(as_text=True)
    assert "开启投票前还需完成" in page and "还没有填写票决办法" in page
    draft_id = draft.id
    client.post(f"/office/ballots/{draft_id}/edit", data=ballot_form(draft.session))
    page = client.get(f"/office/ballots/{draft_id}").get_data(as_text=True)
    assert "草稿已完整" in page


@pytest.mark.parametrize(("method", "path", "data"), [
    ("POST", "edit", {"title": "改过的名称"}),
    ("POST", "candidates", {"project": []}),
    ("POST", "scrutineers", {"users": []}),
    ("POST", "delete", {}),
    ("GET", "edit", None),
    ("GET", "candidates", None),
])
def test_a_ballot_past_draft_is_not_changed(client, clerk, make, sitting, method, path, data):
    ballot = make.ballot(sitting, candidates=3, seats=2, title="已开启的票决")
    ballot.state = "open"
    db.session.commit()
    ballot_id = ballot.id
    form = {**ballot_form(sitting, seats="2"), **(data or {})} if path == "edit" else data
    response = client.open(f"/office/ballots/{ballot_id}/{path}", method=method, data=form)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "该表决已不是草稿，不能再修改" in page
    assert f'href="/office/ballots/{ballot_id}"' in page
    ballot = db.session.get(Ballot, ballot_id)
    assert ballot.title == "已开启的票决" and len(ballot.candidates) == 3


def test_the_page_of_an_open_ballot_offers_no_editing(client, clerk, make, sitting):
    ballot = make.ballot(sitting, candidates=3, seats=2)
    ballot.state = "open"
    db.session.commit()
    page = client.get(f"/office/ballots/{ballot.id}").get_data(as_text=True)
    assert "不能再修改" in page and "修改表决设置" not in page


def test_delete_a_draft(client, clerk, draft, library):
    pick(client, draft, library[:10])
    draft_id = draft.id
    response = client.post(f"/office/ballots/{draft_id}/delete", follow_redirects=True)
    assert "已删除表决草稿" in response.get_data(as_text=True)
    assert db.session.get(Ballot, draft_id) is None
    assert set(db.session.scalars(db.select(Project.status))) == {"library"}


def test_ballot_list_filters_by_state(client, clerk, make, sitting):
    make.ballot(sitting, title="草稿票决")
    opened = make.ballot(sitting, title="进行中的票决")
    opened.state = "open"
    db.session.commit()
    page = client.get("/office/ballots/?state=open").get_data(as_text=True)
    assert "进行中的票决" in page and "草稿票决" not in page


def test_the_ballot_page_shows_the_votes_needed_today(client, clerk, draft, county, add_deputy):
    for i in range(7):
        add_deputy(county, f"代表{i}", "城关镇代表团")
    page = client.get(f"/office/ballots/{draft.id}").get_data(as_text=True)
    assert "赞成票超过全体代表的1/2" in page
    assert "按目前7人计，至少4票" in page  # floor(7/2) + 1
