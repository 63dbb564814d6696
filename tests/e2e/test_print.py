"""Printing on A4: the slip sheet the clerk downloads at the voting desk. (The announcement is
printed at the end of the sitting, tests/e2e/test_sitting.py; a project's page in
test_portal.py.) Each PDF and its pages as PNGs are kept among the test's artifacts."""

import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import phone
from tests.e2e.printing import is_a4, page_images, page_sizes, page_texts, print_pdf
from tests.e2e.steps import log_in

INSTRUCTION = "请用手机扫描二维码投票，每张选票只能使用一次"
EVALUATION = "青川县2026年民生实事项目满意度测评"


def test_the_slip_sheet_prints_eight_whole_slips_a_page(booth_server, context_factory, shot,
                                                         artifacts):
    clerk = context_factory().new_page()
    log_in(clerk, booth_server, "clerk", "qc-clerk-2027")
    clerk.goto(f"{booth_server.url}/office/desk/2")  # the evaluation ballot, still in draft
    expect(clerk.get_by_role("heading", level=1)).to_contain_text(EVALUATION)
    clerk.get_by_label("选票张数").fill("10")
    clerk.get_by_label("打印用选票（A4，每页8张二维码）").check()
    shot(clerk, "desk-mint")
    with clerk.expect_download() as download:
        clerk.get_by_role("button", name="生成并下载").click()
    sheet = artifacts / "slips.html"
    download.value.save_as(sheet)

    page = context_factory().new_page()
    page.goto(sheet.as_uri())  # printed from the saved file, as at the desk
    shot(page, "sheet-on-screen")
    pdf = print_pdf(page, artifacts / "slips.pdf")
    sizes = page_sizes(pdf)
    assert len(sizes) == 2 and all(is_a4(s) for s in sizes), sizes

    texts = page_texts(pdf)
    assert [t.count(INSTRUCTION) for t in texts] == [8, 2]  # no slip split between pages
    assert [t.count(EVALUATION) for t in texts] == [8, 2]
    assert not any("唯一副本" in t for t in texts)  # the sheet's note is not printed

    urls = []
    for number, png in enumerate(page_images(pdf, dpi=150), start=1):
        codes = [c.text for c in zxingcpp.read_barcodes(Image.open(png))
                 if c.format == zxingcpp.BarcodeFormat.QRCode]
        assert len(codes) == (8 if number == 1 else 2), (png, codes)
        urls += codes
    assert len(set(urls)) == 10
    assert all(u.startswith(f"{booth_server.url}/v/") for u in urls), urls

    # A deputy scanning one of them before the vote opens is told to wait.
    deputy = context_factory(**phone(375, 667)).new_page()
    deputy.goto(urls[0])
    expect(deputy.get_by_role("heading", level=1)).to_have_text("投票尚未开始")
    shot(deputy, "scanned-before-opening")
