"""Builders for test data that go through the real services."""

from __future__ import annotations

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Level, Opening, Role, Specialty, User
from tracker.services import candidates, openings, users

PASSWORD = "correct horse battery staple"


def make_user(email: str, name: str, roles: list[str]) -> User:
    return users.create_user(email, name, PASSWORD, roles)


def catalog_ids(
    role: str = "security-engineer", level: str = "staff", specialty: str | None = "sirt"
) -> tuple[int, int, int | None]:
    role_row = db.session.scalar(select(Role).where(Role.key == role))
    level_row = db.session.scalar(
        select(Level).where(Level.role_id == role_row.id, Level.key == level)
    )
    specialty_id = None
    if specialty:
        specialty_id = db.session.scalar(
            select(Specialty.id).where(Specialty.role_id == role_row.id, Specialty.key == specialty)
        )
    return role_row.id, level_row.id, specialty_id


def make_opening(
    hm: User,
    recruiter: User,
    title: str = "Staff Security Engineer, SIRT",
    role: str = "security-engineer",
    level: str = "staff",
    specialty: str | None = "sirt",
) -> Opening:
    role_id, level_id, specialty_id = catalog_ids(role, level, specialty)
    return openings.create_opening(
        openings.OpeningInput(
            title=title,
            role_id=role_id,
            level_id=level_id,
            specialty_id=specialty_id,
            hiring_manager_id=hm.id,
            recruiter_id=recruiter.id,
        )
    )


_counter = iter(range(1, 1_000_000))


def make_application(
    opening: Opening, actor: User, name: str = "Zoë Núñez", email: str | None = None
):
    email = email or f"candidate{next(_counter)}@cand.example"
    return candidates.add_to_opening(
        opening, candidates.CandidateInput(name=name, email=email, source="referral"), actor
    )
