"""The public portal in a browser: the front page and a project's page, in 中文 and English
(by ?lang=en and by the browser's Accept-Language), checked for WCAG 2.1 AA, reflow at
320 px, keyboard access and what the progress bars say to a screen reader; a project's page
printed on A4. Found by role, label and text, never by CSS class."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.a11y import problems_on, progress_bars
from tests.e2e.conftest import phone
from tests.e2e.printing import (
    is_a4,
    looks_like_a_screen_link,
    page_images,
    page_sizes,
    page_texts,
    print_pdf,
    print_styles,
    printed_images,
)

CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def project(booth_server) -> dict:
    """A project being built (the demo's 2026 projects), as the open-data API lists it."""
    status, projects = booth_server.api("projects")
    assert status == 200
    return next(p for p in projects if p["status"] == "in_progress" and p["progress"] > 0)


def english_options(how: str) -> tuple[str, dict]:
    """(query string, new_context options) asking for English one way or the other."""
    if how == "query":
        return "?lang=en", phone(320, 640)
    return "", phone(320, 640, locale="en-US")  # Accept-Language: en-US


def assert_bars_are_announced(page) -> list[dict]:
    bars = progress_bars(page)
    for bar in bars:
        assert bar["name"].strip(), bars
        assert bar["value"] is not None and 0 <= float(bar["value"]) <= 100, bars
    return bars


def ui_headings(page, levels=(1, 2)) -> list[str]:
    return [t for level in levels
            for t in page.get_by_role("heading", level=level).all_inner_texts()]


def test_the_front_page_in_chinese(booth_server, context_factory, shot):
    page = context_factory(**phone(320, 640)).new_page()
    assert page.goto(f"{booth_server.url}/").status == 200
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="English")).to_be_visible()
    assert assert_bars_are_announced(page), "the front page shows this year's progress"
    shot(page, "phone")
    assert problems_on(page) == {}

    desktop = context_factory().new_page()
    desktop.goto(f"{booth_server.url}/")
    shot(desktop, "desktop", full_page=True)
    assert problems_on(desktop, keyboard=False) == {}


@pytest.mark.parametrize("how", ["query", "accept-language"])
def test_the_front_page_in_english(booth_server, context_factory, shot, how):
    query, options = english_options(how)
    page = context_factory(**options).new_page()
    page.goto(f"{booth_server.url}/{query}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="中文")).to_be_visible()
    shot(page, "phone")
    assert not [h for h in ui_headings(page) if CJK.search(h)], ui_headings(page)
    assert problems_on(page, keyboard=False) == {}


def test_a_project_page_in_chinese(booth_server, context_factory, shot, project):
    page = context_factory(**phone(320, 640)).new_page()
    page.goto(f"{booth_server.url}/")
    page.get_by_role("link", name=project["title"]).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(project["title"])
    assert page.url.endswith(f"/projects/{project['id']}")
    bars = assert_bars_are_announced(page)
    assert project["progress"] in [float(b["value"]) for b in bars], bars
    shot(page, "phone")
    assert problems_on(page) == {}

    desktop = context_factory().new_page()
    desktop.goto(page.url)
    shot(desktop, "desktop", full_page=True)
    assert problems_on(desktop, keyboard=False) == {}


@pytest.mark.parametrize("how", ["query", "accept-language"])
def test_a_project_page_in_english(booth_server, context_factory, shot, project, how):
    query, options = english_options(how)
    page = context_factory(**options).new_page()
    page.goto(f"{booth_server.url}/projects/{project['id']}{query}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(project["title"])  # data stays
    headings = ui_headings(page, levels=(2,))
    assert headings and not [h for h in headings if CJK.search(h)], headings
    assert_bars_are_announced(page)
    shot(page, "phone")
    assert problems_on(page, keyboard=False) == {}


def test_a_project_page_prints_on_a4(booth_server, context_factory, shot, artifacts, project):
    page = context_factory().new_page()
    page.goto(f"{booth_server.url}/projects/{project['id']}")
    photos = page.get_by_role("img").count()
    pdf = print_pdf(page, artifacts / "project.pdf")
    sizes = page_sizes(pdf)
    assert 1 <= len(sizes) <= 4 and all(is_a4(s) for s in sizes), sizes
    texts = page_texts(pdf)
    assert project["title"] in texts[0]
    assert f"/projects/{project['id']}" in texts[-1]  # where to find it, on paper
    for chrome in ("跳到正文", "English", "群众提、代表决", "返回"):
        assert not any(chrome in t for t in texts), chrome
    styles = print_styles(page)
    assert styles["chrome"] == [] and styles["buttons"] == [], styles
    assert not [link for link in styles["links"] if looks_like_a_screen_link(link)], styles
    assert styles["headings_kept_with_next"]
    images = printed_images(pdf)
    assert len(images) >= photos  # every photo printed (none left unloaded)
    assert all(i["width_mm"] <= 180 and i["height_mm"] <= 100 for i in images), images
    page_images(pdf, dpi=60)
    page.emulate_media(media="screen")
    shot(page, "on-screen")
