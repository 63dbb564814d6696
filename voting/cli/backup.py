"""`voting backup FILE` and `voting restore FILE`: online, consistent copies of the database."""

import click


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
def backup(file):
    """Write a consistent copy of the database to FILE while the server keeps running."""
    raise click.ClickException("not built yet")


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def restore(file):
    """Replace the database with the copy in FILE."""
    raise click.ClickException("not built yet")
