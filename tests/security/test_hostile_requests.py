"""Hostile requests on every route of the URL map: SQL-injection strings in every query
parameter and path, oversized bodies on every POST, NUL bytes — always a 4xx or a normal page,
never a 5xx, never a change."""

from urllib.parse import quote

import pytest
from werkzeug.routing import IntegerConverter

from tests.security.conftest import fingerprint, log_in, rules, url_for_rule

INJECTIONS = (
    "' OR '1'='1", "1; DROP TABLE project; --", "1 UNION SELECT password_hash FROM user --",
    "%' OR 1=1 --", "\\", "'; SELECT pg_sleep(5); --", "1e309", "-1", "99999999999999999999",
)
# Query parameters the pages read (filters, search, paging, language), and a made-up one.
PARAMETERS = ("q", "year", "status", "jurisdiction", "category", "page", "unit", "lang",
              "session", "ballot", "delayed", "sort", "kind", "project", "actor", "action", "x")


def get_urls(app):
    return [url_for_rule(rule) for rule, _ in rules(app, methods=("GET",))
            if rule.endpoint != "static"]


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_injection_strings_in_query_parameters_never_break_a_page(app, client, instance, who):
    if who == "admin":
        log_in(client, "admin", "qc-admin-2027")
    before = fingerprint(instance)
    failures = []
    for url in get_urls(app):
        for value in INJECTIONS:
            query = {name: value for name in PARAMETERS}
            response = client.get(url, query_string=query)
            if response.status_code >= 500:
                failures.append(f"{url} ? {value!r}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert fingerprint(instance) == before


def test_injection_strings_in_path_segments_never_break_a_page(app, client, instance):
    log_in(client, "admin", "qc-admin-2027")
    before = fingerprint(instance)
    failures = []
    for rule, _ in rules(app, methods=("GET",)):
        if rule.endpoint == "static" or not rule.arguments:
            continue
        for value in ("1 OR 1=1", "../../etc/passwd", "%00", "９", "-1"):
            # A string argument takes the value itself; an integer one gets it appended, which
            # no longer matches the rule (a 404 or a neighbouring page, never a crash).
            texts = {name: value for name in rule.arguments
                     if not isinstance(rule._converters[name], IntegerConverter)}
            url = url_for_rule(rule, **texts) if texts else url_for_rule(rule) + quote(value)
            response = client.get(url)
            if response.status_code >= 500:
                failures.append(f"{url}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert fingerprint(instance) == before


def test_every_post_refuses_an_oversized_body_with_413(app, client, instance):
    log_in(client, "admin", "qc-admin-2027")
    too_big = app.config["MAX_CONTENT_LENGTH"] + 1
    before = fingerprint(instance)
    failures = []
    for rule, _ in rules(app, methods=("POST",)):
        url = url_for_rule(rule)
        response = client.post(url, data=b"x" * too_big,
                               content_type="application/x-www-form-urlencoded")
        if response.status_code != 413:
            failures.append(f"POST {url}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert fingerprint(instance) == before


def test_the_413_answer_is_in_the_users_language(app, client):
    too_big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    page = client.post("/proposals/new", data=too_big,
                       content_type="application/x-www-form-urlencoded")
    api = client.post("/api/v1/cast", data=too_big, content_type="application/json")
    assert page.status_code == api.status_code == 413
    assert "太大" in page.get_data(as_text=True)
    assert api.get_json()["error"] == "too_large"


def test_nul_bytes_anywhere_are_refused_with_400(app, client, instance):
    before = fingerprint(instance)
    for url in ("/?q=a%00b", "/projects?q=%00", "/login"):
        response = client.get(url) if "?" in url else client.post(url, data={"username": "a\x00"})
        assert response.status_code == 400, url
    assert fingerprint(instance) == before
