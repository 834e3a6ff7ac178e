"""The requirement insight report (issue 5): its sections, each computed in aggregate SQL.

Every figure comes from submitted scorecards on the applications in scope (the date range
on when the application arrived), without other people's scorecards on applications whose
feedback the viewer still owes. Each section is one query (plus the scope's one query for
withheld feedback, shared by every section); only a few rows per requirement come back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, and_, case, func, select

from tracker.domain.pipeline import Status
from tracker.domain.reports import (
    RARELY_ASSESSED,
    Chart,
    Column,
    Kind,
    Section,
    Sums,
    assessment_flag,
    correlation,
    share,
    strength,
    strongest_first,
)
from tracker.domain.scoring import RATING_LABELS, RATING_SCORES, Rating
from tracker.extensions import db
from tracker.models import (
    Application,
    Interview,
    Level,
    Opening,
    PlanInterview,
    PlanInterviewFocus,
    PlanStage,
    Requirement,
    Role,
    Scorecard,
    Specialty,
)
from tracker.models import Rating as RatingRecord
from tracker.services.report_scope import Scope

SUBMITTED = "submitted"
SCALE = (Rating.STRONG_NO, Rating.NO, Rating.YES, Rating.STRONG_YES, Rating.NOT_ASSESSED)
SCORED = [r.value for r in SCALE[:4]]  # a rating that assesses the requirement
NEGATIVE = [Rating.STRONG_NO.value, Rating.NO.value]
TOP_REJECTIONS = 10

# The three columns that tell requirements apart: its text, the document section it comes
# from (which names the level or specialty, e.g. "SIRT Requirements") and the role.
REQUIREMENT_COLUMNS = (
    Column("requirement", "Requirement"),
    Column("section", "Section"),
    Column("role", "Role"),
)


def _submitted(scope: Scope) -> tuple[ColumnElement[bool], ...]:
    """Submitted scorecards on applications in scope, without other people's where the
    viewer still owes their own feedback (the viewer's own always count)."""
    return (
        Scorecard.status == SUBMITTED,
        Scorecard.application_id.in_(scope.applications()),
        scope.feedback_allowed(Scorecard.author_id),
    )


def _per_requirement(figures: Subquery, *columns: Any, first: tuple[Any, ...] = ()) -> Select[Any]:
    """Each requirement's text, section and role beside its figures (a subquery grouped by
    requirement_id), ordered by `first` and then in the documents' order: the role's shared
    items, then its levels by rank, then its specialties, each in document position."""
    scope_rank = case(
        (Requirement.level_id.is_not(None), 1),
        (Requirement.specialty_id.is_not(None), 2),
        else_=0,
    )
    return (
        select(Requirement.text, Requirement.section, Role.title, *columns)
        .join(figures, figures.c.requirement_id == Requirement.id)
        .join(Role, Role.id == Requirement.role_id)
        .outerjoin(Level, Level.id == Requirement.level_id)
        .outerjoin(Specialty, Specialty.id == Requirement.specialty_id)
        .order_by(
            *first,
            Role.title,
            Role.id,
            scope_rank,
            func.coalesce(Level.rank, Specialty.position, 0),
            Requirement.position,
            Requirement.id,
        )
    )


def _count(condition: ColumnElement[bool]) -> Any:
    return func.sum(case((condition, 1), else_=0))


def ratings(scope: Scope) -> Section:
    """Each requirement's ratings on submitted scorecards of the applications in scope:
    how often it was assessed and how; one query."""
    figures = (
        select(
            RatingRecord.requirement_id.label("requirement_id"),
            _count(RatingRecord.rating.in_(SCORED)).label("assessed"),
            *[_count(RatingRecord.rating == r.value).label(r.value) for r in SCALE[:4]],
            _count(
                (RatingRecord.rating == Rating.NOT_ASSESSED.value) | RatingRecord.rating.is_(None)
            ).label(Rating.NOT_ASSESSED.value),
        )
        .join(Scorecard, Scorecard.id == RatingRecord.scorecard_id)
        .where(*_submitted(scope))
        .group_by(RatingRecord.requirement_id)
        .subquery("figures")
    )
    rows = db.session.execute(
        _per_requirement(figures, figures.c.assessed, *[figures.c[r.value] for r in SCALE])
    ).all()
    return Section(
        key="requirement-ratings",
        title="How each requirement is rated",
        description=(
            "Every rating of each requirement on submitted scorecards: how many times it was "
            "assessed (rated Strong no to Strong yes) and how. Not assessed includes ratings "
            "left blank. Dates filter on when the application arrived."
        ),
        columns=(
            *REQUIREMENT_COLUMNS,
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


def outcome(scope: Scope) -> Section:
    """How strongly each requirement's ratings go with the final outcome: Pearson's r
    between the score (Strong no 1 .. Strong yes 4) and the outcome (hired 1, rejected 0),
    from the sums SQL adds up per requirement; one query."""
    score = case(
        {r.value: s for r, s in RATING_SCORES.items()}, value=RatingRecord.rating, else_=None
    )
    hired = case((Application.status == Status.HIRED.value, 1), else_=0)
    figures = (
        select(
            RatingRecord.requirement_id.label("requirement_id"),
            func.count().label("n"),
            func.sum(score).label("x"),
            func.sum(hired).label("y"),
            func.sum(score * hired).label("xy"),
            func.sum(score * score).label("xx"),
            func.sum(hired * hired).label("yy"),
        )
        .join(Scorecard, Scorecard.id == RatingRecord.scorecard_id)
        .join(Application, Application.id == Scorecard.application_id)
        .where(
            *_submitted(scope),
            Application.status.in_([Status.HIRED.value, Status.REJECTED.value]),
            RatingRecord.rating.in_(SCORED),
        )
        .group_by(RatingRecord.requirement_id)
        .subquery("figures")
    )
    c = figures.c
    rows = db.session.execute(_per_requirement(figures, c.n, c.x, c.y, c.xy, c.xx, c.yy)).all()
    table = []
    for text, section, role, n, x, y, xy, xx, yy in rows:
        r = correlation(Sums(n, float(x), float(y), float(xy), float(xx), float(yy)))
        table.append(
            (
                text,
                section,
                role,
                n,
                share(float(xy), y),  # the mean score when hired: Σxy / Σy, as y is 0 or 1
                share(float(x - xy), n - y),  # and when rejected
                r,
                strength(r),
            )
        )
    table.sort(key=lambda row: strongest_first(row[6]))  # stable: document order on ties
    return Section(
        key="requirement-outcome",
        title="How ratings go with the outcome",
        description=(
            "For each requirement, the correlation between its ratings (Strong no 1 to Strong "
            "yes 4) and the final outcome (hired 1, rejected 0): Pearson's r, here the "
            "point-biserial correlation, from +1 (high ratings go with hiring) to -1 (high "
            "ratings go with rejection). Only submitted ratings on applications that were "
            "hired or rejected count; withdrawn and still active applications are left out, "
            "and each rating counts once, so an application three interviewers rated counts "
            "three times. It is a correlation over ratings, not a cause: the ratings inform "
            "the decision, so a strong link may only reflect that. It needs at least 3 "
            "ratings, both outcomes and ratings that differ; otherwise it reads Too few "
            "outcomes. Strongest first. Dates filter on when the application arrived."
        ),
        columns=(
            *REQUIREMENT_COLUMNS,
            Column("ratings", "Ratings on decided applications", Kind.COUNT),
            Column("mean_hired", "Mean when hired", Kind.SCORE),
            Column("mean_rejected", "Mean when rejected", Kind.SCORE),
            Column("correlation", "Correlation", Kind.CORRELATION),
            Column("reading", "Reading"),
        ),
        rows=tuple(table),
        empty=(
            "Needs hired and rejected applications with scorecards. Once applications in "
            "this scope are hired or rejected after interviewers submitted their scorecards, "
            "each requirement's link to the outcome shows here."
        ),
        chart=Chart(
            label="requirement",
            values=("correlation",),
            title="Correlation of each requirement's ratings with hiring",
        ),
    )


def rejections(scope: Scope) -> Section:
    """The requirements that most often carry a No or Strong no in rejected applications:
    per requirement, the rejected applications with at least one such rating, against the
    rejected applications of the same role with any submitted scorecard; one query."""
    rejected = Application.status == Status.REJECTED.value
    counted = (
        select(
            RatingRecord.requirement_id.label("requirement_id"),
            func.count(func.distinct(Scorecard.application_id)).label("applications"),
        )
        .join(Scorecard, Scorecard.id == RatingRecord.scorecard_id)
        .join(Application, Application.id == Scorecard.application_id)
        .where(*_submitted(scope), rejected, RatingRecord.rating.in_(NEGATIVE))
        .group_by(RatingRecord.requirement_id)
        .subquery("figures")
    )
    reviewed = (
        select(
            Opening.role_id.label("role_id"),
            func.count(func.distinct(Scorecard.application_id)).label("applications"),
        )
        .join(Application, Application.id == Scorecard.application_id)
        .join(Opening, Opening.id == Application.opening_id)
        .where(*_submitted(scope), rejected)
        .group_by(Opening.role_id)
        .subquery("reviewed")
    )
    query = _per_requirement(
        counted,
        counted.c.applications,
        reviewed.c.applications,
        first=(counted.c.applications.desc(),),  # most first, then in document order
    ).outerjoin(reviewed, reviewed.c.role_id == Requirement.role_id)
    rows = db.session.execute(query.limit(TOP_REJECTIONS)).all()
    table = tuple(
        (text, section, role, count, share(count, whole))
        for text, section, role, count, whole in rows
    )
    return Section(
        key="requirement-rejections",
        title="Requirements behind rejections",
        description=(
            f"The {TOP_REJECTIONS} requirements that most often carry a No or Strong no in "
            "rejected applications: how many rejected applications have at least one such "
            "rating of it on a submitted scorecard, and their share of the role's rejected "
            "applications that have any submitted scorecard. Dates filter on when the "
            "application arrived."
        ),
        columns=(
            *REQUIREMENT_COLUMNS,
            Column("rejected", "Rejected applications with a No", Kind.COUNT),
            Column("share", "Of the role's rejected applications with scorecards", Kind.PERCENT),
        ),
        rows=table,
        empty=(
            "No rejected application in this scope has a No or Strong no on a submitted "
            "scorecard. Once interviewers submit scorecards and applications are rejected, "
            "the requirements behind rejections show here."
        ),
        chart=Chart(
            label="requirement",
            values=("rejected",),
            title="Rejected applications with a No or Strong no",
        ),
    )


def unassessed(scope: Scope) -> Section:
    """Requirements the plan asks for but interviews leave unassessed: for each requirement
    in the focus of an interview of the plan, the submitted scorecards of such interviews
    and how many of them rate it; one query."""
    # The requirements the plans in scope put in some interview's focus.
    planned_anywhere = (
        select(PlanInterviewFocus.requirement_id.label("requirement_id"))
        .join(PlanInterview, PlanInterview.id == PlanInterviewFocus.plan_interview_id)
        .join(PlanStage, PlanStage.id == PlanInterview.stage_id)
        .join(Opening, Opening.id == PlanStage.opening_id)
        .where(scope.openings())
        .distinct()
        .subquery("focus")
    )
    # Each submitted scorecard of an interview that has the requirement in its focus, and
    # whether it rates it.
    where_planned = (
        select(
            PlanInterviewFocus.requirement_id.label("requirement_id"),
            func.count(Scorecard.id).label("planned"),
            _count(RatingRecord.rating.in_(SCORED)).label("assessed"),
        )
        .join(Interview, Interview.id == Scorecard.interview_id)
        .join(
            PlanInterviewFocus,
            PlanInterviewFocus.plan_interview_id == Interview.plan_interview_id,
        )
        .outerjoin(
            RatingRecord,
            and_(
                RatingRecord.scorecard_id == Scorecard.id,
                RatingRecord.requirement_id == PlanInterviewFocus.requirement_id,
            ),
        )
        .where(*_submitted(scope))
        .group_by(PlanInterviewFocus.requirement_id)
        .subquery("where_planned")
    )
    anywhere = (
        select(
            RatingRecord.requirement_id.label("requirement_id"),
            func.count().label("assessed"),
        )
        .join(Scorecard, Scorecard.id == RatingRecord.scorecard_id)
        .where(*_submitted(scope), RatingRecord.rating.in_(SCORED))
        .group_by(RatingRecord.requirement_id)
        .subquery("anywhere")
    )
    query = (
        _per_requirement(
            planned_anywhere,
            func.coalesce(where_planned.c.planned, 0),
            func.coalesce(where_planned.c.assessed, 0),
            func.coalesce(anywhere.c.assessed, 0),
        )
        .outerjoin(where_planned, where_planned.c.requirement_id == Requirement.id)
        .outerjoin(anywhere, anywhere.c.requirement_id == Requirement.id)
    )
    rows = db.session.execute(query).all()
    table = []
    waiting = 0
    for text, section, role, planned, assessed, everywhere in rows:
        if not planned:
            waiting += 1  # no scorecard of its interviews yet: nothing to judge
            continue
        rate = share(assessed, planned)
        table.append(
            (
                text,
                section,
                role,
                planned,
                assessed,
                rate,
                everywhere,
                assessment_flag(planned, assessed),
            )
        )
    # Flagged first, then the least assessed; document order on ties (the sort is stable).
    table.sort(key=lambda row: (row[7] == "", row[5]))
    notes = ()
    if waiting:
        notes = (
            f"{waiting} requirement{'s' if waiting != 1 else ''} in the plans in scope "
            f"{'have' if waiting != 1 else 'has'} no submitted scorecard from "
            f"{'their' if waiting != 1 else 'its'} interviews yet, so "
            f"{'they are' if waiting != 1 else 'it is'} not listed.",
        )
    return Section(
        key="requirement-unassessed",
        title="Requirements the plan leaves unassessed",
        description=(
            "Each requirement that the interview plan puts in an interview's focus: the "
            "submitted scorecards of those interviews (Planned), how many of them rate it "
            "(Strong no to Strong yes; Not assessed and blank do not count), and how many "
            f"times it was assessed in any interview. Flagged when fewer than "
            f"{RARELY_ASSESSED:.0%} of the planned scorecards rate it; flagged first. "
            "Dates filter on when the application arrived."
        ),
        columns=(
            *REQUIREMENT_COLUMNS,
            Column("planned", "Planned", Kind.COUNT),
            Column("assessed_planned", "Assessed where planned", Kind.COUNT),
            Column("rate", "Rate", Kind.PERCENT),
            Column("assessed_anywhere", "Assessed anywhere", Kind.COUNT),
            Column("flag", "Flag"),
        ),
        rows=tuple(table),
        empty=(
            "No submitted scorecards of planned interviews in this scope yet. Once "
            "interviewers submit scorecards, the requirements their interviews leave "
            "unassessed are flagged here."
        ),
        chart=Chart(
            label="requirement",
            values=("rate",),
            title="Share of planned scorecards that assess each requirement",
        ),
        notes=notes,
    )


# (key, builder) in page order; each builder makes a fixed number of queries.
SECTIONS: tuple[tuple[str, Callable[[Scope], Section]], ...] = (
    ("requirement-ratings", ratings),
    ("requirement-outcome", outcome),
    ("requirement-rejections", rejections),
    ("requirement-unassessed", unassessed),
)
