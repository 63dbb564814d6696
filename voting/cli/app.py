"""Running a CLI command inside the app, with errors mapped to one line and an exit code."""

import functools
import sys

import click

from voting.errors import VotingError


def in_app(fn):
    """Run `fn` in an app context; a VotingError becomes `Error: …` on stderr and exit 1."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from voting import create_app
        from voting.cli.audit import note_command
        from voting.extensions import db

        try:
            app = create_app()
        except RuntimeError as error:
            raise click.ClickException(str(error)) from None
        with app.app_context(), app.test_request_context():
            note_command()  # the audit entry, written if the command commits
            try:
                return fn(*args, **kwargs)
            except VotingError as error:
                db.session.rollback()
                raise click.ClickException(str(error.message)) from None

    return wrapper


def read_password(stdin_flag: bool) -> str:
    """The password from stdin (first line) or an interactive prompt."""
    if stdin_flag:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True)
