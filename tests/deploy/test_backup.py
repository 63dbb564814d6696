"""`voting backup FILE` and `voting restore FILE` on SQLite and PostgreSQL.

A backup taken while deputies cast holds the database as of one instant (cast ballots = spent
tokens = receipts; everything acknowledged before it started, nothing sent after it ended);
restored into a fresh instance or database it brings the ballot back open, and casting goes on.
A file of the wrong kind, or a restore while the server runs, is refused and changes nothing.
"""

import json
import os
import shutil
import sqlite3
import stat
import threading
import time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.deploy.live_server import (
    Site,
    cast_many,
    expected_counts,
    finish,
    ledger_of,
    plain,
    sqlite_query,
)
from voting.errors import InvalidRequest
from voting.services import backup as backups

TOKENS = 800  # enough that the 4 clients are still casting when the backup has ended
PAUSE = 0.05  # seconds each client waits between casts: at most 80 casts a second
AFTER = 30  # tokens cast on the original server once the backup is written
FRESH = 40  # tokens never cast before, cast on the restored database


def test_sqlite_backup_while_casting_restores_into_a_fresh_instance(sqlite_site, tmp_path):
    site, file = sqlite_site, tmp_path / "voting-backup.sqlite3"
    ballot = site.open_ballot(TOKENS)
    during, made = backup_while_casting(site, ballot, file)

    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert backups.file_kind(file) == "sqlite"
    assert "signing_key.pem" in made.stdout  # the keys are not in it, and it says so
    saved = ledger_of(sqlite_query(file), ballot.id)
    check_one_instant(saved, during, made)
    assert not list(tmp_path.glob(".*tmp"))  # no temporary file left

    # A fresh instance with the first one's keys (copied apart, as docs/deploy.md says).
    fresh = tmp_path / "fresh"
    fresh.mkdir(mode=0o700)
    for name in ("secret_key", "signing_key.pem"):
        shutil.copy2(site.folder / name, fresh / name)
    other = Site.create(fresh)
    try:
        restored = other.cli("restore", str(file))
        assert restored.returncode == 0, restored.stderr
        # No stale -wal or -shm (checked before this test's read-only reader makes its own).
        assert not list(fresh.glob("voting.sqlite3-*"))
        assert "ballots: 1 open" in restored.stdout and "WARNING" not in restored.stdout
        assert other.ledger(ballot.id) == saved
        casting_goes_on(other, ballot, during, saved)
    finally:
        other.close()


def test_postgresql_backup_while_casting_restores_into_a_fresh_database(
        postgres_site, spare_pg_database, tmp_path):
    site, file = postgres_site, tmp_path / "voting-backup.dump"
    ballot = site.open_ballot(TOKENS)
    during, made = backup_while_casting(site, ballot, file)

    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert backups.file_kind(file) == "postgresql"
    assert "signing_key.pem" in made.stdout

    # The same instance folder (same keys) on a new, empty database.
    other = Site(site.folder, spare_pg_database)
    try:
        restored = other.cli("restore", str(file))
        assert restored.returncode == 0, restored.stderr
        assert "ballots: 1 open" in restored.stdout and "WARNING" not in restored.stdout
        saved = other.ledger(ballot.id)
        check_one_instant(saved, during, made)
        casting_goes_on(other, ballot, during, saved)
    finally:
        other.close()


def backup_while_casting(site, ballot, file):
    """Cast from 4 clients, and run `voting backup FILE` once some are in; the clients go on
    until it has returned, then AFTER more tokens are cast on the same server.
    (outcome of the casts around the backup, with its `backup_window`; the command's result)"""
    stop = threading.Event()
    with site.server(workers=2) as server:
        during = cast_many(server.port, ballot, ballot.tokens[:-AFTER], threads=4, stop=stop,
                           pause=PAUSE)
        deadline = time.monotonic() + 120
        while len(during.acked) < 20 and time.monotonic() < deadline:
            time.sleep(0.005)
        began = time.monotonic()
        made = site.cli("backup", str(file))
        during.backup_window = (began, time.monotonic())
        stop.set()
        finish(during)
        after = finish(cast_many(server.port, ballot, ballot.tokens[-AFTER:], threads=4))
    assert during.failures == [] and during.refused == {}
    assert during.unsent, "the casts ran out before the backup ended: raise TOKENS"
    assert len(after.acked) == AFTER
    return during, made


def check_one_instant(saved: dict, during, made) -> None:
    """The backup is the database at one commit: what was acknowledged before it began is in
    it, what was sent after it ended is not, and its counts agree with each other and with
    the summary `voting backup` printed."""
    receipts = {token: plain(receipt) for token, receipt in during.acked.items()}
    began, ended = during.backup_window
    assert saved["cast"] == saved["spent"] == len(saved["receipts"])
    assert saved["receipts"] <= set(receipts.values())
    assert {receipts[t] for t, at in during.acked_at.items() if at < began} \
        <= saved["receipts"]
    assert not {receipts[t] for t, at in during.sent_at.items() if at > ended} \
        & saved["receipts"]
    assert "ballots: 1 open" in made.stdout
    assert f"{saved['cast']:,} ballots cast, {saved['spent']:,} tokens spent" in made.stdout


def casting_goes_on(site, ballot, during, saved) -> None:
    """On the restored database the ballot is open: tokens spent in the backup answer 409,
    others cast, also those cast on the original after the backup; then the count holds
    exactly the ballots of the backup and these."""
    in_backup = {t for t, r in during.acked.items() if plain(r) in saved["receipts"]}
    unspent = [t for t in ballot.tokens[:-AFTER] if t not in during.acked]
    new = [t for t in during.acked if t not in in_backup] + ballot.tokens[-AFTER:] \
        + unspent[:FRESH]
    with site.server(workers=2) as server:
        rest = finish(cast_many(server.port, ballot, sorted(in_backup) + new, threads=8))
    assert rest.failures == []
    assert set(rest.refused) == in_backup
    assert {(status, body["error"]) for status, body in rest.refused.values()} \
        <= {(409, "token_used")}
    assert set(rest.acked) == set(new)
    result = site.close_and_tally(ballot.id)
    assert result["cast"] == len(in_backup) + len(new)
    assert result["counts"] == expected_counts(ballot, in_backup | set(new))


# ---------------------------------------------------------------- refusals


def test_restore_refuses_while_the_server_has_the_database_open(sqlite_site, tmp_path):
    site, file = sqlite_site, tmp_path / "backup.sqlite3"
    ballot = site.open_ballot(6)
    backups.backup_database(site.sqlalchemy_url(), file)
    database = site.folder / "voting.sqlite3"
    with site.server(workers=2) as server:
        first = finish(cast_many(server.port, ballot, ballot.tokens[:3], threads=3))
        inode = database.stat().st_ino
        refused = site.cli("restore", str(file))
        assert refused.returncode == 1
        assert "stop the server" in refused.stderr and refused.stdout == ""
        assert database.stat().st_ino == inode
        assert not list(site.folder.glob("*before-restore*"))
        second = finish(cast_many(server.port, ballot, ballot.tokens[3:], threads=3))
    assert len(first.acked) == len(second.acked) == 3
    assert site.ledger(ballot.id)["cast"] == 6


def test_backup_never_overwrites_the_database_or_a_file_that_is_not_a_backup(
        sqlite_site, tmp_path):
    site = sqlite_site
    url = site.sqlalchemy_url()
    notes = tmp_path / "notes.txt"
    notes.write_text("会议记录")
    before = site.sqlite_file_digest()
    done = site.cli("backup", str(site.folder / "voting.sqlite3"))
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        f"Error: {site.folder / 'voting.sqlite3'} is the live database: choose another file"]
    for target, says in ((notes, "not a backup"), (tmp_path / "missing" / "b", "not a folder")):
        with pytest.raises(InvalidRequest, match=says):
            backups.backup_database(url, target)
    assert notes.read_text() == "会议记录"
    assert site.sqlite_file_digest() == before
    older = tmp_path / "b"
    backups.backup_database(url, older)
    ballot = site.open_ballot(2)
    assert backups.backup_database(url, older).ballots == {"open": 1}  # an older one is replaced
    assert ledger_of(sqlite_query(older), ballot.id)["spent"] == 0


def test_restore_warns_when_the_instance_has_another_signing_key(sqlite_site, tmp_path,
                                                                migrated_database):
    site, file = sqlite_site, tmp_path / "backup.sqlite3"
    site.open_ballot(3)
    assert site.cli("backup", str(file)).returncode == 0
    stranger = Site.quick(tmp_path / "stranger", template=migrated_database)  # its own keys
    restored = stranger.cli("restore", str(file))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "WARNING: 1 ballot(s) were opened with another signing key" in restored.stdout
    assert "before-restore" in restored.stdout  # the replaced database is kept


def test_restore_refuses_what_is_not_a_voting_backup_of_this_kind(sqlite_site, tmp_path):
    site = sqlite_site
    site.open_ballot(3)
    notes, fake_dump, other = tmp_path / "notes.txt", tmp_path / "x.dump", tmp_path / "x.sqlite3"
    notes.write_text("会议记录\n")
    fake_dump.write_bytes(b"PGDMP" + bytes(200))
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE minutes (line TEXT)")
    connection.close()
    unchanged = snapshot(site.folder)
    for file, says in ((notes, "is not a voting backup"),
                       (fake_dump, "is a PostgreSQL dump, but this instance uses SQLite"),
                       (other, "is a SQLite file but not a voting database")):
        done = site.cli("restore", str(file))
        assert done.returncode == 1 and done.stdout == ""
        assert done.stderr.startswith("Error: ") and says in done.stderr, done.stderr
        assert "nothing restored" in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
        assert snapshot(site.folder) == unchanged


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(head=b"", body=b"")
@example(head=backups.SQLITE_MAGIC, body=bytes(50))
@example(head=b"PGDMP", body=b"\x01\x0e\x00" + bytes(200))
@given(head=st.sampled_from([b"", backups.SQLITE_MAGIC, b"PGDMP", b"SQLite format"]),
       body=st.binary(max_size=3000))
def test_any_hostile_file_is_refused_and_the_database_left_alone(sqlite_site, head, body):
    site = sqlite_site
    database = site.folder / "voting.sqlite3"
    before = site.sqlite_file_digest()
    file = site.folder.parent / "hostile"
    file.write_bytes(head + body)
    try:
        with pytest.raises(InvalidRequest):
            backups.restore_database(f"sqlite:///{database}", file, site.folder)
    finally:
        file.unlink()
    assert site.sqlite_file_digest() == before
    assert sorted(p.name for p in site.folder.iterdir()) == ["secret_key", "signing_key.pem",
                                                              "uploads", "voting.sqlite3"]


def test_postgresql_refuses_wrong_kind_and_running_server_then_restores(
        postgres_site, sqlite_site, tmp_path):
    dump, copy = tmp_path / "pg.dump", tmp_path / "sqlite.backup"
    ballot = postgres_site.open_ballot(4)
    assert postgres_site.cli("backup", str(dump)).returncode == 0
    assert sqlite_site.cli("backup", str(copy)).returncode == 0
    pg_before, sqlite_before = postgres_site.ledger(ballot.id), snapshot(sqlite_site.folder)

    into_pg = postgres_site.cli("restore", str(copy))
    assert into_pg.returncode == 1
    assert "is a SQLite database, but this instance uses PostgreSQL" in into_pg.stderr
    into_sqlite = sqlite_site.cli("restore", str(dump))
    assert into_sqlite.returncode == 1
    assert "is a PostgreSQL dump, but this instance uses SQLite" in into_sqlite.stderr
    with postgres_site.server(workers=1) as server:
        cast = finish(cast_many(server.port, ballot, ballot.tokens[:1], threads=1))
        running = postgres_site.cli("restore", str(dump))
    assert running.returncode == 1 and "stop the server" in running.stderr
    assert len(cast.acked) == 1
    assert postgres_site.ledger(ballot.id)["cast"] == pg_before["cast"] + 1  # not rolled back
    assert snapshot(sqlite_site.folder) == sqlite_before

    # Server stopped: the dump replaces the database it came from, back to its own instant.
    back = postgres_site.cli("restore", str(dump))
    assert back.returncode == 0, back.stderr
    assert postgres_site.ledger(ballot.id) == pg_before
    assert "ballots: 1 open; 0 ballots cast, 0 tokens spent" in back.stdout


def snapshot(folder) -> dict:
    """Every file in the instance folder with its size, inode and modification time."""
    return {p.name: (p.stat().st_size, p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(folder.iterdir()) if p.is_file()}


def test_backup_files_are_told_apart_by_their_first_bytes(tmp_path):
    cases = {"db": (backups.SQLITE_MAGIC + bytes(84), "sqlite"),
             "dump": (b"PGDMP" + bytes(20), "postgresql"),
             "text": (b"SQLite format 2\x00", None), "none": (b"", None)}
    for name, (data, kind) in cases.items():
        (tmp_path / name).write_bytes(data)
        assert backups.file_kind(tmp_path / name) == kind
    os.mkdir(tmp_path / "folder")
    assert backups.file_kind(tmp_path / "folder") is None
    assert backups.file_kind(tmp_path / "absent") is None


def test_the_database_password_never_reaches_a_command_line():
    conninfo, environment = backups.pg_connection(
        "postgresql+psycopg://clerk:s3cr%40t@db.county.internal:5433/voting?sslmode=require")
    assert "s3cr" not in conninfo
    assert environment["PGPASSWORD"] == "s3cr@t"
    assert {"host=db.county.internal", "port=5433", "user=clerk", "dbname=voting",
            "sslmode=require"} <= set(conninfo.split())


def test_a_restore_moves_the_audit_witness_back_and_says_so(sqlite_site, tmp_path):
    """The restored log ends where the backup was made: `voting audit verify` stays VALID, and
    the log's first new entries say a restore happened and which head it replaced."""
    site, file = sqlite_site, tmp_path / "backup.sqlite3"
    ballot = site.open_ballot(4)
    assert site.cli("ballot", "close", str(ballot.id)).returncode == 0  # entry #1
    assert site.cli("backup", str(file)).returncode == 0
    assert site.cli("ballot", "tally", str(ballot.id), "--json").returncode == 0  # entry #2
    replaced = (site.folder / "audit-head").read_text().split()
    assert replaced[0] == "2"
    restored = site.cli("restore", str(file))
    assert restored.returncode == 0, restored.stderr
    checked = site.cli("audit", "verify")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("VALID 3 entries")
    log = json.loads(site.cli("audit", "list", "--json").stdout)
    assert [(e["id"], e["action"]) for e in log] == [
        (3, "audit.restored"), (2, "cli.restore"), (1, "cli.ballot.close")]
    assert log[0]["details"] == {"replaced_head": f"#2 {replaced[1][:32]}"}
