"""A sitting, from the desk to the notice board: the clerk opens the vote at the voting desk,
deputies vote, the clerk closes it, the three scrutineers certify one after another with
their passwords, the clerk publishes, the public page shows the result, a deputy finds their
receipt, and the announcement (公告) prints on one A4 page."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import phone
from tests.e2e.printing import (
    is_a4,
    looks_like_a_screen_link,
    page_images,
    page_sizes,
    page_texts,
    print_pdf,
    print_styles,
)
from tests.e2e.steps import log_in, open_slip, receipt_code, tap_choice

TITLE = "青川县2027年民生实事项目票决"
SCRUTINEERS = [("scrutineer1", "qc-jianpiao-1", "刘建华"),
               ("scrutineer2", "qc-jianpiao-2", "何秀英"),
               ("scrutineer3", "qc-jianpiao-3", "邓志远")]
VOTERS = 90


def ballots_of_the_hall(candidate_ids: list[int]) -> list[dict]:
    """90 valid ballots: candidate j gets 90 − j “for” votes (j = 0…9: 90…81, all above the
    76 needed), candidates 10 and 11 get 5 and 3; nobody marks more than 10 “for”."""
    ballots = []
    for i in range(VOTERS):
        choices = {}
        for j, cid in enumerate(candidate_ids[:10]):
            choices[str(cid)] = "against" if 0 < j and i < j else "for"
        spare = 10 - sum(1 for v in choices.values() if v == "for")
        for cid, needed in ((candidate_ids[10], 5), (candidate_ids[11], 3)):
            if i < needed and spare:
                choices[str(cid)] = "for"
                spare -= 1
            elif i % 7:  # the rest against; every seventh deputy leaves it blank (abstain)
                choices[str(cid)] = "against"
        ballots.append(choices)
    return ballots


def test_a_sitting_from_opening_to_the_announcement(sitting_server, context_factory, shot,
                                                     artifacts):
    server = sitting_server
    clerk = context_factory().new_page()
    log_in(clerk, server, "clerk", "qc-clerk-2027")
    clerk.get_by_role("navigation", name="工作台导航").get_by_role("link", name="表决").click()
    clerk.get_by_role("link", name=TITLE).click()
    clerk.get_by_role("link", name=re.compile("投票台")).click()
    expect(clerk.get_by_role("heading", level=1)).to_contain_text(TITLE)
    shot(clerk, "desk-draft")

    clerk.get_by_role("link", name="开始投票…").click()
    shot(clerk, "confirm-open")
    clerk.get_by_role("button", name="确认开始投票").click()
    expect(clerk.get_by_role("status")).to_have_text("已开始投票。")
    shot(clerk, "desk-open")

    # One deputy at the booth on a phone, the rest of the hall through the casting API.
    deputy = context_factory(**phone(375, 667)).new_page()
    open_slip(deputy, server, server.take_token())
    for n in range(10):
        tap_choice(deputy, n, "for")
    deputy.get_by_role("button", name="下一步：核对选票").tap()
    deputy.get_by_role("button", name="确认投票").tap()
    receipt = receipt_code(deputy)
    status, definition = server.api("ballots/1")
    assert status == 200 and definition["state"] == "open"
    ids = [c["id"] for c in definition["candidates"]]
    for choices in ballots_of_the_hall(ids)[1:]:
        status, answer = server.api("cast", {"token": server.take_token(), "choices": choices})
        assert status == 201, answer
    expect(clerk.get_by_text(str(VOTERS), exact=True)).to_be_visible(timeout=20_000)  # polled
    shot(clerk, "desk-counting")

    clerk.get_by_role("link", name="截止投票…").click()
    clerk.get_by_role("button", name="确认截止投票").click()
    expect(clerk.get_by_role("status")).to_have_text("投票已截止。")
    shot(clerk, "desk-closed")

    for n, (username, password, name) in enumerate(SCRUTINEERS, start=1):
        page = context_factory().new_page()
        log_in(page, server, username, password)
        page.get_by_role("link", name=TITLE).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("计票结果")
        page.get_by_label("您的登录密码").fill(password)
        shot(page, f"scrutineer-{n}-signing")
        page.get_by_role("button", name="确认无误，签署").click()
        expect(page.get_by_role("status")).to_contain_text("已签署计票结果。")
        expect(page.get_by_role("row", name=re.compile(name))).to_contain_text("已签署")
        shot(page, f"scrutineer-{n}-signed")
        page.context.close()

    clerk.goto(f"{server.url}/office/results/1")
    expect(clerk.get_by_text("全体监票人均已签署，可以公布。")).to_be_visible()
    clerk.get_by_role("button", name="公布计票结果").click()
    expect(clerk.get_by_role("status")).to_have_text("计票结果已公布。")
    shot(clerk, "published")

    public = context_factory(**phone(375, 667)).new_page()
    public.goto(f"{server.url}/ballots/1")
    expect(public.get_by_role("heading", level=1)).to_have_text(TITLE)
    selected = public.get_by_role("heading", name="入选项目（按得票多少排序）") \
        .locator("xpath=following-sibling::ol[1]").get_by_role("listitem")
    expect(selected).to_have_count(10)
    titles = [c["title"] for c in definition["candidates"]]
    for n, title in enumerate(titles[:10]):
        expect(selected.nth(n)).to_contain_text(title)
    shot(public, "public-result")
    public.get_by_label("回执码").fill(receipt)
    public.get_by_role("button", name="核对").click()
    expect(public.get_by_role("status")).to_contain_text("已找到")
    shot(public, "receipt-found")

    public.goto(f"{server.url}/ballots/1")
    public.get_by_role("link", name="公告", exact=True).click()
    expect(public.get_by_role("heading", name="公告")).to_be_visible()
    announcement = public.get_by_role("article")
    for title in titles:
        expect(announcement).to_contain_text(title)
    expect(announcement).to_contain_text("共发出选票100张，收回选票90张")
    shot(public, "announcement")

    # The clerk prints it for the notice board.
    clerk.goto(f"{server.url}/office/results/1/announcement")
    pdf = print_pdf(clerk, artifacts / "announcement.pdf")
    sizes = page_sizes(pdf)
    assert len(sizes) == 1 and is_a4(sizes[0]), sizes  # twelve candidates fit on one page
    text = page_texts(pdf)[0]
    for expected in [*titles, "公告", "主席团", "总监票人", *(name for *_, name in SCRUTINEERS)]:
        assert expected in text, expected
    for chrome in ("跳到正文", "English", "退出", "工作台", "返回计票结果", "群众提、代表决"):
        assert chrome not in text, chrome
    styles = print_styles(clerk)
    assert styles["chrome"] == [] and styles["buttons"] == [], styles
    assert not [link for link in styles["links"] if looks_like_a_screen_link(link)], styles
    page_images(pdf, dpi=80)
