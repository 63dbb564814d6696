"""A deputy votes from a slip on a phone: opens the voting URL, marks, reviews, confirms, gets a
receipt code; the same slip then says it has been used. Once with the keyboard only, once by
tapping on the narrowest phone (320 px)."""

import re

from playwright.sync_api import expect

from tests.e2e.a11y import horizontal_overflow
from tests.e2e.conftest import phone
from tests.e2e.steps import (
    candidates,
    for_counter,
    open_slip,
    radio,
    receipt_code,
    review_rows,
    tab_until,
    tap_choice,
)

TITLE = "青川县2027年民生实事项目票决"


def test_a_deputy_votes_with_the_keyboard_only(booth_server, context_factory, shot):
    page = context_factory(**phone(375, 667)).new_page()
    token = booth_server.take_token()
    answer = open_slip(page, booth_server, token)
    assert answer.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(candidates(page)).to_have_count(12)
    expect(for_counter(page)).to_contain_text("0/10")
    shot(page, "ballot")

    names = page.locator("input[type=radio][value=for]").evaluate_all(
        "els => els.map(e => e.name)")
    # 赞成 ×3 with Space, then 不赞成 and 弃权 with the arrow keys; the rest left unmarked.
    plan = [("for", []), ("for", []), ("for", []), ("against", ["ArrowRight"]),
            ("abstain", ["ArrowRight", "ArrowRight"])]
    for n, (choice, arrows) in enumerate(plan):
        tab_until(page, f"el.type === 'radio' && el.name === '{names[n]}'")
        if arrows:
            for key in arrows:
                page.keyboard.press(key)
        else:
            page.keyboard.press("Space")
        expect(radio(page, n, choice)).to_be_checked()
    expect(for_counter(page)).to_contain_text("3/10")
    shot(page, "marked")

    tab_until(page, "el.type === 'submit'")
    expect(page.locator(":focus")).to_have_text("下一步：核对选票")
    shot(page, "next-focused")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("请核对您的选票")
    rows = review_rows(page)
    assert len(rows) == 12
    assert [r.rsplit(" ", 1)[-1] for r in rows[:5]] == ["赞成", "赞成", "赞成", "不赞成", "弃权"]
    assert all(r.endswith("未选（按弃权计）") for r in rows[5:]), rows[5:]
    expect(page.get_by_text(re.compile(r"^赞成\s*3$"))).to_be_visible()
    shot(page, "review")

    tab_until(page, "el.type === 'submit' && el.value === 'confirm'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("您的选票已投出")
    receipt_code(page)
    shot(page, "receipt")

    again = open_slip(page, booth_server, token)
    assert again.status == 409
    expect(page.get_by_role("heading", level=1)).to_have_text("这张选票已经投过票")
    shot(page, "slip-used")


def test_a_deputy_votes_by_tapping_on_a_320px_phone(booth_server, context_factory, shot):
    page = context_factory(**phone(320, 640)).new_page()
    token = booth_server.take_token()
    open_slip(page, booth_server, token)
    expect(candidates(page)).to_have_count(12)
    assert horizontal_overflow(page) == []
    shot(page, "ballot")

    for n in range(10):
        tap_choice(page, n, "for")
    tap_choice(page, 10, "against")
    tap_choice(page, 11, "abstain")
    expect(for_counter(page)).to_contain_text("10/10")
    for n in range(10):
        expect(radio(page, n, "for")).to_be_checked()
    expect(radio(page, 10, "against")).to_be_checked()
    expect(radio(page, 11, "abstain")).to_be_checked()
    assert horizontal_overflow(page) == []
    shot(page, "marked")

    page.get_by_role("button", name="下一步：核对选票").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("请核对您的选票")
    assert [r.rsplit(" ", 1)[-1] for r in review_rows(page)] == ["赞成"] * 10 + ["不赞成", "弃权"]
    assert horizontal_overflow(page) == []
    shot(page, "review")

    page.get_by_role("button", name="确认投票").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("您的选票已投出")
    code = receipt_code(page)
    assert horizontal_overflow(page) == []
    shot(page, "receipt")

    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("这张选票已经投过票")
    assert code not in page.content()  # a used slip tells nothing about the ballot cast
    assert horizontal_overflow(page) == []
    shot(page, "slip-used")


def test_going_back_from_the_review_keeps_the_marks(booth_server, context_factory, shot):
    page = context_factory(**phone(375, 667)).new_page()
    open_slip(page, booth_server, booth_server.take_token())
    tap_choice(page, 0, "for")
    tap_choice(page, 1, "against")
    page.get_by_role("button", name="下一步：核对选票").tap()
    page.get_by_role("button", name="返回修改").tap()
    expect(radio(page, 0, "for")).to_be_checked()
    expect(radio(page, 1, "against")).to_be_checked()
    expect(for_counter(page)).to_contain_text("1/10")
    shot(page, "back-to-ballot")
