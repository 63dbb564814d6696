import json
import os

import click

from voting.cli.app import in_app
from voting.cli.forms import ROW_ID
from voting.errors import InvalidRequest
from voting.extensions import db
from voting.models import Ballot, User
from voting.services import slips
from voting.services.ballots import (
    cast_count,
    close_ballot,
    get_ballot_or_404,
    mint_tokens,
    open_ballot,
    set_scrutineers,
    token_counts,
    void_token,
)


@click.group()
def ballot():
    """Ballots: list, tokens, open, close, tally, certify, publish."""


@ballot.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output")
@in_app
def list_ballots(as_json):
    """Every ballot with its state."""
    rows = [
        {"id": b.id, "title": b.title, "kind": b.kind, "state": b.state, "seats": b.seats}
        for b in db.session.scalars(db.select(Ballot).order_by(Ballot.id))
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
    else:
        for row in rows:
            click.echo(f"{row['id']:>4}  {row['state']:<10} {row['kind']:<10} {row['title']}")


@ballot.command("scrutineers")
@click.argument("ballot_id", type=ROW_ID)
@click.argument("usernames", nargs=-1, required=True)
@click.option("--chief", help="The 总监票人, one of USERNAMES (default: the first)")
@in_app
def scrutineers(ballot_id, usernames, chief):
    """Set the 监票人 of a draft ballot: accounts of role scrutineer, named by username.

    The first USERNAME is the chief scrutineer (总监票人) unless --chief names another.
    """
    target = get_ballot_or_404(ballot_id)
    users = []
    for name in usernames:
        user = db.session.scalar(db.select(User).filter_by(username=name))
        if user is None:
            raise InvalidRequest(f"no user named {name!r}")
        users.append(user)
    if chief is not None and chief not in usernames:
        raise InvalidRequest(f"--chief {chief!r} is not one of the scrutineers named")
    head = users[usernames.index(chief)] if chief is not None else users[0]
    set_scrutineers(target, users, head)
    db.session.commit()
    click.echo(f"ballot {target.id}: scrutineers {', '.join(usernames)} (chief: {head.username})")


@ballot.command("tokens")
@click.argument("ballot_id", type=ROW_ID)
@click.option("--count", type=click.IntRange(1, 10_000), required=True,
              help="How many one-time tokens (slips) to mint")
@click.option("--format", "kind", type=click.Choice(["html", "txt"]), default="html",
              show_default=True, help="html: A4 sheet of QR slips; txt: one voting URL a line")
@click.option("--out", type=click.Path(dir_okay=False, allow_dash=True), required=True,
              help="File to write, - for stdout; never overwritten (the only copy of the tokens)")
@click.option("--base", help="Public address in the voting URLs (default: PUBLIC_BASE_URL)")
@in_app
def tokens(ballot_id, count, kind, out, base):
    """Mint COUNT tokens for a draft ballot and write them, shuffled, to FILE.

    The database keeps only hashes: the file written here is the only copy of the tokens.
    """
    target = get_ballot_or_404(ballot_id)
    minted = mint_tokens(target, count)
    text = slips.slip_sheet(target, minted, base) if kind == "html" \
        else slips.url_list(minted, base)
    if out == "-":
        click.echo(text, nl=False)
        db.session.commit()
        return
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise click.ClickException(f"{out} exists: not overwritten, nothing minted") from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    try:
        db.session.commit()
    except Exception:
        os.unlink(out)  # tokens the database does not know would be worthless slips
        raise
    click.echo(f"ballot {target.id}: minted {count} tokens → {out}")


@ballot.command("void")
@click.argument("ballot_id", type=ROW_ID)
@click.argument("token_or_url")
@in_app
def void(ballot_id, token_or_url):
    """Void a slip that was not handed out (作废), by its token or voting URL."""
    target = get_ballot_or_404(ballot_id)
    void_token(target, token_or_url)
    db.session.commit()
    counts = token_counts(target)
    click.echo(f"ballot {target.id}: voided 1 token (minted {counts['minted']}, "
               f"voided {counts['voided']}, issued {counts['issued']})")


@ballot.command("open")
@click.argument("ballot_id", type=ROW_ID)
@in_app
def open_(ballot_id):
    """Start voting (draft → open): publishes the opening commitment."""
    target = get_ballot_or_404(ballot_id)
    open_ballot(target)
    db.session.commit()
    click.echo(f"ballot {target.id}: open")


@ballot.command("close")
@click.argument("ballot_id", type=ROW_ID)
@in_app
def close(ballot_id):
    """End voting (open → closed): records the roster and the deputies present."""
    target = get_ballot_or_404(ballot_id)
    close_ballot(target)
    db.session.commit()
    click.echo(f"ballot {target.id}: closed, {cast_count(target)} ballots cast")
