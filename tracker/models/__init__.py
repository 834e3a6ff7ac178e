"""All models, imported here so that Alembic and the app see every table."""

from tracker.models.application import Application, StageEventRecord
from tracker.models.audit import AuditEvent
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
from tracker.models.resume import Resume
from tracker.models.scorecard import Decision, Rating, Scorecard, ScorecardRevision
from tracker.models.security import PasswordReset, RecoveryCode, UserSession
from tracker.models.user import AccessRole, User, UserRole

__all__ = [
    "SOURCES",
    "AccessRole",
    "Application",
    "AuditEvent",
    "Candidate",
    "Decision",
    "Interview",
    "InterviewAssignment",
    "InterviewChange",
    "InterviewStatus",
    "Level",
    "Opening",
    "OpeningStatus",
    "PasswordReset",
    "PlanInterview",
    "PlanInterviewFocus",
    "PlanStage",
    "Rating",
    "RecoveryCode",
    "Requirement",
    "RequirementVersion",
    "Resume",
    "Role",
    "Scorecard",
    "ScorecardRevision",
    "Specialty",
    "StageEventRecord",
    "User",
    "UserRole",
    "UserSession",
    "normalize_email",
]
