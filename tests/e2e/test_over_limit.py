"""More “赞成” than seats: the booth prevents it; without JavaScript the server refuses it with a
clear message, keeps the marks, and leaves the slip unspent, so the deputy can still vote."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import phone
from tests.e2e.steps import (
    for_counter,
    open_slip,
    radio,
    receipt_code,
    tap_choice,
)

OVER_LIMIT = "赞成的项目不能超过应选数10个，您选了11个。请减少赞成后再提交。"


def test_the_booth_stops_an_eleventh_for(booth_server, context_factory, shot):
    page = context_factory(**phone(375, 667)).new_page()
    open_slip(page, booth_server, booth_server.take_token())
    for n in range(10):
        tap_choice(page, n, "for")
    expect(for_counter(page)).to_contain_text("10/10")
    expect(page.get_by_text(re.compile("赞成已选满"))).to_be_visible()
    for n in (10, 11):
        expect(radio(page, n, "for")).to_be_disabled()
        expect(radio(page, n, "against")).to_be_enabled()
    shot(page, "full")

    # A tap on a greyed-out 赞成 does nothing.
    radio(page, 10, "for").tap(force=True)
    expect(radio(page, 10, "for")).not_to_be_checked()
    expect(for_counter(page)).to_contain_text("10/10")

    # Taking one back frees a seat for another project.
    tap_choice(page, 2, "abstain")
    expect(for_counter(page)).to_contain_text("9/10")
    expect(radio(page, 10, "for")).to_be_enabled()
    tap_choice(page, 10, "for")
    expect(for_counter(page)).to_contain_text("10/10")
    shot(page, "changed-mind")

    page.get_by_role("button", name="下一步：核对选票").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("请核对您的选票")
    expect(page.get_by_text(re.compile(r"^赞成\s*10$"))).to_be_visible()
    shot(page, "review")


def test_without_javascript_the_server_refuses_and_the_slip_stays_unspent(
        booth_server, context_factory, shot):
    context = context_factory(**phone(375, 667, java_script_enabled=False))
    page = context.new_page()
    token = booth_server.take_token()
    open_slip(page, booth_server, token)
    for n in range(11):
        tap_choice(page, n, "for")
    expect(radio(page, 10, "for")).to_be_checked()  # nothing stops the 11th without script
    shot(page, "eleven-for")

    with page.expect_response(re.compile(r"/review$")) as answer:
        page.get_by_role("button", name="下一步：核对选票").tap()
    assert answer.value.status == 400
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("选票还不能提交")
    expect(alert).to_contain_text(OVER_LIMIT)
    expect(page.get_by_text(re.compile(r"已选赞成\s*11/10"))).to_be_visible()
    for n in range(11):  # the marks are kept, to be corrected
        expect(radio(page, n, "for")).to_be_checked()
    shot(page, "refused-at-review", full_page=False)

    # Straight to the casting endpoint with eleven 赞成 (a forged form): refused, not spent.
    form = {"csrf_token": page.locator("input[name=csrf_token]").first.input_value(),
            "action": "confirm"}
    names = page.locator("input[type=radio][value=for]").evaluate_all(
        "els => els.map(e => e.name)")
    form.update({name: "for" for name in names[:11]})
    forged = context.request.post(f"{booth_server.url}/v/{token}/cast", form=form)
    assert forged.status == 400
    assert OVER_LIMIT in forged.text()
    assert "回执码" not in forged.text()

    again = open_slip(page, booth_server, token)  # the slip still opens: it was not used
    assert again.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("青川县2027年民生实事项目票决")
    expect(page.get_by_role("radio", checked=True)).to_have_count(0)
    for n in range(10):
        tap_choice(page, n, "for")
    tap_choice(page, 10, "against")
    page.get_by_role("button", name="下一步：核对选票").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("请核对您的选票")
    shot(page, "review")
    page.get_by_role("button", name="确认投票").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("您的选票已投出")
    receipt_code(page)
    shot(page, "receipt")
