"""The printable slip sheet: printed to PDF by a real browser, its QR codes decode to exactly the
minted voting URLs. Needs Debian packages `chromium` and `poppler-utils` (pdftoppm)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from tests.ballot_day import ready_ballot
from voting.extensions import db
from voting.services import ballots, slips

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFTOPPM = shutil.which("pdftoppm")
BASE = "https://vote.qingchuan.gov.cn"


def require_tools():
    """Fail (not skip): the print test is part of what proves the slips work."""
    missing = [name for name, path in (("chromium (apt: chromium)", CHROMIUM),
                                       ("pdftoppm (apt: poppler-utils)", PDFTOPPM)) if not path]
    if missing:
        pytest.fail("missing " + ", ".join(missing) + ": apt-get install -y chromium poppler-utils")


def print_to_png(html: str, folder: Path, dpi: int = 150) -> list[Path]:
    """Headless Chromium prints the page to PDF; pdftoppm turns each PDF page into a PNG."""
    require_tools()
    page = folder / "slips.html"
    page.write_text(html, encoding="utf-8")
    pdf = folder / "slips.pdf"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-pdf-header-footer",
                    f"--user-data-dir={folder / 'profile'}", f"--print-to-pdf={pdf}",
                    page.as_uri()], check=True, capture_output=True, timeout=120)
    subprocess.run([PDFTOPPM, "-r", str(dpi), "-png", str(pdf), str(folder / "page")],
                   check=True, capture_output=True, timeout=120)
    return sorted(folder.glob("page*.png"))


@pytest.fixture
def sheet(make, app):
    ballot = ready_ballot(make, colour="#1f5fbf")
    minted = ballots.mint_tokens(ballot, 10)
    db.session.commit()
    return ballot, minted, slips.slip_sheet(ballot, minted, BASE)


def test_printed_slips_scan_to_exactly_the_minted_urls(sheet, tmp_path):
    _ballot, minted, html = sheet
    pages = print_to_png(html, tmp_path)
    assert len(pages) == 2  # 10 slips, 8 a page
    decoded = []
    for png in pages:
        image = Image.open(png)
        decoded += [code.text for code in zxingcpp.read_barcodes(image)
                    if code.format == zxingcpp.BarcodeFormat.QRCode]
    assert sorted(decoded) == sorted(f"{BASE}/v/{t}" for t in minted)


def test_a_qr_code_is_printed_about_3_cm_wide(sheet, tmp_path):
    _ballot, _minted, html = sheet
    png = print_to_png(html, tmp_path, dpi=150)[0]
    codes = zxingcpp.read_barcodes(Image.open(png))
    widths_mm = [(c.position.top_right.x - c.position.top_left.x) / 150 * 25.4 for c in codes]
    assert codes and all(25 <= w <= 36 for w in widths_mm), widths_mm


def test_the_sheet_has_title_colour_instruction_and_no_serial_number(sheet):
    ballot, minted, html = sheet
    assert html.count('class="slip"') == 10
    assert ballot.title in html and 'fill="#1f5fbf"' in html
    assert html.count("请用手机扫描二维码投票，每张选票只能使用一次") == 10
    assert "<script" not in html and " style=" not in html.split("</style>", 1)[1]
    slips_text = re.sub(r"<svg.*?</svg>", "", html.split("</header>", 1)[1], flags=re.S)
    visible = re.sub(r"<[^>]+>", " ", slips_text)
    assert not re.search(r"\d", visible.replace(ballot.session.title, "")
                         .replace(ballot.title, "")), "a number printed on a slip"
    assert not any(t in html for t in minted)  # only inside the QR codes


def test_slips_are_shuffled(make, app):
    ballot = ready_ballot(make)
    minted = ballots.mint_tokens(ballot, 30)
    listed = [line.rsplit("/", 1)[1] for line in slips.url_list(minted, BASE).splitlines()]
    assert sorted(listed) == sorted(minted) and listed != minted


def test_the_url_list_is_one_voting_url_a_line(make, app):
    ballot = ready_ballot(make)
    minted = ballots.mint_tokens(ballot, 3)
    app.config["PUBLIC_BASE_URL"] = "http://10.0.0.5:8000/"
    lines = slips.url_list(minted).splitlines()
    assert sorted(lines) == sorted(f"http://10.0.0.5:8000/v/{t}" for t in minted)
