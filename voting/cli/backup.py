"""`voting backup FILE` and `voting restore FILE`: online, consistent copies of the database.

The logic is in voting/services/backup.py; the instance folder's keys are not in any backup.
"""

from pathlib import Path

import click
from flask import current_app
from sqlalchemy.exc import DBAPIError

from voting.cli.app import in_app
from voting.extensions import db
from voting.services import audit as audit_log
from voting.services import backup as backups


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@in_app
def backup(file):
    """Write a consistent copy of the database to FILE while the server keeps running.

    SQLite: a database file; PostgreSQL: a pg_dump custom-format archive (pg_dump from
    $PG_BIN, /usr/lib/postgresql/*/bin or PATH). FILE is replaced atomically, mode 0600; an
    existing FILE that is not a backup is never overwritten.

    NOT in the backup: the instance folder's secret_key and signing_key.pem. Copy them apart,
    once: without signing_key.pem a restored instance refuses the ballots' tokens.
    """
    summary = backups.backup_database(current_app.config["SQLALCHEMY_DATABASE_URI"], file)
    click.echo(f"backup {file} ({backups.ENGINE_NAMES[summary.kind]}): {summary.line()}")
    click.echo(backups.KEYS_NOT_INCLUDED)


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@in_app
def restore(file):
    """Replace the whole database with the backup in FILE. Stop the server first.

    Refuses, changing nothing, while the server has the database open, or when FILE is not a
    backup of this instance's kind (SQLite file / PostgreSQL dump). SQLite: the replaced
    database is kept beside it; PostgreSQL: pg_restore --clean in one transaction.

    The keys are not in FILE: the instance folder needs the signing_key.pem of the instance
    the backup was made on (a warning says when it does not have it).

    The restored audit log ends where the backup was made: its first new entry says so and
    names the head it replaced, and the witness file (audit-head) moves back to it.
    """
    folder = Path(current_app.instance_path)
    replaced = audit_log.read_witness(folder)
    summary = backups.restore_database(current_app.config["SQLALCHEMY_DATABASE_URI"], file,
                                       folder)
    db.engine.dispose()  # no pooled connection to the replaced database
    click.echo(f"restored {file} ({backups.ENGINE_NAMES[summary.kind]}): {summary.line()}")
    for note in summary.notes:
        click.echo(note)
    try:
        restored = audit_log.verify_log(witness=False)
    except DBAPIError:  # a backup from before the audit log: `voting init` upgrades it
        db.session.rollback()
        audit_log.write_witness(folder, 0, audit_log.GENESIS, force=True)
        return
    audit_log.write_witness(folder, restored.head_id, restored.head_hash, force=True)
    # The replaced head's hash, cut to 32 hex digits: 64 would be redacted as token-like.
    audit_log.record("audit.restored", replaced_head=f"#{replaced[0]} {replaced[1][:32]}"
                     if replaced else "")
    db.session.commit()  # this command's entry and the one above, on the restored chain
    db.session.remove()
    db.engine.dispose()  # SQLite: the last connection closed folds its -wal back into the file
