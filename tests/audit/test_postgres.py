"""The audit log on PostgreSQL: the trigger refuses UPDATE, DELETE and TRUNCATE; workers
appending at once queue on the advisory lock and make one chain."""

import threading
from pathlib import Path

import pytest
from sqlalchemy.exc import DatabaseError

from tests.audit.conftest import entries, raw_sql
from voting.extensions import db
from voting.services import audit


@pytest.fixture
def app(pg_app):
    return pg_app


@pytest.fixture
def instance(pg_app):
    return Path(pg_app.instance_path)


def test_the_trigger_refuses_every_change(app):
    assert db.engine.dialect.name == "postgresql"
    for n in range(2):
        audit.record("test.append", f"ballot:{n}")
        db.session.commit()
    for statement in ("UPDATE audit_entry SET actor = 'x' WHERE id = 1",
                      "DELETE FROM audit_entry WHERE id = 2",
                      "TRUNCATE audit_entry"):
        with pytest.raises(DatabaseError, match="append-only"):
            raw_sql(statement)
    assert [e.id for e in entries()] == [1, 2]
    assert audit.verify_log().ok


def test_a_change_made_without_the_trigger_is_found(app):
    for n in range(3):
        audit.record("test.append", f"ballot:{n}")
        db.session.commit()
    raw_sql("DROP TRIGGER audit_entry_no_change ON audit_entry",
            "UPDATE audit_entry SET role = 'admin' WHERE id = 2")
    check = audit.verify_log()
    assert (check.problem, check.broken_at) == ("changed", 2)


def test_four_workers_appending_at_once_make_one_chain(app):
    workers, each = 4, 10
    start = threading.Barrier(workers)

    def work(name):
        with app.app_context():
            start.wait(timeout=30)
            for i in range(each):
                audit.record("test.append", f"ballot:{i}", worker=name)
                db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=work, args=(str(n),)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [e.id for e in entries()] == list(range(1, workers * each + 1))
    check = audit.verify_log()
    assert check.ok and check.count == workers * each
