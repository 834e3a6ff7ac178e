"""The pipeline report (issue 5): its sections, each computed in aggregate SQL.

Every builder takes a Scope and makes a fixed number of queries, whatever the size of the
data; Python only loops over rows already aggregated per stage, source or interviewer (and
per week, for the interviewer load).

Which date the filter applies to: on the application's arrival for everything that follows
applications (funnel, time in stage, time to decision, exits, sources), so those sections
describe the same cohort; on the interview's start for the interviewer sections.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)

from tracker.domain.pipeline import REJECTION_LABELS, RejectionReason, Status, Withdrawer
from tracker.domain.reports import Chart, Column, Kind, Section, Spread, share
from tracker.extensions import db
from tracker.models import (
    SOURCES,
    Application,
    Candidate,
    Interview,
    InterviewAssignment,
    InterviewStatus,
    Opening,
    PlanStage,
    Scorecard,
    StageEventRecord,
    User,
)
from tracker.models.types import UTCDateTime
from tracker.services.report_scope import Scope
from tracker.services.report_sql import as_date, ranked_values, seconds_between, week_start
from tracker.services.reviews import DRAFT, OVERDUE_AFTER, SUBMITTED

ARRIVAL = "Dates filter on when the application arrived."


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows of the group meet the condition (a CASE sum, portable)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# --- Funnel --------------------------------------------------------------------------------


def funnel(scope: Scope) -> Section:
    """How many applications reached each stage (by the stage's key, so the openings'
    plans add up), and how many of those went on to the next; one query."""
    rows = db.session.execute(
        select(
            PlanStage.key,
            func.min(PlanStage.name),
            func.count(func.distinct(StageEventRecord.application_id)),
        )
        .join(PlanStage, PlanStage.id == StageEventRecord.to_stage_id)
        .where(StageEventRecord.application_id.in_(scope.applications()))
        .group_by(PlanStage.key)
        .order_by(func.min(PlanStage.position), PlanStage.key)
    ).all()
    first = rows[0][2] if rows else 0
    table = []
    for index, (_key, name, reached) in enumerate(rows):
        following = rows[index + 1][2] if index + 1 < len(rows) else None
        table.append((name, reached, share(reached, first), share(following, reached)))
    return Section(
        key="funnel",
        title="Funnel",
        description=(
            "Applications that reached each stage (at any time, so those that later left "
            "count too), the share of all applications, and the share that went on to the "
            "next stage. Dates filter on when the application arrived."
        ),
        columns=(
            Column("stage", "Stage"),
            Column("reached", "Reached", Kind.COUNT),
            Column("of_all", "Of all applications", Kind.PERCENT),
            Column("onward", "Went on to the next stage", Kind.PERCENT),
        ),
        rows=tuple(table),
        empty=(
            "No applications in this scope yet. Add candidates to an opening, or widen the "
            "filters, to see the funnel."
        ),
        chart=Chart(label="stage", values=("reached",), title="Applications reaching each stage"),
    )


# --- Time in each stage ------------------------------------------------------------------------


def _stays(scope: Scope) -> Any:
    """One row per stay in a stage: the event that entered it (a move leaving the
    application active: apply, advance, back, reopen) and the application's next event,
    whatever it is (NULL while the stay is still open). Closing events (reject, withdraw,
    hire) end a stay and start none."""
    event = StageEventRecord
    following = func.lead(event.at).over(
        partition_by=event.application_id, order_by=(event.at, event.id)
    )
    return (
        select(
            event.to_stage_id.label("stage_id"),
            event.to_status.label("status"),
            event.at.label("entered_at"),
            following.label("left_at"),
        )
        .where(event.application_id.in_(scope.applications()))
        .subquery("stays")
    )


def stage_time(scope: Scope) -> Section:
    """Median and 90th percentile of completed stays per stage, and how many applications
    are in each stage now; two queries."""
    stays = _stays(scope)
    entered_active = stays.c.status == Status.ACTIVE.value
    counts = db.session.execute(
        select(
            PlanStage.key,
            func.min(PlanStage.name),
            func.count(stays.c.left_at),
            _count(stays.c.left_at.is_(None)),
        )
        .join(PlanStage, PlanStage.id == stays.c.stage_id)
        .where(entered_active)
        .group_by(PlanStage.key)
        .order_by(func.min(PlanStage.position), PlanStage.key)
    ).all()
    spreads = ranked_values(
        select(PlanStage.key, seconds_between(stays.c.entered_at, stays.c.left_at))
        .join(PlanStage, PlanStage.id == stays.c.stage_id)
        .where(entered_active, stays.c.left_at.is_not(None)),
        1,
    )
    table = []
    for key, name, completed, still_in in counts:
        spread = spreads.get((key,))
        table.append(
            (
                name,
                completed,
                spread.median if spread else None,
                spread.p90 if spread else None,
                still_in,
            )
        )
    return Section(
        key="stage-time",
        title="Time in each stage",
        description=(
            "How long applications stayed in each stage: from the move that put them there "
            "to their next move (advanced, moved back, rejected, withdrawn or hired). Only "
            "completed stays count; an application that went back and returned, or was "
            "reopened, has one stay per visit. Applications still in a stage are counted "
            "apart, as their time there is not known yet. " + ARRIVAL
        ),
        columns=(
            Column("stage", "Stage"),
            Column("completed", "Completed stays", Kind.COUNT),
            Column("median", "Median", Kind.DAYS),
            Column("p90", "90th percentile", Kind.DAYS),
            Column("still_in", "Still in this stage", Kind.COUNT),
        ),
        rows=tuple(table),
        empty=(
            "No stage history in this scope yet. Once applications move through the plan, "
            "the time they spend in each stage shows here; or widen the filters."
        ),
        chart=Chart(
            label="stage", values=("median", "p90"), title="Days in each stage: median and p90"
        ),
    )


# --- Time to decision ------------------------------------------------------------------------

DECISIONS = ((Status.HIRED.value, "Hired"), (Status.REJECTED.value, "Rejected"))
ALL_DECISIONS = "all"


def decision_time(scope: Scope) -> Section:
    """Median and 90th percentile from arrival to hire or rejection; one query."""
    decided = (
        Application.id.in_(scope.applications()),
        Application.status.in_([status for status, _label in DECISIONS]),
        Application.closed_at.is_not(None),
    )
    took = seconds_between(Application.created_at, Application.closed_at).label("took")
    observations = union_all(
        select(Application.status.label("outcome"), took).where(*decided),
        select(literal(ALL_DECISIONS).label("outcome"), took).where(*decided),
    ).subquery("decisions")
    spreads = ranked_values(select(observations.c.outcome, observations.c.took), 1)
    table = []
    if spreads:  # all three rows, a group without decisions showing 0 and dashes
        none = Spread(0, None, None)
        for key, label in (*DECISIONS, (ALL_DECISIONS, "All decisions")):
            spread = spreads.get((key,), none)
            table.append((label, spread.count, spread.median, spread.p90))
    return Section(
        key="decision-time",
        title="Time from application to decision",
        description=(
            "From the application's arrival to the hire or the rejection that closed it. "
            "Withdrawals are not decisions and are left out (see Why candidates left); a "
            "reopened application counts again only once it is closed again. " + ARRIVAL
        ),
        columns=(
            Column("outcome", "Outcome"),
            Column("decisions", "Applications", Kind.COUNT),
            Column("median", "Median", Kind.DAYS),
            Column("p90", "90th percentile", Kind.DAYS),
        ),
        rows=tuple(table),
        empty=(
            "No hires or rejections in this scope yet. Decisions recorded on the review page, "
            "and rejections, show here; or widen the filters."
        ),
        chart=Chart(
            label="outcome",
            values=("median", "p90"),
            title="Days from application to decision: median and p90",
        ),
    )


# --- Why candidates left ---------------------------------------------------------------------


def exits(scope: Scope) -> Section:
    """Closed applications by the stage they left from: rejected, withdrawn by the
    candidate, withdrawn by us; one query."""
    withdrawn = Application.status == Status.WITHDRAWN.value
    rows = db.session.execute(
        select(
            PlanStage.key,
            func.min(PlanStage.name),
            _count(Application.status == Status.REJECTED.value),
            _count(and_(withdrawn, Application.withdrawn_by == Withdrawer.CANDIDATE.value)),
            _count(and_(withdrawn, Application.withdrawn_by == Withdrawer.COMPANY.value)),
            func.count(Application.id),
        )
        .join(PlanStage, PlanStage.id == Application.stage_id)
        .join(Opening, Opening.id == Application.opening_id)
        .where(
            scope.openings(),
            scope.received(),
            Application.status.in_([Status.REJECTED.value, Status.WITHDRAWN.value]),
        )
        .group_by(PlanStage.key)
        .order_by(func.min(PlanStage.position), PlanStage.key)
    ).all()
    return Section(
        key="exits",
        title="Why candidates left, by stage",
        description=(
            "Applications that are closed now without a hire, by the stage they were in when "
            "they closed: our rejections, withdrawals by the candidate, and withdrawals by us "
            "(for example the opening was cancelled). A reopened application is active again "
            "and is not counted. " + ARRIVAL
        ),
        columns=(
            Column("stage", "Stage"),
            Column("rejected", "Rejected", Kind.COUNT),
            Column("withdrawn_candidate", "Withdrawn by the candidate", Kind.COUNT),
            Column("withdrawn_company", "Withdrawn by us", Kind.COUNT),
            Column("total", "All who left", Kind.COUNT),
        ),
        rows=tuple((name, *counts) for _key, name, *counts in rows),
        empty=(
            "No rejected or withdrawn applications in this scope. When candidates leave, the "
            "stage they left from shows here; or widen the filters."
        ),
        chart=Chart(
            label="stage",
            values=("rejected", "withdrawn_candidate", "withdrawn_company"),
            stacked=True,
            title="Applications closed without a hire, by stage",
        ),
    )


def _reason_label(reason: str | None) -> str:
    if reason is None:
        return "Not recorded"
    try:
        return REJECTION_LABELS[RejectionReason(reason)]
    except ValueError:
        return reason


def exit_reasons(scope: Scope) -> Section:
    """Rejections by stage and reason, one row per pair that happened; one query.

    A list rather than a stage-by-reason matrix: most pairs never happen, so the list
    shows only what did, reads top to bottom in stage order with the commonest reason
    first, and downloads as one fact per CSV row. The stage totals are charted in `exits`.
    """
    rows = db.session.execute(
        select(
            PlanStage.key,
            func.min(PlanStage.name),
            Application.rejection_reason,
            func.count(Application.id),
        )
        .join(PlanStage, PlanStage.id == Application.stage_id)
        .join(Opening, Opening.id == Application.opening_id)
        .where(scope.openings(), scope.received(), Application.status == Status.REJECTED.value)
        .group_by(PlanStage.key, Application.rejection_reason)
        .order_by(
            func.min(PlanStage.position),
            PlanStage.key,
            func.count(Application.id).desc(),
            Application.rejection_reason,
        )
    ).all()
    per_stage: dict[str, int] = {}
    for key, _name, _reason, count in rows:
        per_stage[key] = per_stage.get(key, 0) + count
    return Section(
        key="exit-reasons",
        title="Rejection reasons, by stage",
        description=(
            "Applications rejected now, by the stage they were rejected in and the reason "
            "given, with the reason's share of that stage's rejections. Only the stage and "
            "reason pairs that happened are listed, commonest reason first. " + ARRIVAL
        ),
        columns=(
            Column("stage", "Stage"),
            Column("reason", "Reason"),
            Column("rejections", "Rejections", Kind.COUNT),
            Column("of_stage", "Of the stage's rejections", Kind.PERCENT),
        ),
        rows=tuple(
            (name, _reason_label(reason), count, share(count, per_stage[key]))
            for key, name, reason, count in rows
        ),
        empty=(
            "No rejections in this scope. Each rejection records a reason; they are "
            "summarised here once there are some, or widen the filters."
        ),
    )


# --- Sources -----------------------------------------------------------------------------------


def sources(scope: Scope) -> Section:
    """Applications, distinct candidates and hires per candidate source; one query."""
    applications = func.count(Application.id)
    rows = db.session.execute(
        select(
            Candidate.source,
            applications,
            func.count(func.distinct(Candidate.id)),
            _count(Application.status == Status.HIRED.value),
        )
        .join(Candidate, Candidate.id == Application.candidate_id)
        .join(Opening, Opening.id == Application.opening_id)
        .where(scope.openings(), scope.received())
        .group_by(Candidate.source)
        .order_by(applications.desc(), Candidate.source)
    ).all()
    return Section(
        key="sources",
        title="Source of candidates and of hires",
        description=(
            "Where candidates came from (as recorded on the candidate): their applications, "
            "how many different people that is, how many were hired, and the share of the "
            "source's applications that ended in a hire. " + ARRIVAL
        ),
        columns=(
            Column("source", "Source"),
            Column("applications", "Applications", Kind.COUNT),
            Column("candidates", "Candidates", Kind.COUNT),
            Column("hires", "Hires", Kind.COUNT),
            Column("hire_rate", "Hire rate", Kind.PERCENT),
        ),
        rows=tuple(
            (SOURCES.get(source, source), count, people, hires, share(hires, count))
            for source, count, people, hires in rows
        ),
        empty=(
            "No applications in this scope yet. Record each candidate's source when you add "
            "them, and this shows which sources bring candidates and hires."
        ),
        chart=Chart(
            label="source",
            values=("applications", "hires"),
            title="Applications and hires by source",
        ),
    )


# --- Scorecards due ------------------------------------------------------------------------


def scorecards_due(scope: Scope) -> Section:
    """Per interviewer, the scorecards not submitted for started interviews of active
    applications: due (the interview ended less than a day ago, or is under way) and
    overdue; two queries (independence, then the counts)."""
    # whatever the dates (they filter on the interview here); only active applications count
    withheld = scope.withheld(active_only=True)
    card = Scorecard
    assignee = InterviewAssignment.user_id
    now = literal(scope.now, UTCDateTime())
    overdue = seconds_between(Interview.starts_at, now) > (
        Interview.duration_minutes * 60 + OVERDUE_AFTER.total_seconds()
    )
    independent = (
        or_(
            # Literal numbers, as in Scope.feedback_allowed: no limit on how many.
            Application.id.not_in(
                bindparam(None, sorted(withheld), expanding=True, literal_execute=True)
            ),
            assignee == scope.viewer.id,
        )
        if withheld
        else true()
    )
    rows = db.session.execute(
        select(
            User.name,
            _count(~overdue),
            _count(overdue),
            _count(card.status == DRAFT),
        )
        .select_from(Interview)
        .join(InterviewAssignment, InterviewAssignment.interview_id == Interview.id)
        .join(User, User.id == assignee)
        .join(Application, Application.id == Interview.application_id)
        .join(Opening, Opening.id == Application.opening_id)
        .outerjoin(card, and_(card.interview_id == Interview.id, card.author_id == assignee))
        .where(
            scope.openings(),
            scope.received(Interview.starts_at),
            Application.status == Status.ACTIVE.value,
            Interview.status != InterviewStatus.CANCELLED,
            Interview.starts_at <= now,
            or_(card.id.is_(None), card.status != SUBMITTED),
            independent,
        )
        .group_by(User.id, User.name)
        .order_by(_count(overdue).desc(), _count(~overdue).desc(), User.name, User.id)
    ).all()
    hours = int(OVERDUE_AFTER.total_seconds() // 3600)
    return Section(
        key="scorecards-due",
        title="Scorecards due and overdue, by interviewer",
        description=(
            "Scorecards not yet submitted for interviews that have started (not cancelled) "
            f"of active applications: due from the interview's start until {hours} hours "
            "after its end, overdue after that. Drafts started count as not submitted. Where "
            "you still "
            "owe feedback on an application, only your own scorecards on it count. Dates "
            "filter on when the interview started."
        ),
        columns=(
            Column("interviewer", "Interviewer"),
            Column("due", "Due", Kind.COUNT),
            Column("overdue", "Overdue", Kind.COUNT),
            Column("drafts", "Drafts started", Kind.COUNT),
        ),
        rows=tuple(tuple(row) for row in rows),
        empty=(
            "No scorecards waiting: every interview held so far has its scorecards in. "
            "Widen the filters to look further back."
        ),
        chart=Chart(
            label="interviewer",
            values=("due", "overdue"),
            stacked=True,
            title="Scorecards not submitted, by interviewer",
        ),
    )


# --- Interviewer load ----------------------------------------------------------------------


def _monday(moment: datetime) -> date:
    """The Monday of the week a filter bound falls in, in the bound's own zone (the
    viewer's days): a one-week filter is one week wherever the viewer is, although the
    interviews themselves are grouped by UTC weeks in SQL."""
    day = moment.date()
    return day - timedelta(days=day.weekday())


def interviewer_load(scope: Scope) -> Section:
    """Interviews per interviewer per week, summarised per interviewer; one query that
    returns a row per interviewer and week."""
    week = week_start(Interview.starts_at)
    rows = db.session.execute(
        select(User.id, User.name, week.label("week"), func.count(Interview.id))
        .select_from(Interview)
        .join(InterviewAssignment, InterviewAssignment.interview_id == Interview.id)
        .join(User, User.id == InterviewAssignment.user_id)
        .join(Application, Application.id == Interview.application_id)
        .join(Opening, Opening.id == Application.opening_id)
        .where(
            scope.openings(),
            scope.received(Interview.starts_at),
            Interview.status != InterviewStatus.CANCELLED,
        )
        .group_by(User.id, User.name, week)
    ).all()
    weeks: dict[int, list[tuple[date, int]]] = {}
    names: dict[int, str] = {}
    for user_id, name, monday, count in rows:
        names[user_id] = name
        weeks.setdefault(user_id, []).append((as_date(monday), count))
    table: list[tuple[Any, ...]] = []
    notes: tuple[str, ...] = ()
    if weeks:
        f = scope.filters
        seen = [monday for per_week in weeks.values() for monday, _count in per_week]
        first = _monday(f.since) if f.since is not None else min(seen)
        last = _monday(f.until - timedelta(microseconds=1)) if f.until is not None else max(seen)
        period = (last - first).days // 7 + 1
        source = (
            "the filter's dates"
            if f.since is not None and f.until is not None
            else "the filter's dates and the data"
            if f.since is not None or f.until is not None
            else "the first and last week with interviews"
        )
        notes = (
            f"Averages are over {period} week{'s' if period != 1 else ''}, from the week of "
            f"{first.isoformat()} to the week of {last.isoformat()} ({source}), weeks "
            "without interviews included. Weeks start on Monday (UTC).",
        )
        for user_id, per_week in weeks.items():
            total = sum(count for _monday_, count in per_week)
            busiest, most = min(per_week, key=lambda item: (-item[1], item[0]))
            table.append((names[user_id], total, len(per_week), total / period, busiest, most))
        table.sort(key=lambda row: (-row[1], row[0]))
    return Section(
        key="interviewer-load",
        title="Interviewer load",
        description=(
            "Interviews per interviewer (scheduled ones included, cancelled ones not): how "
            "many in all, in how many weeks, the average per week over the period, and the "
            "busiest week. Dates filter on when the interview starts."
        ),
        columns=(
            Column("interviewer", "Interviewer"),
            Column("interviews", "Interviews", Kind.COUNT),
            Column("weeks", "Weeks with interviews", Kind.COUNT),
            Column("per_week", "Average per week", Kind.SCORE),
            Column("busiest_week", "Busiest week (Monday)", Kind.DATE),
            Column("busiest", "Interviews that week", Kind.COUNT),
        ),
        rows=tuple(table),
        empty=(
            "No interviews in this scope. Schedule interviews from an application's page, "
            "or widen the filters, to see who carries the load."
        ),
        chart=Chart(
            label="interviewer", values=("per_week",), title="Interviews per week, on average"
        ),
        notes=notes,
    )


# (key, builder) in page order; each builder makes a fixed number of queries.
SECTIONS: tuple[tuple[str, Callable[[Scope], Section]], ...] = (
    ("funnel", funnel),
    ("stage-time", stage_time),
    ("decision-time", decision_time),
    ("exits", exits),
    ("exit-reasons", exit_reasons),
    ("sources", sources),
    ("scorecards-due", scorecards_due),
    ("interviewer-load", interviewer_load),
)
