"""Openings (requisitions) and their interview plans."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.catalog import Level, Role, Specialty
from tracker.models.types import UTCDateTime, utcnow
from tracker.models.user import User


class OpeningStatus(StrEnum):
    """Whether an opening is taking candidates."""

    OPEN = "open"
    ON_HOLD = "on_hold"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {"open": "Open", "on_hold": "On hold", "closed": "Closed"}[self.value]


class Opening(db.Model):
    """A requisition: a role at a level in a specialty, owned by a hiring manager."""

    __tablename__ = "openings"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'on_hold', 'closed')", name="known_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"))
    level_id: Mapped[int] = mapped_column(ForeignKey("levels.id"))
    specialty_id: Mapped[int | None] = mapped_column(ForeignKey("specialties.id"))
    hiring_manager_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    recruiter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=OpeningStatus.OPEN.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    role: Mapped[Role] = relationship()
    level: Mapped[Level] = relationship()
    specialty: Mapped[Specialty | None] = relationship()
    hiring_manager: Mapped[User] = relationship(foreign_keys=[hiring_manager_id])
    recruiter: Mapped[User] = relationship(foreign_keys=[recruiter_id])
    stages: Mapped[list[PlanStage]] = relationship(
        back_populates="opening", order_by="PlanStage.position", cascade="all, delete-orphan"
    )

    @property
    def status_label(self) -> str:
        return OpeningStatus(self.status).label


class PlanStage(db.Model):
    """One stage of an opening's interview plan."""

    __tablename__ = "plan_stages"
    __table_args__ = (
        UniqueConstraint("opening_id", "position"),
        UniqueConstraint("opening_id", "key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")

    opening: Mapped[Opening] = relationship(back_populates="stages")
    interviews: Mapped[list[PlanInterview]] = relationship(
        back_populates="stage", order_by="PlanInterview.position", cascade="all, delete-orphan"
    )


class PlanInterview(db.Model):
    """An interview a plan stage holds: its name, length and who conducts it."""

    __tablename__ = "plan_interviews"
    __table_args__ = (UniqueConstraint("stage_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("plan_stages.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    conducted_by: Mapped[str] = mapped_column(String(40))

    stage: Mapped[PlanStage] = relationship(back_populates="interviews")

    @property
    def conducted_by_label(self) -> str:
        return CONDUCTOR_LABELS.get(self.conducted_by, self.conducted_by)


CONDUCTOR_LABELS = {
    "recruiter": "Recruiter",
    "hiring_manager": "Hiring manager",
    "peer": "Peer",
    "director_or_ciso": "Director of Security or CISO (or both)",
}
