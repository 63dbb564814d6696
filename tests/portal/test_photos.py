"""/photos/<name>: the site photos of public projects, and nothing else from uploads/."""

import io
from pathlib import Path

import pytest
from flask import current_app
from PIL import Image

from tests.portal.conftest import write_jpeg


def uploads() -> Path:
    return Path(current_app.instance_path) / "uploads"


def test_a_photo_and_its_thumbnail_are_served_as_jpeg_with_long_caching(client, portal):
    stem = portal.photo.filename[:-4]
    for name in (f"{stem}.jpg", f"{stem}_thumb.jpg"):
        response = client.get(f"/photos/{name}")
        body = response.data
        response.close()  # the file stays open until the response is closed
        assert response.status_code == 200
        assert response.mimetype == "image/jpeg"
        assert Image.open(io.BytesIO(body)).format == "JPEG"
        cache = response.cache_control
        assert cache.public and cache.max_age >= 30 * 86400 and cache.immutable


def test_a_photo_of_a_project_with_no_public_page_is_not_served(client, portal):
    assert (uploads() / portal.library_photo.filename).exists()
    assert client.get(f"/photos/{portal.library_photo.filename}").status_code == 404


def test_a_file_no_photo_row_names_is_not_served(client, portal):
    name, _full, _thumb = write_jpeg(uploads())
    assert client.get(f"/photos/{name}").status_code == 404


@pytest.mark.parametrize("path", [
    "/photos/..%2Fsecret_key",
    "/photos/..%2F..%2Fetc%2Fpasswd",
    "/photos/%2E%2E%2Fvoting.sqlite3",
    "/photos/imports%2Froster.xlsx",
    "/photos/secret_key",
    "/photos/voting.sqlite3",
])
def test_traversal_and_other_files_are_404(client, portal, path):
    (uploads() / "imports").mkdir(exist_ok=True)
    (uploads() / "imports" / "roster.xlsx").write_bytes(b"private roster")
    response = client.get(path)
    assert response.status_code == 404
    assert b"private roster" not in response.data and b"SQLite" not in response.data


def test_names_of_another_shape_are_404_even_if_the_file_exists(client, portal):
    stem = portal.photo.filename[:-4]
    folder = uploads()
    for name in (f"{stem.upper()}.jpg", f"{stem}.JPG", f"{stem}.jpeg", f"{stem}_thumb.jpg.png",
                 f"{stem[:-1]}.jpg", f"{stem}_small.jpg", f"{stem}.jpg~"):
        (folder / name).write_bytes((folder / portal.photo.filename).read_bytes())
        assert client.get(f"/photos/{name}").status_code == 404, name
    imports = folder / "imports"
    imports.mkdir(exist_ok=True)
    (imports / portal.photo.filename).write_bytes(b"x")
    assert client.get(f"/photos/imports/{portal.photo.filename}").status_code == 404


def test_a_photo_row_whose_file_is_gone_is_404(client, portal):
    (uploads() / portal.photo.filename).unlink()
    assert client.get(f"/photos/{portal.photo.filename}").status_code == 404
