"""scorecard version, for optimistic locking of concurrent saves

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 17:30:00

Every UPDATE of a scorecard checks and bumps `version`: a draft save that read the card
before a submit committed is refused (and retried against the submitted card) instead of
overwriting it. Existing rows start at 1.
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("scorecards", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("scorecards", schema=None) as batch_op:
        batch_op.drop_column("version")
