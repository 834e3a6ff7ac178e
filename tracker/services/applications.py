"""Moving applications through the pipeline: one transaction per move."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from tracker.domain import pipeline, policy, scoring
from tracker.domain.errors import MoveNotAllowed, NotFound
from tracker.domain.pipeline import ApplicationState, Move, MoveRequest, StageKind, Status
from tracker.domain.scoring import GateInterview
from tracker.extensions import db
from tracker.models import (
    Application,
    Interview,
    InterviewAssignment,
    InterviewStatus,
    Opening,
    PlanStage,
    Scorecard,
    StageEventRecord,
    User,
)
from tracker.models.types import utcnow
from tracker.services.independence import feedback_owed
from tracker.services.openings import stages_for_rules

SUBMITTED = "submitted"


class NotPermitted(Exception):
    """The user may see the application but not do this to it (403, not 404)."""


def get_application(application_id: int, user: User) -> Application:
    """The application if the user may see its opening, else NotFound."""
    application = db.session.get(
        Application,
        application_id,
        options=[joinedload(Application.opening).selectinload(Opening.stages)],
    )
    if application is None or not policy.can_view_opening(user, application.opening):
        raise NotFound("No such application.")
    return application


def stage_gate(application: Application) -> list[GateInterview]:
    """The interviews of the application's current stage as the gate rule sees them."""
    interviews = db.session.scalars(
        select(Interview)
        .where(
            Interview.application_id == application.id, Interview.stage_id == application.stage_id
        )
        .options(
            joinedload(Interview.plan_interview),
            selectinload(Interview.assignments).joinedload(InterviewAssignment.user),
        )
        .order_by(Interview.starts_at, Interview.id)
    ).all()
    submitted = set(
        db.session.execute(
            select(Scorecard.interview_id, Scorecard.author_id).where(
                Scorecard.application_id == application.id,
                Scorecard.status == SUBMITTED,
            )
        ).tuples()
    )
    return [gate_interview(i, submitted) for i in interviews]


def gate_interview(interview: Interview, submitted: set[tuple[int, int]]) -> GateInterview:
    """One interview for the gate rule; `submitted` holds (interview id, author id) pairs."""
    names = [a.user.name for a in interview.assignments]
    labels = {
        a.user_id: f"{a.user.name} ({a.user.email})"
        if names.count(a.user.name) > 1
        else a.user.name
        for a in interview.assignments
    }
    return GateInterview(
        name=interview.plan_interview.name,
        cancelled=interview.status == InterviewStatus.CANCELLED,
        interviewers=[labels[a.user_id] for a in interview.assignments],
        submitted_by=[
            labels[a.user_id]
            for a in interview.assignments
            if (interview.id, a.user_id) in submitted
        ],
    )


def gate_gaps(application: Application) -> list[str]:
    """What keeps the current stage from being complete; empty when it is, or when the
    stage holds no interviews by its nature (Applied, Decision, Offer)."""
    if application.stage.kind != StageKind.INTERVIEW.value:
        return []
    return scoring.gate_gaps(stage_gate(application))


def record_move(
    application: Application, request: MoveRequest, actor: User, now: datetime | None = None
) -> StageEventRecord:
    """Apply a move and add its record to the session without committing, so a caller can
    make it part of a larger transaction; raises NotPermitted or MoveNotAllowed."""
    if not policy.can_move_application(actor, application.opening):
        raise NotPermitted()
    stages = stages_for_rules(application.opening)
    state = ApplicationState(application.stage.key, Status(application.status))
    gaps = gate_gaps(application) if request.move is Move.ADVANCE else []
    if gaps and feedback_owed(actor, [application.id]):
        # Who has and has not submitted is itself feedback; not for someone who still owes.
        gaps = ["Scorecards of this stage are still missing."]
    now = now or utcnow()
    event = pipeline.apply_move(stages, state, request, actor.id, now, gate_gaps=gaps)
    by_key: dict[str, PlanStage] = {s.key: s for s in application.opening.stages}

    if request.move is Move.REOPEN and db.session.scalar(
        select(Application.id).where(
            Application.candidate_id == application.candidate_id,
            Application.opening_id == application.opening_id,
            Application.status == Status.ACTIVE.value,
            Application.id != application.id,
        )
    ):
        raise MoveNotAllowed(
            "The candidate already has another active application for this opening."
        )

    record = apply_event(application, event, by_key)
    db.session.add(record)
    return record


def apply_event(
    application: Application, event: pipeline.StageEvent, by_key: dict[str, PlanStage]
) -> StageEventRecord:
    """Bring the application to the state the event describes and build its record."""
    application.stage = by_key[event.to_stage]
    application.status = event.to_status.value
    application.updated_at = event.at
    if event.to_status.is_closed:
        application.closed_at = event.at
        application.rejection_reason = event.reason.value if event.reason else None
        application.withdrawn_by = event.withdrawn_by.value if event.withdrawn_by else None
    elif event.move is Move.REOPEN:
        application.closed_at = None
        application.rejection_reason = None
        application.withdrawn_by = None
    return StageEventRecord(
        application=application,
        actor_id=event.actor_id,
        at=event.at,
        move=event.move.value,
        from_stage=by_key[event.from_stage],
        to_stage=by_key[event.to_stage],
        from_status=event.from_status.value,
        to_status=event.to_status.value,
        reason=event.reason.value if event.reason else None,
        withdrawn_by=event.withdrawn_by.value if event.withdrawn_by else None,
        note=event.note,
        override_reason=event.override_reason,
    )


def commit_moves() -> None:
    """Commit the moves recorded so far; a concurrent change becomes a refusal, not a 500."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise MoveNotAllowed(
            "The application changed while you were working on it; reload and try again."
        ) from None


def move(application: Application, request: MoveRequest, actor: User) -> StageEventRecord:
    """Apply a move and record it, or raise MoveNotAllowed saying why; all or nothing."""
    try:
        record = record_move(application, request, actor)
    except Exception:
        db.session.rollback()
        raise
    commit_moves()
    return record


def move_options(application: Application) -> dict[Move, str]:
    """The moves allowed now, each with the name of the stage it leads to."""
    state = ApplicationState(application.stage.key, Status(application.status))
    options = pipeline.move_options(stages_for_rules(application.opening), state)
    return {move: stage.name for move, stage in options.items()}
