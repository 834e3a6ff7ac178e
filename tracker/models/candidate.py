"""Candidates: the people who apply."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.types import UTCDateTime, utcnow

SOURCES: dict[str, str] = {
    "careers_page": "Careers page",
    "referral": "Referral",
    "sourced": "Sourced by recruiter",
    "job_board": "Job board",
    "agency": "Agency",
    "event": "Event or conference",
    "other": "Other",
}


class Candidate(db.Model):
    """A person who applies; unique by email, compared without regard to case."""

    __tablename__ = "candidates"
    # The candidate list, newest first, a page at a time (migration 0005).
    __table_args__ = (Index("ix_candidates_created", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    email_normalized: Mapped[str] = mapped_column(String(254), unique=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    links: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(40), default="other")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    applications: Mapped[list[Application]] = relationship(  # noqa: F821
        back_populates="candidate", order_by="Application.created_at"
    )

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]

    @property
    def source_label(self) -> str:
        return SOURCES.get(self.source, self.source)


def normalize_email(email: str) -> str:
    """The form of an email address that uniqueness is checked on."""
    return email.strip().lower()
