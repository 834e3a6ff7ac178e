"""Applications and their append-only stage history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, event, text
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column, relationship

from tracker.extensions import db
from tracker.models.candidate import Candidate
from tracker.models.opening import Opening, PlanStage
from tracker.models.types import UTCDateTime, utcnow
from tracker.models.user import User

_STATUSES = "('active', 'rejected', 'withdrawn', 'hired')"


class Application(db.Model):
    """A candidate for an opening; at most one active per candidate and opening."""

    __tablename__ = "applications"
    __table_args__ = (
        CheckConstraint(f"status IN {_STATUSES}", name="known_status"),
        Index(
            "uq_applications_active_candidate_opening",
            "candidate_id",
            "opening_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        # A board column and the rest of a stage, most recently moved first; the board's
        # counts per stage and status read it alone (migration 0005).
        Index("ix_applications_board", "opening_id", "status", "stage_id", "updated_at", "id"),
        # An opening's applications of one status over all stages (the closed ones).
        Index("ix_applications_opening_status_moved", "opening_id", "status", "updated_at", "id"),
        # Reports: the applications of some openings that arrived in a date range.
        Index("ix_applications_opening_created", "opening_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("plan_stages.id"))
    status: Mapped[str] = mapped_column(String(20), default="active")
    rejection_reason: Mapped[str | None] = mapped_column(String(40))
    withdrawn_by: Mapped[str | None] = mapped_column(String(20))
    # Indexed alone for reports over every opening (an admin's) in a date range.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Optimistic lock: every UPDATE says `WHERE version = <the one read>` and bumps it, so
    # of two simultaneous changes exactly one applies; the other finds no row to update.
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    candidate: Mapped[Candidate] = relationship(back_populates="applications")
    opening: Mapped[Opening] = relationship()
    stage: Mapped[PlanStage] = relationship()
    events: Mapped[list[StageEventRecord]] = relationship(
        back_populates="application", order_by="StageEventRecord.id"
    )


class StageEventRecord(db.Model):
    """One move of an application: who, when, from where, to where, why. Never changed."""

    __tablename__ = "stage_events"
    __table_args__ = (
        # An application's history in order: the candidate page, and the reports' stays
        # (each move and the one after it, per application), read without a sort.
        Index("ix_stage_events_application_at", "application_id", "at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    move: Mapped[str] = mapped_column(String(20))
    from_stage_id: Mapped[int | None] = mapped_column(ForeignKey("plan_stages.id"))
    to_stage_id: Mapped[int] = mapped_column(ForeignKey("plan_stages.id"))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(40))
    withdrawn_by: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    override_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    application: Mapped[Application] = relationship(back_populates="events")
    actor: Mapped[User] = relationship()
    from_stage: Mapped[PlanStage | None] = relationship(foreign_keys=[from_stage_id])
    to_stage: Mapped[PlanStage] = relationship(foreign_keys=[to_stage_id])


@event.listens_for(Session, "before_flush")
def _stage_history_is_append_only(session: Session, _ctx: object, _instances: object) -> None:
    """Refuse to change or delete a recorded move: the history is evidence."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, StageEventRecord) and (
            obj in session.deleted or session.is_modified(obj, include_collections=False)
        ):
            raise PermissionError("The stage history is append-only.")


@event.listens_for(Session, "do_orm_execute")
def _no_bulk_history_changes(state: ORMExecuteState) -> None:
    """The same rule for UPDATE/DELETE statements run through the session, which skip flush."""
    if (state.is_update or state.is_delete) and any(
        m.class_ is StageEventRecord for m in state.all_mappers
    ):
        raise PermissionError("The stage history is append-only.")
