"""All models, imported here so that Alembic and the app see every table."""

from tracker.models.application import Application, StageEventRecord
from tracker.models.candidate import SOURCES, Candidate, normalize_email
from tracker.models.catalog import Level, Requirement, RequirementVersion, Role, Specialty
from tracker.models.interview import (
    Interview,
    InterviewAssignment,
    InterviewChange,
    InterviewStatus,
    PlanInterviewFocus,
)
from tracker.models.opening import Opening, OpeningStatus, PlanInterview, PlanStage
from tracker.models.scorecard import Decision, Rating, Scorecard, ScorecardRevision
from tracker.models.user import AccessRole, User, UserRole

__all__ = [
    "SOURCES",
    "AccessRole",
    "Application",
    "Candidate",
    "Decision",
    "Interview",
    "InterviewAssignment",
    "InterviewChange",
    "InterviewStatus",
    "Level",
    "Opening",
    "OpeningStatus",
    "PlanInterview",
    "PlanInterviewFocus",
    "PlanStage",
    "Rating",
    "Requirement",
    "RequirementVersion",
    "Role",
    "Scorecard",
    "ScorecardRevision",
    "Specialty",
    "StageEventRecord",
    "User",
    "UserRole",
    "normalize_email",
]
