"""The audit trail: append-only and hash-chained (see tracker.services.audit)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text, event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from tracker.extensions import db
from tracker.models.types import UTCDateTime, utcnow


class AuditEvent(db.Model):
    """One entry. `hash` is SHA-256 over the entry's content and `prev_hash`, the hash of
    the entry before it, so changing or removing any entry breaks the chain after it.
    Database triggers refuse UPDATE and DELETE on this table."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_object", "object_type", "object_id"),
        Index("ix_audit_events_actor_at", "actor_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # Who: kept as plain values, not a foreign key, so the entry outlives any account change.
    actor_id: Mapped[int | None] = mapped_column()
    actor_email: Mapped[str | None] = mapped_column(String(254))
    ip: Mapped[str | None] = mapped_column(String(45))
    action: Mapped[str] = mapped_column(String(40), index=True)
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str | None] = mapped_column(String(64))
    # Canonical JSON (sorted keys): before/after for changes, or what was viewed.
    details: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


@event.listens_for(Session, "before_flush")
def _trail_is_append_only(session: Session, _ctx: object, _instances: object) -> None:
    """Entries are added only by tracker.services.audit (which chains them), never changed
    or removed through the ORM; the database's triggers refuse the rest."""
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (
            obj in session.new
            or obj in session.deleted
            or session.is_modified(obj, include_collections=False)
        ):
            raise PermissionError("The audit trail is append-only.")


@event.listens_for(Session, "do_orm_execute")
def _no_bulk_trail_changes(state: ORMExecuteState) -> None:
    """The same rule for ORM INSERT/UPDATE/DELETE statements, which skip the flush."""
    if (state.is_update or state.is_delete or state.is_insert) and any(
        m.class_ is AuditEvent for m in state.all_mappers
    ):
        raise PermissionError("The audit trail is append-only.")
