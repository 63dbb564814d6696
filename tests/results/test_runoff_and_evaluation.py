"""A tie at the cutoff and its runoff; an evaluation ballot's rates, grades and 整改."""

from tests.results.conftest import certify_by_cli, tally_json, text_of
from voting.extensions import db
from voting.models import Ballot
from voting.services import ballots, results

TIE_TITLES = ("城区公办幼儿园建设项目", "城镇老旧小区改造", "农村公路提档升级")


def certify_all(cli, day):
    for person in day.scrutineers:
        assert certify_by_cli(cli, day.ballot.id, person).exit_code == 0


def test_a_tie_at_the_cutoff_goes_to_a_runoff(vote_day, cli, client, sign_in):
    # Five deputies, threshold 3, two seats: A 4 votes; B and C 3 each for the last seat.
    day = vote_day(titles=TIE_TITLES, roster=5, present=5, mint=5, void=0)
    day.vote("FF.", "F.F", "FF.", "F.F", ".FF")
    day.close()
    a, b, c = day.ids
    result = tally_json(cli, day.ballot.id)
    assert (result["selected"], result["tied"]) == ([a], [b, c])
    assert (result["runoff_seats"], result["unfilled"]) == (1, 0)

    sign_in("clerk")
    page = text_of(client.get(f"/office/results/{day.ballot.id}"))
    assert "票数并列" in page and "创建另行投票" in page
    assert "争夺最后1个名额" in page

    created = client.post(f"/office/results/{day.ballot.id}/runoff")
    assert created.status_code == 302
    runoff = db.session.scalar(db.select(Ballot).filter_by(runoff_of_id=day.ballot.id))
    assert created.headers["Location"].endswith(f"/office/ballots/{runoff.id}")
    assert runoff.state == "draft" and runoff.seats == 1 and runoff.kind == "selection"
    assert [str(cand.project_id) for cand in runoff.candidates] == [b, c]
    assert {s.user_id for s in runoff.scrutineers} == {u.id for u in day.scrutineers}
    again = client.post(f"/office/results/{day.ballot.id}/runoff")
    assert again.status_code == 409 and "已经为本次表决创建过另行投票" in text_of(again)
    page = text_of(client.get(f"/office/results/{day.ballot.id}"))
    assert runoff.title in page and "创建另行投票</button>" not in page

    # The runoff is voted: B wins the seat; the session's list combines both ballots.
    tokens = ballots.mint_tokens(runoff, 5)
    db.session.commit()
    ballots.open_ballot(runoff)
    db.session.commit()
    for choices in ("F.", "F.", "F.", ".F", ".F"):
        response = client.post("/api/v1/cast", json={"token": tokens.pop(), "choices": {
            cid: "for" if mark == "F" else "abstain"
            for cid, mark in zip((b, c), choices, strict=True)}})
        assert response.status_code == 201
    ballots.close_ballot(runoff)
    db.session.commit()
    assert tally_json(cli, runoff.id)["selected"] == [b]
    assert results.final_selection(day.reload()) == [int(a), int(b)]
    page = text_of(client.get(f"/office/results/{day.ballot.id}"))
    final = page.split("本次会议最终确定的项目")[1].split("</ol>")[0]
    assert final.index(TIE_TITLES[0]) < final.index(TIE_TITLES[1])
    assert TIE_TITLES[2] not in final

    # Publishing the tied ballot selects A and leaves B and C to the runoff.
    certify_all(cli, day)
    assert cli("ballot", "publish", day.ballot.id).exit_code == 0
    day.reload()
    statuses = [p.status for p in day.projects]
    assert statuses == ["selected", "candidate", "candidate"]
    public = text_of(client.get(f"/ballots/{day.ballot.id}"))
    assert "票数并列" in public and f"/ballots/{runoff.id}" in public


def test_no_runoff_without_a_tie(vote_day, client, sign_in):
    day = vote_day(titles=TIE_TITLES, roster=5, present=5, mint=5, void=0)
    day.vote("FF.", "FF.", "FF.")
    day.close()
    sign_in("clerk")
    page = text_of(client.get(f"/office/results/{day.ballot.id}"))
    assert "创建另行投票" not in page
    response = client.post(f"/office/results/{day.ballot.id}/runoff", follow_redirects=True)
    assert "没有并列票数" in text_of(response)
    assert db.session.scalar(db.select(Ballot).filter_by(runoff_of_id=day.ballot.id)) is None


def test_unfilled_seats_are_reported(vote_day, client, sign_in):
    day = vote_day(titles=TIE_TITLES, roster=5, present=5, mint=5, void=0)
    day.vote("F..", "F..", "F..", ".F.", "..F")  # only A reaches 3
    day.close()
    sign_in("clerk")
    page = text_of(client.get(f"/office/results/{day.ballot.id}"))
    assert "尚有1个名额空缺" in page


def test_an_evaluation_shows_rates_and_grades_and_publishing_flags_rectification(
        vote_day, cli, client, sign_in):
    day = vote_day(kind="evaluation", titles=TIE_TITLES, roster=5, present=5, mint=5, void=0,
                   title="2026年民生实事项目满意度测评")
    # P1 satisfied; P2 basically satisfied (1 + 2 of 5); P3 dissatisfied (rate 40%).
    day.vote("SSS", "SBS", "SBD", "SDD", "BDD")
    day.close()
    p1, p2, p3 = day.ids
    result = tally_json(cli, day.ballot.id)
    assert result["counts"][p1] == {"satisfied": 4, "basically_satisfied": 1, "dissatisfied": 0,
                                    "abstain": 0, "rate": 1.0, "grade": "satisfied",
                                    "rectify": False}
    assert (result["counts"][p2]["rate"], result["counts"][p2]["grade"]) == (
        0.6, "basically_satisfied")
    assert result["counts"][p3] == {"satisfied": 2, "basically_satisfied": 0, "dissatisfied": 3,
                                    "abstain": 0, "rate": 0.4, "grade": "dissatisfied",
                                    "rectify": True}

    sign_in("clerk")
    page = text_of(client.get(f"/office/results/{day.ballot.id}"))
    for words in ("满意率", "测评等次", "100.00%", "60.00%", "40.00%", "基本满意", "须整改"):
        assert words in page, words
    assert "须整改的项目：" + TIE_TITLES[2] in page
    chart = page[page.index('<figure class="result-chart">'):]
    assert chart[:chart.index("</svg>")].count('fill="#1b6e2e"') == 4  # 3 bars + the legend

    certify_all(cli, day)
    announcement = text_of(client.get(f"/office/results/{day.ballot.id}/announcement"))
    assert "满意度测评" in announcement and "40.00%" in announcement
    published = client.post(f"/office/results/{day.ballot.id}/publish")
    assert published.status_code == 302
    day.reload()
    assert [p.rectification for p in day.projects] == [False, False, True]
    public = text_of(client.get(f"/ballots/{day.ballot.id}"))
    assert "40.00%" in public and "不满意" in public
