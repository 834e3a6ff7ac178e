"""The recruiter's "Scorecards due" and the hiring manager's "Needs decision" on the real
database: who is listed, in what order, and for whom."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import make_application, make_interview, make_opening, make_user, move_to_stage
from tests.review_helpers import write_scorecard
from tracker.extensions import db
from tracker.models import InterviewStatus
from tracker.models.types import utcnow
from tracker.services.reviews import needs_decision, scorecards_due


@pytest.fixture
def opening(people):
    return make_opening(people["hm"], people["recruiter"])


def names(rows) -> list[tuple[str, str]]:
    return [(r.candidate_name, r.interviewer) for r in rows]


def test_scorecards_due_lists_started_interviews_without_a_submitted_scorecard(
    people, opening
) -> None:
    now = utcnow()
    ivy = people["interviewer"]
    pete = make_user("pete@test.example", "Pete Peer", ["interviewer"])
    late = make_application(opening, people["recruiter"], name="Lara Late")
    move_to_stage(late, "peer")
    make_interview(late, [ivy], "Peer interview 1", starts_at=now - timedelta(days=2))
    both = make_interview(late, [pete, ivy], "Peer interview 2", starts_at=now - timedelta(hours=3))
    write_scorecard(both, pete, {}, "yes")  # Pete is done; Ivy still owes this one
    draft = make_application(opening, people["recruiter"], name="Dora Draft")
    move_to_stage(draft, "recruiter_screen")
    screen = make_interview(draft, [people["recruiter"]], starts_at=now - timedelta(hours=5))
    write_scorecard(screen, people["recruiter"], {}, "yes", status="draft")
    future = make_application(opening, people["recruiter"], name="Fay Future")
    move_to_stage(future, "recruiter_screen")
    make_interview(future, [people["recruiter"]], starts_at=now + timedelta(hours=1))
    cancelled = make_application(opening, people["recruiter"], name="Cal Cancelled")
    move_to_stage(cancelled, "recruiter_screen")
    gone = make_interview(cancelled, [ivy], starts_at=now - timedelta(days=3))
    gone.status = InterviewStatus.CANCELLED
    db.session.commit()

    rows = scorecards_due(people["recruiter"], now=now)
    assert names(rows) == [
        ("Lara Late", "Ivy Interviewer"),  # two days ago: overdue
        ("Dora Draft", "Rex Recruiter"),
        ("Lara Late", "Ivy Interviewer"),  # three hours ago
    ]
    assert [r.overdue for r in rows] == [True, False, False]
    assert [r.has_draft for r in rows] == [False, True, False]
    assert rows[0].interview_name == "Peer interview 1" and rows[0].stage_name == "Peer interviews"


def test_overdue_means_ended_more_than_a_day_ago(people, opening) -> None:
    now = utcnow()
    application = make_application(opening, people["recruiter"])
    move_to_stage(application, "recruiter_screen")  # a 30-minute call
    make_interview(application, [people["interviewer"]], starts_at=now - timedelta(hours=24))
    assert scorecards_due(people["recruiter"], now=now)[0].overdue is False  # ended 23.5 h ago
    later = now + timedelta(minutes=31)
    assert scorecards_due(people["recruiter"], now=later)[0].overdue is True


def test_scorecards_due_scope(people, opening) -> None:
    theirs = make_opening(people["other_hm"], people["other_recruiter"], title="Theirs")
    for o, name in ((opening, "Mine"), (theirs, "Theirs")):
        application = make_application(
            o, people["recruiter"] if o is opening else people["other_recruiter"], name=name
        )
        move_to_stage(application, "recruiter_screen")
        make_interview(application, [people["interviewer"]])
    closed = make_application(opening, people["recruiter"], name="Closed")
    move_to_stage(closed, "recruiter_screen")
    make_interview(closed, [people["interviewer"]])
    closed.status = "withdrawn"
    db.session.commit()
    assert [r.candidate_name for r in scorecards_due(people["recruiter"])] == ["Mine"]
    assert sorted(r.candidate_name for r in scorecards_due(people["admin"])) == ["Mine", "Theirs"]
    assert scorecards_due(people["hm"]) == []  # not a recruiter


def test_needs_decision(people, opening) -> None:
    ivy = people["interviewer"]
    ready = make_application(opening, people["recruiter"], name="Rita Ready")
    move_to_stage(ready, "peer")
    for name in ("Peer interview 1", "Peer interview 2"):
        write_scorecard(make_interview(ready, [ivy], name), ivy, {}, "yes")
    waiting = make_application(opening, people["recruiter"], name="Walt Waiting")
    move_to_stage(waiting, "peer")
    make_interview(waiting, [ivy], "Peer interview 1")
    empty = make_application(opening, people["recruiter"], name="Ezra Empty")
    move_to_stage(empty, "hiring_manager")  # nothing held yet: not complete
    deciding = make_application(opening, people["recruiter"], name="Dina Decision")
    move_to_stage(deciding, "decision")
    make_application(opening, people["recruiter"], name="Abe Applied")
    rejected = make_application(opening, people["recruiter"], name="Rob Rejected")
    move_to_stage(rejected, "decision")
    rejected.status = "rejected"
    theirs = make_opening(people["other_hm"], people["recruiter"], title="Theirs")
    other = make_application(theirs, people["recruiter"], name="Olly Other")
    move_to_stage(other, "decision")
    db.session.commit()

    rows = needs_decision(people["hm"])
    assert [r.candidate_name for r in rows] == ["Rita Ready", "Dina Decision"]
    assert (rows[0].scorecards, rows[0].in_decision_stage) == (2, False)
    assert rows[1].in_decision_stage is True
    assert {r.candidate_name for r in needs_decision(people["admin"])} == {
        "Rita Ready",
        "Dina Decision",
        "Olly Other",
    }
    assert needs_decision(people["recruiter"]) == []  # recruiters do not decide


def test_needs_decision_hides_what_the_viewer_may_not_know(people, opening) -> None:
    """Hal owes his own scorecard for this candidate, so that the rest of the panel is done
    is not his to know yet."""
    application = make_application(opening, people["recruiter"], name="Ira Independent")
    move_to_stage(application, "director")
    make_interview(application, [people["hm"]], stage_key="hiring_manager")
    director = make_interview(application, [people["interviewer"]])
    write_scorecard(director, people["interviewer"], {}, "yes")
    assert needs_decision(people["hm"]) == []
    assert [r.candidate_name for r in needs_decision(people["admin"])] == ["Ira Independent"]
