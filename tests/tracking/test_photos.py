"""The photo pipeline, through the unit's report form: only real images are kept, re-encoded
without any metadata, upright, size-limited and thumbnailed; anything else is refused with a
message and leaves no row and no file behind."""

import io
import stat
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image

from tests.tracking.conftest import (
    jpeg,
    nothing_stored,
    png_bomb,
    png_with_alpha,
    stored_files,
)
from voting.errors import InvalidRequest
from voting.extensions import db
from voting.models import Photo, ProgressUpdate
from voting.services import photos


@pytest.fixture
def unit_user(auth, edu):
    return auth.login("unit", unit=edu)


def opened(path) -> Image.Image:
    """The stored file as Pillow reads it (from bytes: no file handle left open)."""
    return Image.open(io.BytesIO(path.read_bytes()))


def the_photo() -> Photo:
    return db.session.scalars(db.select(Photo)).one()


def test_location_and_camera_data_are_stripped_and_the_photo_turned_upright(
        client, unit_user, school, uploads, report):
    original = jpeg(size=(800, 400), orientation=6, gps=True, comment=b"<script>alert(1)</script>")
    sent = Image.open(io.BytesIO(original))
    assert sent.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test photo does carry a position

    response = report(school, photos=[("IMG_0001.jpg", original, "教学楼主体封顶")])
    assert response.status_code == 302, response.get_data(as_text=True)

    photo = the_photo()
    assert photo.caption == "教学楼主体封顶"
    assert len(photo.filename) == 36 and photo.filename.endswith(".jpg")
    full = uploads / photo.filename
    data = full.read_bytes()
    kept = Image.open(io.BytesIO(data))
    assert kept.format == "JPEG"
    assert not kept.getexif() and "exif" not in kept.info and "icc_profile" not in kept.info
    assert b"Exif" not in data and b"TestCam" not in data and b"<script" not in data
    # Orientation 6 (turn 90° clockwise to view): the 800×400 landscape becomes 400×800, and
    # its blue left half becomes the top.
    assert kept.size == (400, 800) == (photo.width, photo.height)
    assert kept.getpixel((200, 100))[2] > 150 and kept.getpixel((200, 700))[0] > 150

    thumb = opened(uploads / (photo.filename[:-4] + "_thumb.jpg"))
    assert thumb.size == (320, 640) and not thumb.getexif()
    assert stat.S_IMODE(full.stat().st_mode) == 0o600


def test_a_big_photo_is_scaled_to_2048_on_its_long_side(client, unit_user, school, uploads,
                                                        report):
    response = report(school, photos=[("big.jpg", jpeg(size=(4000, 3000)), "")])
    assert response.status_code == 302
    kept = opened(uploads / the_photo().filename)
    assert kept.size == (2048, 1536)


def test_a_png_with_transparency_is_kept_on_white(client, unit_user, school, uploads, report):
    response = report(school, photos=[("plan.png", png_with_alpha(), "总平面图")])
    assert response.status_code == 302
    kept = opened(uploads / the_photo().filename)
    assert kept.format == "JPEG" and kept.mode == "RGB" and kept.size == (300, 200)
    assert kept.getpixel((150, 150))[0] > 240  # the transparent half is white, not black
    assert kept.getpixel((150, 50))[1] > 90


def test_webp_is_accepted(client, unit_user, school, report):
    out = io.BytesIO()
    Image.new("RGB", (120, 90), (10, 200, 10)).save(out, "WEBP")
    assert report(school, photos=[("a.webp", out.getvalue(), "")]).status_code == 302
    assert the_photo().width == 120


def html_polyglot() -> bytes:
    """An HTML page that carries a whole JPEG after its script."""
    return b"<html><script>alert(document.cookie)</script>" + jpeg()


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    return out.getvalue()


@pytest.mark.parametrize(("filename", "content", "message"), [
    ("IMG_0002.jpg", "这不是照片，只是改了扩展名的文本。".encode(), "这个文件不是照片"),
    ("IMG_0003.jpg", jpeg(size=(800, 600))[:1500], "照片文件已损坏或不完整"),
    ("page.jpg", html_polyglot(), "这个文件不是照片"),
    ("anim.gif", gif(), "不支持 GIF 格式"),
    ("IMG_0004.HEIC", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64,
     "HEIC"),
    ("empty.jpg", b"", "上传的文件是空的"),
], ids=["text", "truncated", "html-polyglot", "gif", "heic", "empty"])
def test_what_is_not_a_readable_photo_is_refused_and_nothing_is_stored(
        client, unit_user, school, uploads, report, filename, content, message):
    before = stored_files(uploads)
    response = report(school, photos=[("ok.jpg", jpeg(), "好的一张"),
                                      (filename, content, "坏的一张")])
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page and "第2张照片" in page
    assert nothing_stored(uploads, before)
    db.session.refresh(school)
    assert school.progress == 0 and school.status == "selected"


def test_html_riding_in_a_real_jpeg_is_not_carried_over(client, unit_user, school, uploads,
                                                        report):
    tainted = jpeg() + b"<script>alert(1)</script>"
    assert report(school, photos=[("x.jpg", tainted, "")]).status_code == 302
    assert b"<script" not in (uploads / the_photo().filename).read_bytes()


@cache
def bomb(width: int, height: int) -> bytes:
    return png_bomb(width, height)


@pytest.mark.parametrize(("width", "height"), [
    (30000, 30000),  # beyond twice Pillow's own limit: Pillow raises
    (10000, 10000),  # between Pillow's limit and twice it: Pillow only warns
    (9000, 8000),  # under Pillow's limit, over ours (64 megapixels)
])
def test_an_image_bomb_is_refused_before_it_is_decoded(client, unit_user, school, uploads,
                                                       report, width, height):
    data = bomb(width, height)
    assert len(data) < 200_000  # small on disk…
    assert Image.open(io.BytesIO(png_bomb(100, 100))).size == (100, 100)  # …and a real PNG
    before = stored_files(uploads)
    response = report(school, photos=[("bomb.png", data, "")])
    assert response.status_code == 400
    assert "照片尺寸过大" in response.get_data(as_text=True)
    assert nothing_stored(uploads, before)


def test_a_photo_over_the_limit_is_refused_with_413(client, app, unit_user, school, uploads,
                                                    report):
    limit = app.config["MAX_PHOTO_BYTES"]
    padded = jpeg() + b"\x00" * limit  # a real JPEG, padded past the limit
    before = stored_files(uploads)
    response = report(school, photos=[("huge.jpg", padded, "")])
    assert response.status_code == 413
    assert "照片不能超过10 MB" in response.get_data(as_text=True)
    assert nothing_stored(uploads, before)


def test_a_50_mb_upload_is_refused_before_it_is_read(client, unit_user, school, uploads, report):
    before = stored_files(uploads)
    response = report(school, photos=[("huge.jpg", jpeg() + b"\x00" * (50 * 1024 * 1024), "")])
    assert response.status_code == 413
    assert "提交的内容太大" in response.get_data(as_text=True)
    assert nothing_stored(uploads, before)


def test_five_photos_are_one_too_many(client, unit_user, school, uploads):
    from voting.services import progress

    before = stored_files(uploads)
    with pytest.raises(InvalidRequest, match="最多上传4张"):
        progress.post_update(
            school, unit_user, kind="progress", percent=10, narrative="进展", funds_spent_wan=None,
            photo_uploads=[progress.PhotoUpload(jpeg())] * 5, uploads=uploads, now=None)
    db.session.rollback()
    assert nothing_stored(uploads, before)


# ------------------------------------------------------------------------------ the files follow
# the transaction: written inside it, removed again unless it commits

def test_files_written_in_a_transaction_that_rolls_back_are_removed(app, uploads):
    before = stored_files(uploads)
    stored = photos.write_photos([photos.check_photo(jpeg()), photos.check_photo(jpeg())],
                                 uploads)
    paths = [p for s in stored for p in s.paths]
    assert len(paths) == 4 and all(p.exists() for p in paths)
    db.session.rollback()
    assert stored_files(uploads) == before


def test_files_written_in_a_transaction_that_commits_are_kept(app, uploads):
    stored = photos.write_photos([photos.check_photo(jpeg())], uploads)
    db.session.commit()
    db.session.rollback()  # a later rollback does not touch what was committed
    assert all(p.exists() for p in stored[0].paths)


def test_a_failed_commit_removes_the_files(app, unit_user, school, uploads):
    """A database error after the photos were written (here: a report without a narrative
    reaching the NOT NULL column) leaves no file."""
    before = stored_files(uploads)
    photos.write_photos([photos.check_photo(jpeg())], uploads)
    db.session.add(ProgressUpdate(project_id=school.id, posted_at=None, percent=1,
                                  narrative=None))
    with pytest.raises(Exception, match="NOT NULL"):
        db.session.commit()
    db.session.rollback()
    assert stored_files(uploads) == before


def test_drawn_pictures_go_through_the_same_encoder(app, uploads):
    """The demo's drawn site photos: scaled, thumbnailed, no metadata carried over."""
    drawn = Image.new("RGB", (3000, 1500), (90, 140, 200))
    drawn.info["comment"] = b"drawn by the demo"
    stored = photos.write_photos([photos.photo_from_pixels(drawn, "示意图")], uploads)[0]
    db.session.commit()
    assert (stored.width, stored.height, stored.caption) == (2048, 1024, "示意图")
    data = (uploads / stored.filename).read_bytes()
    assert b"drawn by the demo" not in data and opened(uploads / stored.filename).size == (
        2048, 1024)
    assert opened(stored.paths[1]).size == (320, 160)


# ------------------------------------------------------------------------------ hostile bytes

SEEDS = [jpeg(size=(64, 48), gps=True), png_with_alpha(size=(40, 30))]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.sampled_from(SEEDS), cuts=st.lists(
    st.tuples(st.integers(0, 4000), st.binary(min_size=0, max_size=8)), max_size=6))
def test_mangled_images_are_either_clean_photos_or_refused(seed, cuts):
    data = bytearray(seed)
    for position, replacement in cuts:
        position %= len(data)
        data[position:position + len(replacement)] = replacement
    try:
        checked = photos.check_photo(bytes(data))
    except photos.PhotoRejected as error:
        assert error.status in (400, 413) and error.message
    else:
        kept = Image.open(io.BytesIO(checked.jpeg))
        assert kept.format == "JPEG" and not kept.getexif() and kept.size == (checked.width,
                                                                              checked.height)
