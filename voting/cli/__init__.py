"""`voting`: the operator's command line. Each command is a thin wrapper over a service function.

Errors: one line on stderr, a non-zero exit, nothing changed (the session is rolled back).
"""

import os
import shutil
import sys
from pathlib import Path

import click
from flask import current_app

from voting.cli.app import in_app
from voting.cli.audit import audit
from voting.cli.backup import backup, restore
from voting.cli.ballots import ballot
from voting.cli.catalogue import jurisdiction, session_group, unit
from voting.cli.demo import demo
from voting.cli.drafting import DRAFTING_COMMANDS
from voting.cli.library import project
from voting.cli.people import delegation, deputy
from voting.cli.proposals import proposal
from voting.cli.results import certify, export, publish, runoff, tally, verify
from voting.cli.roster import roster
from voting.cli.users import user
from voting.instance import ensure_instance, instance_path
from voting.services import audit as audit_log


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """民生实事项目人大代表票决制 — operator's command line."""
    # Everything this process or the server it starts writes (database, WAL, keys, uploads,
    # exports) is private to the owner.
    os.umask(0o077)


@main.command()
def init():
    """Create the instance folder, keys and database schema (idempotent)."""
    path = instance_path()
    created = ensure_instance(path)
    _upgrade_schema()
    click.echo(f"instance: {path}" + (f" (created {', '.join(created)})" if created else ""))


@in_app
def _upgrade_schema():
    """Apply new migrations; start the audit log's witness file on an instance older than it."""
    from flask_migrate import upgrade

    upgrade()
    started = audit_log.note_head_if_unwitnessed(Path(current_app.instance_path))
    if started:
        click.echo(f"audit log: witness file started at entry #{started[0]}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=lambda: int(os.environ.get("PORT", 5000)),
              show_default="5000 or $PORT")
@click.option("--workers", type=int, default=2, show_default=True)
def serve(host, port, workers):
    """Run the production server (gunicorn)."""
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
    args = [gunicorn, "-c", "python:voting.serving", "--bind", f"{host}:{port}",
            "--workers", str(workers), "voting:create_app()"]
    os.execv(gunicorn, args)  # noqa: S606 (fixed argv, no shell)


for command in (demo, user, ballot, roster, export, verify, backup, restore, audit):
    main.add_command(command)
for command in (jurisdiction, session_group, unit, deputy, delegation, project, proposal):
    main.add_command(command)
for command in (tally, runoff, certify, publish, *DRAFTING_COMMANDS):
    ballot.add_command(command)
