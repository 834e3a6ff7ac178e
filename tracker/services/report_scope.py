"""What a report covers: the openings the viewer may see, narrowed by the filters.

Every report query starts from a Scope, so the access rule (deny unless granted) and
independent judgement (no one else's feedback while you still owe your own) are applied
the same way in every report and every CSV.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, select, true
from sqlalchemy.orm import aliased

from tracker.domain import policy
from tracker.extensions import db
from tracker.models import (
    Application,
    Interview,
    InterviewAssignment,
    Level,
    Opening,
    Role,
    Scorecard,
    Specialty,
    User,
)
from tracker.models.types import utcnow
from tracker.services.independence import feedback_owed
from tracker.services.openings import opening_visibility
from tracker.services.report_sql import in_window


@dataclass(frozen=True)
class ReportFilter:
    """What the viewer narrowed the report to; None means any. The dates are aware
    datetimes at the viewer's midnights (since inclusive, until exclusive)."""

    opening_id: int | None = None
    role_id: int | None = None
    level_id: int | None = None
    specialty_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None

    def as_details(self) -> dict[str, Any]:
        """For the audit trail: what an export covered."""
        return {
            k: (v.isoformat() if isinstance(v, datetime) else v)
            for k, v in self.__dict__.items()
            if v is not None
        }


@dataclass(frozen=True)
class FilterOption:
    """An opening the viewer may filter by, with its place in the catalog."""

    opening_id: int
    title: str
    role_id: int
    role: str
    level_id: int
    level: str
    specialty_id: int | None
    specialty: str | None


@dataclass
class Scope:
    """One report request: who asks, what they narrowed it to, and when."""

    viewer: User
    filters: ReportFilter = field(default_factory=ReportFilter)
    # Calibration: everyone's figures (hiring managers, admins) or only the viewer's own.
    everyone: bool = True
    now: datetime = field(default_factory=utcnow)
    _withheld: frozenset[int] | None = None

    def openings(self) -> ColumnElement[bool]:
        """Openings in the report, as a condition on Opening: those the viewer may see
        (for someone seeing only their own calibration, those they interviewed for) and
        that match the filters."""
        f = self.filters
        conditions = [self._visible()]
        if f.opening_id is not None:
            conditions.append(Opening.id == f.opening_id)
        if f.role_id is not None:
            conditions.append(Opening.role_id == f.role_id)
        if f.level_id is not None:
            conditions.append(Opening.level_id == f.level_id)
        if f.specialty_id is not None:
            conditions.append(Opening.specialty_id == f.specialty_id)
        return and_(*conditions)

    def _visible(self) -> ColumnElement[bool]:
        if self.everyone:
            return opening_visibility(self.viewer)
        assignment = aliased(InterviewAssignment)
        return exists(
            select(assignment.id)
            .join(Interview, Interview.id == assignment.interview_id)
            .join(Application, Application.id == Interview.application_id)
            .where(assignment.user_id == self.viewer.id, Application.opening_id == Opening.id)
        )

    def received(self, column: Any = None) -> ColumnElement[bool]:
        """The date range, on when the application arrived (or on another timestamp)."""
        return in_window(
            Application.created_at if column is None else column,
            self.filters.since,
            self.filters.until,
        )

    def applications(self) -> Select[tuple[int]]:
        """The ids of the applications in the report (the date range on their arrival)."""
        return (
            select(Application.id)
            .join(Opening, Opening.id == Application.opening_id)
            .where(self.openings(), self.received())
        )

    def withheld(self) -> frozenset[int]:
        """Applications whose feedback the viewer still owes: other people's ratings on
        them stay out of every figure shown to this viewer. One query, then remembered.

        Taken over every application of the openings in scope, whatever the date range:
        a section may filter its dates on another timestamp (when the interview was held,
        when the scorecard arrived) than the one `applications()` filters on."""
        if self._withheld is None:
            of_openings = (
                select(Application.id)
                .join(Opening, Opening.id == Application.opening_id)
                .where(self.openings())
            )
            self._withheld = frozenset(feedback_owed(self.viewer, of_openings))
        return self._withheld

    def feedback_allowed(self, author: Any = None) -> ColumnElement[bool]:
        """A condition on Scorecard: not on an application whose feedback is withheld
        (the viewer's own scorecards always count, when `author` is the author column)."""
        withheld = self.withheld()
        if not withheld:
            return true()
        allowed = Scorecard.application_id.not_in(withheld)
        if author is not None:
            return allowed | (author == self.viewer.id)
        return allowed


def filter_options(scope: Scope) -> list[FilterOption]:
    """The openings the viewer may narrow the report to, with their role, level and
    specialty: one query, whatever the filters say."""
    unfiltered = Scope(scope.viewer, everyone=scope.everyone, now=scope.now)
    rows = db.session.execute(
        select(
            Opening.id,
            Opening.title,
            Role.id,
            Role.title,
            Level.id,
            Level.title,
            Specialty.id,
            Specialty.title,
        )
        .join(Role, Role.id == Opening.role_id)
        .join(Level, Level.id == Opening.level_id)
        .outerjoin(Specialty, Specialty.id == Opening.specialty_id)
        .where(unfiltered.openings())
        .order_by(Opening.title, Opening.id)
    ).all()
    return [FilterOption(*row) for row in rows]


def may_view(report: str, viewer: User) -> bool:
    """Which reports a person may open (see tracker.domain.policy)."""
    return {
        "pipeline": policy.can_view_pipeline_reports,
        "requirements": policy.can_view_requirement_insight,
        "calibration": policy.can_view_calibration,
    }[report](viewer)
