"""The hiring manager's review, the decision taken on it, the decision packet, and the
work lists that say whose scorecard is late and which candidate awaits a decision.

Only submitted scorecards are ever read here: drafts neither show nor count. Whoever
interviews the candidate sees none of this until their own scorecards are submitted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import aliased, joinedload, selectinload

from tracker.domain import policy, scoring
from tracker.domain.errors import NotFound, ValidationFailed
from tracker.domain.pipeline import Move, MoveRequest, RejectionReason, StageKind, Status
from tracker.domain.requirements import SetItem, group_by_category
from tracker.domain.scoring import (
    Aggregate,
    DecisionInput,
    FieldErrors,
    Outcome,
    Rating,
    Recommendation,
    RequirementSummary,
)
from tracker.extensions import db
from tracker.models import (
    AccessRole,
    Application,
    Candidate,
    Decision,
    Interview,
    InterviewAssignment,
    InterviewStatus,
    Opening,
    PlanInterview,
    PlanStage,
    Scorecard,
    ScorecardRevision,
    StageEventRecord,
    User,
)
from tracker.models import Rating as RatingRow
from tracker.models.types import utcnow
from tracker.services import applications, independence
from tracker.services.applications import NotPermitted
from tracker.services.catalog import requirement_set

SUBMITTED = "submitted"
DRAFT = "draft"
# A scorecard not submitted this long after its interview ended is overdue.
OVERDUE_AFTER = timedelta(hours=24)
WORK_LIST_LIMIT = 500

__all__ = [
    "NotPermitted",
    "decide",
    "feedback_withheld",
    "needs_decision",
    "packet",
    "review",
    "scorecards_due",
]


# --- The review ----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One submitted scorecard: an interview as one interviewer saw it."""

    scorecard_id: int
    interview_id: int
    interview_name: str
    stage_name: str
    interviewer: str
    interviewer_email: str
    submitted_at: datetime | None
    recommendation: Recommendation | None
    takeaways: str
    revision: int


@dataclass(frozen=True)
class Cell:
    """One rating of one requirement on one scorecard, with the evidence behind it."""

    rating: Rating
    evidence: str
    version: int  # the requirement text version the rating was given against

    @property
    def label(self) -> str:
        return self.rating.label


@dataclass(frozen=True)
class Row:
    """One requirement across every submitted scorecard, and its mechanical summary."""

    requirement: SetItem
    cells: list[Cell | None]  # aligned with Review.columns
    summary: RequirementSummary


@dataclass
class Review:
    """Everything the review page, the decision and the packet are built from."""

    application: Application
    requirements: list[SetItem]
    columns: list[Column]
    rows: list[Row]
    unassessed: list[SetItem]
    aggregate: Aggregate
    interviews: list[Interview]
    decisions: list[Decision]
    gate_gaps: list[str]
    can_decide: bool
    scorecards: list[Scorecard]

    @property
    def groups(self) -> list[tuple[str, list[Row]]]:
        """Rows grouped by category, in the documents' category order."""
        by_id = {row.requirement.requirement_id: row for row in self.rows}
        return [
            (category, [by_id[i.requirement_id] for i in items])
            for category, items in group_by_category(self.requirements)
        ]

    @property
    def disagreements(self) -> int:
        return sum(1 for row in self.rows if row.summary.disagreement)

    @property
    def decision_blocker(self) -> str | None:
        """Why no decision may be recorded now, or None when one may."""
        return _decision_blocker(self.application, self.gate_gaps)


def _load_interviews(application: Application) -> list[Interview]:
    return list(
        db.session.scalars(
            select(Interview)
            .where(Interview.application_id == application.id)
            .options(
                joinedload(Interview.plan_interview),
                joinedload(Interview.stage),
                selectinload(Interview.assignments).joinedload(InterviewAssignment.user),
            )
            .order_by(Interview.starts_at, Interview.id)
        )
    )


def _load_submitted(application: Application, *, revisions: bool = False) -> list[Scorecard]:
    options = [
        joinedload(Scorecard.author),
        selectinload(Scorecard.ratings).options(
            joinedload(RatingRow.requirement_version), joinedload(RatingRow.requirement)
        ),
    ]
    if revisions:
        options.append(selectinload(Scorecard.revisions).joinedload(ScorecardRevision.author))
    return list(
        db.session.scalars(
            select(Scorecard)
            .where(Scorecard.application_id == application.id, Scorecard.status == SUBMITTED)
            .options(*options)
            .order_by(Scorecard.id)
        )
    )


def _may_see(user: User, application: Application) -> bool:
    """The review's access rule: the opening's people, and only once the user owes no
    feedback of their own on this application (`tracker.services.independence`)."""
    return policy.can_view_opening(user, application.opening) and independence.feedback_visible(
        user, application
    )


def review(application: Application, user: User, *, revisions: bool = False) -> Review:
    """The evidence for a decision: requirements by submitted scorecards, each
    requirement's summary, what nobody assessed, and the panel's aggregate.

    NotFound unless the user may see the opening and owes no feedback of their own on it
    (an interviewer, the hiring manager before their own interview included, must have
    submitted their scorecards). A fixed number of queries, however many rows.
    """
    if not _may_see(user, application):
        raise NotFound("No such application.")
    interviews = _load_interviews(application)
    cards = _load_submitted(application, revisions=revisions)

    requirements = requirement_set(application.opening)
    interview_by_id = {i.id: i for i in interviews}
    position = {s.id: s.position for s in application.opening.stages}

    def column_order(card: Scorecard) -> tuple[Any, ...]:
        interview = interview_by_id[card.interview_id]
        return (position.get(interview.stage_id, 0), interview.starts_at, interview.id, card.id)

    cards.sort(key=column_order)
    columns = []
    for card in cards:
        interview = interview_by_id[card.interview_id]
        columns.append(
            Column(
                scorecard_id=card.id,
                interview_id=interview.id,
                interview_name=interview.plan_interview.name,
                stage_name=interview.stage.name,
                interviewer=card.author.name,
                interviewer_email=card.author.email,
                submitted_at=card.submitted_at,
                recommendation=Recommendation(card.recommendation) if card.recommendation else None,
                takeaways=card.key_takeaways,
                revision=card.revision,
            )
        )

    in_set = {item.requirement_id for item in requirements}
    cells: dict[tuple[int, int], Cell] = {}
    given: list[tuple[int, Rating]] = []
    for index, card in enumerate(cards):
        for row in card.ratings:
            if row.rating is None or row.requirement_id not in in_set:
                continue
            rating = Rating(row.rating)
            cells[(row.requirement_id, index)] = Cell(
                rating, row.evidence, row.requirement_version.version
            )
            given.append((row.requirement_id, rating))
    summaries = scoring.summarise_all([i.requirement_id for i in requirements], given)
    rows = [
        Row(
            requirement=item,
            cells=[cells.get((item.requirement_id, n)) for n in range(len(cards))],
            summary=summaries[item.requirement_id],
        )
        for item in requirements
    ]
    missing = set(scoring.unassessed(summaries))
    submitted_pairs = {(c.interview_id, c.author_id) for c in cards}
    gaps = (
        scoring.gate_gaps(
            [
                applications.gate_interview(i, submitted_pairs)
                for i in interviews
                if i.stage_id == application.stage_id
            ]
        )
        if application.stage.kind == StageKind.INTERVIEW.value
        else []
    )
    decisions = list(
        db.session.scalars(
            select(Decision)
            .where(Decision.application_id == application.id)
            .options(joinedload(Decision.decided_by))
            .order_by(Decision.at, Decision.id)
        )
    )
    return Review(
        application=application,
        requirements=requirements,
        columns=columns,
        rows=rows,
        unassessed=[item for item in requirements if item.requirement_id in missing],
        aggregate=scoring.aggregate(c.recommendation for c in columns if c.recommendation),
        interviews=interviews,
        decisions=decisions,
        gate_gaps=gaps,
        can_decide=policy.can_decide(user, application.opening),
        scorecards=cards,
    )


def _decision_blocker(application: Application, gaps: Sequence[str]) -> str | None:
    stage = application.stage
    if application.status != Status.ACTIVE.value:
        return (
            f"This application is {application.status}; a decision is taken only on an "
            "active application."
        )
    if stage.kind == StageKind.DECISION.value:
        return None
    if stage.kind == StageKind.INTERVIEW.value:
        if gaps:
            return (
                f"{stage.name} is not complete: {' '.join(gaps)} Decide once every scorecard "
                "of the stage is in (or move the application on with an override)."
            )
        return None
    return (
        f"The application is in {stage.name}; a decision is taken at the end of an interview "
        "stage or in Decision."
    )


# --- The decision ----------------------------------------------------------------------


def _summary_json(summary: RequirementSummary) -> dict[str, Any]:
    return {
        "count": summary.count,
        "mean": summary.mean,
        "disagreement": summary.disagreement,
        "not_assessed": summary.not_assessed,
    }


def _aggregate_json(panel: Aggregate) -> dict[str, Any]:
    return {"count": panel.count, "mean": panel.mean, "verdict": panel.verdict}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _scorecard_ratings(card: Scorecard, keys: dict[int, str]) -> list[dict[str, Any]]:
    return [
        {
            "requirement": keys.get(r.requirement_id) or r.requirement.key,
            "version": r.requirement_version.version,
            "rating": r.rating,
            "evidence": r.evidence,
        }
        for r in card.ratings
        if r.rating is not None
    ]


def snapshot(data: Review) -> dict[str, Any]:
    """The review as plain data, stored with a decision so it can be read as it stood."""
    keys = {i.requirement_id: i.key for i in data.requirements}
    by_id = {c.id: c for c in data.scorecards}
    return {
        "stage": data.application.stage.key,
        "requirements": [
            {
                "key": row.requirement.key,
                "version": row.requirement.version,
                "category": row.requirement.category,
                **_summary_json(row.summary),
            }
            for row in data.rows
        ],
        "scorecards": [
            {
                "interview": column.interview_name,
                "stage": column.stage_name,
                "interviewer": column.interviewer,
                "submitted_at": _iso(column.submitted_at),
                "revision": column.revision,
                "recommendation": column.recommendation.value if column.recommendation else None,
                "key_takeaways": column.takeaways,
                "ratings": _scorecard_ratings(by_id[column.scorecard_id], keys),
            }
            for column in data.columns
        ],
        "aggregate": _aggregate_json(data.aggregate),
        "unassessed": [item.key for item in data.unassessed],
    }


def _offer_path(application: Application) -> list[PlanStage] | None:
    """The stages an offer passes through to reach Offer, if it may be made from here:
    only stages without interviews may lie between."""
    stages = application.opening.stages
    index = next(i for i, s in enumerate(stages) if s.id == application.stage_id)
    path = []
    for stage in stages[index + 1 :]:
        path.append(stage)
        if stage.kind == StageKind.OFFER.value:
            return path
        if stage.kind != StageKind.DECISION.value:
            return None
    return None


def _next_stage(application: Application) -> PlanStage | None:
    stages = application.opening.stages
    index = next(i for i, s in enumerate(stages) if s.id == application.stage_id)
    return stages[index + 1] if index + 1 < len(stages) else None


def decide(
    application: Application,
    user: User,
    data: DecisionInput,
    *,
    expected_version: int | None = None,
) -> Decision:
    """Record the decision with a snapshot of its evidence, and move the application by
    it, in one transaction: nothing is written if any part is refused.

    NotFound if the user may not see the review; NotPermitted unless they may decide;
    ChangedMeanwhile if the application changed since the page showed `expected_version`
    (a second click, another tab, someone else) or while this request ran, so a decision
    is never recorded twice; ValidationFailed when no decision is due; FieldErrors naming
    what the decision lacks.
    """
    evidence = review(application, user)
    if not evidence.can_decide:
        raise NotPermitted()
    applications.check_version(application, expected_version, user)
    blocker = evidence.decision_blocker
    if blocker:
        raise ValidationFailed(blocker)

    errors: dict[str, str] = {}
    try:
        scoring.check_decision(data, evidence.aggregate, len(evidence.unassessed))
    except FieldErrors as exc:
        errors.update(exc.errors)
    reason = None
    if data.outcome is Outcome.REJECT and data.rejection_reason:
        try:
            reason = RejectionReason(data.rejection_reason)
        except ValueError:
            errors["rejection_reason"] = "Choose a rejection reason from the list."
    offer_path = _offer_path(application) if data.outcome is Outcome.OFFER else None
    if data.outcome is Outcome.OFFER and offer_path is None:
        errors["outcome"] = (
            f"An offer is made after the last interview stage; this application is in "
            f"{application.stage.name}. Advance it or reject it."
        )
    if data.outcome is Outcome.ADVANCE:
        target = _next_stage(application)
        if target is not None and target.kind == StageKind.OFFER.value:
            errors["outcome"] = "The next step from here is an offer: choose Make an offer."
    if errors:
        raise FieldErrors(errors)

    now = utcnow()
    rationale = data.rationale.strip()
    against = scoring.goes_against(data.outcome, evidence.aggregate)
    record = snapshot(evidence)
    record["against_note"] = data.against_note.strip() if against else ""
    coverage_override = (
        data.coverage_override.strip()
        if data.outcome is Outcome.OFFER and evidence.unassessed
        else ""
    )
    decision = Decision(
        application_id=application.id,
        decided_by_id=user.id,
        at=now,
        outcome=data.outcome.value,
        rejection_reason=reason.value if reason else None,
        rationale=rationale,
        against_aggregate=against,
        coverage_override=coverage_override,
        evidence=record,
    )
    with applications.one_change(application, user):
        db.session.add(decision)
        if data.outcome is Outcome.REJECT:
            moves = [MoveRequest(Move.REJECT, reason=reason, note=rationale)]
        else:  # advance one stage, or through Decision to Offer
            steps = 1 if data.outcome is Outcome.ADVANCE else len(offer_path or [])
            advance = MoveRequest(
                Move.ADVANCE, note=rationale, override_reason=coverage_override, by_decision=True
            )
            moves = [advance] * steps
        for request in moves:
            applications.record_move(application, request, user, now)
    return decision


# --- The decision packet -----------------------------------------------------------------


def packet(application: Application, user: User) -> dict[str, Any]:
    """The review as one JSON document for the record: same access as the review."""
    data = review(application, user, revisions=True)
    opening = application.opening
    keys = {i.requirement_id: i.key for i in data.requirements}
    interview_by_id = {i.id: i for i in data.interviews}
    events = db.session.scalars(
        select(StageEventRecord)
        .where(StageEventRecord.application_id == application.id)
        .options(
            joinedload(StageEventRecord.actor),
            joinedload(StageEventRecord.from_stage),
            joinedload(StageEventRecord.to_stage),
        )
        .order_by(StageEventRecord.at, StageEventRecord.id)
    ).all()
    by_card = {c.id: c for c in data.scorecards}
    return {
        "generated_at": utcnow().isoformat(),
        "application": {
            "id": application.id,
            "candidate": application.candidate.name,
            "stage": application.stage.name,
            "status": application.status,
        },
        "opening": {
            "id": opening.id,
            "title": opening.title,
            "role": opening.role.title,
            "level": opening.level.title,
            "grade": opening.level.grade,
            "specialty": opening.specialty.title if opening.specialty else None,
        },
        "requirements": [
            {
                "key": item.key,
                "version": item.version,
                "category": item.category,
                "text": item.text,
            }
            for item in data.requirements
        ],
        "interviews": [
            {
                "id": interview.id,
                "name": interview.plan_interview.name,
                "stage": interview.stage.name,
                "starts_at": interview.starts_at.isoformat(),
                "duration_minutes": interview.duration_minutes,
                "status": interview.status,
                "cancel_reason": interview.cancel_reason or None,
                "interviewers": [
                    {"name": a.user.name, "email": a.user.email} for a in interview.assignments
                ],
            }
            for interview in data.interviews
        ],
        "scorecards": [
            {
                "interviewer": {"name": column.interviewer, "email": column.interviewer_email},
                "interview": column.interview_name,
                "interview_id": column.interview_id,
                "stage": interview_by_id[column.interview_id].stage.name,
                "submitted_at": _iso(column.submitted_at),
                "recommendation": column.recommendation.value if column.recommendation else None,
                "key_takeaways": column.takeaways,
                "revision": column.revision,
                "ratings": _scorecard_ratings(by_card[column.scorecard_id], keys),
                "revisions": [
                    {
                        "revision": rev.revision,
                        "at": rev.at.isoformat(),
                        "by": rev.author.name,
                        "reason": rev.reason,
                        "content": rev.content,
                    }
                    for rev in by_card[column.scorecard_id].revisions
                ],
            }
            for column in data.columns
        ],
        "requirement_summaries": [
            {"requirement": row.requirement.key, **_summary_json(row.summary)} for row in data.rows
        ],
        "unassessed": [item.key for item in data.unassessed],
        "aggregate": _aggregate_json(data.aggregate),
        "stage_history": [
            {
                "at": event.at.isoformat(),
                "actor": event.actor.name,
                "move": event.move,
                "from": event.from_stage.name if event.from_stage else None,
                "to": event.to_stage.name,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "reason": event.reason,
                "withdrawn_by": event.withdrawn_by,
                "note": event.note,
                "override_reason": event.override_reason,
            }
            for event in events
        ],
        "decisions": [
            {
                "at": decision.at.isoformat(),
                "by": decision.decided_by.name,
                "outcome": decision.outcome,
                "rejection_reason": decision.rejection_reason,
                "rationale": decision.rationale,
                "against_aggregate": decision.against_aggregate,
                "against_note": (decision.evidence or {}).get("against_note", ""),
                "coverage_override": decision.coverage_override,
                "evidence": decision.evidence,
            }
            for decision in data.decisions
        ],
    }


# --- Work lists ------------------------------------------------------------------------


def _recruits(user: User) -> ColumnElement[bool]:
    """Openings the user recruits for, in SQL (admins: all)."""
    if policy.is_admin(user):
        return true()
    if user.has_role(AccessRole.RECRUITER):
        return Opening.recruiter_id == user.id
    return false()


def _manages(user: User) -> ColumnElement[bool]:
    """Openings the user may decide on, in SQL: the same rule as policy.can_decide."""
    if policy.is_admin(user):
        return true()
    if user.has_role(AccessRole.HIRING_MANAGER):
        return Opening.hiring_manager_id == user.id
    return false()


def feedback_withheld(user: User, candidate_id: int) -> set[int]:
    """The candidate's applications whose feedback the user may not see yet because they
    owe a scorecard of their own (`tracker.services.independence`); one query for all."""
    return independence.feedback_owed(
        user, select(Application.id).where(Application.candidate_id == candidate_id)
    )


@dataclass(frozen=True)
class DueScorecard:
    """An interviewer who owes the scorecard of an interview that has started."""

    interview_id: int
    interview_name: str
    stage_name: str
    starts_at: datetime
    ends_at: datetime
    interviewer: str
    interviewer_email: str
    application_id: int
    candidate_id: int
    candidate_name: str
    opening_title: str
    has_draft: bool
    overdue: bool
    is_viewer: bool


def scorecards_due(user: User, now: datetime | None = None) -> list[DueScorecard]:
    """Every assigned interviewer of a started, not cancelled interview of an active
    application on the user's openings who has not submitted a scorecard, oldest first.

    Where the user is an interviewer of the application and owes feedback themselves,
    only their own row shows: who else has or has not submitted is feedback too.
    """
    when = now or utcnow()
    card = aliased(Scorecard)
    interviewer = aliased(User)
    blocked = independence.feedback_owed(
        user,
        select(Application.id)
        .join(Opening, Opening.id == Application.opening_id)
        .where(_recruits(user), Application.status == Status.ACTIVE.value),
    )
    rows = db.session.execute(
        select(
            Interview.id,
            Interview.starts_at,
            Interview.duration_minutes,
            PlanInterview.name,
            PlanStage.name,
            interviewer.id,
            interviewer.name,
            interviewer.email,
            Application.id,
            Candidate.id,
            Candidate.name,
            Opening.title,
            card.status,
        )
        .join(InterviewAssignment, InterviewAssignment.interview_id == Interview.id)
        .join(interviewer, interviewer.id == InterviewAssignment.user_id)
        .join(PlanInterview, PlanInterview.id == Interview.plan_interview_id)
        .join(PlanStage, PlanStage.id == Interview.stage_id)
        .join(Application, Application.id == Interview.application_id)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .join(Opening, Opening.id == Application.opening_id)
        .outerjoin(
            card,
            and_(card.interview_id == Interview.id, card.author_id == InterviewAssignment.user_id),
        )
        .where(
            _recruits(user),
            Application.status == Status.ACTIVE.value,
            Interview.status != InterviewStatus.CANCELLED,
            Interview.starts_at <= when,
            or_(card.id.is_(None), card.status != SUBMITTED),
        )
        .order_by(Interview.starts_at, Interview.id, interviewer.name)
        .limit(WORK_LIST_LIMIT)
    ).all()
    out = []
    for (
        interview_id,
        starts_at,
        minutes,
        name,
        stage,
        author_id,
        author,
        email,
        application_id,
        candidate_id,
        candidate,
        opening,
        status,
    ) in rows:
        if application_id in blocked and author_id != user.id:
            continue
        ends_at = starts_at + timedelta(minutes=minutes)
        out.append(
            DueScorecard(
                interview_id=interview_id,
                interview_name=name,
                stage_name=stage,
                starts_at=starts_at,
                ends_at=ends_at,
                interviewer=author,
                interviewer_email=email,
                application_id=application_id,
                candidate_id=candidate_id,
                candidate_name=candidate,
                opening_title=opening,
                has_draft=status == DRAFT,
                overdue=ends_at < when - OVERDUE_AFTER,
                is_viewer=author_id == user.id,
            )
        )
    return out


@dataclass(frozen=True)
class AwaitingDecision:
    """An application whose current stage has all its scorecards in."""

    application_id: int
    candidate_id: int
    candidate_name: str
    opening_title: str
    stage_name: str
    in_decision_stage: bool
    scorecards: int  # submitted scorecards of the current stage (interview stages)
    since: datetime


def needs_decision(user: User) -> list[AwaitingDecision]:
    """Active applications on the openings the user decides on whose current interview
    stage is complete, or that are in Decision; oldest first, in a fixed number of queries.

    Applications on which the user still owes their own scorecard (the hiring manager's
    own interview not yet held included) are left out: that the rest of the panel is done
    is feedback too.
    """
    in_scope = (
        _manages(user),
        Application.status == Status.ACTIVE.value,
        PlanStage.kind.in_([StageKind.INTERVIEW.value, StageKind.DECISION.value]),
    )
    blocked = independence.feedback_owed(
        user,
        select(Application.id)
        .join(Opening, Opening.id == Application.opening_id)
        .join(PlanStage, PlanStage.id == Application.stage_id)
        .where(*in_scope),
    )
    candidates = db.session.scalars(
        select(Application)
        .join(Opening, Opening.id == Application.opening_id)
        .join(PlanStage, PlanStage.id == Application.stage_id)
        .where(*in_scope, Application.id.not_in(sorted(blocked)))
        .options(
            joinedload(Application.candidate),
            joinedload(Application.opening),
            joinedload(Application.stage),
        )
        .order_by(Application.updated_at, Application.id)
        .limit(WORK_LIST_LIMIT)
    ).all()
    in_interview = [a.id for a in candidates if a.stage.kind == StageKind.INTERVIEW.value]
    current_stage = and_(
        Application.id == Interview.application_id,
        Application.stage_id == Interview.stage_id,
        Application.id.in_(in_interview),
    )
    interviews = db.session.scalars(
        select(Interview)
        .join(Application, current_stage)
        .options(
            joinedload(Interview.plan_interview),
            selectinload(Interview.assignments).joinedload(InterviewAssignment.user),
        )
        .order_by(Interview.starts_at, Interview.id)
    ).all()
    submitted = set(
        db.session.execute(
            select(Scorecard.interview_id, Scorecard.author_id)
            .join(Interview, Interview.id == Scorecard.interview_id)
            .join(Application, current_stage)
            .where(Scorecard.status == SUBMITTED)
        ).tuples()
    )
    by_application: dict[int, list[Interview]] = {}
    for interview in interviews:
        by_application.setdefault(interview.application_id, []).append(interview)
    out = []
    for application in candidates:
        in_decision = application.stage.kind == StageKind.DECISION.value
        stage_interviews = by_application.get(application.id, [])
        if not in_decision and scoring.gate_gaps(
            [applications.gate_interview(i, submitted) for i in stage_interviews]
        ):
            continue
        out.append(
            AwaitingDecision(
                application_id=application.id,
                candidate_id=application.candidate_id,
                candidate_name=application.candidate.name,
                opening_title=application.opening.title,
                stage_name=application.stage.name,
                in_decision_stage=in_decision,
                scorecards=_count_submitted(stage_interviews, submitted),
                since=application.updated_at,
            )
        )
    return out


def _count_submitted(interviews: Iterable[Interview], submitted: set[tuple[int, int]]) -> int:
    return sum(
        1
        for i in interviews
        if i.status != InterviewStatus.CANCELLED
        for uid in i.interviewer_ids
        if (i.id, uid) in submitted
    )
