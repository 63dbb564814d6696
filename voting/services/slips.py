"""Printable ballot slips (选票): an A4 sheet of QR codes, or the plain list of voting URLs.

A slip carries the ballot's title and colour, a one-line instruction and the QR code of
`<base>/v/<token>`: no serial number, and the slips are shuffled, so that the order of printing
says nothing. The tokens exist only in what this module returns (the database keeps hashes):
the sheet must be saved and printed, and the slips not handed out voided at the desk.

The QR code is sized for print: error correction M (15 %), a fixed version for the whole sheet
and 4 modules of quiet zone, printed 32 mm wide, i.e. 0.56 mm a module for a 150-character URL
(version 8, 57 modules with the quiet zone) — well within what a phone camera reads.
"""

import secrets
from functools import lru_cache
from pathlib import Path

import qrcode
from flask import current_app, render_template
from flask_babel import force_locale
from markupsafe import Markup
from qrcode.compat.etree import ET
from qrcode.image.svg import SvgPathImage

SLIPS_PER_PAGE = 8  # A4, 2 × 4
QR_ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
# One mask for every code: choosing the best of eight for each code would cost 5× the time
# (3,000 slips in a minute instead of seconds); decoders read every mask alike.
QR_MASK = 2


class SlipQRImage(SvgPathImage):
    """qrcode's path-based SVG image, one <path> whose sub-paths are runs of dark modules
    (a tenth of the size of one square per module), no id, no style attribute."""

    needs_drawrect = False

    def process(self):
        size, border = self.width, self.border
        runs = []
        for y, row in enumerate(self.modules):
            x = 0
            while x < size:
                if row[x]:
                    start = x
                    while x < size and row[x]:
                        x += 1
                    runs.append(f"M{start + border} {y + border}h{x - start}v1h{start - x}z")
                else:
                    x += 1
        self._img.append(ET.Element("path", d="".join(runs), fill="#000"))


def voting_url(base: str, token: str) -> str:
    return f"{base.rstrip('/')}/v/{token}"


@lru_cache(maxsize=32)
def _version_for(length: int) -> int:
    """The smallest QR version that holds a URL of `length` characters (all on a sheet alike)."""
    code = qrcode.QRCode(error_correction=QR_ERROR_CORRECTION)
    code.add_data("x" * length)
    return code.best_fit()


def qr_svg(data: str) -> Markup:
    """An inline <svg> QR code of `data`; the stylesheet gives it its printed size."""
    code = qrcode.QRCode(version=_version_for(len(data.encode())),
                         error_correction=QR_ERROR_CORRECTION, border=4, mask_pattern=QR_MASK,
                         image_factory=SlipQRImage)
    code.add_data(data)
    code.make(fit=False)
    svg = code.make_image().to_string(encoding="unicode")
    # Drop the fixed width/height in mm: the sheet's CSS sizes every code alike.
    svg = svg.replace(f' width="{_mm(code)}" height="{_mm(code)}"', "", 1)
    # ElementTree wrote (and escaped) this SVG from the QR matrix: nothing here comes from input.
    return Markup(svg.replace("<svg ", '<svg class="slip__qr" role="img" ', 1))  # noqa: S704


def _mm(code: qrcode.QRCode) -> str:
    modules = code.modules_count + 2 * code.border
    return f"{modules}mm"


def shuffled(tokens: list[str]) -> list[str]:
    """A copy in an order nobody can predict or reproduce (the OS's random source)."""
    order = list(tokens)
    secrets.SystemRandom().shuffle(order)
    return order


def url_list(tokens: list[str], base: str | None = None) -> str:
    """One voting URL a line, shuffled."""
    base = base or current_app.config["PUBLIC_BASE_URL"]
    return "".join(voting_url(base, t) + "\n" for t in shuffled(tokens))


def slip_sheet(ballot, tokens: list[str], base: str | None = None) -> str:
    """The printable HTML sheet: A4 pages of 8 slips with cut lines, shuffled.

    A standalone document (its stylesheet is inside it) so that it prints the same from a
    downloaded file on a computer without access to this server.
    """
    base = base or current_app.config["PUBLIC_BASE_URL"]
    slips = [qr_svg(voting_url(base, t)) for t in shuffled(tokens)]
    pages = [slips[i:i + SLIPS_PER_PAGE] for i in range(0, len(slips), SLIPS_PER_PAGE)]
    # Our own stylesheet, put inside the sheet (see the docstring).
    stylesheet = Markup((Path(current_app.static_folder) / "css" / "slips.css")  # noqa: S704
                        .read_text("utf-8"))
    with force_locale("zh_CN"):  # slips are for the deputies: always in Chinese
        return render_template("office/desk_slips.html", ballot=ballot, pages=pages,
                               count=len(slips), stylesheet=stylesheet)
