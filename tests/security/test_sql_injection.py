"""SQL-injection strings where people type: every free-text field of every form (the same
crawled, validly filled forms as the XSS test) and the JSON cast API. Each form is accepted,
the string is stored as the very text typed and shown as that text, and nothing else changes:
no table lost, no rows rewritten beyond the one the form is about. The API refuses them all
and changes nothing at all. (Query strings and path segments: test_hostile_requests.py.)"""

from collections import Counter

import pytest

from tests.ballot_day import candidate_ids, open_with_tokens, token_state
from tests.security.conftest import fingerprint
from tests.security.every_form import (
    DistinctTexts,
    accepted,
    crawl,
    newest_urls,
    read_pages,
    send,
    set_the_stage,
    shown_as_text,
    why,
)
from voting.extensions import db

INJECTIONS = (
    "'; DROP TABLE project; --",
    "' OR '1'='1",
    "' UNION SELECT * FROM user --",
    "'); UPDATE user SET role='admin';--",
    "\\'; DELETE FROM proposal;--",
    '" OR ""="',
)
# Rows a form may add or rewrite in one table: the row it is about, its photos, a log entry.
AT_MOST_CHANGED = 5


def table_rows() -> dict[str, Counter]:
    """Every row of every table, as text."""
    with db.engine.connect() as connection:
        names = [r[0] for r in connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {name: Counter(repr(tuple(row)) for row in connection.exec_driver_sql(
            f'SELECT * FROM "{name}"')) for name in names}  # noqa: S608


def stored_text() -> str:
    """Every text cell of every table, one a line."""
    with db.engine.connect() as connection:
        names = [r[0] for r in connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        return "\n".join(cell for name in names
                         for row in connection.exec_driver_sql(f'SELECT * FROM "{name}"')  # noqa: S608
                         for cell in row if isinstance(cell, str))


def changes(before: dict[str, Counter], after: dict[str, Counter]) -> dict[str, tuple]:
    """table → (rows gone or rewritten, rows new or rewritten), for tables that changed; a
    table that vanished shows as all its rows gone."""
    found = {}
    for table in before.keys() | after.keys():
        gone = before.get(table, Counter()) - after.get(table, Counter())
        new = after.get(table, Counter()) - before.get(table, Counter())
        if gone or new:
            found[table] = (sum(gone.values()), sum(new.values()))
    return found


def test_injection_strings_in_every_form_are_stored_and_shown_as_typed(app, make, instance):
    stage = set_the_stage(app, make)
    storing = {e: f for e, f in crawl(app, stage).items() if f.free_text}
    assert len(storing) >= 20, sorted(storing)
    typed = DistinctTexts(lambda n: f"s{n:02d}{INJECTIONS[n % len(INJECTIONS)]}")
    problems, pages = [], set()
    rows = table_rows()
    for endpoint, form in sorted(storing.items()):
        response, sent = send(app, form, stage, typed)
        after = table_rows()
        if not accepted(response):
            problems.append(f"{endpoint}: refused, {response.status_code} {why(response)}")
        if set(after) != set(rows):
            problems.append(f"{endpoint}: tables {sorted(set(rows) ^ set(after))} changed")
        for table, (gone, new) in changes(rows, after).items():
            if max(gone, new) > AT_MOST_CHANGED or table == "user":
                problems.append(f"{endpoint}: {table} lost {gone} rows, got {new}")
        stored = stored_text()
        missing = [name for name, text in sent.items() if text not in stored]
        if missing:
            problems.append(f"{endpoint}: {missing} not stored as typed")
        rows = after
        pages.add(response.headers.get("Location", "").split("#")[0])
        pages.update(newest_urls(app))
    assert not problems, "\n".join(problems)

    bodies = read_pages(app, stage, sorted(p for p in pages if p) + stage.extra_pages)
    everything = "".join(body for read in bodies.values() for body in read.values())
    unseen = [f"{where}: {text!r}" for where, text in typed.by_field.items()
              if shown_as_text(text) not in everything]
    assert not unseen, "not shown as typed:\n" + "\n".join(unseen)


@pytest.mark.parametrize("injection", INJECTIONS)
def test_injection_strings_in_the_cast_api_are_refused_and_change_nothing(client, make, instance,
                                                                         injection):
    ballot, minted = open_with_tokens(make, 1)
    first = candidate_ids(ballot)[0]
    bodies = [
        {"token": injection, "choices": {first: "for"}},
        {"token": minted[0], "choices": {injection: "for"}},
        {"token": minted[0], "choices": {first: injection}},
        {"token": minted[0] + injection, "choices": {}},
        {"token": minted[0], "choices": {first: "for"}, injection: injection},
    ]
    before = fingerprint(instance)
    for body in bodies[:-1]:
        response = client.post("/api/v1/cast", json=body)
        assert response.status_code in (400, 403), (body, response.get_data(as_text=True))
        assert response.get_json()["error"] in ("invalid_request", "invalid_token")
    assert fingerprint(instance) == before
    assert token_state(ballot, minted[0]) == "minted"
    # An unknown key beside valid choices: the vote counts, as typed, and the injection is
    # stored nowhere.
    response = client.post("/api/v1/cast", json=bodies[-1])
    assert response.status_code in (201, 400), response.get_data(as_text=True)
    assert injection not in stored_text()
