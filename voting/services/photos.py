"""Site photos (现场照片): checking an upload, re-encoding it without metadata, storing it.

An upload is trusted for nothing: not its name, not the content type the browser claims. It is
read up to `max_bytes`, opened by Pillow with only the JPEG, PNG and WebP decoders, refused if
it declares more than `MAX_PIXELS`, decoded in full (a truncated or corrupt file fails here),
turned upright by its EXIF orientation, converted to sRGB, scaled down to `MAX_SIDE` and saved
as a new JPEG built from the pixels alone: no EXIF (so no GPS position, no camera serial), no
XMP, no comment, no ICC profile. A thumbnail `THUMB_WIDTH` pixels wide goes beside it as
`<name>_thumb.jpg`; the name is 32 random hex digits.

Checking (`check_photo`) happens in memory, so that a report with one bad photo among several
stores none. Writing (`write_photos`) happens inside the database transaction that adds the
`Photo` rows: if that transaction does not commit — a refusal, an error, a failed commit — the
files are removed again (see `_remove_unless_committed`).
"""

import io
import secrets
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError
from sqlalchemy import event

from voting.errors import VotingError
from voting.extensions import db
from voting.instance import write_private

FORMATS = ("JPEG", "PNG", "WEBP")  # Pillow decoders tried on an upload; no others
MAX_PIXELS = 64_000_000  # width × height an upload may declare (a 64-megapixel phone photo)
MAX_SIDE = 2048  # pixels: the long side of a stored photo
THUMB_WIDTH = 320  # pixels
QUALITY = 85  # JPEG quality of the stored photo
THUMB_QUALITY = 80

# Formats a phone may send that Pillow here cannot read, recognised by their first bytes so that
# the message can say what to do (HEIC: iPhones, unless set to "Most Compatible").
OTHER_IMAGES = {b"GIF8": "GIF", b"BM": "BMP", b"II*\x00": "TIFF", b"MM\x00*": "TIFF"}
HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif")


class PhotoRejected(VotingError):
    """The upload is not a photo this system stores; the message says why and what to do."""

    code = "invalid_photo"


class PhotoTooLarge(PhotoRejected):
    status = 413


@dataclass
class CheckedPhoto:
    """A photo re-encoded in memory, not yet on disk."""

    jpeg: bytes
    thumbnail: bytes
    width: int  # pixels, of the stored (upright, scaled) photo
    height: int
    caption: str = ""


@dataclass
class StoredPhoto:
    """A photo written to the uploads folder: `filename` is `<32 hex>.jpg`."""

    filename: str
    width: int
    height: int
    caption: str
    paths: list[Path] = field(default_factory=list)


def read_upload(stream, max_bytes: int) -> bytes:
    """At most `max_bytes` of a file-like upload; PhotoTooLarge (413) if there is more."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PhotoTooLarge(_("照片不能超过%(mb)d MB，请压缩或换一张后再上传。",
                              mb=max_bytes // (1024 * 1024)))
    return data


def check_photo(data: bytes, caption: str = "", max_bytes: int | None = None) -> CheckedPhoto:
    """Decode `data` as a photo and re-encode it as a clean JPEG; PhotoRejected if it is not one.

    Raises PhotoTooLarge (413) above `max_bytes`, PhotoRejected (400) for an empty file, anything
    that is not a JPEG, PNG or WebP image, an image declaring more than MAX_PIXELS (a
    decompression bomb), or a damaged one.
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise PhotoTooLarge(_("照片不能超过%(mb)d MB，请压缩或换一张后再上传。",
                              mb=max_bytes // (1024 * 1024)))
    if not data:
        raise PhotoRejected(_("上传的文件是空的。"))
    with _open(data) as image:
        upright = _decode(image)
    return photo_from_pixels(upright, caption)


def photo_from_pixels(image: Image.Image, caption: str = "") -> CheckedPhoto:
    """A photo and its thumbnail from pixels drawn or decoded here, upright: scaled to MAX_SIDE,
    converted to RGB, encoded as JPEG with none of the image's info. The demo's drawn site
    photos can come this way (then `write_photos`)."""
    if max(image.size) > MAX_SIDE:
        image = image.copy()
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # A new image holding the pixels alone: nothing of the source's info (EXIF, XMP, comment,
    # ICC profile) can ride along into the saved file.
    clean = Image.new("RGB", image.size)
    clean.paste(image.convert("RGB"))
    image = clean
    thumb_width = min(THUMB_WIDTH, image.width)
    thumb_height = max(1, round(image.height * thumb_width / image.width))
    thumbnail = image.resize((thumb_width, thumb_height), Image.Resampling.LANCZOS)
    return CheckedPhoto(jpeg=_encode(image, QUALITY), thumbnail=_encode(thumbnail, THUMB_QUALITY),
                        width=image.width, height=image.height, caption=caption)


def _open(data: bytes) -> Image.Image:
    """Read the header only: format and declared size."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its MAX_IMAGE_PIXELS and twice that: make it an error
            # here, so that it is answered the same way in production and under the test
            # suite's "warnings are errors". (The size check below is the guard that counts.)
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise PhotoRejected(_too_many_pixels()) from None
    except UnidentifiedImageError:
        raise PhotoRejected(_not_an_image(data)) from None
    except Exception:  # any decoder's complaint about hostile bytes: not a usable image
        raise PhotoRejected(_damaged()) from None
    if image.width < 1 or image.height < 1:
        raise PhotoRejected(_damaged())
    if image.width * image.height > MAX_PIXELS:
        raise PhotoRejected(_too_many_pixels())
    return image


def _decode(image: Image.Image) -> Image.Image:
    """The pixels, upright, in sRGB, at most MAX_SIDE on the long side."""
    try:
        if image.format == "JPEG":
            image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # let the JPEG decoder scale down (memory)
        image.load()
        image = _upright(image)
        image = _to_srgb(image)
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    except Exception:  # truncated data, a broken chunk, a bad palette…: all "damaged"
        raise PhotoRejected(_damaged()) from None
    return image


def _upright(image: Image.Image) -> Image.Image:
    try:
        return ImageOps.exif_transpose(image)
    except Exception:  # an unreadable EXIF block: keep the pixels as stored, drop the EXIF
        return image


def _to_srgb(image: Image.Image) -> Image.Image:
    """RGB in sRGB: a transparent background becomes white, an embedded profile is applied."""
    icc = image.info.get("icc_profile")
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.point(lambda v: v * (1 / 256)).convert("L")  # 16-bit grey to 8 bits
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba).convert("RGB")
    if icc and image.mode in ("RGB", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"),
                                             outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            # A broken profile: the colours stay as they are; the profile is dropped anyway.
            return image.convert("RGB")
    return image.convert("RGB")


def _encode(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def _not_an_image(data: bytes) -> str:
    head = data[:16]
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return _("这是 HEIC/HEIF 格式的照片，本系统无法读取。请在手机相机设置中选择“兼容性最佳”"
                 "（拍成 JPEG），或先转换为 JPEG 后再上传。")
    for magic, name in OTHER_IMAGES.items():
        if head.startswith(magic):
            return _("不支持 %(format)s 格式，请上传 JPEG、PNG 或 WebP 格式的照片。", format=name)
    return _("这个文件不是照片。请上传 JPEG、PNG 或 WebP 格式的照片。")


def _damaged() -> str:
    return _("照片文件已损坏或不完整，无法读取。请重新拍摄或导出后再上传。")


def _too_many_pixels() -> str:
    return _("照片尺寸过大（超过%(mp)d百万像素），请缩小后再上传。", mp=MAX_PIXELS // 1_000_000)


# ------------------------------------------------------------------------------ storing

def write_photos(checked: list[CheckedPhoto], folder: Path) -> list[StoredPhoto]:
    """Write each photo and its thumbnail (mode 0600: only the app serves them) under a new
    random name, tied to the current database transaction: unless it commits, they are removed.
    """
    folder.mkdir(parents=True, exist_ok=True)
    stored: list[StoredPhoto] = []
    try:
        for photo in checked:
            stem = secrets.token_hex(16)
            full, thumb = folder / f"{stem}.jpg", folder / f"{stem}_thumb.jpg"
            write_private(full, photo.jpeg)
            stored.append(StoredPhoto(full.name, photo.width, photo.height, photo.caption,
                                      [full]))
            write_private(thumb, photo.thumbnail)
            stored[-1].paths.append(thumb)
    except BaseException:
        remove_files([path for s in stored for path in s.paths])
        raise
    _remove_unless_committed([path for s in stored for path in s.paths])
    return stored


def remove_files(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


PENDING_FILES = "photos.pending"  # session.info key: files written in the open transaction


def _remove_unless_committed(paths: list[Path]) -> None:
    """Remove `paths` when the session's transaction ends without a commit (rollback, error,
    session closed). Listeners are attached to this session only, once."""
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that there is a transaction whose end decides
    pending = session.info.get(PENDING_FILES)
    if pending is None:
        pending = session.info[PENDING_FILES] = []
        event.listen(session, "after_commit", _forget_pending)
        event.listen(session, "after_transaction_end", _remove_pending)
    pending.extend(paths)


def _forget_pending(session) -> None:
    session.info[PENDING_FILES].clear()


def _remove_pending(session, transaction) -> None:
    if transaction.parent is None:  # the outer transaction, not a savepoint
        remove_files(session.info[PENDING_FILES])
        session.info[PENDING_FILES].clear()
