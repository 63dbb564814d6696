"""The report form is a multipart form: it carries its CSRF token like every other form."""

import re

import pytest

from tests.conftest import PASSWORD
from tests.tracking.conftest import count, jpeg, multipart, nothing_stored, stored_files
from voting.extensions import db
from voting.models import ProgressUpdate
from voting.services.accounts import create_user


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False}


def post_report(client, project, token=None):
    fields = {"percent": "20", "funds_spent_wan": "", "narrative": "开工建设。",
              "photos-0-caption": "开工仪式"}
    if token:
        fields["csrf_token"] = token
    body, content_type = multipart(fields, {"photos-0-file": ("a.jpg", jpeg())})
    return client.post(f"/office/tracking/projects/{project.id}/report", data=body,
                       content_type=content_type)


def test_a_report_needs_the_forms_token(client, edu, school, uploads):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    create_user("edu-staff", "unit", PASSWORD, unit=edu)
    db.session.commit()
    assert client.post("/login", data={"username": "edu-staff", "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302

    before = stored_files(uploads)
    assert post_report(client, school).status_code == 400
    assert nothing_stored(uploads, before)

    form = client.get(f"/office/tracking/projects/{school.id}/report").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form and 'capture="environment"' in form
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    assert post_report(client, school, token).status_code == 302
    assert count(ProgressUpdate) == 1
