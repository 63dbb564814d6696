"""简体中文 by default, English by browser preference or the header switch."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def lang_of(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_chinese_is_the_default(client):
    response = client.get("/login")
    assert lang_of(response) == "zh-CN"
    assert "工作人员登录" in response.get_data(as_text=True)


def test_browser_asking_for_english_gets_english(client):
    response = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert lang_of(response) == "en"
    assert "Staff login" in response.get_data(as_text=True)


def test_header_switch_sticks_for_later_pages(client):
    response = client.get("/login?lang=en", headers={"Accept-Language": "zh-CN"})
    assert lang_of(response) == "en"
    later = client.get("/", headers={"Accept-Language": "zh-CN"})
    assert lang_of(later) == "en"
    back = client.get("/?lang=zh_CN")
    assert lang_of(back) == "zh-CN"


def test_error_messages_follow_the_language(client):
    response = client.get("/nowhere", headers={"Accept-Language": "en"})
    assert "Page not found" in response.get_data(as_text=True)


def test_every_ui_string_has_an_english_translation(tmp_path):
    """Extract the strings from the code as it is now: each must be in the catalogue, translated."""
    from babel.messages.pofile import read_po

    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-o", str(pot), "--no-location", "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with open(pot, "rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    with open(ROOT / "voting/translations/en/LC_MESSAGES/messages.po", "rb") as f:
        catalogue = {m.id: m.string for m in read_po(f) if m.id and not m.fuzzy}
    missing = sorted(str(i) for i in wanted if not catalogue.get(i))
    assert not missing, f"{len(missing)} strings without English: {missing[:10]}"


def test_the_language_switch_keeps_the_pages_search_and_filters(client):
    page = client.get("/projects?q=%E5%B9%BC%E5%84%BF%E5%9B%AD&year=2026").get_data(as_text=True)
    switch = re.search(r'class="lang-switch" href="([^"]+)"', page)[1]
    assert switch.startswith("/projects?")
    assert "q=%E5%B9%BC%E5%84%BF%E5%9B%AD" in switch and "year=2026" in switch
    assert "lang=en" in switch
