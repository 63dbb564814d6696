"""WCAG 2.1 AA in the booth, page by page: axe-core's rules, and what axe cannot check — no
sideways scrolling at 320 px (reflow) and at 200 % zoom, every control reached by Tab with a
visible focus indicator, tap targets of 44 px at least."""

import pytest
from playwright.sync_api import expect

from tests.e2e.a11y import problems_on
from tests.e2e.conftest import phone
from tests.e2e.steps import open_slip, radio

# 200 % zoom of a 1280 × 800 desktop window is a 640 × 400 CSS-pixel viewport at twice the
# pixel density: exactly what the browser's zoom does to layout (CSS `zoom` would not be).
ZOOM_200 = {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2,
            "locale": "zh-CN"}


def check_page(page, shot, name: str, axe: bool = True, keyboard: bool = True) -> None:
    shot(page, name)
    assert problems_on(page, axe=axe, keyboard=keyboard, tap_targets=True) == {}


def walk_the_booth(page, server, shot, axe: bool) -> None:
    """Every page a deputy can see: the ballot, a refusal, the review, the receipt, a used slip,
    an unreadable slip. Checks each."""
    token = server.take_token()
    open_slip(page, server, token)
    check_page(page, shot, "ballot", axe)
    page.get_by_text("票决办法", exact=True).click()
    expect(page.get_by_text("无记名投票")).to_be_visible()
    check_page(page, shot, "ballot-rules-open", axe, keyboard=False)

    for n in range(3):
        radio(page, n, "for").click()
    page.get_by_role("button", name="下一步：核对选票").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("请核对您的选票")
    check_page(page, shot, "review", axe)
    page.get_by_role("button", name="确认投票").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("您的选票已投出")
    check_page(page, shot, "receipt", axe)
    page.reload()
    check_page(page, shot, "slip-used", axe)
    page.goto(f"{server.url}/v/{token[:-4]}AAAA")
    expect(page.get_by_role("heading", level=1)).to_have_text("无法识别这张选票")
    check_page(page, shot, "slip-unreadable", axe)


def test_the_booth_at_320px(booth_server, context_factory, shot):
    page = context_factory(**phone(320, 640)).new_page()
    walk_the_booth(page, booth_server, shot, axe=True)


def test_the_booth_at_200_percent_zoom(booth_server, context_factory, shot):
    page = context_factory(**ZOOM_200).new_page()
    walk_the_booth(page, booth_server, shot, axe=False)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_refusal_in_each_language(booth_server, context_factory, shot, lang):
    """The server's refusal of eleven 赞成 (as a browser whose script failed would send them):
    announced as an alert that takes focus, fits 320 px, in the page's language."""
    page = context_factory(**phone(320, 640)).new_page()
    page.goto(f"{booth_server.url}/v/{booth_server.take_token()}?lang={lang}")
    page.locator("input[type=radio][value=for]").evaluate_all(
        "els => els.slice(0, 11).forEach(e => { e.checked = true; })")
    page.get_by_role("button").last.tap()
    alert = page.get_by_role("alert")
    expect(alert).to_be_focused()
    expect(alert).to_contain_text("11")
    expect(page.locator("html")).to_have_attribute("lang", "en" if lang == "en" else "zh-CN")
    check_page(page, shot, f"refused-{lang}")
