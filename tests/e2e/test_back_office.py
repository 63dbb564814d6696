"""The back office on a 320-px phone, as a clerk away from the desk, a unit's officer on site and
a scrutineer at the count use it: every page two clicks from the dashboard, in 中文 and
English, fits the screen — no page scrolls sideways, a list made of cards (table.cards) shows
every figure inside it rather than in a table to scroll, and no table squeezes a name to a
character a line. The pages are found by following the links, not listed by hand."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.a11y import horizontal_overflow
from tests.e2e.conftest import phone
from tests.e2e.steps import log_in

ACCOUNTS = {"clerk": "qc-clerk-2027", "unit-edu": "qc-jiaoyu-2027", "scrutineer1": "qc-jianpiao-1"}
NOT_PAGES = re.compile(r"/(export|logout)\b|\.(json|csv|xlsx|txt|pdf|atom)$")

# A table cell holding words but squeezed narrower than three characters of its own text:
# what a 320-px table does to a Chinese name, one character a line.
SQUEEZED_CELLS = """() => [...document.querySelectorAll('main td')].filter(td => {
    const text = td.innerText.trim(), r = td.getBoundingClientRect();
    const em = parseFloat(getComputedStyle(td).fontSize);
    return text.length > 3 && r.width > 0 && r.width - 8 < 3 * em;
  }).map(td => td.innerText.trim().slice(0, 12))"""


def office_links(page) -> list[str]:
    hrefs = page.locator("a[href^='/office/']").evaluate_all("els => els.map(e => e.href)")
    return [urlsplit(href).path for href in hrefs]


def pages_two_clicks_away(page, server) -> list[str]:
    """The back-office pages reached from the dashboard in one or two clicks, one per shape of
    address (the first project stands for all projects)."""
    seen, pages, frontier = set(), [], ["/office/"]
    for _depth in range(2):
        found = []
        for path in frontier:
            page.goto(server.url + path)
            for link in office_links(page):
                shape = re.sub(r"\d+", "N", link)
                if not NOT_PAGES.search(link) and shape not in seen:
                    seen.add(shape)
                    found.append(link)
        pages += found
        frontier = found
    return pages


@pytest.mark.parametrize("user", ACCOUNTS)
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_back_office_fits_a_320px_phone(booth_server, context_factory, shot, user, lang):
    page = context_factory(**phone(320, 640)).new_page()
    log_in(page, booth_server, user, ACCOUNTS[user])
    page.goto(f"{booth_server.url}/office/?lang={lang}")
    expect(page.locator("html")).to_have_attribute("lang", "en" if lang == "en" else "zh-CN")

    pages = pages_two_clicks_away(page, booth_server)
    assert len(pages) >= (20 if user == "clerk" else 2), pages
    found = {}
    for path in pages:
        assert page.goto(booth_server.url + path).status == 200, path
        shot(page, re.sub(r"\W+", "-", path).strip("-"), full_page=True)
        if problems := horizontal_overflow(page) + page.evaluate(SQUEEZED_CELLS):
            found[path] = problems
    assert found == {}, "\n".join(f"{path}: {problems}" for path, problems in found.items())
