"""Stored XSS: every form of the back office and the public site, found by crawling the pages of
the URL map as each kind of visitor, is filled in validly with markup in each of its free-text
fields (a different payload per field) and must be accepted; afterwards every payload is shown
escaped where that data is shown, on the office pages and, where the public sees it, on the
public pages — and no page, office, public or feed, contains any of them unescaped."""

from tests.security.conftest import fingerprint
from tests.security.every_form import (
    LOOKUPS,
    MARKUP_TYPES,
    DistinctTexts,
    accepted,
    crawl,
    newest_urls,
    post_endpoints,
    read_pages,
    send,
    set_the_stage,
    shown_as_text,
    why,
)

# POST endpoints no crawled page shows a form of, each with why it has no free text to test.
UNREACHED = {
    "api.cast": "JSON, not a form: test_api_fuzz and test_sql_injection send it hostile bodies",
    "booth.review": "the booth's radio choices, reached only with a ballot token (tests/booth)",
    "booth.confirm": "the booth's hidden choices and a button, after the review (tests/booth)",
    "office_results.publish": "a button, once every scrutineer has signed (tests/results)",
    "office_results.runoff": "a button, on a tie at the cutoff (tests/results)",
}
# What the public sees of what a form stored: endpoint → its fields shown on a public page.
CAPTIONS = tuple(f"photos-{n}-caption" for n in range(4))
PUBLIC = {
    "public_proposals.new": ("title",),
    "office_proposals.accept": ("reply",),
    "office_proposals.merge": ("merge-reply",),
    "office_proposals.decline": ("decline-reply",),
    "office_tracking.report": ("narrative", *CAPTIONS),
    "office_tracking.rectify": ("narrative", *CAPTIONS),
    "office_tracking.add_milestone": ("title",),
    "office_tracking.add_note": ("group", "text"),
}
# Stored, and never on a public page (DOMAIN.md: public pages never show a proposer's contact).
STAFF_ONLY = {("public_proposals.new", "contact")}


def script_payloads() -> DistinctTexts:
    return DistinctTexts(lambda n: f"\"'><script>x{n:02d}</script>")


def raw(payload: str) -> str:
    """The part of a payload a browser would run if a page showed it unescaped."""
    return payload[payload.index("<script>"):]


def test_markup_typed_into_any_form_is_shown_escaped_everywhere(app, make, instance):
    stage = set_the_stage(app, make)
    found = crawl(app, stage)

    # Every POST endpoint is reached (its form found on a page) or is known to have no text.
    unreached = post_endpoints(app) - set(found)
    assert unreached == set(UNREACHED), f"forms no page shows: {sorted(unreached - set(UNREACHED))}"
    storing = {e: f for e, f in found.items() if f.free_text}
    assert len(storing) >= 20, sorted(storing)  # guards the guard: the crawl found the forms

    payloads, refused, pages = script_payloads(), [], set()
    for endpoint, form in sorted(storing.items()):
        response, _ = send(app, form, stage, payloads)
        if not accepted(response):
            refused.append(f"{endpoint} ({form.visitor}): {response.status_code} "
                           f"{why(response)}")
        pages.add(response.headers.get("Location", "").split("#")[0])
        pages.update(newest_urls(app))  # where the rows it created are shown
    assert not refused, "forms filled in validly were refused:\n" + "\n".join(refused)

    urls = sorted(p for p in pages if p) + stage.extra_pages
    bodies = read_pages(app, stage, urls)
    leaks = [f"{url} ({visitor}) shows {payload!r} of {where} unescaped"
             for where, payload in payloads.by_field.items()
             for visitor, pages_read in bodies.items() for url, body in pages_read.items()
             if raw(payload) in body]
    assert not leaks, "\n".join(leaks)

    unseen, private = [], []
    for (endpoint, name), payload in payloads.by_field.items():
        escaped = shown_as_text(payload)
        seen_by = {visitor for visitor, read in bodies.items()
                   if any(escaped in body for body in read.values())}
        if not seen_by - {"anonymous"}:
            unseen.append(f"{endpoint} {name}: on no office page")
        if name in PUBLIC.get(endpoint, ()) and "anonymous" not in seen_by:
            unseen.append(f"{endpoint} {name}: on no public page")
        if (endpoint, name) in STAFF_ONLY and "anonymous" in seen_by:
            private.append(f"{endpoint} {name}")
    assert not unseen, "stored text shown nowhere, so its escaping is untested:\n" + \
        "\n".join(unseen)
    assert not private, f"shown to the public: {private}"


def test_markup_typed_into_a_lookup_comes_back_escaped_and_changes_nothing(app, make, instance):
    """Fields that look something up (a slip, a tracking code, a user name) store nothing:
    the page answering them shows the text escaped, if at all, and the database is as it was."""
    stage = set_the_stage(app, make)
    found = crawl(app, stage)
    lookups = {e: f for e, f in found.items() if f.text_fields and not f.free_text}
    assert {endpoint for endpoint, _ in LOOKUPS} - {"office_proposals.merge"} <= set(lookups)
    payloads = script_payloads()
    for endpoint, form in sorted(lookups.items()):
        before = fingerprint(instance)
        response, _ = send(app, form, stage, payloads, lookups_too=True)
        body = response.get_data(as_text=True)
        assert response.status_code < 500, (endpoint, body[:500])
        assert fingerprint(instance) == before, endpoint
        if any(kind in response.content_type for kind in MARKUP_TYPES):
            for payload in payloads.by_field.values():
                assert raw(payload) not in body, (endpoint, payload)
