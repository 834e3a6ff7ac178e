"""Stage gates on the real database: an application leaves an interview stage only when
every interview of the stage that was not cancelled has its submitted scorecards, or
with an override whose reason is kept in the stage history."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.factories import make_application, make_interview, make_opening, make_user, move_to_stage
from tests.review_helpers import write_scorecard
from tracker.domain.errors import MoveNotAllowed
from tracker.domain.pipeline import Move, MoveRequest, RejectionReason
from tracker.extensions import db
from tracker.models import Application, InterviewStatus, StageEventRecord
from tracker.services import applications


@pytest.fixture
def application(people) -> Application:
    opening = make_opening(people["hm"], people["recruiter"])
    application = make_application(opening, people["recruiter"], name="Gate Candidate")
    return move_to_stage(application, "peer")


@pytest.fixture
def peers(people) -> tuple:
    return people["interviewer"], make_user("peer@test.example", "Pete Peer", ["interviewer"])


def events(application: Application) -> int:
    return db.session.scalar(
        select(func.count()).where(StageEventRecord.application_id == application.id)
    )


def advance(application: Application, actor, override: str = "") -> StageEventRecord:
    return applications.move(
        application, MoveRequest(Move.ADVANCE, override_reason=override), actor
    )


def test_advance_refused_listing_the_missing_scorecards(people, application, peers) -> None:
    ivy, pete = peers
    one = make_interview(application, [ivy], "Peer interview 1")
    make_interview(application, [pete], "Peer interview 2")
    write_scorecard(one, ivy, {}, "yes")
    before = events(application)
    with pytest.raises(MoveNotAllowed) as refused:
        advance(application, people["recruiter"])
    assert refused.value.field == "override_reason"
    assert "Peer interviews is not complete" in refused.value.message
    assert "Peer interview 2: no submitted scorecard from Pete Peer." in refused.value.message
    assert "Ivy" not in refused.value.message  # hers is in
    db.session.expire_all()
    assert db.session.get(Application, application.id).stage.key == "peer"
    assert events(application) == before


def test_a_draft_does_not_open_the_gate(people, application, peers) -> None:
    ivy, _ = peers
    interview = make_interview(application, [ivy], "Peer interview 1")
    write_scorecard(interview, ivy, {}, "yes", status="draft")
    with pytest.raises(MoveNotAllowed, match="no submitted scorecard from Ivy Interviewer"):
        advance(application, people["recruiter"])


def test_override_moves_on_and_is_recorded(people, application, peers) -> None:
    ivy, _ = peers
    make_interview(application, [ivy], "Peer interview 1")
    record = advance(application, people["hm"], override="  Ivy is on leave; we have enough.  ")
    stored = db.session.get(StageEventRecord, record.id)
    assert (stored.from_stage.key, stored.to_stage.key) == ("peer", "director")
    assert stored.override_reason == "Ivy is on leave; we have enough."


def test_complete_stage_advances_without_override(people, application, peers) -> None:
    ivy, pete = peers
    one = make_interview(application, [ivy], "Peer interview 1")
    two = make_interview(application, [pete], "Peer interview 2")
    write_scorecard(one, ivy, {}, "yes")
    write_scorecard(two, pete, {}, "no")
    record = advance(application, people["recruiter"], override="not needed")
    assert record.to_stage.key == "director"
    assert record.override_reason == ""  # nothing was overridden, so nothing is claimed


def test_cancelled_interviews_do_not_count(people, application, peers) -> None:
    ivy, pete = peers
    held = make_interview(application, [ivy], "Peer interview 1")
    cancelled = make_interview(application, [pete], "Peer interview 2")
    cancelled.status = InterviewStatus.CANCELLED
    cancelled.cancel_reason = "Pete is ill"
    db.session.commit()
    write_scorecard(held, ivy, {}, "yes")
    assert advance(application, people["recruiter"]).to_stage.key == "director"


@pytest.mark.parametrize("cancel_all", [False, True])
def test_stage_with_nothing_held_needs_override(people, application, peers, cancel_all) -> None:
    if cancel_all:
        interview = make_interview(application, [peers[0]], "Peer interview 1")
        interview.status = InterviewStatus.CANCELLED
        db.session.commit()
    with pytest.raises(MoveNotAllowed, match="No interview of this stage has taken place"):
        advance(application, people["recruiter"])
    record = advance(application, people["recruiter"], override="The panel met informally")
    assert record.override_reason == "The panel met informally"


def test_every_interviewer_of_an_interview_must_submit(people, application) -> None:
    """The Director / CISO interview may have two interviewers: both scorecards count."""
    move_to_stage(application, "director")
    dana = make_user("dana@test.example", "Dana Director", ["interviewer"])
    casey = make_user("casey@test.example", "Casey CISO", ["interviewer"])
    interview = make_interview(application, [dana, casey])
    write_scorecard(interview, dana, {}, "yes")
    with pytest.raises(MoveNotAllowed, match="no submitted scorecard from Casey CISO"):
        advance(application, people["hm"])
    write_scorecard(interview, casey, {}, "yes")
    assert advance(application, people["hm"]).to_stage.key == "decision"


def test_interviews_of_other_stages_do_not_count(people, application, peers) -> None:
    """A submitted scorecard of the hiring manager round does not complete the peers."""
    earlier = make_interview(application, [people["hm"]], stage_key="hiring_manager")
    write_scorecard(earlier, people["hm"], {}, "yes")
    with pytest.raises(MoveNotAllowed, match="No interview of this stage has taken place"):
        advance(application, people["recruiter"])


def test_only_advancing_is_gated(people, application) -> None:
    """Back and reject need no override: the gate guards moving forward only."""
    assert applications.move(application, MoveRequest(Move.BACK), people["hm"]).to_stage.key == (
        "hiring_manager"
    )
    move_to_stage(application, "peer")
    record = applications.move(
        application,
        MoveRequest(Move.REJECT, RejectionReason.REQUIREMENT_GAP, note="Gaps"),
        people["hm"],
    )
    assert record.to_status == "rejected" and record.override_reason == ""


def test_applied_is_not_an_interview_stage(people) -> None:
    opening = make_opening(people["hm"], people["recruiter"])
    application = make_application(opening, people["recruiter"])
    assert advance(application, people["recruiter"]).to_stage.key == "recruiter_screen"
