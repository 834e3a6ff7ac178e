"""Every allowed and every forbidden move of the pipeline, as plain function calls."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tracker.domain.errors import MoveNotAllowed
from tracker.domain.pipeline import (
    DEFAULT_PLAN,
    ApplicationState,
    Move,
    MoveRequest,
    RejectionReason,
    StageKind,
    Status,
    Withdrawer,
    allowed_moves,
    apply_move,
    check_move,
    default_stages,
)

STAGES = default_stages()
KEYS = [s.key for s in STAGES]
AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
A, S, HM, P, D, DEC, OFFER, H = KEYS
ACTIVE, REJECTED, WITHDRAWN, HIRED = Status

FULL = {
    Move.ADVANCE: MoveRequest(Move.ADVANCE),
    Move.BACK: MoveRequest(Move.BACK, note="clicked the wrong card"),
    Move.REJECT: MoveRequest(Move.REJECT, RejectionReason.REQUIREMENT_GAP, note="no SIRT depth"),
    Move.WITHDRAW: MoveRequest(Move.WITHDRAW, withdrawn_by=Withdrawer.CANDIDATE),
    Move.HIRE: MoveRequest(Move.HIRE),
    Move.REOPEN: MoveRequest(Move.REOPEN, note="candidate came back"),
}


def test_default_plan_follows_the_documents() -> None:
    """The plan is the documents' hiring process, in order, with its interview lengths."""
    assert [s.name for s in DEFAULT_PLAN] == [
        "Applied",
        "Recruiter screen",
        "Hiring manager interview",
        "Peer interviews",
        "Director / CISO interview",
        "Decision",
        "Offer",
        "Hired",
    ]
    minutes = {s.key: [i.duration_minutes for i in s.interviews] for s in DEFAULT_PLAN}
    assert minutes == {
        "applied": [],
        "recruiter_screen": [30],
        "hiring_manager": [60],
        "peer": [45, 45],
        "director": [60],
        "decision": [],
        "offer": [],
        "hired": [],
    }
    assert DEFAULT_PLAN[-1].kind is StageKind.HIRED
    assert DEFAULT_PLAN[-2].kind is StageKind.OFFER


# (stage, status, move) -> (to stage, to status); every case not listed here is forbidden.
ALLOWED: dict[tuple[str, Status, Move], tuple[str, Status]] = {}
for i, key in enumerate(KEYS[:-1]):  # every active stage but Hired
    if KEYS[i + 1] != H and key != DEC:  # Decision is left only by a recorded decision
        ALLOWED[(key, ACTIVE, Move.ADVANCE)] = (KEYS[i + 1], ACTIVE)
    if i > 0:
        ALLOWED[(key, ACTIVE, Move.BACK)] = (KEYS[i - 1], ACTIVE)
    ALLOWED[(key, ACTIVE, Move.REJECT)] = (key, REJECTED)
    ALLOWED[(key, ACTIVE, Move.WITHDRAW)] = (key, WITHDRAWN)
ALLOWED[(OFFER, ACTIVE, Move.HIRE)] = (H, HIRED)
for key in KEYS[:-1]:
    ALLOWED[(key, REJECTED, Move.REOPEN)] = (key, ACTIVE)
    ALLOWED[(key, WITHDRAWN, Move.REOPEN)] = (key, ACTIVE)
ALLOWED[(H, HIRED, Move.REOPEN)] = (OFFER, ACTIVE)

# The states an application can really be in: active before Hired, closed anywhere.
STATES = (
    [(k, ACTIVE) for k in KEYS[:-1]]
    + [(k, s) for k in KEYS[:-1] for s in (REJECTED, WITHDRAWN)]
    + [(H, HIRED)]
)
ALL_CASES = [(stage, status, move) for stage, status in STATES for move in Move]


@pytest.mark.parametrize(("stage", "status", "move"), sorted(ALLOWED))
def test_allowed_move(stage: str, status: Status, move: Move) -> None:
    """Each allowed move lands where the table says and records who, when, from, to, why."""
    event = apply_move(STAGES, ApplicationState(stage, status), FULL[move], actor_id=7, at=AT)
    assert (event.to_stage, event.to_status) == ALLOWED[(stage, status, move)]
    assert (event.from_stage, event.from_status) == (stage, status)
    assert event.actor_id == 7
    assert event.at == AT
    assert event.move is move
    assert event.note == FULL[move].note


FORBIDDEN = [case for case in ALL_CASES if case not in ALLOWED]


@pytest.mark.parametrize(("stage", "status", "move"), FORBIDDEN)
def test_forbidden_move_says_why(stage: str, status: Status, move: Move) -> None:
    """Each forbidden move raises with a message a person can act on."""
    with pytest.raises(MoveNotAllowed) as info:
        check_move(STAGES, ApplicationState(stage, status), FULL[move])
    assert len(info.value.message) > 20


def test_the_tables_cover_every_case() -> None:
    """Allowed plus forbidden is every state times every move: nothing untested."""
    assert len(ALLOWED) + len(FORBIDDEN) == len(STATES) * len(Move)
    assert len(FORBIDDEN) > 0 and len(ALLOWED) > 0


@pytest.mark.parametrize(
    ("state", "request_", "field", "words"),
    [
        ((S, ACTIVE), MoveRequest(Move.REJECT, None, note="x"), "reason", "reason"),
        ((S, ACTIVE), MoveRequest(Move.REJECT, RejectionReason.OTHER, note="  "), "note", "note"),
        ((S, ACTIVE), MoveRequest(Move.WITHDRAW), "withdrawn_by", "who withdrew"),
        ((S, REJECTED), MoveRequest(Move.REOPEN, note=""), "note", "why"),
        ((A, ACTIVE), MoveRequest(Move.BACK), None, "first stage"),
        ((OFFER, ACTIVE), MoveRequest(Move.ADVANCE), None, "Mark hired"),
        ((HM, ACTIVE), MoveRequest(Move.HIRE), None, "only from Offer"),
        ((P, REJECTED), MoveRequest(Move.ADVANCE), None, "reopen it"),
        ((H, HIRED), MoveRequest(Move.WITHDRAW, withdrawn_by=Withdrawer.COMPANY), None, "hired"),
        ((D, ACTIVE), MoveRequest(Move.REOPEN, note="x"), None, "Only a rejected"),
    ],
)
def test_refusals_name_the_problem(state, request_, field, words) -> None:
    """The message says why, and points at the form field it concerns."""
    with pytest.raises(MoveNotAllowed) as info:
        check_move(STAGES, ApplicationState(*state), request_)
    assert info.value.field == field
    assert words in info.value.message


def test_reject_and_withdraw_keep_their_details() -> None:
    """A rejection keeps its reason; a withdrawal keeps who withdrew."""
    rejected = apply_move(STAGES, ApplicationState(P, ACTIVE), FULL[Move.REJECT], 1, AT)
    assert rejected.reason is RejectionReason.REQUIREMENT_GAP
    assert rejected.withdrawn_by is None
    withdrawn = apply_move(STAGES, ApplicationState(P, ACTIVE), FULL[Move.WITHDRAW], 1, AT)
    assert withdrawn.withdrawn_by is Withdrawer.CANDIDATE
    assert withdrawn.reason is None


def test_unknown_stage_is_refused() -> None:
    with pytest.raises(MoveNotAllowed, match="unknown stage"):
        check_move(STAGES, ApplicationState("nowhere", ACTIVE), FULL[Move.ADVANCE])


@pytest.mark.parametrize(("stage", "status"), STATES)
def test_allowed_moves_matches_the_table(stage: str, status: Status) -> None:
    """The buttons offered are exactly the moves the rules allow."""
    expected = {m for (s, st, m) in ALLOWED if (s, st) == (stage, status)}
    assert set(allowed_moves(STAGES, ApplicationState(stage, status))) == expected


GAPS = ["Peer interview 2: no submitted scorecard from Pablo Peer."]


@pytest.mark.parametrize("stage", [S, HM, P, D])
def test_incomplete_interview_stage_needs_an_override_to_advance(stage: str) -> None:
    """Leaving an interview stage early is refused unless a reason overrides the gate."""
    state = ApplicationState(stage, ACTIVE)
    with pytest.raises(MoveNotAllowed) as info:
        check_move(STAGES, state, MoveRequest(Move.ADVANCE), gate_gaps=GAPS)
    assert info.value.field == "override_reason"
    assert GAPS[0] in info.value.message
    event = apply_move(
        STAGES, state, MoveRequest(Move.ADVANCE, override_reason="Pablo is ill"), 1, AT, GAPS
    )
    assert event.override_reason == "Pablo is ill"


@pytest.mark.parametrize(
    ("stage", "move"),
    [(A, Move.ADVANCE), (P, Move.BACK), (P, Move.REJECT), (P, Move.WITHDRAW)],
)
def test_gate_only_guards_advancing_out_of_an_interview_stage(stage: str, move: Move) -> None:
    event = apply_move(STAGES, ApplicationState(stage, ACTIVE), FULL[move], 1, AT, GAPS)
    assert event.override_reason == ""


def test_complete_stage_records_no_override() -> None:
    request = MoveRequest(Move.ADVANCE, override_reason="not needed")
    event = apply_move(STAGES, ApplicationState(P, ACTIVE), request, 1, AT, gate_gaps=[])
    assert event.override_reason == ""


def test_only_a_recorded_decision_leaves_the_decision_stage() -> None:
    """A plain advance from Decision is refused; the hiring manager's decision may pass."""
    state = ApplicationState(DEC, ACTIVE)
    with pytest.raises(MoveNotAllowed, match="hiring manager's decision"):
        check_move(STAGES, state, MoveRequest(Move.ADVANCE))
    event = apply_move(STAGES, state, MoveRequest(Move.ADVANCE, by_decision=True), 1, AT)
    assert (event.to_stage, event.to_status) == (OFFER, ACTIVE)


@pytest.mark.parametrize("move", [Move.ADVANCE, Move.BACK, Move.REJECT, Move.WITHDRAW])
def test_a_stale_page_is_refused(move: Move) -> None:
    """A form sent from a page showing another stage (or a double click) moves nothing."""
    request = FULL[move]
    stale = MoveRequest(
        request.move, request.reason, request.withdrawn_by, request.note, from_stage=S
    )
    with pytest.raises(MoveNotAllowed, match="has moved since the page was loaded"):
        check_move(STAGES, ApplicationState(HM, ACTIVE), stale)
    fresh = MoveRequest(
        request.move, request.reason, request.withdrawn_by, request.note, from_stage=HM
    )
    assert check_move(STAGES, ApplicationState(HM, ACTIVE), fresh)
