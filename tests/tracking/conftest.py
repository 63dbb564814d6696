"""Fixtures for 政府办: a county with two units and a selected project each, and real images
made by Pillow in memory (photos with GPS, PNG with alpha, decompression bombs)."""

import io
import struct
import zlib
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import ExifTags, Image

from voting.extensions import db
from voting.models import Milestone, Photo, ProgressUpdate

TODAY = date.today()


@pytest.fixture
def county(make):
    return make.jurisdiction(name="青川县")


@pytest.fixture
def edu(make, county):
    return make.unit(county, name="县教育局")


@pytest.fixture
def transport(make, county):
    return make.unit(county, name="县交通运输局")


@pytest.fixture
def school(make, county, edu):
    """A selected project of 县教育局 with one milestone due in a month."""
    project = make.project(county, unit=edu, status="selected", year=TODAY.year,
                           title="城区新建公办幼儿园2所、新增学位540个",
                           budget_wan=Decimal("4800"))
    project.milestones.append(Milestone(title="主体完工", due_on=TODAY + timedelta(days=30)))
    db.session.commit()
    return project


@pytest.fixture
def road(make, county, transport):
    project = make.project(county, unit=transport, status="in_progress", year=TODAY.year,
                           title="农村公路提档升级85公里", budget_wan=Decimal("7500"),
                           progress=40)
    project.milestones.append(Milestone(title="路基完工", due_on=TODAY + timedelta(days=10)))
    db.session.commit()
    return project


@pytest.fixture
def uploads(instance) -> Path:
    return instance / "uploads"


def stored_files(folder: Path) -> set[str]:
    return {p.name for p in folder.rglob("*") if p.is_file()}


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def nothing_stored(folder: Path, files_before: set[str]) -> bool:
    return (count(ProgressUpdate), count(Photo)) == (0, 0) and stored_files(folder) == files_before


# ------------------------------------------------------------------------------ images

def jpeg(size=(400, 200), orientation=None, gps=False, comment=b"", colour=(200, 30, 30)) -> bytes:
    """A JPEG whose left half is blue; with an EXIF orientation and a GPS position if asked."""
    image = Image.new("RGB", size, colour)
    image.paste((30, 30, 200), (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if gps:
        exif[ExifTags.Base.Make] = "TestCam"
        position = exif.get_ifd(ExifTags.IFD.GPSInfo)
        position[ExifTags.GPS.GPSLatitudeRef] = "N"
        position[ExifTags.GPS.GPSLatitude] = (32.0, 35.0, 12.5)
        position[ExifTags.GPS.GPSLongitudeRef] = "E"
        position[ExifTags.GPS.GPSLongitude] = (105.0, 13.0, 40.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=comment)
    return out.getvalue()


def png_with_alpha(size=(300, 200)) -> bytes:
    image = Image.new("RGBA", size, (0, 0, 0, 0))  # fully transparent…
    image.paste((20, 120, 40, 255), (0, 0, size[0], size[1] // 2))  # …but the top half
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int, height: int) -> bytes:
    """A 1-bit grey PNG of width × height, all black: a few KB on disk, huge once decoded."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed pixels
    packer = zlib.compressobj(9)
    parts = [packer.compress(row) for _ in range(height)]
    parts.append(packer.flush())
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", b"".join(parts))
            + _chunk(b"IEND", b""))


# ------------------------------------------------------------------------------ requests

BOUNDARY = "----tracking-test-boundary-Qm9vYmFy"


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body in memory (the test client would spool a big one to a file it
    never closes, which "warnings are errors" reports)."""
    parts = []
    for name, value in fields.items():
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    for name, (filename, data) in files.items():
        head = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n')
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={BOUNDARY}"


@pytest.fixture
def report(client):
    """report(project, photos=[(filename, bytes, caption)], **fields) posts a progress report."""

    def post(project, photos=(), kind="report", follow=False, **fields):
        data = {"percent": "50", "funds_spent_wan": "1000",
                "narrative": "完成主体结构施工，正在进行室内装修。", **fields}
        files = {}
        for index, (filename, content, caption) in enumerate(photos):
            files[f"photos-{index}-file"] = (filename, content)
            data[f"photos-{index}-caption"] = caption
        body, content_type = multipart(data, files)
        return client.post(f"/office/tracking/projects/{project.id}/{kind}", data=body,
                           content_type=content_type, follow_redirects=follow)

    return post
