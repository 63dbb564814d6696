"""The real migrations build, on PostgreSQL, the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from voting.extensions import db


def test_runs_on_postgresql(app):
    assert db.engine.dialect.name == "postgresql"
    assert db.engine.driver == "psycopg"
    assert db.session.execute(db.text("SELECT current_database()")).scalar().startswith("t_")


def test_migrations_create_every_table(app):
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert tables - set(db.metadata.tables) == {"alembic_version"}


def test_migrated_schema_matches_the_models(app):
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []


def test_secret_tables_have_their_random_keys(app):
    inspector = inspect(db.engine)
    keys = {name: inspector.get_pk_constraint(name)["constrained_columns"]
            for name in ("token", "cast_ballot", "receipt")}
    assert keys == {"token": ["ballot_id", "hash"], "cast_ballot": ["ballot_id", "id"],
                    "receipt": ["ballot_id", "code"]}
