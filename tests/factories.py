"""Builders for test data that go through the real services."""

from __future__ import annotations

from datetime import datetime, timedelta

import pyotp
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import (
    Application,
    Interview,
    InterviewAssignment,
    Level,
    Opening,
    PlanInterview,
    PlanStage,
    Role,
    Specialty,
    User,
)
from tracker.models.types import utcnow
from tracker.services import candidates, openings, users

PASSWORD = "correct horse battery staple"


def make_user(email: str, name: str, roles: list[str], *, totp: bool | None = None) -> User:
    """A user; admins get TOTP (it is mandatory for them) unless `totp=False`."""
    user = users.create_user(email, name, PASSWORD, roles)
    if totp if totp is not None else "admin" in roles:
        enrol_totp(user)
    return user


def enrol_totp(user: User) -> User:
    """TOTP on, as if set up through the pages (which tests/web/test_two_factor.py tests)."""
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled_at = utcnow()
    db.session.commit()
    return user


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


def move_to_stage(application: Application, stage_key: str) -> Application:
    """Put an application straight into a stage (test set-up, not a recorded move)."""
    stage = db.session.scalar(
        select(PlanStage).where(
            PlanStage.opening_id == application.opening_id, PlanStage.key == stage_key
        )
    )
    application.stage = stage
    db.session.commit()
    return application


def make_interview(
    application: Application,
    interviewers: list[User],
    plan_interview_name: str | None = None,
    starts_at: datetime | None = None,
    stage_key: str | None = None,
) -> Interview:
    """A scheduled interview of the application's stage (or `stage_key`), written directly
    so tests of scorecards and reviews do not depend on the scheduling pages."""
    stage_key = stage_key or application.stage.key
    stage = db.session.scalar(
        select(PlanStage).where(
            PlanStage.opening_id == application.opening_id, PlanStage.key == stage_key
        )
    )
    query = select(PlanInterview).where(PlanInterview.stage_id == stage.id)
    if plan_interview_name:
        query = query.where(PlanInterview.name == plan_interview_name)
    plan_interview = db.session.scalars(query.order_by(PlanInterview.position)).first()
    interview = Interview(
        application=application,
        stage=stage,
        plan_interview=plan_interview,
        starts_at=starts_at or utcnow() - timedelta(hours=2),
        duration_minutes=plan_interview.duration_minutes,
        video_url="https://meet.example/room",
    )
    interview.assignments = [InterviewAssignment(user_id=u.id) for u in interviewers]
    db.session.add(interview)
    db.session.commit()
    return interview
