"""The clerks' audit log page: newest first, filtered, paginated, with the chain's state."""

import re
from datetime import date

import click
import pytest

from tests.audit.conftest import entries, raw_sql
from voting.extensions import db
from voting.services import audit


def text_of(response) -> str:
    return response.get_data(as_text=True)


def rows(page: str) -> list[str]:
    """The entry numbers shown in the table, in order."""
    return re.findall(r'<td class="num[^"]*">(\d+)</td>', page)


def test_clerks_see_the_entries_newest_first_with_labels(client, auth, desk_ballot):
    ballot, _ = desk_ballot
    clerk = auth.login("clerk")
    client.post(f"/office/desk/{ballot.id}/open")
    page = text_of(client.get("/office/audit/"))
    assert rows(page) == ["2", "1"]
    assert "开始投票" in page and "office_desk.open_vote" in page and "登录" in page
    assert f"表决 #{ballot.id}" in page and clerk.username in page
    assert "日志完整" in page and entries()[-1].hash in page


def test_admins_see_it_too(client, auth):
    auth.login("admin")
    assert client.get("/office/audit/").status_code == 200


@pytest.mark.parametrize("role", ["unit", "scrutineer"])
def test_units_and_scrutineers_are_refused(client, auth, make, role):
    kw = {"unit": make.unit(make.jurisdiction())} if role == "unit" else {}
    auth.login(role, **kw)
    assert client.get("/office/audit/").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/office/audit/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_filters_by_actor_area_and_day(client, auth, make, desk_ballot):
    ballot, _ = desk_ballot
    first = auth.login("clerk")
    client.post(f"/office/desk/{ballot.id}/open")
    auth.logout()
    second = auth.login("clerk")
    by_actor = text_of(client.get(f"/office/audit/?actor={first.username}"))
    assert rows(by_actor) == ["3", "2", "1"]
    by_area = text_of(client.get("/office/audit/?action=office_desk."))
    assert rows(by_area) == ["2"]
    today = date.today().isoformat()
    assert len(rows(text_of(client.get(f"/office/audit/?from={today}&to={today}")))) == 4
    assert rows(text_of(client.get("/office/audit/?from=2999-01-01"))) == []
    assert rows(text_of(client.get("/office/audit/?to=2000-01-01"))) == []
    # Nonsense in the filters is ignored, never a 500.
    response = client.get("/office/audit/?from=yesterday&to=%FF&action=%25_&actor=" + "x" * 500)
    assert response.status_code == 200 and rows(text_of(response)) == []
    assert second.username in text_of(client.get("/office/audit/"))


def test_many_entries_are_paginated(client, auth):
    for n in range(60):
        audit.record("test.append", f"ballot:{n}")
    db.session.commit()
    auth.login("clerk")
    first = text_of(client.get("/office/audit/"))
    assert rows(first)[:2] == ["61", "60"] and len(rows(first)) == 50
    second = text_of(client.get("/office/audit/?page=2"))
    assert rows(second) == [str(n) for n in range(11, 0, -1)]


def test_a_broken_chain_is_shown_at_the_top(client, auth):
    for n in range(3):
        audit.record("test.append", f"ballot:{n}")
        db.session.commit()
    raw_sql("DROP TRIGGER audit_entry_no_update",
            "UPDATE audit_entry SET target = 'ballot:9' WHERE id = 2")
    auth.login("clerk")
    page = text_of(client.get("/office/audit/"))
    assert "日志已被改动" in page and "第2条的内容已被改动" in page
    assert "日志完整" not in page


def test_entries_deleted_from_the_end_are_shown_at_the_top(client, auth):
    auth.login("clerk")  # entry #1, the sign-in
    for n in range(3):
        audit.record("test.append", f"ballot:{n}")
        db.session.commit()
    raw_sql("DROP TRIGGER audit_entry_no_delete", "DELETE FROM audit_entry WHERE id >= 3")
    page = text_of(client.get("/office/audit/"))
    assert "日志已被改动" in page and "末尾的第3条至第4条已被删除" in page
    english = text_of(client.get("/office/audit/?lang=en"))
    assert "Entries #3 to #4 at the end were deleted" in english


READ_ONLY_COMMANDS = {"init", "serve", "backup", "export", "verify", "list", "show", "attendance",
                      "delayed"}  # they commit nothing, so they never leave an entry


def test_every_back_office_action_has_a_label_in_both_languages(app):
    """Every POST of the back office (from the URL map) and every `voting` command that can
    change something has a clerk's label, not its code."""
    from voting.cli import main
    from voting.office.audit import ACTIONS

    def commands(group, names=()):
        for name, command in group.commands.items():
            if isinstance(command, click.Group):
                yield from commands(command, (*names, name))
            elif name not in READ_ONLY_COMMANDS and names != ("audit",):
                yield "cli." + ".".join((*names, name))

    posts = {rule.endpoint for rule in app.url_map.iter_rules()
             if "POST" in rule.methods and rule.endpoint.split(".")[0].startswith("office")}
    wanted = posts | set(commands(main))
    assert sorted(wanted - set(ACTIONS)) == []
    with app.test_request_context("/?lang=en"):
        english = {code: str(ACTIONS[code]) for code in wanted}
    assert [code for code, label in english.items()
            if re.search(r"[\u4e00-\u9fff]", label)] == []
