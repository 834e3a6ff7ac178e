"""The role catalog: roles, their levels and specialties, and versioned requirements."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.types import UTCDateTime, utcnow


class Role(db.Model):
    """A job family from the documents, such as Security Engineer."""

    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(200), default="")

    levels: Mapped[list[Level]] = relationship(
        back_populates="role", order_by="Level.rank", cascade="all, delete-orphan"
    )
    specialties: Mapped[list[Specialty]] = relationship(
        back_populates="role", order_by="Specialty.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Role {self.key}>"


class Level(db.Model):
    """A level of a role; each level is a progression of the one ranked below it."""

    __tablename__ = "levels"
    __table_args__ = (UniqueConstraint("role_id", "key"), UniqueConstraint("role_id", "rank"))

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"))
    key: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    grade: Mapped[int] = mapped_column(Integer)
    rank: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")

    role: Mapped[Role] = relationship(back_populates="levels")


class Specialty(db.Model):
    """A specialty of a role, such as SIRT."""

    __tablename__ = "specialties"
    __table_args__ = (UniqueConstraint("role_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"))
    key: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    role: Mapped[Role] = relationship(back_populates="specialties")


class Requirement(db.Model):
    """One bullet of a document: a stable key, its place, and its current text and version.

    Belongs to the role as a whole (shared), to one level, or to one specialty.
    """

    __tablename__ = "requirements"
    __table_args__ = (
        CheckConstraint(
            "NOT (level_id IS NOT NULL AND specialty_id IS NOT NULL)", name="one_scope"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"), index=True)
    level_id: Mapped[int | None] = mapped_column(ForeignKey("levels.id"), index=True)
    specialty_id: Mapped[int | None] = mapped_column(ForeignKey("specialties.id"), index=True)
    category: Mapped[str] = mapped_column(String(40))
    section: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    versions: Mapped[list[RequirementVersion]] = relationship(
        back_populates="requirement", order_by="RequirementVersion.version"
    )
    level: Mapped[Level | None] = relationship()
    specialty: Mapped[Specialty | None] = relationship()


class RequirementVersion(db.Model):
    """A requirement's text as it stood; scores point here so old text is kept."""

    __tablename__ = "requirement_versions"
    __table_args__ = (UniqueConstraint("requirement_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirements.id"))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    requirement: Mapped[Requirement] = relationship(back_populates="versions")
