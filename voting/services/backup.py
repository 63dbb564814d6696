"""Backups (备份) and restores of the database: `voting backup FILE`, `voting restore FILE`.

A backup file says by its first bytes what it holds: a SQLite database ("SQLite format 3\\0")
or a PostgreSQL custom-format dump ("PGDMP"). A file is restored only into a database of its
own kind; anything else is refused before anything is touched.

SQLite backup: the online backup API copies the whole database in one step, inside one read
transaction, so the copy is the database as of one commit, WAL content included, while the
server keeps writing (in WAL mode a reader blocks no writer). The copy is written beside FILE,
turned into a self-contained file (rollback journal, no -wal), checked, fsynced and renamed
over FILE, mode 0600.
PostgreSQL backup: `pg_dump --format=custom` inside a snapshot exported by a repeatable-read
transaction in which the rows are also counted, so dump and summary describe the same instant.

Restore replaces the whole database: stop the server first (a restore refuses while another
process has the database open). SQLite: written beside, checked, fsynced, renamed over the
database; the replaced database stays beside it as `<name>.before-restore-<time>`.
PostgreSQL: `pg_restore --clean --if-exists --single-transaction`: all of it or nothing.

Not in any backup: the instance folder's `secret_key` and `signing_key.pem` (tokens and opening
commitments are signed with it). They are copied apart, once; a restore warns when the open
ballots it brings back were signed with a key other than this instance's.
"""

import fcntl
import glob
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from voting.domain import counting
from voting.errors import InvalidRequest, VotingError

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
KIND_NAMES = {"sqlite": "a SQLite database", "postgresql": "a PostgreSQL dump"}
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
SQLITE_BUSY_TIMEOUT = 15  # seconds, as the server's (voting/database.py)
SQLITE_SHM_DMS_BYTE = 128  # every process with the database open holds a read lock on it
PG_TIMEOUT = 3600  # seconds: pg_dump or pg_restore of even a large county's data takes far less
KEYS_NOT_INCLUDED = ("not in the backup: the instance folder's secret_key and signing_key.pem "
                     "(tokens are signed with it) — copy them apart, once")


class BackupFailed(VotingError):
    """A backup or restore that could not be done; nothing was replaced."""

    status, code = 500, "backup_failed"


@dataclass
class Summary:
    """What a database or backup holds: counts only, nothing about any ballot's content."""

    kind: str  # "sqlite" | "postgresql"
    tables: int
    rows: int
    ballots: dict[str, int]  # state → number of ballots
    cast: int  # cast ballots, all ballots together
    spent: int  # spent tokens, all ballots together
    revision: str | None  # the schema's Alembic revision
    notes: list[str] = field(default_factory=list)  # what the operator must know or do

    def line(self) -> str:
        states = ", ".join(f"{n} {state}" for state, n in sorted(self.ballots.items())) or "none"
        return (f"{self.tables} tables, {self.rows:,} rows; ballots: {states}; "
                f"{self.cast:,} ballots cast, {self.spent:,} tokens spent; "
                f"schema {self.revision or 'unknown'}")


def database_kind(url: str) -> str:
    """"sqlite" or "postgresql" for a SQLAlchemy URL; InvalidRequest for anything else."""
    backend = make_url(url).get_backend_name()
    if backend not in KIND_NAMES:
        raise InvalidRequest(f"cannot back up a {backend} database")
    return backend


def file_kind(path: Path) -> str | None:
    """"sqlite", "postgresql" or None (not a backup), by the file's first bytes."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except (IsADirectoryError, FileNotFoundError, PermissionError):
        return None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    return None


def backup_database(url: str, target: Path) -> Summary:
    """Write a consistent copy of the database at `url` to `target` (replaced atomically,
    mode 0600) and describe what it holds. The server may keep writing meanwhile."""
    kind = database_kind(url)
    target = Path(target).absolute()
    if not target.parent.is_dir():
        raise InvalidRequest(f"{target.parent} is not a folder")
    if target.exists() and file_kind(target) is None:
        raise InvalidRequest(f"{target} exists and is not a backup: not overwritten")
    if kind == "sqlite":
        source = sqlite_file(url)
        if target.exists() and target.samefile(source):
            raise InvalidRequest(f"{target} is the live database: choose another file")
        return _backup_sqlite(source, target)
    return _backup_postgresql(url, target)


def restore_database(url: str, source: Path, instance_path: Path) -> Summary:
    """Replace the database at `url` with the backup in `source`. Refuses (and changes
    nothing) when the file is not a backup of the database's kind, or the database is in use."""
    kind = database_kind(url)
    found = file_kind(source)
    if found is None:
        raise InvalidRequest(f"{source} is not a voting backup (neither a SQLite database "
                             "nor a PostgreSQL custom-format dump): nothing restored")
    if found != kind:
        raise InvalidRequest(f"{source} is {KIND_NAMES[found]}, but this instance uses "
                             f"{ENGINE_NAMES[kind]}: nothing restored")
    if kind == "sqlite":
        summary = _restore_sqlite(Path(source), sqlite_file(url))
    else:
        summary = _restore_postgresql(url, Path(source))
    summary.notes += _key_notes(url, instance_path) + _schema_notes(summary.revision)
    return summary


# ---------------------------------------------------------------- SQLite


def sqlite_file(url: str) -> Path:
    name = make_url(url).database
    if not name or name == ":memory:":
        raise InvalidRequest("an in-memory database has nothing to back up or restore")
    return Path(name).absolute()


def sqlite_in_use(database: Path) -> bool:
    """True while another process has the database open (a server's pooled connection).

    SQLite keeps a read lock on one byte of the -shm file for as long as a process has the
    database open in WAL mode; a write lock on it is refused while any other process holds it.
    """
    try:
        fd = os.open(f"{database}-shm", os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, SQLITE_SHM_DMS_BYTE)
    except OSError:
        return True
    finally:
        os.close(fd)  # also drops the lock, if taken
    return False


def _backup_sqlite(database: Path, target: Path) -> Summary:
    if not database.exists():
        raise InvalidRequest(f"no database at {database}: run `voting init` first")
    temporary = _private_temporary(target)
    try:
        source = sqlite3.connect(database, timeout=SQLITE_BUSY_TIMEOUT)
        try:
            _copy_sqlite(source, temporary)
        finally:
            source.close()
        summary = sqlite_summary(temporary)
        _fsync(temporary)
        os.replace(temporary, target)
        _fsync_folder(target.parent)
    except (OSError, sqlite3.Error) as error:
        raise BackupFailed(f"backup failed, {target} unchanged: {error}") from None
    finally:
        temporary.unlink(missing_ok=True)
    return summary


def _copy_sqlite(source: sqlite3.Connection, path: Path) -> None:
    """Copy `source` into the (empty) file `path` in one step, as one self-contained file."""
    copy = sqlite3.connect(path)
    try:
        source.backup(copy, pages=-1)  # one step: one read transaction, one commit's state
        copy.execute("PRAGMA journal_mode=DELETE")  # no -wal beside a backup
        problem = copy.execute("PRAGMA quick_check").fetchone()[0]
        if problem != "ok":
            raise sqlite3.DatabaseError(f"the copy does not check out: {problem}")
    finally:
        copy.close()


def _restore_sqlite(source: Path, database: Path) -> Summary:
    if sqlite_in_use(database):
        raise InvalidRequest(f"{database} is open in another process: stop the server "
                             "(voting serve) first; nothing restored")
    temporary = _private_temporary(database)
    try:
        try:
            backup = sqlite3.connect(f"{source.absolute().as_uri()}?mode=ro", uri=True)
            try:
                _copy_sqlite(backup, temporary)
            finally:
                backup.close()
        except sqlite3.Error as error:
            raise InvalidRequest(f"{source} cannot be read as a database ({error}): "
                                 "nothing restored") from None
        summary = sqlite_summary(temporary)
        if summary.revision is None:
            raise InvalidRequest(f"{source} is a SQLite file but not a voting database: "
                                 "nothing restored")
        _fsync(temporary)
        kept = _set_aside(database)
        os.replace(temporary, database)
        _fsync_folder(database.parent)
    except (OSError, sqlite3.Error) as error:
        raise BackupFailed(f"restore failed: {error}") from None
    finally:
        temporary.unlink(missing_ok=True)
    if kept:
        summary.notes.append(f"the replaced database is kept as {kept}")
    return summary


def _set_aside(database: Path) -> Path | None:
    """Keep the current database (with its -wal, which may hold committed transactions) under
    a new name, leaving no -wal or -shm that could be replayed into the restored file."""
    if not database.exists():
        return None
    aside = database.with_name(f"{database.name}.before-restore-"
                               f"{datetime.now():%Y%m%d-%H%M%S}-{secrets.token_hex(2)}")
    os.link(database, aside)  # the live name keeps pointing at the old file until the swap
    for suffix in ("-wal", "-shm"):
        if Path(f"{database}{suffix}").exists():
            os.replace(f"{database}{suffix}", f"{aside}{suffix}")
    return aside


def sqlite_summary(path: Path) -> Summary:
    """Counts of the SQLite database in `path` (read only)."""
    connection = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    try:
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return _summary("sqlite", connection, tables)
    finally:
        connection.close()


# ---------------------------------------------------------------- PostgreSQL


def pg_tool(name: str) -> Path:
    """pg_dump or pg_restore: $PG_BIN, then the newest /usr/lib/postgresql/*/bin, then PATH.
    The newest is wanted: pg_dump refuses a server newer than itself."""
    folders = [os.environ.get("PG_BIN", "")]
    folders += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True,
                      key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit()
                      else 0)
    for folder in filter(None, folders):
        if os.access(Path(folder) / name, os.X_OK):
            return Path(folder) / name
    found = shutil.which(name)
    if found is None:
        raise BackupFailed(f"{name} not found: install the PostgreSQL client programs "
                           "(as new as the server) or set PG_BIN to their folder")
    return Path(found)


def pg_connection(url: str) -> tuple[str, dict]:
    """(libpq connection string without the password, environment with PGPASSWORD): the
    password never appears on a command line."""
    import psycopg.conninfo

    parsed = make_url(url)
    params = {"host": parsed.host, "port": parsed.port, "user": parsed.username,
              "dbname": parsed.database,
              **{k: v for k, v in parsed.query.items() if isinstance(v, str)}}
    environment = {**os.environ}
    if parsed.password:
        environment["PGPASSWORD"] = parsed.password
    conninfo = psycopg.conninfo.make_conninfo(**{k: v for k, v in params.items() if v})
    return conninfo, environment


def _pg_connect(url: str):
    import psycopg

    conninfo, environment = pg_connection(url)
    return psycopg.connect(conninfo, password=environment.get("PGPASSWORD"))


def _backup_postgresql(url: str, target: Path) -> Summary:
    import psycopg

    conninfo, environment = pg_connection(url)
    dump = pg_tool("pg_dump")
    temporary = _private_temporary(target)
    try:
        with _pg_connect(url) as connection:
            connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            connection.read_only = True
            snapshot = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]
            summary = _summary("postgresql", connection, _pg_tables(connection))
            _run([dump, "--format=custom", "--no-password", f"--snapshot={snapshot}",
                  f"--file={temporary}", f"--dbname={conninfo}"], environment, "pg_dump")
            connection.rollback()
        os.chmod(temporary, 0o600)
        _fsync(temporary)
        os.replace(temporary, target)
        _fsync_folder(target.parent)
    except (OSError, psycopg.Error) as error:
        raise BackupFailed(f"backup failed, {target} unchanged: {_first_line(error)}") from None
    finally:
        temporary.unlink(missing_ok=True)
    return summary


def _restore_postgresql(url: str, source: Path) -> Summary:
    import psycopg

    conninfo, environment = pg_connection(url)
    restore = pg_tool("pg_restore")
    listing = _run([restore, "--list", str(source)], environment, "pg_restore --list",
                   refuse=True)
    if not re.search(r"^\d+; \d+ \d+ TABLE \S+ ballot ", listing, re.MULTILINE):
        raise InvalidRequest(f"{source} is a PostgreSQL dump but not of a voting database: "
                             "nothing restored")
    try:
        with _pg_connect(url) as connection:
            others = connection.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend'").fetchone()[0]
        if others:
            raise InvalidRequest(f"{others} other connection(s) to the database: stop the "
                                 "server (voting serve) first; nothing restored")
        _run([restore, "--clean", "--if-exists", "--single-transaction", "--no-owner",
              "--no-privileges", "--no-password", f"--dbname={conninfo}", str(source)],
             environment, "pg_restore")
        with _pg_connect(url) as connection:
            return _summary("postgresql", connection, _pg_tables(connection))
    except psycopg.Error as error:
        raise BackupFailed(f"restore failed: {_first_line(error)}") from None


def _pg_tables(connection) -> list[str]:
    return [row[0] for row in connection.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")]


def _run(command: list, environment: dict, what: str, refuse: bool = False) -> str:
    """Run a PostgreSQL client program and return its output. On failure its first error line
    becomes InvalidRequest when `refuse` (the file is at fault), else BackupFailed."""
    done = subprocess.run([str(part) for part in command], env=environment, text=True,  # noqa: S603 (fixed argv, no shell)
                          capture_output=True, timeout=PG_TIMEOUT, check=False)
    if done.returncode == 0:
        return done.stdout
    message = f"{what} failed: {_first_line(done.stderr) or f'exit {done.returncode}'}"
    if refuse:
        raise InvalidRequest(f"{message}; nothing restored")
    raise BackupFailed(message)


# ---------------------------------------------------------------- both


def _summary(kind: str, connection, tables: list[str]) -> Summary:
    """Counts through a DB-API connection (sqlite3 or psycopg): rows per table, ballots by
    state, cast ballots, spent tokens, schema revision."""

    def scalar(sql: str):
        row = connection.execute(sql).fetchone()
        return row[0] if row else None

    rows = sum(scalar(f"SELECT count(*) FROM {_quoted(name)}") for name in tables)  # noqa: S608
    present = set(tables)
    ballots = dict(connection.execute("SELECT state, count(*) FROM ballot GROUP BY state")
                   .fetchall()) if "ballot" in present else {}
    return Summary(
        kind=kind, tables=len(tables), rows=rows, ballots=ballots,
        cast=scalar("SELECT count(*) FROM cast_ballot") if "cast_ballot" in present else 0,
        spent=scalar("SELECT count(*) FROM token WHERE state = 'spent'")
        if "token" in present else 0,
        revision=scalar("SELECT version_num FROM alembic_version")
        if "alembic_version" in present else None,
    )


def _quoted(name: str) -> str:
    """A table name from the catalogue as an SQL identifier (a backup may be hostile)."""
    return '"' + name.replace('"', '""') + '"'


def _key_notes(url: str, instance_path: Path) -> list[str]:
    """A warning when ballots restored were opened with a signing key other than this
    instance's: their tokens would be refused and their results could not be certified."""
    from voting.instance import load_signing_key

    try:
        public_key = counting.public_key_hex(load_signing_key(instance_path))
    except (OSError, ValueError, RuntimeError):
        return [f"no signing key in {instance_path}: copy signing_key.pem from the instance "
                "the backup was made on"]
    if database_kind(url) == "sqlite":
        connection = sqlite3.connect(f"{sqlite_file(url).as_uri()}?mode=ro", uri=True)
    else:
        connection = _pg_connect(url)
    try:
        rows = connection.execute("SELECT commitment, commitment_signature FROM ballot "
                                  "WHERE commitment IS NOT NULL").fetchall()
    finally:
        connection.close()
    foreign = sum(1 for commitment, signature in rows
                  if not _signed_by(public_key, commitment, signature))
    if not foreign:
        return []
    return [f"WARNING: {foreign} ballot(s) were opened with another signing key: copy "
            "signing_key.pem from the instance the backup was made on, or their tokens "
            "will be refused and their exports will not verify"]


def _signed_by(public_key: str, commitment: str, signature: str) -> bool:
    try:
        return counting.verify_commitment_signature(public_key, json.loads(commitment),
                                                    signature)
    except ValueError:  # not JSON: signed by nobody
        return False


def _schema_notes(revision: str | None) -> list[str]:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        head = ScriptDirectory(str(Path(__file__).resolve().parent.parent / "migrations")) \
            .get_current_head()
    except CommandError as error:  # e.g. two heads: the note is advice, not the restore
        return [f"schema revision {revision} not compared: {_first_line(error)}"]
    if revision == head:
        return []
    return [f"schema revision {revision} is not this version's {head}: run `voting init` "
            "to bring it up to date"]


def _private_temporary(beside: Path) -> Path:
    """A new empty file in `beside`'s folder, mode 0600 from the first byte on."""
    path = beside.with_name(f".{beside.name}.{secrets.token_hex(4)}.tmp")
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return path


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """Make a rename durable: fsync the folder that holds the new name."""
    _fsync(folder)


def _first_line(error) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else ""
