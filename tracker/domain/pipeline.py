"""The pipeline's rules: stages, the allowed moves, and the event each move yields.

Everything here is pure: the services load state, ask this module what a move does,
and persist the resulting event. Every rule is tested table-driven in tests/unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tracker.domain.errors import MoveNotAllowed


class Status(StrEnum):
    """Where an application stands overall."""

    ACTIVE = "active"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    HIRED = "hired"

    @property
    def is_closed(self) -> bool:
        return self is not Status.ACTIVE


class StageKind(StrEnum):
    """What happens in a stage; interview stages hold interviews and scorecards."""

    APPLIED = "applied"
    INTERVIEW = "interview"
    DECISION = "decision"
    OFFER = "offer"
    HIRED = "hired"


class Move(StrEnum):
    """Every move a user can ask for."""

    ADVANCE = "advance"
    BACK = "back"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    HIRE = "hire"
    REOPEN = "reopen"


class RejectionReason(StrEnum):
    """The fixed list of reasons a candidate is declined."""

    NOT_QUALIFIED_FOR_LEVEL = "not_qualified_for_level"
    REQUIREMENT_GAP = "requirement_gap"
    COMPENSATION = "compensation"
    POSITION_FILLED = "position_filled"
    FAILED_TO_RESPOND = "failed_to_respond"
    OTHER = "other"

    @property
    def label(self) -> str:
        return REJECTION_LABELS[self]


REJECTION_LABELS: dict[RejectionReason, str] = {
    RejectionReason.NOT_QUALIFIED_FOR_LEVEL: "Not qualified for the level",
    RejectionReason.REQUIREMENT_GAP: "Requirement gap",
    RejectionReason.COMPENSATION: "Compensation",
    RejectionReason.POSITION_FILLED: "Position filled",
    RejectionReason.FAILED_TO_RESPOND: "Failed to respond",
    RejectionReason.OTHER: "Other",
}


class Withdrawer(StrEnum):
    """Who ended the application without a rejection: a different outcome in reports."""

    CANDIDATE = "candidate"
    COMPANY = "company"

    @property
    def label(self) -> str:
        return {
            Withdrawer.CANDIDATE: "The candidate withdrew",
            Withdrawer.COMPANY: "We withdrew the application",
        }[self]


MOVE_LABELS: dict[Move, str] = {
    Move.ADVANCE: "Advance",
    Move.BACK: "Back",
    Move.REJECT: "Reject",
    Move.WITHDRAW: "Withdraw",
    Move.HIRE: "Mark hired",
    Move.REOPEN: "Reopen",
}


@dataclass(frozen=True)
class InterviewTemplate:
    """One interview a stage of the plan holds by default."""

    name: str
    duration_minutes: int
    conducted_by: str  # recruiter | hiring_manager | peer | director_or_ciso


@dataclass(frozen=True)
class StageTemplate:
    """One stage of an interview plan."""

    key: str
    name: str
    kind: StageKind
    description: str = ""
    interviews: tuple[InterviewTemplate, ...] = ()


# The documents' hiring process: screen, hiring manager (60), two peers (45), director/CISO (60).
DEFAULT_PLAN: tuple[StageTemplate, ...] = (
    StageTemplate("applied", "Applied", StageKind.APPLIED, "The application has arrived."),
    StageTemplate(
        "recruiter_screen",
        "Recruiter screen",
        StageKind.INTERVIEW,
        "Screening call with the recruiter.",
        (InterviewTemplate("Recruiter screening call", 30, "recruiter"),),
    ),
    StageTemplate(
        "hiring_manager",
        "Hiring manager interview",
        StageKind.INTERVIEW,
        "Round 1: a 60-minute interview with the hiring manager.",
        (InterviewTemplate("Hiring manager interview", 60, "hiring_manager"),),
    ),
    StageTemplate(
        "peer",
        "Peer interviews",
        StageKind.INTERVIEW,
        "Round 2: two separate 45-minute peer interviews, with different interviewers.",
        (
            InterviewTemplate("Peer interview 1", 45, "peer"),
            InterviewTemplate("Peer interview 2", 45, "peer"),
        ),
    ),
    StageTemplate(
        "director",
        "Director / CISO interview",
        StageKind.INTERVIEW,
        "Round 3: 60 minutes with the Director of Security, the CISO, or both.",
        (InterviewTemplate("Director / CISO interview", 60, "director_or_ciso"),),
    ),
    StageTemplate("decision", "Decision", StageKind.DECISION, "The hiring manager decides."),
    StageTemplate("offer", "Offer", StageKind.OFFER, "An offer is out."),
    StageTemplate("hired", "Hired", StageKind.HIRED, "The candidate accepted."),
)


@dataclass(frozen=True)
class Stage:
    """A stage as the rules see it: its place in the plan and its kind."""

    key: str
    name: str
    kind: StageKind


@dataclass(frozen=True)
class ApplicationState:
    """What the rules need to know about an application."""

    stage_key: str
    status: Status


@dataclass(frozen=True)
class MoveRequest:
    """What the user asked for, with the details some moves need."""

    move: Move
    reason: RejectionReason | None = None
    withdrawn_by: Withdrawer | None = None
    note: str = ""
    override_reason: str = ""
    # The stage the user saw when they asked; a stale page (or a double click) is refused.
    from_stage: str | None = None
    # Only the hiring manager's recorded decision moves an application out of Decision.
    by_decision: bool = False


@dataclass(frozen=True)
class StageEvent:
    """The record a move leaves behind: who, when, from where, to where, why."""

    move: Move
    actor_id: int
    at: datetime
    from_stage: str
    to_stage: str
    from_status: Status
    to_status: Status
    reason: RejectionReason | None
    withdrawn_by: Withdrawer | None
    note: str
    override_reason: str = ""


def _index(stages: Sequence[Stage], key: str) -> int:
    for i, stage in enumerate(stages):
        if stage.key == key:
            return i
    raise MoveNotAllowed(f"The application is in an unknown stage ({key}).")


def check_move(
    stages: Sequence[Stage],
    state: ApplicationState,
    request: MoveRequest,
    gate_gaps: Sequence[str] = (),
) -> Stage:
    """Return the stage the move leads to, or raise MoveNotAllowed saying why.

    `gate_gaps` says what keeps the current interview stage from being complete; moving
    forward past such a stage then needs an override with a reason.
    """
    i = _index(stages, state.stage_key)
    current = stages[i]
    move = request.move
    note = request.note.strip()
    if request.from_stage is not None and request.from_stage != state.stage_key:
        seen = next((s.name for s in stages if s.key == request.from_stage), request.from_stage)
        raise MoveNotAllowed(
            f"This application has moved since the page was loaded: it was in {seen} and is "
            f"now in {current.name}. Check its history before moving it again."
        )

    if move is Move.REOPEN:
        if not state.status.is_closed:
            raise MoveNotAllowed("Only a rejected, withdrawn or hired application can be reopened.")
        if not note:
            raise MoveNotAllowed("Say why the application is reopened.", field="note")
        if current.kind is StageKind.HIRED:
            return stages[i - 1]  # back to Offer: reopening a hire rescinds it
        return current

    if state.status.is_closed:
        raise MoveNotAllowed(
            f"This application is {state.status.value}; reopen it before moving it."
        )

    if move is Move.ADVANCE:
        if i + 1 >= len(stages):
            raise MoveNotAllowed(f"{current.name} is the last stage; there is nowhere to advance.")
        target = stages[i + 1]
        if target.kind is StageKind.HIRED:
            raise MoveNotAllowed(
                f"From {current.name} the next step is Hired: use “Mark hired” once the "
                "candidate accepts."
            )
        if current.kind is StageKind.DECISION and not request.by_decision:
            raise MoveNotAllowed(
                f"Leaving {current.name} takes the hiring manager's decision: record it, with "
                "its rationale, on the review page."
            )
        if (
            current.kind is StageKind.INTERVIEW
            and gate_gaps
            and not request.override_reason.strip()
        ):
            raise MoveNotAllowed(
                f"{current.name} is not complete: {' '.join(gate_gaps)} To move on anyway, "
                "give a reason to override.",
                field="override_reason",
            )
        return target
    if move is Move.BACK:
        if i == 0:
            raise MoveNotAllowed(f"{current.name} is the first stage; there is nothing before it.")
        return stages[i - 1]
    if move is Move.REJECT:
        if request.reason is None:
            raise MoveNotAllowed("Choose a rejection reason.", field="reason")
        if not note:
            raise MoveNotAllowed("Add a note explaining the rejection.", field="note")
        return current
    if move is Move.WITHDRAW:
        if request.withdrawn_by is None:
            raise MoveNotAllowed("Say who withdrew the application.", field="withdrawn_by")
        return current
    if move is Move.HIRE:
        if current.kind is not StageKind.OFFER:
            raise MoveNotAllowed(
                f"A candidate can be hired only from Offer; this one is in {current.name}."
            )
        return stages[i + 1]
    raise MoveNotAllowed(f"Unknown move {move!r}.")  # pragma: no cover - enum is closed


_RESULT_STATUS: dict[Move, Status | None] = {
    Move.ADVANCE: None,
    Move.BACK: None,
    Move.REJECT: Status.REJECTED,
    Move.WITHDRAW: Status.WITHDRAWN,
    Move.HIRE: Status.HIRED,
    Move.REOPEN: Status.ACTIVE,
}


def apply_move(
    stages: Sequence[Stage],
    state: ApplicationState,
    request: MoveRequest,
    actor_id: int,
    at: datetime,
    gate_gaps: Sequence[str] = (),
) -> StageEvent:
    """Check the move and return the event it yields; nothing is changed here."""
    target = check_move(stages, state, request, gate_gaps)
    overriding = (
        request.move is Move.ADVANCE
        and bool(gate_gaps)
        and _stage(stages, state.stage_key).kind is StageKind.INTERVIEW
    )
    to_status = _RESULT_STATUS[request.move] or state.status
    return StageEvent(
        move=request.move,
        actor_id=actor_id,
        at=at,
        from_stage=state.stage_key,
        to_stage=target.key,
        from_status=state.status,
        to_status=to_status,
        reason=request.reason if request.move is Move.REJECT else None,
        withdrawn_by=request.withdrawn_by if request.move is Move.WITHDRAW else None,
        note=request.note.strip(),
        override_reason=request.override_reason.strip() if overriding else "",
    )


def _stage(stages: Sequence[Stage], key: str) -> Stage:
    return stages[_index(stages, key)]


def move_options(stages: Sequence[Stage], state: ApplicationState) -> dict[Move, Stage]:
    """The moves that make sense now and where each leads, for offering only buttons that
    can work (details such as a reason are asked for by the form)."""
    options: dict[Move, Stage] = {}
    for move in Move:
        complete = MoveRequest(
            move, RejectionReason.OTHER, Withdrawer.CANDIDATE, note="-", override_reason="-"
        )  # what a plain move form can ask for: never a decision
        try:
            options[move] = check_move(stages, state, complete)
        except MoveNotAllowed:
            continue
    return options


def allowed_moves(stages: Sequence[Stage], state: ApplicationState) -> list[Move]:
    return list(move_options(stages, state))


def default_stages() -> tuple[Stage, ...]:
    """The default plan as the rules see it."""
    return tuple(Stage(t.key, t.name, t.kind) for t in DEFAULT_PLAN)
