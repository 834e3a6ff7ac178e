"""Moving applications through the pipeline: one transaction per move."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from tracker.domain import pipeline, policy
from tracker.domain.errors import MoveNotAllowed, NotFound
from tracker.domain.pipeline import ApplicationState, Move, MoveRequest, Status
from tracker.extensions import db
from tracker.models import Application, Opening, PlanStage, StageEventRecord, User
from tracker.models.types import utcnow
from tracker.services.openings import stages_for_rules


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


def move(application: Application, request: MoveRequest, actor: User) -> StageEventRecord:
    """Apply a move and record it, or raise MoveNotAllowed saying why; all or nothing."""
    if not policy.can_move_application(actor, application.opening):
        raise NotPermitted()
    stages = stages_for_rules(application.opening)
    state = ApplicationState(application.stage.key, Status(application.status))
    now = utcnow()
    event = pipeline.apply_move(stages, state, request, actor.id, now)
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

    application.stage = by_key[event.to_stage]
    application.status = event.to_status.value
    application.updated_at = now
    if event.to_status.is_closed:
        application.closed_at = now
        application.rejection_reason = event.reason.value if event.reason else None
        application.withdrawn_by = event.withdrawn_by.value if event.withdrawn_by else None
    elif request.move is Move.REOPEN:
        application.closed_at = None
        application.rejection_reason = None
        application.withdrawn_by = None
    record = StageEventRecord(
        application=application,
        actor_id=actor.id,
        at=now,
        move=event.move.value,
        from_stage=by_key[event.from_stage],
        to_stage=by_key[event.to_stage],
        from_status=event.from_status.value,
        to_status=event.to_status.value,
        reason=event.reason.value if event.reason else None,
        withdrawn_by=event.withdrawn_by.value if event.withdrawn_by else None,
        note=event.note,
    )
    db.session.add(record)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise MoveNotAllowed(
            "The application changed while you were working on it; reload and try again."
        ) from None
    return record


def move_options(application: Application) -> dict[Move, str]:
    """The moves allowed now, each with the name of the stage it leads to."""
    state = ApplicationState(application.stage.key, Status(application.status))
    options = pipeline.move_options(stages_for_rules(application.opening), state)
    return {move: stage.name for move, stage in options.items()}
