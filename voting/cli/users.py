import click

from voting.cli.app import in_app, read_password
from voting.extensions import db
from voting.models import ROLES
from voting.services.accounts import create_user, find_unit


@click.group()
def user():
    """Staff accounts."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--unit", help="承办单位 name, for --role unit")
@click.option("--display-name", default="", help="Name shown on pages (default: NAME)")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input")
@in_app
def add(name, role, unit, display_name, password_stdin):
    """Create a staff account."""
    password = read_password(password_stdin)
    account = create_user(name, role, password, display_name=display_name,
                          unit=find_unit(unit) if unit else None)
    db.session.commit()
    click.echo(f"created {account.role} {account.username}")
