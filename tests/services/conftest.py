"""Service functions answer in the user's language, so they run inside a request."""

import pytest


@pytest.fixture(autouse=True)
def in_request(app):
    with app.test_request_context():
        yield
