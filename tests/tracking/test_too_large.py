"""A report too large to read (413): the unit gets its report form back with the limits spelled
out, not a bare "too large" page; anyone else gets a page that states the limits."""

import re

import pytest

from tests.tracking.conftest import jpeg, nothing_stored, stored_files
from voting.extensions import db

FIFTY_MB = 50 * 1024 * 1024


@pytest.fixture
def huge():
    return jpeg() + b"\x00" * FIFTY_MB


def limits_said(page: str) -> bool:
    return "照片每张不超过10 MB" in page and "合计不超过25 MB" in page


def test_a_50_mb_progress_report_shows_the_form_again_with_the_limits(client, auth, edu, school,
                                                                      uploads, report, huge):
    auth.login("unit", unit=edu)
    before = stored_files(uploads)
    response = report(school, photos=[("huge.jpg", huge, "主体施工")],
                      narrative="两所幼儿园主体结构完成。")
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert limits_said(page) and "报告没有提交" in page
    assert re.search(r'<form method="post" enctype="multipart/form-data"', page)  # form again
    assert 'name="narrative"' in page and f"/office/tracking/projects/{school.id}" in page
    assert nothing_stored(uploads, before)
    db.session.refresh(school)
    assert school.progress == 0


def test_a_50_mb_rectification_report_too(client, auth, edu, school, report, huge):
    school.status, school.rectification = "completed", True
    db.session.commit()
    auth.login("unit", unit=edu)
    response = report(school, kind="rectify", photos=[("huge.jpg", huge, "")])
    page = response.get_data(as_text=True)
    assert response.status_code == 413 and limits_said(page) and "累计整改进度" in page


def test_the_report_form_states_both_limits_beforehand(client, auth, edu, school):
    auth.login("unit", unit=edu)
    page = client.get(f"/office/tracking/projects/{school.id}/report").get_data(as_text=True)
    assert "每张不超过10 MB，一次报告合计不超过25 MB" in page
    assert 'data-max-photo-bytes="10485760"' in page and "js/tracking.js" in page


@pytest.mark.parametrize("who", [None, "other-unit", "clerk"])
def test_others_get_the_limits_but_not_the_form(client, auth, make, county, school, report,
                                                huge, who):
    if who == "other-unit":
        auth.login("unit", unit=make.unit(county, name="县民政局"))
    elif who == "clerk":
        auth.login("clerk")
    response = report(school, photos=[("huge.jpg", huge, "")])
    page = response.get_data(as_text=True)
    assert response.status_code == 413 and limits_said(page)
    assert 'name="narrative"' not in page and school.title not in page
