"""What a person does on the pages, in words a tester would use: open a slip, mark a choice,
go on to the review, log in. Locators by role and label, never by CSS class."""

import re

from playwright.sync_api import Locator, Page, expect

RECEIPT = re.compile(r"^[A-Z2-7]{4}(?:-[A-Z2-7]{4}){3}$")
LABELS = {"for": "赞成", "against": "不赞成", "abstain": "弃权"}


def open_slip(page: Page, server, token: str):
    """Open the voting URL a slip's QR code holds; returns the HTTP response."""
    return page.goto(f"{server.url}/v/{token}")


def candidates(page: Page) -> Locator:
    """One radio group per candidate project, named by its number and title."""
    return page.get_by_role("radiogroup")


def radio(page: Page, n: int, choice: str) -> Locator:
    """The radio of a choice (赞成/不赞成/弃权) of the n-th candidate (0-based)."""
    return candidates(page).nth(n).get_by_role("radio", name=LABELS[choice], exact=True)


def tap_choice(page: Page, n: int, choice: str) -> None:
    """Tap a choice: a finger on the middle of its face, where the radio lies."""
    radio(page, n, choice).tap()


def for_counter(page: Page) -> Locator:
    """The live “已选赞成 n/N” line."""
    return page.get_by_text(re.compile(r"已选赞成\s*\d+/\d+"))


def tab_until(page: Page, test_js: str, limit: int = 80) -> None:
    """Press Tab until `test_js` (an expression over `el`, the focused element) holds."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return !!({test_js}); }}"):
            return
    raise AssertionError(f"Tab never reached an element where {test_js}")


def review_rows(page: Page) -> list[str]:
    """The review page's list: one line per candidate, title then the choice shown."""
    return [" ".join(t.split()) for t in page.get_by_role("listitem").all_inner_texts()]


def receipt_code(page: Page) -> str:
    """The receipt code shown after voting, checked to be read out whole by a screen reader
    and shown in the same characters."""
    spoken = page.get_by_text(RECEIPT)
    value = spoken.inner_text()
    assert value in page.get_by_role("main").aria_snapshot()
    shown = page.locator("p", has=spoken).inner_text().replace(value, "")
    assert "".join(shown.split()) == value.replace("-", ""), shown
    return value


def log_in(page: Page, server, username: str, password: str) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name=re.compile("退出"))).to_be_visible()
