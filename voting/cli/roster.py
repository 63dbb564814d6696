"""`voting roster`: import and export the roster, sign deputies in, report attendance."""

import json
from pathlib import Path

import click

from voting.cli.app import in_app
from voting.cli.forms import ROW_ID
from voting.extensions import db


@click.group()
def roster():
    """Deputies and attendance: import, export, sign-in."""


@roster.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--jurisdiction", required=True, help="行政区 name, e.g. 青川县")
@click.option("--dry-run", is_flag=True, help="Check every row, import nothing")
@in_app
def import_file(file, jurisdiction, dry_run):
    """Import deputies from an .xlsx or .csv file (all rows or none)."""
    from flask import current_app

    from voting.services import roster_files
    from voting.services.catalogue import find_jurisdiction

    place = find_jurisdiction(jurisdiction)
    max_bytes = current_app.config["MAX_IMPORT_BYTES"]
    with file.open("rb") as f:
        data = f.read(max_bytes + 1)
    checked = roster_files.load_roster_file(place, data, file.name, max_bytes)
    for row in checked.rows:
        if row.errors:
            click.echo(f"line {row.line} {row.name or '-'}: {' '.join(row.errors)}", err=True)
    if checked.error_count:
        raise click.ClickException(
            f"{checked.error_count} of {len(checked.rows)} rows have errors; nothing imported")
    if dry_run:
        click.echo(f"{len(checked.rows)} rows OK; nothing imported (--dry-run)")
        return
    added, created = roster_files.import_roster(place, checked)
    db.session.commit()
    click.echo(f"imported {added} deputies into {place.name} ({created} new delegations)")


@roster.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--jurisdiction", required=True, help="行政区 name")
@in_app
def export_file(file, jurisdiction):
    """Write the roster (active deputies) to an .xlsx file."""
    from voting.services import roster_files
    from voting.services.catalogue import find_jurisdiction

    place = find_jurisdiction(jurisdiction)
    data, count = roster_files.export_roster(place)
    file.write_bytes(data)
    click.echo(f"exported {count} deputies of {place.name} to {file}")


@roster.command("signin")
@click.argument("session_id", type=ROW_ID)
@click.argument("deputy_name")
@click.option("--delegation", help="代表团, when two deputies share a name")
@click.option("--undo", is_flag=True, help="Take back a mistaken sign-in")
@in_app
def signin(session_id, deputy_name, delegation, undo):
    """Mark a deputy present at a session (签到)."""
    from voting.services import roster as roster_service

    session = _session(session_id)
    deputy = roster_service.find_deputy_for_sign_in(session, deputy_name, delegation)
    if undo:
        changed = roster_service.undo_sign_in(session, deputy)
        what = "sign-in undone" if changed else "was not signed in"
    else:
        changed = roster_service.sign_in(session, deputy)
        what = "signed in" if changed else "already signed in"
    db.session.commit()
    turnout = roster_service.turnout(session)
    click.echo(f"{deputy.name}: {what} ({_turnout_line(turnout)})")


@roster.command("attendance")
@click.argument("session_id", type=ROW_ID)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output")
@in_app
def attendance(session_id, as_json):
    """Deputies present / on the roster, and whether the quorum (> 2/3) is reached."""
    from voting.services import roster as roster_service

    session = _session(session_id)
    turnout = roster_service.turnout(session)
    if as_json:
        click.echo(json.dumps({"session_id": session.id, **turnout.as_dict()}))
    else:
        click.echo(f"{session.title}: {_turnout_line(turnout)}")


def _session(session_id: int):
    from voting.errors import NotFound
    from voting.models import CongressSession

    session = db.session.get(CongressSession, session_id)
    if session is None:
        raise NotFound(f"no congress session {session_id}")
    return session


def _turnout_line(turnout) -> str:
    state = "quorum reached" if turnout.quorum else "no quorum"
    return f"present {turnout.present} / roster {turnout.roster}, {state} (needs {turnout.needed})"
