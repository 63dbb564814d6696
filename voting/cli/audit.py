"""`voting audit …`: the hash-chained log of back-office actions; and the entry every command
that changes something leaves in it (`note_command`, called by `in_app`)."""

import getpass
import json
import os
import sys

import click
from flask import g

from voting.cli.app import in_app
from voting.extensions import db
from voting.services import audit as audit_log


@click.group()
def audit():
    """The audit log of back-office actions."""


@audit.command("verify")
@click.option("--expect-head", metavar="HASH",
              help="A head hash noted earlier: it must still be in the chain")
@in_app
def verify(expect_head):
    """Recompute every entry's hash and link: exit 0 and VALID, else 1 and the first break.

    The chain finds a changed entry and one deleted from the middle; the witness file
    (instance/audit-head, the newest head written) finds entries deleted from the end. A chain
    rewritten from scratch together with its witness is found only against a head hash noted
    earlier (--expect-head): note the printed head from time to time (minutes of the sitting).
    """
    check = audit_log.verify_log(expect_head.strip().lower() if expect_head else None)
    if check.ok:
        click.echo(f"VALID {check.count} entries, head {check.head_hash}")
        if check.count:
            click.echo(f"(head is entry #{check.head_id}, as the witness file says; note its "
                       "hash: --expect-head HASH checks against it later)")
        return
    click.echo(f"INVALID: {_problem(check, expect_head)}", err=True)
    click.echo(f"{check.count} entries before it are intact (last good head "
               f"#{check.head_id} {check.head_hash})", err=True)
    sys.exit(1)


@audit.command("list")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True,
              help="How many entries, newest first")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output")
@in_app
def list_entries(limit, as_json):
    """The newest entries, newest first."""
    rows = db.session.scalars(audit_log.entries_query().limit(limit)).all()
    if as_json:
        click.echo(json.dumps([
            {"id": e.id, "at": e.at.isoformat(timespec="seconds"), "actor": e.actor,
             "role": e.role, "action": e.action, "target": e.target,
             "details": audit_log.parsed_details(e), "prev_hash": e.prev_hash, "hash": e.hash}
            for e in rows], ensure_ascii=False))
        return
    for e in rows:
        click.echo(f"{e.id:>6}  {e.at:%Y-%m-%d %H:%M:%S}  {e.actor or '-':<16} "
                   f"{e.action:<28} {e.target}  {e.details}")


def _problem(check, expect_head) -> str:
    if check.problem == "missing":
        return (f"entries #{check.missing_from}–#{check.broken_at - 1} are missing "
                f"(ids jump to #{check.broken_at}): deleted")
    if check.problem == "changed":
        return f"entry #{check.broken_at} was changed (its hash does not match its content)"
    if check.problem == "relinked":
        return (f"entry #{check.broken_at} does not follow entry #{check.broken_at - 1} "
                "(prev_hash differs): an entry was changed, removed or inserted")
    if check.problem == "cut_back" and check.witness_id < 0:
        return ("the witness file (audit-head) cannot be read: it was changed, or this user "
                "may not read it (run as the server's user)")
    if check.problem == "cut_back":
        return (f"the witness file names entry #{check.witness_id}, which the chain does not "
                f"hold: entries from #{check.head_id + 1} on were deleted, or the log rewritten")
    if check.problem == "no_witness":
        return ("the witness file (audit-head) is missing: it was deleted, or this instance "
                "predates it (then `voting init` starts it)")
    return (f"no entry has the head hash {expect_head}: the log was cut back or rewritten "
            "after that head was noted")


# ---------------------------------------------------------------- every command's entry


def note_command() -> None:
    """Open the audit entry of the running command (`cli.ballot.open`, actor `cli:<os user>`),
    written if the command commits. Parameters that could hold a secret are left out."""
    command = click.get_current_context(silent=True)
    if command is None:
        return
    names, ctx = [], command
    while ctx.parent is not None:  # the root's name is the program's, not the command's
        names.append(ctx.info_name)
        ctx = ctx.parent
    params = {k: v for k, v in command.params.items()
              if v is not None and v is not False and v != ()}
    ids = {k: params.pop(k) for k in list(params) if k.endswith("_id")}
    g.audit_actor = f"cli:{_os_user()}"  # also for record() calls while the command runs
    audit_log.begin_action("cli." + ".".join(reversed(names)), audit_log.target_of(ids),
                           actor=(g.audit_actor, "cli"), **params)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        return str(os.getuid())
