"""Scorecards: one per interviewer per interview, rated requirement by requirement."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.catalog import Requirement, RequirementVersion
from tracker.models.interview import Interview
from tracker.models.types import UTCDateTime, utcnow
from tracker.models.user import User

_RATINGS = "('strong_no', 'no', 'yes', 'strong_yes', 'not_assessed')"
_RECOMMENDATIONS = "('definitely_not', 'no', 'yes', 'strong_yes')"


class Scorecard(db.Model):
    """An interviewer's feedback on one interview: a draft until submitted, then locked."""

    __tablename__ = "scorecards"
    __table_args__ = (
        UniqueConstraint("interview_id", "author_id"),
        CheckConstraint("status IN ('draft', 'submitted')", name="known_status"),
        CheckConstraint(
            f"recommendation IS NULL OR recommendation IN {_RECOMMENDATIONS}",
            name="known_recommendation",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    recommendation: Mapped[str | None] = mapped_column(String(20))
    key_takeaways: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revision: Mapped[int] = mapped_column(Integer, default=0)
    # Optimistic lock, as on applications: a draft save that read the card before a
    # submit committed finds no row to update instead of overwriting the submitted card.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    interview: Mapped[Interview] = relationship()
    author: Mapped[User] = relationship()
    ratings: Mapped[list[Rating]] = relationship(
        back_populates="scorecard", cascade="all, delete-orphan", order_by="Rating.id"
    )
    revisions: Mapped[list[ScorecardRevision]] = relationship(
        back_populates="scorecard", order_by="ScorecardRevision.revision"
    )


class Rating(db.Model):
    """One requirement's rating and evidence, against the text version shown."""

    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("scorecard_id", "requirement_id"),
        CheckConstraint(f"rating IS NULL OR rating IN {_RATINGS}", name="known_rating"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id", ondelete="CASCADE"))
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirements.id"), index=True)
    requirement_version_id: Mapped[int] = mapped_column(ForeignKey("requirement_versions.id"))
    rating: Mapped[str | None] = mapped_column(String(20))
    evidence: Mapped[str] = mapped_column(Text, default="")

    scorecard: Mapped[Scorecard] = relationship(back_populates="ratings")
    requirement: Mapped[Requirement] = relationship()
    requirement_version: Mapped[RequirementVersion] = relationship()


class ScorecardRevision(db.Model):
    """A submitted state of a scorecard: the original (1) and every amendment after it."""

    __tablename__ = "scorecard_revisions"
    __table_args__ = (UniqueConstraint("scorecard_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")  # empty for the original
    content: Mapped[dict] = mapped_column(JSON)  # recommendation, takeaways, ratings

    scorecard: Mapped[Scorecard] = relationship(back_populates="revisions")
    author: Mapped[User] = relationship()


class Decision(db.Model):
    """The hiring manager's decision, with the evidence it was made on."""

    __tablename__ = "decisions"
    __table_args__ = (
        CheckConstraint("outcome IN ('advance', 'reject', 'offer')", name="known_outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    outcome: Mapped[str] = mapped_column(String(20))
    rejection_reason: Mapped[str | None] = mapped_column(String(40))
    rationale: Mapped[str] = mapped_column(Text)
    against_aggregate: Mapped[bool] = mapped_column(default=False)
    coverage_override: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[dict] = mapped_column(JSON)  # snapshot of the review it was made on

    decided_by: Mapped[User] = relationship()
