"""CSRF on every form, generated from the URL map: a POST without the form's token is refused
with 400 and changes nothing, whoever is signed in. Only the JSON cast, which accepts no cookies
and is authenticated by the ballot token alone, is exempt (CONTRACT.md)."""

import pytest

from tests.security.conftest import fingerprint, log_in, rules, url_for_rule

# Exempt on purpose, with the reason; a new exemption must be added here to pass.
EXEMPT = {
    "api.cast": "authenticated by the ballot token alone; accepts no cookies",
}
# The booth checks the CSRF token itself, after the ballot token (tests/booth/test_booth.py).
BOOTH = {"booth.review", "booth.confirm"}


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False}


def test_every_form_post_without_its_csrf_token_is_refused(app, client, instance):
    log_in(client, "admin", "qc-admin-2027")  # the demo admin passes every role guard
    failures, tried = [], 0
    for rule, _ in rules(app, methods=("POST",)):
        if rule.endpoint in EXEMPT or rule.endpoint in BOOTH:
            continue
        tried += 1
        url = url_for_rule(rule)
        before = fingerprint(instance)
        response = client.post(url, data={"title": "跨站请求", "name": "跨站请求"})
        if response.status_code != 400 or fingerprint(instance) != before:
            failures.append(f"POST {url}: {response.status_code}")
    assert tried > 25
    assert not failures, "\n".join(failures)


def test_a_forged_csrf_token_is_refused_too(app, client, instance):
    log_in(client, "clerk", "qc-clerk-2027")
    before = fingerprint(instance)
    response = client.post("/office/sessions/new", data={"csrf_token": "forged.token.value"})
    assert response.status_code == 400
    assert fingerprint(instance) == before


def test_the_refusal_says_what_happened_in_the_users_language(app, client, instance):
    log_in(client, "clerk", "qc-clerk-2027")
    chinese = client.post("/office/sessions/new", data={}).get_data(as_text=True)
    english = client.post("/office/sessions/new?lang=en", data={}).get_data(as_text=True)
    assert "页面" in chinese or "过期" in chinese or "请求" in chinese
    assert "expired" in english.lower() or "request" in english.lower()
