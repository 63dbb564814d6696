"""Helpers for the clerk commands: run one, read a refusal, compare the database before/after."""

import pytest

from voting.extensions import db


@pytest.fixture
def run(runner):
    """run("proposal", "list", input=None) → click's Result.

    The test's rows are committed first so that the command sees them; afterwards the test's
    session starts afresh so that it reads what the command wrote.
    """

    def invoke(*args, input=None):
        db.session.commit()
        result = runner.invoke([str(a) for a in args], input=input)
        db.session.commit()
        db.session.expire_all()
        return result

    return invoke


def refused(result) -> str:
    """The one line a refusal prints on stderr (without "Error: "); nothing on stdout."""
    assert result.exit_code != 0, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert result.stdout == ""
    return lines[0].removeprefix("Error: ")


def database_rows() -> dict[str, list]:
    """Every row of every table (the audit log too), to show that a refusal changed nothing."""
    db.session.commit()
    return {table.name: sorted((tuple(row) for row in db.session.execute(table.select())),
                               key=repr)
            for table in db.metadata.sorted_tables}
