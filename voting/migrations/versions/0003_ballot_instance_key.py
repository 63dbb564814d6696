"""ballot.instance_public_key: the instance key a ballot was opened with

Revision ID: a2d1c0de0003
Revises: a2d1c0de0002
Create Date: 2026-11-23 15:20:00

An export names the instance public key that signed the ballot's tokens and commitment. Taking
it from the instance folder made the export of an earlier ballot fail verification once the
instance key had been changed; from now on the key is recorded when the ballot opens. Ballots
opened before this revision keep NULL and are exported with the instance's current key, as
before.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a2d1c0de0003'
down_revision = 'a2d1c0de0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ballot') as batch_op:
        batch_op.add_column(sa.Column('instance_public_key', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('ballot') as batch_op:
        batch_op.drop_column('instance_public_key')
