"""What a report covers: the openings the viewer may see, narrowed by the filters.

Every report query starts from a Scope, so the access rule (deny unless granted) and
independent judgement (no one else's feedback while you still owe your own) are applied
the same way in every report and every CSV.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, exists, or_, select, true, union
from sqlalchemy.orm import aliased

from tracker.domain import policy
from tracker.domain.independence import HIRING_MANAGER_INTERVIEW
from tracker.domain.pipeline import Status
from tracker.extensions import db
from tracker.models import (
    Application,
    Interview,
    InterviewAssignment,
    InterviewStatus,
    Level,
    Opening,
    PlanInterview,
    PlanStage,
    Role,
    Scorecard,
    Specialty,
    User,
)
from tracker.models.types import utcnow
from tracker.services.independence import SUBMITTED
from tracker.services.openings import opening_visibility
from tracker.services.report_sql import in_window

# A report opens on the applications that arrived in the last 90 days (the page's form
# shows the date, and the viewer may widen it to any range, or to every date).
DEFAULT_WINDOW = timedelta(days=90)


def default_start(today: date) -> date:
    """The first day of the default window, for a viewer whose day it is `today`."""
    return today - DEFAULT_WINDOW


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
    # withheld(), remembered per request: of all applications, and of the active ones
    _withheld: dict[bool, frozenset[int]] = field(default_factory=dict)

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

    def withheld(self, *, active_only: bool = False) -> frozenset[int]:
        """Applications whose feedback the viewer still owes: other people's ratings on
        them stay out of every figure shown to this viewer. One query, then remembered.

        Taken over every application of the openings in scope, whatever the date range:
        a section may filter its dates on another timestamp (when the interview was held,
        when the scorecard arrived) than the one `applications()` filters on. Only
        applications with interviews are listed (the others hold no feedback to
        withhold), and with `active_only` only the active ones, for a section that counts
        nothing else (a hiring manager owes feedback on every application of theirs that
        never reached their interview, closed ones included: many, at a large company).
        The rule is decided in SQL (`owed_applications`), so the cost does not grow with
        how many applications the viewer has a part in."""
        if active_only not in self._withheld:
            openings = self.openings()
            if active_only:
                openings = and_(openings, Application.status == Status.ACTIVE.value)
            self._withheld[active_only] = frozenset(
                db.session.scalars(owed_applications(self.viewer, openings))
            )
        return self._withheld[active_only]

    def feedback_allowed(self, author: Any = None) -> ColumnElement[bool]:
        """A condition on Scorecard: not on an application whose feedback is withheld
        (the viewer's own scorecards always count, when `author` is the author column)."""
        withheld = self.withheld()
        if not withheld:
            return true()
        # Written into the SQL as numbers (safe: ints), so no count of ids can exceed a
        # database's limit on parameters (PostgreSQL's is 65,535).
        allowed = Scorecard.application_id.not_in(
            bindparam(None, sorted(withheld), expanding=True, literal_execute=True)
        )
        if author is not None:
            return allowed | (author == self.viewer.id)
        return allowed


def owed_applications(viewer: User, openings: ColumnElement[bool]) -> Select[tuple[int]]:
    """The ids of the applications meeting `openings` (a condition on Opening, and maybe
    on Application) and having at least one interview, on which `viewer` still owes
    their own feedback: rules (a), (b) and (c) of `tracker.domain.independence`, in SQL.

    The same rule as `tracker.services.independence.feedback_owed`, which gathers each
    application's facts into Python and asks the domain; that costs a row per application
    the viewer has any part in (a hiring manager has one in every application of their
    openings), too many for a report over a large company. Here the database answers,
    driven by the viewer's own assignments and the openings they manage. A test holds
    the two to the same answers (tests/integration/test_owed_applications.py).
    """
    user = viewer.id
    mine = aliased(InterviewAssignment)
    interview = aliased(Interview)
    current = aliased(PlanStage)

    def submitted_on(interview_id: Any) -> ColumnElement[bool]:
        own = aliased(Scorecard)
        return exists(
            select(own.id)
            .where(
                own.interview_id == interview_id,
                own.author_id == user,
                own.status == SUBMITTED,
            )
            .correlate_except(own)
        )

    def submitted_for_plan(application_id: Any, plan_interview_id: Any) -> ColumnElement[bool]:
        """The viewer submitted a scorecard for some interview of this application of
        that plan interview (cancelled or not, assigned or not). Read from the
        application's interviews, then each one's scorecard by the viewer."""
        other = aliased(Interview)
        return exists(
            select(other.id)
            .where(
                other.application_id == application_id,
                other.plan_interview_id == plan_interview_id,
                submitted_on(other.id),
            )
            # correlated to the outer query's application, however deep it is nested
            .correlate_except(other)
        )

    # The applications asked about, as a list the database makes once (not correlated to
    # the queries below): each interview of the viewer's is checked against it before
    # anything else is read about it.
    asked = (
        select(Application.id)
        .join(Opening, Opening.id == Application.opening_id)
        .where(openings)
        .correlate(None)
    )
    # (a) an interview of theirs, not cancelled, without their submitted scorecard
    rule_a = and_(interview.status != InterviewStatus.CANCELLED, ~submitted_on(interview.id))
    # (c) an interview of theirs cancelled in the stage the application is in now, and no
    # submitted scorecard of theirs for that interview of the plan
    now_in = aliased(Application)
    current_stage = aliased(PlanStage)
    held = aliased(PlanStage)
    in_its_stage = exists(
        select(now_in.id)
        .join(current_stage, current_stage.id == now_in.stage_id)
        .join(held, held.id == interview.stage_id)
        .where(now_in.id == interview.application_id, held.position == current_stage.position)
        .correlate_except(now_in, current_stage, held)
    )
    rule_c = and_(
        interview.status == InterviewStatus.CANCELLED,
        in_its_stage,
        ~submitted_for_plan(interview.application_id, interview.plan_interview_id),
    )
    # (a) and (c) in one pass over the viewer's own interviews
    through_own_interviews = (
        select(interview.application_id)
        .select_from(interview)
        .join(mine, and_(mine.interview_id == interview.id, mine.user_id == user))
        .where(interview.application_id.in_(asked), or_(rule_a, rule_c))
    )
    # (b) the opening's hiring manager, with an interview of the plan conducted by the
    # hiring manager at or after the application's stage, for which they have submitted
    # no scorecard on this application
    planned = aliased(PlanInterview)
    planned_stage = aliased(PlanStage)
    hm_interview_ahead = exists(
        select(planned.id)
        .join(planned_stage, planned_stage.id == planned.stage_id)
        .where(
            planned_stage.opening_id == Application.opening_id,
            planned.conducted_by == HIRING_MANAGER_INTERVIEW,
            planned_stage.position >= current.position,
            ~submitted_for_plan(Application.id, planned.id),
        )
        .correlate_except(planned, planned_stage)
    )
    any_interview = exists(select(Interview.id).where(Interview.application_id == Application.id))
    rule_b = (
        select(Application.id)
        .join(Opening, Opening.id == Application.opening_id)
        .join(current, current.id == Application.stage_id)
        .where(Opening.hiring_manager_id == user, openings, any_interview, hm_interview_ahead)
    )
    return union(through_own_interviews, rule_b)


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
