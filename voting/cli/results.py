"""After the vote: tally, runoff, certify, publish, export, verify."""

import json
from pathlib import Path

import click

from voting.cli.app import in_app, read_password
from voting.cli.forms import ROW_ID
from voting.domain import counting
from voting.errors import NotFound
from voting.extensions import db
from voting.models import Ballot, User
from voting.services import results


def load_ballot(ballot_id: int) -> Ballot:
    ballot = db.session.get(Ballot, ballot_id)
    if ballot is None:
        raise NotFound(f"no ballot {ballot_id}")
    return ballot


def dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1)


@click.command("tally")
@click.argument("ballot_id", type=ROW_ID)
@click.option("--json", "as_json", is_flag=True, help="Print the result document")
@in_app
def tally(ballot_id, as_json):
    """The result of a closed ballot."""
    ballot = load_ballot(ballot_id)
    result = results.record_result(ballot)
    db.session.commit()
    if as_json:
        click.echo(dump(result))
        return
    names = {str(c.project_id): c.project.title for c in ballot.candidates}
    click.echo(f"{ballot.title}: cast {result['cast']} / issued {result['issued']}, "
               f"valid {result['valid']}, threshold {result['threshold']}")
    for cid, row in result["counts"].items():
        figures = " ".join(f"{k}={v}" for k, v in row.items())
        click.echo(f"  {cid:>5} {names.get(cid, '')}: {figures}")
    click.echo(f"selected: {result['selected']}  tied: {result['tied']}  "
               f"unfilled: {result['unfilled']}")


@click.command("runoff")
@click.argument("ballot_id", type=ROW_ID)
@click.option("--json", "as_json", is_flag=True)
@in_app
def runoff(ballot_id, as_json):
    """Create the runoff ballot among the projects tied at the cutoff."""
    created = results.create_runoff(load_ballot(ballot_id))
    db.session.commit()
    click.echo(json.dumps({"id": created.id}) if as_json else f"runoff ballot {created.id}")


@click.command("certify")
@click.argument("ballot_id", type=ROW_ID)
@click.option("--user", "username", required=True, help="The scrutineer's user name")
@click.option("--password-stdin", is_flag=True)
@in_app
def certify(ballot_id, username, password_stdin):
    """Sign the result as a scrutineer, with the key the password unlocks."""
    ballot = load_ballot(ballot_id)
    user = db.session.scalar(db.select(User).filter_by(username=username))
    if user is None:
        raise NotFound(f"no user {username}")
    complete = results.certify_result(ballot, user, read_password(password_stdin))
    db.session.commit()
    click.echo(f"signed by {user.display_name}" + ("; all scrutineers have signed" if complete
                                                   else ""))


@click.command("publish")
@click.argument("ballot_id", type=ROW_ID)
@in_app
def publish(ballot_id):
    """Publish a certified result."""
    results.publish_result(load_ballot(ballot_id))
    db.session.commit()
    click.echo(f"published ballot {ballot_id}")


@click.command("export")
@click.argument("ballot_id", type=ROW_ID)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@in_app
def export(ballot_id, out):
    """Write the bulletin board: everything needed to re-check the result."""
    document = results.export_document(load_ballot(ballot_id))
    out.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    click.echo(f"wrote {out}")


@click.command("verify")
@click.argument("file", type=click.Path(dir_okay=False))
def verify(file):
    """Check an export independently: exit 0 and VALID, or what is wrong."""
    raise SystemExit(counting.main([file]))
