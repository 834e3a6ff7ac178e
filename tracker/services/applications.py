"""Moving applications through the pipeline: one transaction per move.

Two people may act on one application at once. Every UPDATE of an application checks and
bumps its `version` (the mapper's optimistic lock), so of two simultaneous changes exactly
one is written; the other finds its version gone at commit and is refused whole, with the
application's current state (ChangedMeanwhile). A form also carries the version its page
showed, so a change sent from a page older than someone else's change is refused the same
way before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

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


class ChangedMeanwhile(MoveNotAllowed):
    """Someone changed the application after the user's page was loaded (or while their
    request ran): nothing of the request was written; the message says what it is now."""


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


def check_version(application: Application, expected: int | None, actor: User) -> None:
    """Refuse a change sent from a page that showed an older version of the application
    (someone else's change came in between); None: the form carried no version."""
    if expected is not None and expected != application.version:
        raise changed_meanwhile(application.id, actor)


def changed_meanwhile(application_id: int, actor: User) -> ChangedMeanwhile:
    """The refusal for a lost race, saying what the application is now (read afresh)."""
    application = db.session.get(Application, application_id, populate_existing=True)
    if application is None:  # pragma: no cover - applications are never deleted
        return ChangedMeanwhile("This application no longer exists.")
    last = db.session.scalar(
        select(StageEventRecord)
        .where(StageEventRecord.application_id == application_id)
        .order_by(StageEventRecord.id.desc())
        .limit(1)
    )
    if last is not None and last.actor_id == actor.id:
        who = "You changed this application a moment ago (in another tab, or with an earlier click)"
    else:
        who = "This application was changed by someone else just now"
    state = f"{application.stage.name} ({application.status})"
    return ChangedMeanwhile(
        f"{who}, so nothing you sent was saved. Here is its current state: "
        f"{application.candidate.name} is in {state}. Check it before you act again."
    )


# The partial unique index on one active application per candidate and opening; SQLite
# names the columns instead ("UNIQUE constraint failed: applications.candidate_id, ...").
ACTIVE_INDEX = "uq_applications_active_candidate_opening"


@contextmanager
def one_change(application: Application, actor: User) -> Iterator[None]:
    """One transaction for a change to an application, committed at the end: anything
    raised rolls all of it back, and a concurrent change that won (the version check at
    flush, or a unique index such as one active application per candidate and opening)
    becomes ChangedMeanwhile. Nothing is flushed before the commit, so every writer locks
    the application's row before the audit trail's lock (one order: no deadlock)."""
    application_id, seen = application.id, application.version
    try:
        with db.session.no_autoflush:
            yield
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise changed_meanwhile(application_id, actor) from None
    except IntegrityError as error:
        db.session.rollback()
        refusal = changed_meanwhile(application_id, actor)
        if db.session.get(Application, application_id).version == seen:
            if ACTIVE_INDEX not in str(error.orig) and "applications.candidate_id" not in str(
                error.orig
            ):
                raise  # not a race this code knows: a real fault, not a refusal
            # Not this application: another of the candidate's, for the same opening,
            # became active at the same moment (one active application each).
            raise MoveNotAllowed(
                "Another application of this candidate for this opening became active just "
                "now, so nothing you sent was saved. Check the candidate's page."
            ) from None
        raise refusal from None
    except BaseException:
        db.session.rollback()
        raise


def move(
    application: Application,
    request: MoveRequest,
    actor: User,
    *,
    expected_version: int | None = None,
) -> StageEventRecord:
    """Apply a move and record it, or raise MoveNotAllowed saying why (ChangedMeanwhile
    when someone else's change came first); all or nothing. `expected_version` is the
    application's version the user's page showed."""
    with one_change(application, actor):
        check_version(application, expected_version, actor)
        record = record_move(application, request, actor)
    return record


def move_options(application: Application) -> dict[Move, str]:
    """The moves allowed now, each with the name of the stage it leads to."""
    state = ApplicationState(application.stage.key, Status(application.status))
    options = pipeline.move_options(stages_for_rules(application.opening), state)
    return {move: stage.name for move, stage in options.items()}
