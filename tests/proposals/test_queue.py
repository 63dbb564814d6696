"""The clerks' queue: who may see it, and the three decisions with their public replies."""

from datetime import datetime
from decimal import Decimal

import pytest

from tests.proposals.conftest import text_of
from voting.extensions import db
from voting.models import Project, Proposal


def accept_form(jurisdiction, unit=None, **overrides) -> dict:
    return {"jurisdiction": str(jurisdiction.id), "year": "2027",
            "title": "河口镇至县城农村客运班线加开早班车", "category": "transport",
            "unit": str(unit.id if unit else 0), "budget_wan": "35",
            "funding_source": "县级财政", "location": "河口镇", "summary": "每天增开一班早班车",
            "description": "增开六点半早班车。", "planned_start": "2027-03-01",
            "planned_finish": "2027-06-30", "reply": "", **overrides}


def snapshot() -> list[tuple]:
    """Every proposal's state and every project: what a refused action must leave alone."""
    rows = db.session.scalars(db.select(Proposal).order_by(Proposal.id)).all()
    projects = db.session.scalar(db.select(db.func.count()).select_from(Project))
    return [(p.id, p.status, p.reply, p.project_id, p.merged_into_id) for p in rows] + [projects]


# Who may reach the queue --------------------------------------------------------------------------

def routes(proposal_id):
    return [("GET", "/office/proposals/"), ("GET", f"/office/proposals/{proposal_id}"),
            ("GET", f"/office/proposals/{proposal_id}/accept"),
            ("POST", f"/office/proposals/{proposal_id}/accept"),
            ("POST", f"/office/proposals/{proposal_id}/merge"),
            ("POST", f"/office/proposals/{proposal_id}/decline")]


def test_anonymous_visitors_are_sent_to_login(client, add_proposal):
    proposal = add_proposal()
    before = snapshot()
    for method, url in routes(proposal.id):
        response = client.open(url, method=method, data={"decline-reply": "不予采纳。"})
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login")
    assert snapshot() == before


@pytest.mark.parametrize("role", ["scrutineer", "unit"])
def test_scrutineers_and_units_get_403(client, auth, make, county, add_proposal, role):
    proposal = add_proposal()
    other = add_proposal(title="早班车")
    kwargs = {"unit": make.unit(county)} if role == "unit" else {}
    auth.login(role, **kwargs)
    before = snapshot()
    for method, url in routes(proposal.id):
        response = client.open(url, method=method, data={
            "decline-reply": "不予采纳。", "merge-other": str(other.id),
            **accept_form(county)})
        assert response.status_code == 403, url
    assert snapshot() == before


def test_an_admin_may_work_the_queue(client, auth, add_proposal):
    proposal = add_proposal()
    auth.login("admin")
    assert client.get("/office/proposals/").status_code == 200
    assert client.get(f"/office/proposals/{proposal.id}").status_code == 200


def test_an_unknown_proposal_is_404(client, auth):
    auth.login("clerk")
    assert client.get("/office/proposals/999").status_code == 404
    assert client.post("/office/proposals/999/decline", data={"decline-reply": "x"}).status_code \
        == 404


# The queue ----------------------------------------------------------------------------------------

def test_the_queue_counts_and_filters_by_status(client, auth, county, town, add_proposal):
    add_proposal(title="早一些的建议", submitted_at=datetime(2026, 9, 1, 8, 0))
    add_proposal(title="晚一些的建议", submitted_at=datetime(2026, 10, 20, 8, 0))
    add_proposal(title="已答复的建议", status="declined", reply="理由")
    add_proposal(town, title="镇上的建议")
    auth.login("clerk")
    page = text_of(client.get("/office/proposals/"))
    assert "早一些的建议" in page and "晚一些的建议" in page and "已答复的建议" not in page
    assert "已收到，待办理 <strong>3</strong>" in page and "不予采纳 <strong>1</strong>" in page
    assert page.index("晚一些的建议") < page.index("早一些的建议")  # newest first by default
    oldest = text_of(client.get("/office/proposals/?order=oldest"))
    assert oldest.index("早一些的建议") < oldest.index("晚一些的建议")
    declined = text_of(client.get("/office/proposals/?status=declined"))
    assert "已答复的建议" in declined and "早一些的建议" not in declined
    everything = text_of(client.get("/office/proposals/?status=all"))
    assert all(t in everything for t in ("早一些", "晚一些", "已答复", "镇上"))
    in_town = text_of(client.get(f"/office/proposals/?jurisdiction={town.id}"))
    assert "镇上的建议" in in_town and "早一些的建议" not in in_town


def test_a_clerk_finds_a_proposal_by_its_code(client, auth, add_proposal):
    wanted = add_proposal(title="要找的建议")
    add_proposal(title="别的建议")
    auth.login("clerk")
    code = wanted.tracking_code
    page = text_of(client.get(f"/office/proposals/?q={code[:4].lower()}-{code[4:]}"))
    assert "要找的建议" in page and "别的建议" not in page


def test_the_proposal_page_shows_the_contact_and_likely_duplicates(client, auth, county,
                                                                    add_proposal):
    proposal = add_proposal(title="建议增开河口镇到县城的早班车", contact="敬先生 158-6620-3197")
    twin = add_proposal(title="河口镇到县城早班车太晚，建议增开")
    add_proposal(title="城关一小门口设置临时停车区")  # same category, unrelated
    add_proposal(title="河口镇早班车", category="elderly")  # other category
    auth.login("clerk")
    page = text_of(client.get(f"/office/proposals/{proposal.id}"))
    assert "敬先生 158-6620-3197" in page
    duplicates = page[page.index("可能重复的建议"):page.index('id="decide-title"')]
    assert twin.title in duplicates
    assert "城关一小" not in duplicates and "河口镇早班车<" not in duplicates


# Accept -------------------------------------------------------------------------------------------

def test_the_accept_form_is_prefilled_from_the_proposal(client, auth, add_proposal):
    proposal = add_proposal(title="建议增开早班车", location="河口镇河口社区",
                            description="早上六点半增开一班。")
    auth.login("clerk")
    page = text_of(client.get(f"/office/proposals/{proposal.id}/accept"))
    assert 'value="建议增开早班车"' in page and 'value="河口镇河口社区"' in page
    assert "早上六点半增开一班。" in page
    assert '<option selected value="transport">' in page
    assert 'name="source"' not in page and 'name="status"' not in page  # always library, public


def test_accepting_creates_the_library_project(client, auth, county, make, add_proposal):
    unit = make.unit(county, name="县交通运输局")
    proposal = add_proposal()
    auth.login("clerk")
    response = client.post(f"/office/proposals/{proposal.id}/accept",
                           data=accept_form(county, unit))
    assert response.status_code == 302
    project = db.session.scalar(db.select(Project))
    assert project.title == "河口镇至县城农村客运班线加开早班车"
    assert (project.status, project.source) == ("library", "public")
    assert project.unit.name == "县交通运输局" and project.budget_wan == Decimal("35")
    assert project.year == 2027 and project.location == "河口镇"
    db.session.refresh(proposal)
    assert proposal.status == "accepted" and proposal.project_id == project.id
    assert "已纳入民生实事项目库" in proposal.reply and project.title in proposal.reply
    # A library entry has no public page yet: named on the list, not linked (no dead link).
    public = text_of(client.get("/proposals/"))
    assert project.title in public and f'href="/projects/{project.id}"' not in public
    assert client.get(f"/projects/{project.id}").status_code == 404


def test_the_clerks_reply_replaces_the_usual_one(client, auth, county, add_proposal):
    proposal = add_proposal()
    auth.login("clerk")
    client.post(f"/office/proposals/{proposal.id}/accept",
                data=accept_form(county, reply="谢谢，已列入明年计划。"))
    db.session.refresh(proposal)
    assert proposal.reply == "谢谢，已列入明年计划。"


@pytest.mark.parametrize(("overrides", "message"), [
    ({"budget_wan": ""}, "请填写总投资"),
    ({"title": ""}, "请填写项目名称"),
    ({"reply": "长" * 2001}, "不能超过2000个字"),
])
def test_a_bad_accept_form_changes_nothing(client, auth, county, add_proposal, overrides, message):
    proposal = add_proposal()
    auth.login("clerk")
    before = snapshot()
    response = client.post(f"/office/proposals/{proposal.id}/accept",
                           data=accept_form(county, **overrides))
    assert response.status_code == 400 and message in text_of(response)
    assert snapshot() == before


def test_a_unit_of_another_jurisdiction_is_refused(client, auth, county, town, make, add_proposal):
    proposal = add_proposal()
    foreign = make.unit(town, name="河口镇政府")
    auth.login("clerk")
    before = snapshot()
    response = client.post(f"/office/proposals/{proposal.id}/accept",
                           data=accept_form(county, foreign))
    assert response.status_code == 400 and "承办单位不属于青川县" in text_of(response)
    assert snapshot() == before


# Merge and decline --------------------------------------------------------------------------------

def test_merging_a_duplicate_into_a_suggestion(client, auth, add_proposal):
    kept = add_proposal(title="建议增开河口镇到县城的早班车")
    duplicate = add_proposal(title="河口镇到县城早班车太晚，建议增开")
    auth.login("clerk")
    page = text_of(client.get(f"/office/proposals/{duplicate.id}"))
    assert f'value="{kept.id}"' in page
    response = client.post(f"/office/proposals/{duplicate.id}/merge",
                           data={"merge-into": str(kept.id), "merge-reply": ""},
                           follow_redirects=True)
    assert response.status_code == 200
    # The message names the proposal kept, not the duplicate merged into it.
    assert f"已合并到建议“{kept.title}”" in text_of(response)
    assert f"已合并到建议“{duplicate.title}”" not in text_of(response)
    db.session.refresh(duplicate)
    assert duplicate.status == "merged" and duplicate.merged_into_id == kept.id
    assert "建议增开河口镇到县城的早班车" in duplicate.reply and "合并办理" in duplicate.reply
    assert f"第{duplicate.id}号" in text_of(client.get(f"/office/proposals/{kept.id}"))
    tracked = text_of(client.post("/proposals/track", data={"code": duplicate.tracking_code}))
    assert "已合并到建议" in tracked and kept.title in tracked


def test_merging_by_typed_code_with_a_reply(client, auth, add_proposal):
    kept = add_proposal(title="老旧小区改造", category="housing", status="accepted")
    duplicate = add_proposal(title="加装电梯", category="housing")
    auth.login("clerk")
    code = kept.tracking_code.lower()
    client.post(f"/office/proposals/{duplicate.id}/merge",
                data={"merge-other": f"{code[:4]}-{code[4:]}", "merge-reply": "已合并办理。"})
    db.session.refresh(duplicate)
    assert (duplicate.status, duplicate.merged_into_id, duplicate.reply) == \
        ("merged", kept.id, "已合并办理。")


@pytest.mark.parametrize("target", ["self", "town", "declined", "merged", "missing", "none",
                                    "huge", "superscript"])
def test_a_bad_merge_target_is_refused(client, auth, town, add_proposal, target):
    proposal = add_proposal()
    others = {"self": proposal, "town": add_proposal(town),
              "declined": add_proposal(status="declined", reply="理由"),
              "merged": add_proposal(status="merged", reply="并")}
    auth.login("clerk")
    before = snapshot()
    data = {"none": {}, "missing": {"merge-other": "#99999"},
            "huge": {"merge-other": "9" * 30}, "superscript": {"merge-other": "²"}}.get(target)
    if data is None:
        data = {"merge-other": str(others[target].id)}
    response = client.post(f"/office/proposals/{proposal.id}/merge", data=data)
    assert response.status_code in (400, 409)
    page = text_of(response)
    assert any(m in page for m in ("请选择另一条建议", "只能合并到同一行政区", "不能合并到已合并",
                                   "找不到编号或查询码", "请选择保留的建议"))
    assert snapshot() == before


def test_declining_needs_a_reply_that_is_then_public(client, auth, add_proposal):
    proposal = add_proposal(title="建议在城区新建一座室内游泳馆", contact="谢先生 187-2219-3370")
    auth.login("clerk")
    before = snapshot()
    empty = client.post(f"/office/proposals/{proposal.id}/decline", data={"decline-reply": "  "})
    assert empty.status_code == 400 and "请填写不予采纳的理由" in text_of(empty)
    assert snapshot() == before
    reply = "室内游泳馆投资规模较大，建设周期超过一年，暂未列入候选项目。"
    done = client.post(f"/office/proposals/{proposal.id}/decline", data={"decline-reply": reply})
    assert done.status_code == 302
    db.session.refresh(proposal)
    assert proposal.status == "declined" and proposal.reply == reply
    public = text_of(client.get("/proposals/?status=declined"))
    assert reply in public and "谢先生" not in public


# Wrong state --------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", ["accepted", "merged", "declined"])
@pytest.mark.parametrize("action", ["accept", "merge", "decline"])
def test_a_decided_proposal_cannot_be_decided_again(client, auth, county, add_proposal, status,
                                                    action):
    other = add_proposal(title="另一条")
    proposal = add_proposal(status=status, reply="已答复。",
                            merged_into_id=other.id if status == "merged" else None)
    auth.login("clerk")
    before = snapshot()
    data = {"accept": accept_form(county), "merge": {"merge-other": str(other.id)},
            "decline": {"decline-reply": "再次答复"}}[action]
    response = client.post(f"/office/proposals/{proposal.id}/{action}", data=data)
    assert response.status_code == 409
    assert "这条建议已经处理过" in text_of(response)
    assert snapshot() == before


def test_the_accept_page_of_a_decided_proposal_says_so(client, auth, add_proposal):
    proposal = add_proposal(status="declined", reply="理由")
    auth.login("clerk")
    response = client.get(f"/office/proposals/{proposal.id}/accept", follow_redirects=True)
    page = text_of(response)
    assert "这条建议已经处理过（不予采纳）" in page and 'id="decide-title"' not in page


@pytest.mark.parametrize("url", ["/office/proposals/99999999999999999999",
                                 "/office/proposals/99999999999999999999/accept",
                                 "/office/proposals/?page=99999999999999999999",
                                 "/office/proposals/?jurisdiction=99999999999999999999&q=%25_"])
def test_odd_numbers_in_urls_are_not_errors(client, auth, add_proposal, url):
    add_proposal()
    auth.login("clerk")
    assert client.get(url).status_code in (200, 404)


def test_a_huge_merge_number_is_just_not_found(client, auth, add_proposal):
    proposal = add_proposal()
    auth.login("clerk")
    response = client.post(f"/office/proposals/{proposal.id}/merge",
                           data={"merge-into": "99999999999999999999"})
    assert response.status_code == 400 and "找不到编号或查询码为“99999999999999999999”" in \
        text_of(response)
    db.session.refresh(proposal)
    assert proposal.status == "received"
