"""The interviewer calibration report (issue 5): its sections, in aggregate SQL.

Someone who may not see everyone's figures (see policy.can_view_everyones_calibration)
sees only their own row in every section.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ColumnElement, case, func, select, true

from tracker.domain.reports import Chart, Column, Kind, Section
from tracker.domain.scoring import RATING_LABELS, Rating
from tracker.extensions import db
from tracker.models import Application, Interview, Opening, Scorecard, User
from tracker.models import Rating as RatingRecord
from tracker.services.report_scope import Scope

SUBMITTED = "submitted"
SCALE = (Rating.STRONG_NO, Rating.NO, Rating.YES, Rating.STRONG_YES, Rating.NOT_ASSESSED)


def authors(scope: Scope) -> ColumnElement[bool]:
    """Whose figures the viewer sees: everyone's, or only their own."""
    return true() if scope.everyone else Scorecard.author_id == scope.viewer.id


def rating_distribution(scope: Scope) -> Section:
    """Each interviewer's ratings on their submitted scorecards; one query. Dates filter
    on when the interview was held."""
    not_assessed = (RatingRecord.rating == Rating.NOT_ASSESSED.value) | RatingRecord.rating.is_(
        None
    )
    rows = db.session.execute(
        select(
            User.name,
            func.count(func.distinct(Scorecard.id)),
            *[func.sum(case((RatingRecord.rating == r.value, 1), else_=0)) for r in SCALE[:4]],
            func.sum(case((not_assessed, 1), else_=0)),
        )
        .join(Scorecard, Scorecard.id == RatingRecord.scorecard_id)
        .join(User, User.id == Scorecard.author_id)
        .join(Interview, Interview.id == Scorecard.interview_id)
        .join(Application, Application.id == Scorecard.application_id)
        .join(Opening, Opening.id == Application.opening_id)
        .where(
            Scorecard.status == SUBMITTED,
            scope.openings(),
            scope.received(Interview.starts_at),
            authors(scope),
            scope.feedback_allowed(Scorecard.author_id),
        )
        .group_by(User.id, User.name)
        .order_by(User.name, User.id)
    ).all()
    return Section(
        key="calibration-ratings",
        title="Rating distribution",
        description=(
            "How often each interviewer gave each rating on their submitted scorecards. "
            "Dates filter on when the interview was held."
        ),
        columns=(
            Column("interviewer", "Interviewer"),
            Column("scorecards", "Scorecards", Kind.COUNT),
            *[Column(r.value, RATING_LABELS[r], Kind.COUNT) for r in SCALE],
        ),
        rows=tuple(tuple(row) for row in rows),
        empty=(
            "No submitted scorecards in this scope yet. Figures appear once interviewers "
            "submit their scorecards."
        ),
        chart=Chart(
            label="interviewer",
            values=tuple(r.value for r in SCALE),
            stacked=True,
            palette="rating",
            title="Ratings given by each interviewer",
        ),
    )


# (key, builder) in page order; each builder makes a fixed number of queries.
SECTIONS: tuple[tuple[str, Callable[[Scope], Section]], ...] = (
    ("calibration-ratings", rating_distribution),
)
