"""indexes for the listed pages and long lists at a large company's scale

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 17:00:00

What each index serves (checked with EXPLAIN QUERY PLAN on SQLite and EXPLAIN on
PostgreSQL):

- applications (opening_id, status, stage_id, updated_at, id) replaces (opening_id,
  status, stage_id): a board column's first cards and the rest of a stage, a page at a
  time, read in order; the board's counts per stage and status from the index alone.
- applications (opening_id, status, updated_at, id): an opening's applications of one
  status over all its stages (the closed ones), a page at a time.
- applications (opening_id, created_at) and (created_at): reports over some openings, or
  all of them, in a date range on when applications arrived (the default window).
- stage_events (application_id, at, id) replaces (application_id): an application's
  history in order, for the candidate page and the reports' time in each stage.
- candidates (created_at, id): the candidate list, newest first, a page at a time.
- interview_assignments (user_id, interview_id) replaces (user_id): a person's interviews
  (My interviews, the feedback they owe) without reading the table.
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_index("ix_applications_opening_status_stage")
        batch_op.create_index(
            "ix_applications_board",
            ["opening_id", "status", "stage_id", "updated_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_applications_opening_status_moved",
            ["opening_id", "status", "updated_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_applications_opening_created", ["opening_id", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_applications_created_at"), ["created_at"], unique=False
        )

    with op.batch_alter_table("stage_events", schema=None) as batch_op:
        batch_op.drop_index("ix_stage_events_application_id")
        batch_op.create_index(
            "ix_stage_events_application_at", ["application_id", "at", "id"], unique=False
        )

    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.create_index("ix_candidates_created", ["created_at", "id"], unique=False)

    with op.batch_alter_table("interview_assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_interview_assignments_user_id")
        batch_op.create_index(
            "ix_interview_assignments_user_interview", ["user_id", "interview_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("interview_assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_interview_assignments_user_interview")
        batch_op.create_index("ix_interview_assignments_user_id", ["user_id"], unique=False)

    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_index("ix_candidates_created")

    with op.batch_alter_table("stage_events", schema=None) as batch_op:
        batch_op.drop_index("ix_stage_events_application_at")
        batch_op.create_index(
            "ix_stage_events_application_id", ["application_id"], unique=False
        )

    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_applications_created_at"))
        batch_op.drop_index("ix_applications_opening_created")
        batch_op.drop_index("ix_applications_opening_status_moved")
        batch_op.drop_index("ix_applications_board")
        batch_op.create_index(
            "ix_applications_opening_status_stage",
            ["opening_id", "status", "stage_id"],
            unique=False,
        )
