"""The hash chain: `voting audit verify` finds a changed or deleted entry, at the end too (the
witness file); the triggers refuse UPDATE and DELETE; simultaneous appends never fork the chain;
what only a head noted on paper finds."""

import json
import threading
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import DatabaseError

from tests.audit.conftest import entries, raw_sql
from voting.extensions import db
from voting.services import audit


def append(n: int, start: int = 1) -> None:
    """n committed entries, one transaction each."""
    for i in range(start, start + n):
        audit.record("test.append", f"ballot:{i}", n=i)
        db.session.commit()


def verify(runner, *args):
    db.session.commit()
    return runner.invoke(["audit", "verify", *args])


def test_a_whole_chain_verifies(app, runner):
    append(5)
    stored = entries()
    assert [e.id for e in stored] == [1, 2, 3, 4, 5]
    assert stored[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(stored, stored[1:], strict=False))
    result = verify(runner)
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == f"VALID 5 entries, head {stored[-1].hash}"


def test_an_empty_log_verifies(app, runner):
    result = verify(runner)
    assert result.exit_code == 0
    assert result.output.startswith(f"VALID 0 entries, head {audit.GENESIS}")


NO_UPDATE = "DROP TRIGGER audit_entry_no_update"
NO_DELETE = "DROP TRIGGER audit_entry_no_delete"


@pytest.mark.parametrize(("statements", "found"), [
    pytest.param((NO_UPDATE, "UPDATE audit_entry SET actor = 'someone-else' WHERE id = 3"),
                 ("INVALID: entry #3 was changed", "2 entries before it are intact"),
                 id="a changed field, named"),
    pytest.param((NO_DELETE, "DELETE FROM audit_entry WHERE id = 2"),
                 ("INVALID: entries #2–#2 are missing",), id="a deleted middle entry"),
    pytest.param((NO_DELETE, NO_UPDATE, "DELETE FROM audit_entry WHERE id = 2",
                  "UPDATE audit_entry SET id = id - 1 WHERE id > 2"),
                 ("INVALID", "entry #2"), id="a deleted entry, the rest renumbered"),
    pytest.param((NO_DELETE, "DELETE FROM audit_entry WHERE id >= 4"),
                 ("INVALID: the witness file names entry #5, which the chain does not hold: "
                  "entries from #4 on were deleted",), id="a deleted tail, by the witness file"),
    pytest.param((NO_DELETE, "DELETE FROM audit_entry"),
                 ("the witness file names entry #5",), id="a wiped log"),
])
def test_a_tampered_chain_is_found(app, runner, statements, found):
    append(5)
    raw_sql(*statements)
    result = verify(runner)
    assert result.exit_code == 1
    for words in found:
        assert words in result.output


def test_a_changed_and_rehashed_entry_breaks_the_next_link(app, runner):
    append(4)
    forged = {**{name: getattr(entries()[1], name) for name in audit.HASHED_FIELDS},
              "target": "ballot:99"}
    raw_sql(NO_UPDATE,
            f"UPDATE audit_entry SET target = 'ballot:99', hash = '{audit.entry_hash(forged)}' "  # noqa: S608
            "WHERE id = 2")
    result = verify(runner)
    assert result.exit_code == 1
    assert "INVALID: entry #3 does not follow entry #2" in result.output


def test_a_tail_deleted_and_new_entries_appended_is_found(app, runner):
    """Cut back to #3, then two entries chained on #3 again: #4 and #5 exist, not the #5 the
    witness noted."""
    append(5)
    raw_sql(NO_DELETE, "DELETE FROM audit_entry WHERE id >= 4")
    witness = (Path(app.instance_path) / audit.WITNESS_FILE).read_text()
    append(2, start=10)
    (Path(app.instance_path) / audit.WITNESS_FILE).write_text(witness)  # as it was
    result = verify(runner)
    assert result.exit_code == 1 and "the witness file names entry #5" in result.output


def test_the_witness_file_always_names_the_newest_head(app):
    append(3)
    folder = Path(app.instance_path)
    assert audit.read_witness(folder) == (3, entries()[-1].hash)
    assert (folder / audit.WITNESS_FILE).stat().st_mode & 0o777 == 0o600
    audit.write_witness(folder, 2, entries()[1].hash)  # a slower worker, later: ignored
    assert audit.read_witness(folder) == (3, entries()[-1].hash)


def test_a_deleted_or_damaged_witness_file_is_reported(app, runner):
    append(2)
    witness = Path(app.instance_path) / audit.WITNESS_FILE
    witness.write_text("garbage\n")
    damaged = verify(runner)
    assert damaged.exit_code == 1 and "the witness file (audit-head) cannot be read" in \
        damaged.output
    witness.unlink()
    missing = verify(runner)
    assert missing.exit_code == 1 and "the witness file (audit-head) is missing" in \
        missing.output


def test_an_action_is_kept_when_its_witness_cannot_be_written(app, runner, caplog):
    """The witness is written after the commit: failing to write it never undoes or fails the
    action; it names an earlier entry, which the chain still holds, until the next one."""
    append(2)
    lock = Path(app.instance_path) / f"{audit.WITNESS_FILE}.lock"
    lock.unlink()
    lock.mkdir()  # cannot be opened for writing
    append(1, start=3)
    assert [e.id for e in entries()] == [1, 2, 3]
    assert "audit witness file not written" in caplog.text
    assert audit.read_witness(Path(app.instance_path))[0] == 2
    assert verify(runner).exit_code == 0
    lock.rmdir()
    append(1, start=4)
    assert audit.read_witness(Path(app.instance_path)) == (4, entries()[-1].hash)


def test_init_starts_the_witness_of_an_older_instance_only_on_a_whole_chain(app, runner):
    append(3)
    witness = Path(app.instance_path) / audit.WITNESS_FILE
    witness.unlink()  # as on an instance made before the witness file existed
    started = runner.invoke(["init"])
    assert "witness file started at entry #3" in started.output
    assert verify(runner).exit_code == 0
    witness.unlink()
    raw_sql(NO_UPDATE,
            "UPDATE audit_entry SET actor = 'someone-else' WHERE id = 2")
    runner.invoke(["init"])
    assert not witness.exists()  # a broken chain is never blessed
    assert "entry #2 was changed" in verify(runner).output


def test_a_tail_deleted_with_its_witness_rewritten_is_found_against_a_noted_head(app, runner):
    """Someone who can change the database and the server's files: only a head noted on
    paper finds it."""
    append(5)
    noted = entries()[-1].hash
    assert verify(runner, "--expect-head", noted).exit_code == 0
    raw_sql(NO_DELETE, "DELETE FROM audit_entry WHERE id >= 4")
    audit.write_witness(Path(app.instance_path), 3, entries()[-1].hash, force=True)
    assert verify(runner).exit_code == 0
    result = verify(runner, "--expect-head", noted)
    assert result.exit_code == 1
    assert f"no entry has the head hash {noted}" in result.output


def test_an_older_noted_head_still_verifies_after_more_entries(app, runner):
    append(2)
    noted = entries()[-1].hash
    append(3, start=3)
    assert verify(runner, "--expect-head", noted.upper()).exit_code == 0


def test_the_triggers_refuse_update_and_delete(app):
    append(2)
    for statement in ("UPDATE audit_entry SET actor = 'x' WHERE id = 1",
                      "DELETE FROM audit_entry WHERE id = 2",
                      "DELETE FROM audit_entry"):
        with pytest.raises(DatabaseError, match="append-only"):
            raw_sql(statement)
    assert len(entries()) == 2
    entry = entries()[0]
    entry.target = "ballot:7"
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    assert audit.verify_log().ok


def test_an_entry_recorded_in_a_rolled_back_transaction_is_gone(app):
    audit.record("test.append", "ballot:1")
    db.session.rollback()
    db.session.commit()
    assert entries() == []


def test_two_threads_appending_at_once_make_one_chain(app):
    per_thread, start = 15, threading.Barrier(2)

    def work(name):
        with app.app_context():
            start.wait(timeout=30)
            for i in range(per_thread):
                audit.record("test.append", f"ballot:{i}", worker=name)
                db.session.commit()

    threads = [threading.Thread(target=work, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    stored = entries()
    assert [e.id for e in stored] == list(range(1, 2 * per_thread + 1))
    check = audit.verify_log()
    assert check.ok and check.count == 2 * per_thread


def test_cli_list_shows_the_newest_first(app, runner):
    append(3)
    db.session.commit()
    result = runner.invoke(["audit", "list", "--limit", "2", "--json"])
    rows = json.loads(result.output)
    assert [r["id"] for r in rows] == [3, 2]
    assert rows[0]["details"] == {"n": 3} and rows[0]["action"] == "test.append"


# ---------------------------------------------------------------- the chain, without a database


def chain(details: list[str]) -> list[dict]:
    rows, prev = [], audit.GENESIS
    for n, text in enumerate(details, start=1):
        row = {"id": n, "at": datetime(2027, 1, 10, 9, 0, n % 60), "actor": "clerk",
               "role": "clerk", "action": "office_desk.open_vote", "target": f"ballot:{n}",
               "details": text, "prev_hash": prev}
        row["hash"] = prev = audit.entry_hash(row)
        rows.append(row)
    return rows


@settings(max_examples=60, deadline=None)
@given(details=st.lists(st.text(max_size=20), min_size=1, max_size=8), data=st.data())
def test_any_change_to_any_field_is_found(details, data):
    rows = chain(details)
    assert audit.check_chain(rows).ok
    victim = data.draw(st.integers(0, len(rows) - 1))
    field = data.draw(st.sampled_from(["at", "actor", "role", "action", "target", "details",
                                       "prev_hash", "hash"]))
    changed = dict(rows[victim])
    changed[field] = changed[field].replace(second=(changed[field].second + 1) % 60) \
        if field == "at" else changed[field] + "x"
    rows[victim] = changed
    check = audit.check_chain(rows)
    assert not check.ok and check.broken_at == victim + 1
    assert check.count == victim


@settings(max_examples=40, deadline=None)
@given(details=st.lists(st.text(max_size=5), min_size=3, max_size=8), data=st.data())
def test_any_dropped_entry_but_the_last_is_found(details, data):
    rows = chain(details)
    victim = data.draw(st.integers(0, len(rows) - 2))
    del rows[victim]
    check = audit.check_chain(rows)
    assert check.problem == "missing" and check.missing_from == victim + 1
