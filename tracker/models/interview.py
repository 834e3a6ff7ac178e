"""Interviews: focus requirements of the plan, scheduled interviews and their history."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.application import Application
from tracker.models.catalog import Requirement
from tracker.models.opening import PlanInterview, PlanStage
from tracker.models.types import UTCDateTime, utcnow
from tracker.models.user import User


class PlanInterviewFocus(db.Model):
    """A requirement that one interview of the plan must assess."""

    __tablename__ = "plan_interview_focus"
    __table_args__ = (UniqueConstraint("plan_interview_id", "requirement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_interview_id: Mapped[int] = mapped_column(
        ForeignKey("plan_interviews.id", ondelete="CASCADE"), index=True
    )
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirements.id"), index=True)

    plan_interview: Mapped[PlanInterview] = relationship()
    requirement: Mapped[Requirement] = relationship()


class InterviewStatus:
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Interview(db.Model):
    """One interview of an application, scheduled from an interview of the plan."""

    __tablename__ = "interviews"
    __table_args__ = (
        CheckConstraint("status IN ('scheduled', 'cancelled')", name="known_status"),
        CheckConstraint("duration_minutes > 0", name="positive_duration"),
        Index("ix_interviews_application_stage", "application_id", "stage_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("plan_stages.id"))
    plan_interview_id: Mapped[int] = mapped_column(ForeignKey("plan_interviews.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    video_url: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(20), default=InterviewStatus.SCHEDULED)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    application: Mapped[Application] = relationship()
    stage: Mapped[PlanStage] = relationship()
    plan_interview: Mapped[PlanInterview] = relationship()
    assignments: Mapped[list[InterviewAssignment]] = relationship(
        back_populates="interview", cascade="all, delete-orphan", order_by="InterviewAssignment.id"
    )
    changes: Mapped[list[InterviewChange]] = relationship(
        back_populates="interview", order_by="InterviewChange.id"
    )

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def interviewer_ids(self) -> list[int]:
        return [a.user_id for a in self.assignments]


class InterviewAssignment(db.Model):
    """An interviewer assigned to an interview."""

    __tablename__ = "interview_assignments"
    __table_args__ = (
        UniqueConstraint("interview_id", "user_id"),
        # A person's interviews (My interviews, the feedback they owe), read from the index
        # alone (migration 0005).
        Index("ix_interview_assignments_user_interview", "user_id", "interview_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    interview: Mapped[Interview] = relationship(back_populates="assignments")
    user: Mapped[User] = relationship()


class InterviewChange(db.Model):
    """Scheduling history: scheduled, rescheduled or cancelled, by whom and why."""

    __tablename__ = "interview_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(String(20))  # scheduled | rescheduled | cancelled
    reason: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    previous_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    interviewers: Mapped[str] = mapped_column(Text, default="")  # names at the time

    interview: Mapped[Interview] = relationship(back_populates="changes")
    actor: Mapped[User] = relationship()
