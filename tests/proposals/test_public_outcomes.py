"""What the public list and the tracking-code lookup show of a proposal's fate: nothing of an
unscreened one but a count, a link only to a project with a public page, clerks' replies
escaped."""

import re

from tests.proposals.conftest import form_data, text_of
from voting.extensions import db
from voting.models import BallotCandidate, Proposal

SCRIPT = "<script>alert(1)</script>"


def titles_on(page: str) -> list[str]:
    return re.findall(r'class="proposal-item__title">([^<]*)<', page)


def submitted(client, county, title: str) -> Proposal:
    client.post("/proposals/new", data=form_data(county, title=title))
    return db.session.scalar(db.select(Proposal).filter_by(title=title))


def test_an_unscreened_proposal_is_only_counted_until_a_clerk_decides(client, auth, county):
    spam = submitted(client, county, "快来买便宜的发票，加微信")
    other = submitted(client, county, "建议增开河口镇到县城的早班车")
    page = text_of(client.get("/proposals/"))
    assert titles_on(page) == []
    assert "另有2条建议正在审核" in page and "发票" not in page and "早班车" not in page
    for query in ("?status=received", "?category=transport", f"?jurisdiction={county.id}"):
        assert "发票" not in text_of(client.get(f"/proposals/{query}")), query
    # The proposer still sees their own, by its code.
    mine = text_of(client.post("/proposals/track", data={"code": spam.tracking_code}))
    assert "快来买便宜的发票" in mine and "已收到，待办理" in mine

    auth.login("clerk")
    client.post(f"/office/proposals/{other.id}/decline", data={"decline-reply": "已转交公交公司。"})
    auth.logout()
    page = text_of(client.get("/proposals/"))
    assert titles_on(page) == ["建议增开河口镇到县城的早班车"] and "已转交公交公司。" in page
    assert "另有1条建议正在审核" in page and "发票" not in page


def test_no_waiting_line_when_everything_is_screened(client, add_proposal):
    add_proposal(status="declined", reply="暂不采纳。")
    page = text_of(client.get("/proposals/"))
    assert "正在审核" not in page and len(titles_on(page)) == 1


def test_a_library_project_is_named_and_linked_once_it_is_public(client, auth, county, make,
                                                                  add_proposal):
    kept = add_proposal(title="城关一小门口设临时停车区")
    merged = add_proposal(title="一小门口接送孩子太堵")
    auth.login("clerk")
    client.post(f"/office/proposals/{kept.id}/accept", data={
        "jurisdiction": str(county.id), "year": "2027", "title": "城关一小周边交通改善",
        "category": "transport", "unit": "0", "budget_wan": "80", "funding_source": "",
        "location": "", "summary": "设临时停车区", "description": "设临时停车区。",
        "planned_start": "", "planned_finish": "", "reply": ""})
    client.post(f"/office/proposals/{merged.id}/merge",
                data={"merge-into": str(kept.id), "merge-reply": ""})
    auth.logout()
    db.session.refresh(kept)
    project = kept.project
    link = f'href="/projects/{project.id}"'

    def pages() -> list[str]:
        return [text_of(client.get("/proposals/"))] + [
            text_of(client.post("/proposals/track", data={"code": p.tracking_code}))
            for p in (kept, merged)]

    for page in pages():  # in the library: no public page, so no link to one
        assert "城关一小周边交通改善" in page and link not in page
    assert client.get(f"/projects/{project.id}").status_code == 404

    draft = make.ballot(candidates=0)  # listed on a ballot: the candidate has its page
    draft.candidates.append(BallotCandidate(project_id=project.id, position=0))
    project.status = "candidate"
    db.session.commit()
    for page in pages():
        assert link in page
    assert client.get(f"/projects/{project.id}").status_code == 200


def test_a_clerks_reply_is_shown_escaped(client, auth, add_proposal):
    proposal = add_proposal(title="建议在河口镇建游泳馆")
    auth.login("clerk")
    response = client.post(f"/office/proposals/{proposal.id}/decline",
                           data={"decline-reply": f"投资较大，暂不采纳。{SCRIPT}"})
    assert response.status_code == 302
    db.session.refresh(proposal)
    assert proposal.status == "declined" and SCRIPT in proposal.reply
    auth.logout()
    for page in (client.get("/proposals/"),
                 client.post("/proposals/track", data={"code": proposal.tracking_code})):
        text = text_of(page)
        assert page.status_code == 200
        assert "投资较大，暂不采纳。" in text
        assert SCRIPT not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
