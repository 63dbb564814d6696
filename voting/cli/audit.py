"""`voting audit …`: the hash-chained log of back-office actions."""

import click


@click.group()
def audit():
    """The audit log of back-office actions."""
