"""Stored XSS: every form of the back office and the public site is filled with markup in each
of its text fields and submitted; afterwards no page — office, public, feed — contains that
markup unescaped. Forms are found by crawling the pages of the URL map, not listed by hand."""

from urllib.parse import urljoin

from tests.security.conftest import forms_in, log_in, office_blueprints, rules, url_for_rule

PAYLOAD = "\"'><i>xss</i>"
RAW = "<i>xss</i>"
ESCAPED = "&lt;i&gt;xss&lt;/i&gt;"
# Sensible values for fields that are not free text, so that the forms get through.
FILLERS = {"number": "100", "date": "2027-01-15", "email": "a@example.com", "tel": "13800000000",
           "password": "correct-horse-9-long", "url": "https://example.com",
           "datetime-local": "2027-01-15T09:00", "month": "2027-01"}
SKIP_ACTIONS = ("/login", "/logout")
MARKUP_TYPES = ("text/html", "application/atom+xml", "application/xml")


def pages(app) -> list[str]:
    """Every GET page of every blueprint (ids of existing rows filled in), static files aside."""
    urls = []
    for rule, _ in rules(app, methods=("GET",)):
        if rule.endpoint != "static" and not rule.rule.startswith("/v/"):
            urls.append(url_for_rule(rule))
    return urls


def filled(form: dict) -> dict:
    data = {}
    for name, field in form["fields"].items():
        kind = field["type"]
        if kind in ("text", "textarea", "search"):
            data[name] = PAYLOAD
        elif kind in FILLERS:
            data[name] = FILLERS[kind]
        elif kind in ("file", "submit", "button", "image", "reset"):
            continue
        elif kind == "select":
            if field["value"] is not None:
                data[name] = field["value"]
        else:
            data[name] = field["value"]
    return data


def test_markup_typed_into_any_form_is_shown_escaped_everywhere(app, client, instance):
    log_in(client, "admin", "qc-admin-2027")
    urls = pages(app)
    forms, submitted = {}, []
    for url in urls:
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        for form in forms_in(response.get_data(as_text=True)):
            action = urljoin(url, form["action"] or url)
            texts = [f for f in form["fields"].values() if f["type"] in ("text", "textarea")]
            if form["method"] != "post" or not texts or action.startswith(SKIP_ACTIONS):
                continue
            forms.setdefault((action.split("?")[0], tuple(sorted(form["fields"]))), form)
    assert len(forms) >= 10, sorted(forms)  # the crawl found the office's forms
    for (action, _), form in sorted(forms.items()):
        response = client.post(action, data=filled(form))
        assert response.status_code < 500, (action, response.get_data(as_text=True)[:300])
        submitted.append((action, response.status_code))

    leaks, shown = [], 0
    for url in pages(app) + [f"/office/{bp.split('_', 1)[-1]}/" for bp in office_blueprints()]:
        response = client.get(url)
        if not any(kind in response.content_type for kind in MARKUP_TYPES):
            continue
        body = response.get_data(as_text=True)
        if RAW in body:
            leaks.append(url)
        shown += ESCAPED in body
    assert not leaks, f"unescaped markup on: {leaks}"
    print("FORMS", len(forms), "SHOWN", shown, submitted)
    assert shown >= 5, f"the payload was stored by too few forms to prove anything: {submitted}"
