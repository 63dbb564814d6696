"""The public side of 群众提: the form, the thank-you page with its code, the lookup, the list."""

import pytest

from tests.proposals.conftest import code_on, count_proposals, form_data, text_of
from voting.extensions import db
from voting.models import Proposal

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def submit(client, jurisdiction, **overrides):
    return client.post("/proposals/new", data=form_data(jurisdiction, **overrides),
                       follow_redirects=True)


def test_the_form_offers_jurisdictions_and_chinese_categories(client, county, town):
    page = text_of(client.get("/proposals/new"))
    assert "青川县" in page and "河口镇" in page
    assert ">交通<" in page and ">养老<" in page


def test_submit_then_track_by_code(client, county):
    response = submit(client, county)
    assert response.status_code == 200
    page = text_of(response)
    assert "建议已收到" in page and "请记下或截图保存这个查询码" in page
    shown = code_on(page)
    proposal = db.session.scalar(db.select(Proposal))
    assert shown.replace("-", "") == proposal.tracking_code
    assert proposal.status == "received" and proposal.jurisdiction_id == county.id
    assert proposal.contact == "敬先生 158-6620-3197" and proposal.location == "河口镇河口社区"

    # Typed later in lower case, with spaces instead of the dash.
    typed = "  " + shown.lower().replace("-", " ") + " "
    found = client.post("/proposals/track", data={"code": typed})
    assert found.status_code == 200
    page = text_of(found)
    assert "建议增开河口镇到县城的早班车" in page and "已收到，待办理" in page
    assert "早上七点五十" in page  # the proposer sees what they sent


def test_the_code_is_not_in_any_url(client, county):
    response = client.post("/proposals/new", data=form_data(county))
    assert response.status_code == 303
    assert response.headers["Location"] == "/proposals/thanks"
    code = db.session.scalar(db.select(Proposal.tracking_code))
    assert code not in response.headers["Location"]


def test_thanks_without_a_submission_goes_to_the_lookup(client, county):
    response = client.get("/proposals/thanks")
    assert response.status_code == 302 and response.headers["Location"] == "/proposals/track"


@pytest.mark.parametrize(("typed", "status", "message"), [
    ("ABCD", 400, "查询码是8位字母和数字"),
    ("0OIL1OIL", 400, "查询码是8位字母和数字"),
    ("ABCD-EFGH", 404, "没有找到这个查询码"),
    ("", 400, "请填写查询码"),
])
def test_a_wrong_code_gets_a_clear_answer(client, county, add_proposal, typed, status, message):
    add_proposal()
    response = client.post("/proposals/track", data={"code": typed})
    assert response.status_code == status
    assert message in text_of(response)
    assert "早班车" not in text_of(response)


def test_the_optional_parts_fold_into_the_description(client, county):
    submit(client, county, background="冬天天亮得晚，老人等车很冷。", unit="县交通运输局",
           budget_wan="35.5", funding_source="县级财政")
    proposal = db.session.scalar(db.select(Proposal))
    text = proposal.description
    assert text.index("【现状和理由】") < text.index("【建议内容】") < text.index("【其他】")
    assert "冬天天亮得晚" in text and "建议承办单位：县交通运输局" in text
    assert "估算投资：35.5 万元" in text and "资金来源建议：县级财政" in text


def test_a_double_submit_is_stored_once(client, county):
    first = code_on(text_of(submit(client, county)))
    second = code_on(text_of(submit(client, county)))
    assert first == second
    assert count_proposals() == 1
    submit(client, county, title="另一条建议：城关一小门口设置临时停车区")
    assert count_proposals() == 2


def test_the_contact_never_appears_on_public_pages(client, county):
    page = text_of(submit(client, county, contact="联系人王秘密 13912345678"))
    assert "王秘密" not in page and "13912345678" not in page
    proposal = db.session.scalar(db.select(Proposal))
    for response in (client.get("/proposals/"), client.get("/proposals/?status=received"),
                     client.post("/proposals/track", data={"code": proposal.tracking_code}),
                     client.get("/proposals/thanks")):
        assert response.status_code == 200
        assert "王秘密" not in text_of(response) and "13912345678" not in text_of(response)


FIELDS = ["title", "content", "location", "background", "unit", "funding_source", "contact"]


def test_html_in_every_field_is_shown_escaped(client, county, auth):
    data = {name: f"{name} {SCRIPT}" for name in FIELDS}
    data["content"] = "内容足够长的一段文字 " + SCRIPT
    response = submit(client, county, **data)
    assert response.status_code == 200
    proposal = db.session.scalar(db.select(Proposal))
    assert all(SCRIPT in text for text in (proposal.title, proposal.description, proposal.contact))
    pages = [response, client.post("/proposals/track", data={"code": proposal.tracking_code})]
    auth.login("clerk")
    pages += [client.get("/office/proposals/"), client.get(f"/office/proposals/{proposal.id}"),
              client.get(f"/office/proposals/{proposal.id}/accept")]
    client.post(f"/office/proposals/{proposal.id}/decline", data={"decline-reply": "不予采纳。"})
    pages.append(client.get("/proposals/"))  # on the public list once screened
    for page in pages:
        text = text_of(page)
        assert page.status_code == 200
        assert "<script>alert" not in text and "<img src=x" not in text
        assert "&lt;script&gt;" in text


@pytest.mark.parametrize(("field", "size", "message"), [
    ("title", 101, "不能超过100个字"),
    ("content", 3001, "不能超过3000个字"),
    ("location", 201, "不能超过200个字"),
    ("background", 2001, "不能超过2000个字"),
    ("unit", 81, "不能超过80个字"),
    ("funding_source", 121, "不能超过120个字"),
    ("contact", 121, "不能超过120个字"),
    ("content", 300_000, "不能超过3000个字"),
])
def test_oversize_fields_are_refused_and_nothing_is_stored(client, county, field, size, message):
    response = client.post("/proposals/new", data=form_data(county, **{field: "长" * size}))
    assert response.status_code == 400
    assert message in text_of(response)
    assert count_proposals() == 0


@pytest.mark.parametrize(("overrides", "message"), [
    ({"title": "   "}, "请填写建议名称"),
    ({"content": ""}, "请填写建议内容"),
    ({"content": "修路"}, "请把建议内容写具体一些"),
    ({"category": ""}, "请选择建议类别"),
    ({"category": "casino"}, "请从列表中选择"),
    ({"jurisdiction": "999"}, "请从列表中选择"),
    ({"jurisdiction": "abc"}, "请从列表中选择"),
    ({"budget_wan": "很多"}, "请输入数字（单位：万元）"),
    ({"budget_wan": "-3"}, "投资不能为负数"),
    ({"website": "http://spam.example"}, "提交未被接受"),
])
def test_bad_input_gets_a_message_and_nothing_is_stored(client, county, overrides, message):
    response = client.post("/proposals/new", data=form_data(county, **overrides))
    assert response.status_code == 400
    assert message in text_of(response)
    assert count_proposals() == 0


def test_a_nul_byte_is_refused(client, county):
    response = client.post("/proposals/new", data=form_data(county, title="早班车\x00"))
    assert response.status_code == 400
    assert count_proposals() == 0


def test_what_was_typed_stays_in_the_form_after_an_error(client, county):
    response = client.post("/proposals/new", data=form_data(county, category="",
                                                            background="冬天天亮得晚"))
    page = text_of(response)
    assert "建议增开河口镇到县城的早班车" in page and "冬天天亮得晚" in page
    assert "<details class=\"proposal-more\" open>" in page


def test_the_public_list_shows_outcomes_and_filters(client, county, town, add_proposal, make):
    project = make.project(county, title="农村客运班线加密", status="selected")
    kept = add_proposal(title="增开早班车", status="accepted", project_id=project.id,
                        reply="已纳入项目库。")
    add_proposal(title="早班车太晚了", status="merged", merged_into_id=kept.id,
                 reply="已合并办理。")
    add_proposal(town, title="镇上建游泳馆", category="safety", status="declined",
                 reply="投资规模较大，暂未列入。")
    add_proposal(title="城关一小门口设临时停车区")
    page = text_of(client.get("/proposals/"))
    assert "增开早班车" in page and f'href="/projects/{project.id}"' in page
    assert "农村客运班线加密" in page and "已合并到建议" in page
    assert "投资规模较大，暂未列入。" in page and "河口镇" in page
    assert "已纳入项目库" in page and "不予采纳" in page
    assert "城关一小" not in page and "另有1条建议正在审核" in page  # not screened yet

    declined = text_of(client.get("/proposals/?status=declined"))
    assert "镇上建游泳馆" in declined and "增开早班车" not in declined
    in_town = text_of(client.get(f"/proposals/?jurisdiction={town.id}"))
    assert "镇上建游泳馆" in in_town and "城关一小" not in in_town
    safety = text_of(client.get("/proposals/?category=safety&status=nonsense"))
    assert "镇上建游泳馆" in safety and "城关一小" not in safety


def test_the_public_list_is_paginated(client, county, add_proposal):
    for n in range(25):
        add_proposal(title=f"建议第{n:02d}条", status="declined", reply="暂不采纳。")
    first = text_of(client.get("/proposals/"))
    second = text_of(client.get("/proposals/?page=2"))
    assert first.count('class="card proposal-item"') == 20
    assert second.count('class="card proposal-item"') == 5
    assert client.get("/proposals/?page=99").status_code == 200


def test_a_merged_proposal_tracks_to_the_kept_one(client, county, add_proposal, make):
    project = make.project(county, title="城镇老旧小区改造", status="in_progress")
    kept = add_proposal(title="老旧小区改造", status="accepted", project_id=project.id)
    merged = add_proposal(title="老旧小区加装电梯", status="merged", merged_into_id=kept.id,
                          reply="与“老旧小区改造”内容相近，已合并办理。")
    page = text_of(client.post("/proposals/track", data={"code": merged.tracking_code}))
    assert "已合并办理" in page and "老旧小区改造" in page
    assert f'href="/projects/{project.id}"' in page and "城镇老旧小区改造" in page


@pytest.mark.parametrize("query", ["page=99999999999999999999", "page=-3", "page=abc",
                                   "jurisdiction=99999999999999999999", "jurisdiction=-1",
                                   "status=<b>", "category=%00"])
def test_odd_list_arguments_are_not_errors(client, county, add_proposal, query):
    add_proposal(title="增开早班车")
    response = client.get(f"/proposals/?{query}")
    assert response.status_code in (200, 400)
    assert "<b>" not in text_of(response)
