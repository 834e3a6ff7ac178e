"""application version, for optimistic locking of concurrent moves

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 16:00:00

Every UPDATE of an application checks and bumps `version`, so of two people moving the
same application at the same moment exactly one succeeds. Existing rows start at 1.
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_column("version")
