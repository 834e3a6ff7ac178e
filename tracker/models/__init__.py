"""All models, imported here so that Alembic and the app see every table."""

from tracker.models.application import Application, StageEventRecord
from tracker.models.candidate import SOURCES, Candidate, normalize_email
from tracker.models.catalog import Level, Requirement, RequirementVersion, Role, Specialty
from tracker.models.opening import Opening, OpeningStatus, PlanInterview, PlanStage
from tracker.models.user import AccessRole, User, UserRole

__all__ = [
    "SOURCES",
    "AccessRole",
    "Application",
    "Candidate",
    "Level",
    "Opening",
    "OpeningStatus",
    "PlanInterview",
    "PlanStage",
    "Requirement",
    "RequirementVersion",
    "Role",
    "Specialty",
    "StageEventRecord",
    "User",
    "UserRole",
    "normalize_email",
]
