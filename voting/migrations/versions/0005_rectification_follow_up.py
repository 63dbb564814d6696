"""project.rectification_progress and project.rectified_on: following 整改 to its end

Revision ID: a2d1c0de0005
Revises: a2d1c0de0004
Create Date: 2026-11-23 18:00:00

A rectification (整改) ordered by an evaluation had no end: nothing cleared the flag, and its
reports moved the project's own progress figure. The unit now reports the rectification's own
cumulative percent (`rectification_progress`), and a clerk confirms it complete on a day
(`rectified_on`), which ends the rectification. Existing rows: 0 and NULL (still under way).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a2d1c0de0005'
down_revision = 'a2d1c0de0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('project') as batch_op:
        batch_op.add_column(sa.Column('rectification_progress', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('rectified_on', sa.Date(), nullable=True))


def downgrade():
    # ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35), not a copy of the table: rows of other tables
    # point at project, and SQLite's foreign keys refuse to drop it for the copy.
    with op.batch_alter_table('project', recreate='never') as batch_op:
        batch_op.drop_column('rectified_on')
        batch_op.drop_column('rectification_progress')
