"""The interviewer calibration report (issue 5): its sections, in aggregate SQL.

Someone who may not see everyone's figures (see policy.can_view_everyones_calibration)
sees only their own row in every section; their openings are then the ones they
interviewed for (see Scope). Dates filter on when the interview was held. Every figure
comes from submitted scorecards, and other people's scorecards on an application whose
feedback the viewer still owes stay out of all of them (independent judgement).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal, select, true

from tracker.domain.pipeline import Status
from tracker.domain.reports import LEAN_THRESHOLD, Chart, Column, Kind, Section, lean, share
from tracker.domain.scoring import RATING_LABELS, RATING_SCORES, Rating, Recommendation
from tracker.extensions import db
from tracker.models import Application, Interview, Opening, Scorecard, User
from tracker.models import Rating as RatingRecord
from tracker.services.report_scope import Scope
from tracker.services.report_sql import ranked_values, seconds_between
from tracker.services.reviews import OVERDUE_AFTER

SUBMITTED = "submitted"
SCALE = (Rating.STRONG_NO, Rating.NO, Rating.YES, Rating.STRONG_YES, Rating.NOT_ASSESSED)
SAYS_YES = (Recommendation.YES.value, Recommendation.STRONG_YES.value)
SAYS_NO = (Recommendation.DEFINITELY_NOT.value, Recommendation.NO.value)
LATE = OVERDUE_AFTER.total_seconds()


def authors(scope: Scope, author: Any = Scorecard.author_id) -> ColumnElement[bool]:
    """Whose figures the viewer sees: everyone's, or only their own."""
    return true() if scope.everyone else author == scope.viewer.id


def submitted_in_scope(scope: Scope) -> list[ColumnElement[bool]]:
    """Submitted scorecards of interviews held in the range, on the openings in scope,
    independent judgement applied (the viewer's own always count). Needs Scorecard,
    Interview, Application and Opening joined."""
    return [
        Scorecard.status == SUBMITTED,
        scope.openings(),
        scope.received(Interview.starts_at),
        scope.feedback_allowed(Scorecard.author_id),
    ]


def _empty(scope: Scope, what: str = "") -> str:
    """What an empty section says: why nothing shows, and what would make it show."""
    what = f" {what}" if what else ""
    if scope.everyone:
        return (
            f"No submitted scorecards{what} in this scope yet. Figures appear here once "
            "interviewers submit their scorecards; or widen the filters."
        )
    return (
        f"You have no submitted scorecards{what} in this period. Your figures appear here "
        "once you submit scorecards; or widen the filters."
    )


# --- rating distribution ----------------------------------------------------------------


def rating_distribution(scope: Scope) -> Section:
    """Each interviewer's ratings on their submitted scorecards; one query (and the
    withheld applications, see Scope.withheld)."""
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
        .where(*submitted_in_scope(scope), authors(scope))
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
        empty=_empty(scope, "with ratings"),
        chart=Chart(
            label="interviewer",
            values=tuple(r.value for r in SCALE),
            stacked=True,
            palette="rating",
            title="Ratings given by each interviewer",
        ),
    )


# --- lenient or harsh ---------------------------------------------------------------------


def rating_score() -> ColumnElement[Any]:
    """A rating on the 1..4 scale; NULL for not assessed (or no rating)."""
    return case({r.value: s for r, s in RATING_SCORES.items()}, value=RatingRecord.rating)


def panel_lean(scope: Scope) -> Section:
    """Each interviewer's mean rating against the mean of the other interviewers'
    ratings on the same applications; one query (and the withheld applications).

    Per (application, interviewer) the sum and count of scores, per application the
    same over everyone; then per interviewer, over the applications someone else rated
    too: their own Σsum / Σn against the others' Σ(application sum - own sum) /
    Σ(application n - own n). Other people's scorecards on applications the viewer still
    owes feedback on are left out before any sum, so they reach no figure; the viewer's
    own stay in their own mean.
    """
    score = rating_score()
    pairs = (
        select(
            Scorecard.application_id.label("application_id"),
            Scorecard.author_id.label("author_id"),
            func.sum(score).label("total"),
            func.count(score).label("n"),
        )
        .select_from(RatingRecord)
        .join(Scorecard, Scorecard.id == RatingRecord.scorecard_id)
        .join(Interview, Interview.id == Scorecard.interview_id)
        .join(Application, Application.id == Scorecard.application_id)
        .join(Opening, Opening.id == Application.opening_id)
        .where(*submitted_in_scope(scope), RatingRecord.rating.in_(list(RATING_SCORES)))
        .group_by(Scorecard.application_id, Scorecard.author_id)
        .cte("pairs")
    )
    panels = (
        select(
            pairs.c.application_id,
            func.sum(pairs.c.total).label("total"),
            func.sum(pairs.c.n).label("n"),
        )
        .group_by(pairs.c.application_id)
        .cte("panels")
    )
    others_n = panels.c.n - pairs.c.n
    shared = others_n > 0
    rows = db.session.execute(
        select(
            User.name,
            func.count(),
            func.sum(case((shared, 1), else_=0)),
            func.sum(case((shared, pairs.c.total), else_=0)),
            func.sum(case((shared, pairs.c.n), else_=0)),
            func.sum(panels.c.total - pairs.c.total),
            func.sum(others_n),
        )
        .select_from(pairs)
        .join(panels, panels.c.application_id == pairs.c.application_id)
        .join(User, User.id == pairs.c.author_id)
        .where(authors(scope, pairs.c.author_id))
        .group_by(User.id, User.name)
        .order_by(User.name, User.id)
    ).all()
    table = []
    for name, rated, shared_count, own_total, own_n, others_total, others_count in rows:
        # floats: PostgreSQL sums of sums come back as Decimal
        own = share(float(own_total), float(own_n))
        panel = share(float(others_total), float(others_count))
        difference = own - panel if own is not None and panel is not None else None
        table.append((name, rated, shared_count, own, panel, difference, lean(own, panel)))
    return Section(
        key="calibration-lean",
        title="Lenient or harsh",
        description=(
            "Each interviewer's mean rating (Strong no 1 to Strong yes 4; Not assessed "
            "left out) against the mean of the other interviewers' ratings on the same "
            "applications, counting only applications someone else rated too. A "
            f"difference of {LEAN_THRESHOLD:.2f} or more either way reads as lenient or "
            "harsh. Dates filter on when the interview was held, for their ratings and "
            "the panel's."
        ),
        columns=(
            Column("interviewer", "Interviewer"),
            Column("rated", "Applications rated", Kind.COUNT),
            Column("shared", "Applications shared", Kind.COUNT),
            Column("own", "Their mean", Kind.SCORE),
            Column("panel", "Panel's mean", Kind.SCORE),
            Column("difference", "Difference", Kind.DIFFERENCE),
            Column("lean", "Reads as"),
        ),
        rows=tuple(table),
        empty=_empty(scope, "with ratings"),
        chart=Chart(
            label="interviewer",
            values=("difference",),
            title="Their mean minus the panel's (right: lenient, left: harsh)",
        ),
    )


# --- agreement with the decision ------------------------------------------------------------


def agreement(scope: Scope) -> Section:
    """How often each interviewer's recommendation matched the final outcome of the
    application: yes or strong yes on a hire, no or definitely not on a rejection; one
    query (and the withheld applications). Applications still active or withdrawn have no
    decision to agree with and are left out."""
    hired = Application.status == Status.HIRED.value
    rejected = Application.status == Status.REJECTED.value
    says_yes = Scorecard.recommendation.in_(SAYS_YES)
    says_no = Scorecard.recommendation.in_(SAYS_NO)
    rows = db.session.execute(
        select(
            User.name,
            func.count(),
            func.sum(case(((says_yes & hired) | (says_no & rejected), 1), else_=0)),
            func.sum(case((says_yes & rejected, 1), else_=0)),
            func.sum(case((says_no & hired, 1), else_=0)),
        )
        .select_from(Scorecard)
        .join(User, User.id == Scorecard.author_id)
        .join(Interview, Interview.id == Scorecard.interview_id)
        .join(Application, Application.id == Scorecard.application_id)
        .join(Opening, Opening.id == Application.opening_id)
        .where(
            *submitted_in_scope(scope),
            authors(scope),
            Scorecard.recommendation.in_(SAYS_YES + SAYS_NO),
            hired | rejected,
        )
        .group_by(User.id, User.name)
        .order_by(User.name, User.id)
    ).all()
    table = tuple(
        (name, decided, agreed, share(agreed, decided), yes_rejected, no_hired)
        for name, decided, agreed, yes_rejected, no_hired in rows
    )
    return Section(
        key="calibration-agreement",
        title="Agreement with the decision",
        description=(
            "Each interviewer's recommendations on applications that ended in a hire or a "
            "rejection: they agree when they said Yes or Strong yes and the candidate was "
            "hired, or No or Definitely not and the candidate was rejected. Applications "
            "still in progress or withdrawn are left out. Dates filter on when the "
            "interview was held."
        ),
        columns=(
            Column("interviewer", "Interviewer"),
            Column("decided", "Recommendations on decided applications", Kind.COUNT),
            Column("agreed", "Agreed", Kind.COUNT),
            Column("rate", "Agreement", Kind.PERCENT),
            Column("yes_rejected", "Said yes, rejected", Kind.COUNT),
            Column("no_hired", "Said no, hired", Kind.COUNT),
        ),
        rows=table,
        empty=(
            _empty(scope, "on hired or rejected applications")
            + " A recommendation counts here once its application is hired or rejected."
        ),
        chart=Chart(
            label="interviewer",
            values=("rate",),
            title="Share of recommendations that matched the decision",
        ),
    )


# --- turnaround -------------------------------------------------------------------------------


def turnaround(scope: Scope) -> Section:
    """How long after the interview ended each interviewer's scorecard arrived: the
    count and how many came later than the overdue line, then the median and 90th
    percentile; two queries (and the withheld applications).

    The interview ends at starts_at + duration; a scorecard is timed by submitted_at,
    which is its first submission (an amendment adds a revision and leaves it alone). A
    scorecard submitted before the scheduled end (an interview that finished early)
    counts as 0: it kept no one waiting, and a negative wait would pull the median
    below what anyone experienced.
    """
    raw = seconds_between(Interview.starts_at, Scorecard.submitted_at) - (
        Interview.duration_minutes * 60
    )
    wait = case((raw < 0, literal(0.0)), else_=raw)
    conditions = [*submitted_in_scope(scope), authors(scope), Scorecard.submitted_at.is_not(None)]

    def values(*columns: Any) -> Select[Any]:
        return (
            select(*columns)
            .select_from(Scorecard)
            .join(Interview, Interview.id == Scorecard.interview_id)
            .join(Application, Application.id == Scorecard.application_id)
            .join(Opening, Opening.id == Application.opening_id)
            .where(*conditions)
        )

    rows = db.session.execute(
        values(
            User.id,
            User.name,
            func.count(),
            func.sum(case((wait > LATE, 1), else_=0)),
        )
        .join(User, User.id == Scorecard.author_id)
        .group_by(User.id, User.name)
        .order_by(User.name, User.id)
    ).all()
    spreads = ranked_values(values(Scorecard.author_id, wait), 1)
    table = []
    for user_id, name, count, late in rows:
        spread = spreads.get((user_id,))
        table.append(
            (
                name,
                count,
                spread.median if spread else None,
                spread.p90 if spread else None,
                late,
            )
        )
    hours = int(OVERDUE_AFTER.total_seconds() // 3600)
    return Section(
        key="calibration-turnaround",
        title="Scorecard turnaround",
        description=(
            "How long after the interview ended (its start plus its planned length) each "
            "interviewer's scorecard was first submitted: the median and the 90th "
            "percentile, and how many arrived more than "
            f"{hours} hours later, when a scorecard counts as overdue. A scorecard "
            "submitted before the planned end counts as 0. Dates filter on when the "
            "interview was held."
        ),
        columns=(
            Column("interviewer", "Interviewer"),
            Column("scorecards", "Scorecards", Kind.COUNT),
            Column("median", "Median", Kind.HOURS),
            Column("p90", "90th percentile", Kind.HOURS),
            Column("late", f"Later than {hours} hours", Kind.COUNT),
        ),
        rows=tuple(table),
        empty=_empty(scope),
        chart=Chart(
            label="interviewer",
            values=("median", "p90"),
            title="Hours from the end of the interview to the scorecard",
        ),
    )


# (key, builder) in page order; each builder makes a fixed number of queries.
SECTIONS: tuple[tuple[str, Callable[[Scope], Section]], ...] = (
    ("calibration-ratings", rating_distribution),
    ("calibration-lean", panel_lean),
    ("calibration-agreement", agreement),
    ("calibration-turnaround", turnaround),
)
