"""The requirement insight report (issue 5): its sections, each computed in aggregate SQL."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import case, func, select

from tracker.domain.reports import Chart, Column, Kind, Section
from tracker.domain.scoring import RATING_LABELS, Rating
from tracker.extensions import db
from tracker.models import Rating as RatingRecord
from tracker.models import Requirement, Role, Scorecard
from tracker.services.report_scope import Scope

SUBMITTED = "submitted"
SCALE = (Rating.STRONG_NO, Rating.NO, Rating.YES, Rating.STRONG_YES, Rating.NOT_ASSESSED)


def _count(rating: Rating):
    return func.sum(case((RatingRecord.rating == rating.value, 1), else_=0))


def ratings(scope: Scope) -> Section:
    """Each requirement's ratings on submitted scorecards of the applications in scope:
    how often it was assessed and how; one query."""
    rows = db.session.execute(
        select(
            Requirement.text,
            Role.title,
            func.sum(
                case(
                    (RatingRecord.rating.in_([r.value for r in SCALE[:4]]), 1),
                    else_=0,
                )
            ),
            *[_count(r) for r in SCALE[:4]],
            func.sum(
                case(
                    (
                        (RatingRecord.rating == Rating.NOT_ASSESSED.value)
                        | RatingRecord.rating.is_(None),
                        1,
                    ),
                    else_=0,
                )
            ),
        )
        .join(Scorecard, Scorecard.id == RatingRecord.scorecard_id)
        .join(Requirement, Requirement.id == RatingRecord.requirement_id)
        .join(Role, Role.id == Requirement.role_id)
        .where(
            Scorecard.status == SUBMITTED,
            Scorecard.application_id.in_(scope.applications()),
            scope.feedback_allowed(),
        )
        .group_by(Requirement.id, Requirement.text, Role.title, Requirement.position)
        .order_by(Role.title, Requirement.position, Requirement.id)
    ).all()
    return Section(
        key="requirement-ratings",
        title="How each requirement is rated",
        description=(
            "Every rating of each requirement on submitted scorecards. Dates filter on when "
            "the application arrived."
        ),
        columns=(
            Column("requirement", "Requirement"),
            Column("role", "Role"),
            Column("assessed", "Assessed", Kind.COUNT),
            *[Column(r.value, RATING_LABELS[r], Kind.COUNT) for r in SCALE],
        ),
        rows=tuple(tuple(row) for row in rows),
        empty=(
            "No submitted scorecards in this scope yet. Once interviewers submit their "
            "scorecards, each requirement's ratings show here."
        ),
        chart=Chart(
            label="requirement",
            values=tuple(r.value for r in SCALE),
            stacked=True,
            palette="rating",
            title="Ratings of each requirement",
        ),
    )


# (key, builder) in page order; each builder makes a fixed number of queries.
SECTIONS: tuple[tuple[str, Callable[[Scope], Section]], ...] = (("requirement-ratings", ratings),)
