"""ballot.instance_public_key for ballots opened before it was recorded

Revision ID: a2d1c0de0004
Revises: a2d1c0de0003
Create Date: 2026-11-23 19:05:00

Revision a2d1c0de0003 left NULL the opening key of every ballot opened before it, and those were
exported with whatever the instance key is at export time: after a key change their exports
would no longer verify. Here each such ballot gets the instance's current key, but only if its
opening commitment verifies with that key; a ballot opened under an earlier key keeps NULL
rather than a wrong key. No schema change; without an app (the instance folder and its key),
nothing is filled in.
"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a2d1c0de0004'
down_revision = 'a2d1c0de0003'
branch_labels = None
depends_on = None

BALLOT = sa.table("ballot", sa.column("id"), sa.column("commitment"),
                  sa.column("commitment_signature"), sa.column("instance_public_key"))


def upgrade():
    from voting.domain import counting

    key = _current_instance_key()
    if key is None:
        return
    bind = op.get_bind()
    unknown = bind.execute(
        sa.select(BALLOT.c.id, BALLOT.c.commitment, BALLOT.c.commitment_signature)
        .where(BALLOT.c.instance_public_key.is_(None), BALLOT.c.commitment.is_not(None))).all()
    for ballot_id, commitment, signature in unknown:
        if counting.verify_commitment_signature(key, json.loads(commitment), signature):
            bind.execute(BALLOT.update().where(BALLOT.c.id == ballot_id)
                         .values(instance_public_key=key))


def downgrade():
    pass  # the keys filled in are true; a2d1c0de0003's downgrade drops the column


def _current_instance_key():
    from flask import current_app

    from voting.domain import counting
    from voting.instance import load_signing_key

    try:
        return counting.public_key_hex(load_signing_key(current_app.instance_path))
    except (RuntimeError, OSError, ValueError):  # no app context, no key file, not a key
        return None
