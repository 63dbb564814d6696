import click

from voting.cli.app import in_app


@click.command()
@click.option("--if-empty", is_flag=True,
              help="Load only into an empty database; otherwise say so and exit 0")
@in_app
def demo(if_empty):
    """Load the demo jurisdiction (青川县) and print the demo accounts."""
    from voting.demo import account_lines, demo_loaded, load_demo
    from voting.extensions import db
    from voting.models import Jurisdiction

    if demo_loaded():
        if not if_empty:
            raise click.ClickException(
                "演示数据（青川县）已经载入，本次未作任何改动；如需重新载入，请先清空数据库。"
                " (The demo data is already loaded; nothing was changed.)")
        click.echo("演示数据已经载入，未作改动。 (Demo data already loaded.)")
        for line in account_lines():
            click.echo(line)
        return
    if if_empty and db.session.scalar(db.select(Jurisdiction.id).limit(1)) is not None:
        # A real deployment: never mix demo rows and public demo passwords into its data.
        click.echo("数据库中已有数据，未载入演示数据。 (Database not empty; demo not loaded.)")
        return
    for line in load_demo():
        click.echo(line)
