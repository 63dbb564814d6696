"""Printing a page as Chromium does (print media, A4) and reading the PDF back with poppler:
page sizes (pdfinfo), the text of each page (pdftotext), each page as a PNG (pdftoppm)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

A4_POINTS = (595.28, 841.89)  # 210 × 297 mm


def poppler(tool: str) -> str:
    """Fail (never skip): poppler-utils comes with `make system-deps`."""
    path = shutil.which(tool)
    if not path:
        pytest.fail(f"{tool} is missing: apt-get install -y poppler-utils (make system-deps)")
    return path


def print_pdf(page: Page, path: Path) -> Path:
    """Print the page on A4 as a browser's print dialog would (the page's @page rules win),
    once every image has loaded (a print dialog loads lazy images too)."""
    page.emulate_media(media="print")
    # Not wait_for_function: its polling evaluates a string, which the page's CSP (no
    # 'unsafe-eval') refuses whenever the images are not loaded at the first look.
    for image in page.locator("img").all():
        expect(image).to_have_js_property("complete", True)
    page.pdf(path=str(path), format="A4", prefer_css_page_size=True, print_background=True)
    return path


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """(width, height) in points of every page."""
    out = subprocess.run([poppler("pdfinfo"), "-f", "1", "-l", "9999", str(pdf)],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    return [(float(w), float(h)) for w, h in
            re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", out, re.M)]


def is_a4(size: tuple[float, float]) -> bool:
    return all(abs(got - want) < 1.5 for got, want in zip(size, A4_POINTS, strict=True))


def page_texts(pdf: Path) -> list[str]:
    """The text of each page, whitespace squeezed (CJK lines are joined without spaces)."""
    out = subprocess.run([poppler("pdftotext"), "-enc", "UTF-8", str(pdf), "-"],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    pages = out.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return [re.sub(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])", "", " ".join(p.split()))
            for p in pages]


def printed_images(pdf: Path) -> list[dict]:
    """The raster images in the PDF: {"page", "width_mm", "height_mm"} as printed."""
    out = subprocess.run([poppler("pdfimages"), "-list", str(pdf)], capture_output=True,
                         text=True, check=True, timeout=60).stdout
    images = []
    for line in out.splitlines()[2:]:
        cols = line.split()
        if len(cols) > 13 and cols[2] == "image":
            width, height, xppi, yppi = (float(cols[i]) for i in (3, 4, 12, 13))
            images.append({"page": int(cols[0]), "width_mm": width / xppi * 25.4,
                           "height_mm": height / yppi * 25.4})
    return images


def page_images(pdf: Path, dpi: int = 100) -> list[Path]:
    """Every page as a PNG next to the PDF: <name>-1.png, <name>-2.png, …"""
    stem = pdf.with_suffix("")
    subprocess.run([poppler("pdftoppm"), "-r", str(dpi), "-png", str(pdf), str(stem)],
                   capture_output=True, check=True, timeout=120)
    return sorted(pdf.parent.glob(f"{stem.name}-*.png"),
                  key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def looks_like_a_screen_link(link: dict) -> bool:
    """Underlined, or coloured blue (the screen's link colour), as print_styles reports it."""
    r, g, b = (int(v) for v in re.findall(r"\d+", link["color"])[:3])
    return link["underline"] or (b > 120 and b > r + 60 and b > g + 30)


def print_styles(page: Page) -> dict:
    """What print media does to the page chrome and links (call after print_pdf): visible
    header/nav/footer, visible buttons, the links shown in <main> (colour, underline), and
    whether every heading is kept with what follows it."""
    return page.evaluate("""() => {
      const shown = (el) => el && getComputedStyle(el).display !== 'none'
        && el.getClientRects().length > 0;
      const links = [...document.querySelectorAll('main a[href]')].filter(shown).map((a) => {
        const s = getComputedStyle(a);
        return {text: a.textContent.trim().slice(0, 30), color: s.color,
                underline: s.textDecorationLine.includes('underline')};
      });
      return {
        chrome: ['header.site-header', 'nav', 'footer.site-footer', '.skip-link']
          .flatMap((sel) => [...document.querySelectorAll(sel)])
          .filter((el) => !el.closest('main') && shown(el)).map((el) => el.outerHTML.slice(0, 60)),
        buttons: [...document.querySelectorAll('main button, main .button')].filter(shown)
          .map((el) => el.textContent.trim().slice(0, 30)),
        links: links,
        headings_kept_with_next: [...document.querySelectorAll('main h1, main h2, main h3')]
          .filter(shown).every((h) => ['avoid', 'avoid-page'].includes(
            getComputedStyle(h).breakAfter)),
      };
    }""")
