"""Independent judgement for the opening's hiring manager: they interview every candidate
who reaches their stage, so until their own scorecard for that interview is in they see
no one's feedback, whether their interview is not scheduled yet, scheduled, or cancelled
to be rebooked. The same holds for a CISO who is both the hiring manager and a
Director/CISO interviewer."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import make_application, make_interview, make_opening, make_user, move_to_stage
from tests.web.test_independence import (
    EVIDENCE_MARKER,
    TAKEAWAY_MARKER,
    assert_nothing_leaks,
    leaks,
    set_focus,
)
from tracker.domain.scoring import Rating, RatingInput, Recommendation
from tracker.extensions import db
from tracker.models import Interview, InterviewStatus, User
from tracker.models.types import utcnow
from tracker.services import scorecards
from tracker.services.catalog import requirement_set

OWN_SCORECARD_DUE = "feedback opens to you once your own scorecards"


def screened(hiring_manager: User, recruiter: User) -> dict:
    """An application in Recruiter screen whose screen is done: the recruiter's submitted
    scorecard (Strong no with evidence, Definitely not) is the feedback that must stay
    hidden. Nothing is scheduled with the hiring manager yet."""
    opening = make_opening(hiring_manager, recruiter)
    application = make_application(opening, recruiter, name="Zoë Núñez")
    move_to_stage(application, "recruiter_screen")
    screen = make_interview(application, [recruiter], stage_key="recruiter_screen")
    ids = [i.requirement_id for i in requirement_set(opening)[:4]]
    set_focus(screen, ids[:2])
    scorecards.save(
        screen,
        recruiter,
        [
            RatingInput(ids[0], Rating.STRONG_NO, f"{EVIDENCE_MARKER}: no incident work."),
            RatingInput(ids[1], Rating.NO, ""),
        ],
        Recommendation.DEFINITELY_NOT,
        f"{TAKEAWAY_MARKER}: not for this role.",
        submit=True,
    )
    return {
        "opening": opening,
        "application": application,
        "peer1": recruiter,  # the author of the feedback
        "interviews": [screen],
        "focus": ids,
    }


@pytest.fixture
def panel(people) -> dict:
    return screened(people["hm"], people["recruiter"])


def urls(panel: dict) -> dict[str, str]:
    application = panel["application"]
    return {
        "review": f"/applications/{application.id}/review",
        "packet": f"/applications/{application.id}/packet.json",
        "feedback": f"/applications/{application.id}/feedback",
        "candidate": f"/candidates/{application.candidate_id}",
    }


def assert_blocked(app: Flask, client: FlaskClient, panel: dict) -> set[str]:
    """Review, packet and feedback are 404 and no page shows a trace of the feedback."""
    for name in ("review", "packet", "feedback"):
        assert client.get(urls(panel)[name]).status_code == 404, name
    candidate = client.get(urls(panel)["candidate"]).get_data(as_text=True)
    assert OWN_SCORECARD_DUE in candidate
    answered = assert_nothing_leaks(app, client, panel)
    assert {"candidates.show", "openings.board", "reviews.decisions_needed"} <= answered
    return answered


def assert_open(client: FlaskClient, panel: dict) -> None:
    review = client.get(urls(panel)["review"])
    packet = client.get(urls(panel)["packet"])
    assert review.status_code == 200 and packet.status_code == 200
    body = review.get_data(as_text=True)
    assert EVIDENCE_MARKER in body and TAKEAWAY_MARKER in body
    assert re.search(r"\b(?:Yes|No) \(mean \d\.\d\d of 4\)", body)
    assert packet.get_json()["scorecards"][0]["recommendation"] == "definitely_not"
    assert OWN_SCORECARD_DUE not in client.get(urls(panel)["candidate"]).get_data(as_text=True)


def submit(client: FlaskClient, interview: Interview, recommendation: str = "no") -> None:
    response = client.post(
        f"/interviews/{interview.id}/scorecard",
        data={"recommendation": recommendation, "submit_scorecard": "Submit scorecard"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def cancel_as_recruiter(client, auth, people, interview: Interview) -> None:
    """The recruiter calls the interview off through the scheduling page, to rebook it."""
    auth.login(people["recruiter"].email)
    response = client.post(
        f"/interviews/{interview.id}/cancel",
        data={f"c{interview.id}-reason": "Clash; rebooking next week."},
    )
    assert response.status_code == 302
    auth.logout()
    db.session.expire_all()
    assert db.session.get(Interview, interview.id).status == InterviewStatus.CANCELLED


def test_the_screen_feedback_is_there_to_be_hidden(client, auth, people, panel) -> None:
    """The opening's recruiter, who owes nothing, reads it: the checks below are not vacuous."""
    auth.login(people["recruiter"].email)
    assert_open(client, panel)


def test_hm_before_their_interview_is_scheduled_sees_nothing(
    app, client, auth, people, panel
) -> None:
    auth.login(people["hm"].email)
    assert_blocked(app, client, panel)
    # the screen is complete, yet that is not announced on Needs decision either
    needed = client.get("/decisions/needed").get_data(as_text=True)
    assert panel["application"].candidate.name not in needed

    # in their own stage, still nothing scheduled: still hidden
    move_to_stage(panel["application"], "hiring_manager")
    assert_blocked(app, client, panel)


def test_cancelling_the_hm_interview_in_its_stage_does_not_lift_the_block(
    app, client, auth, people, panel
) -> None:
    hm = people["hm"]
    move_to_stage(panel["application"], "hiring_manager")
    first = make_interview(panel["application"], [hm], stage_key="hiring_manager")
    set_focus(first, [])
    panel["interviews"].append(first)
    auth.login(hm.email)
    assert_blocked(app, client, panel)
    auth.logout()

    cancel_as_recruiter(client, auth, people, first)
    auth.login(hm.email)
    assert_blocked(app, client, panel)

    # rebooked and submitted: now the hiring manager reads the panel, and Needs decision
    # says the stage is complete
    second = make_interview(panel["application"], [hm], stage_key="hiring_manager")
    submit(client, second)
    assert_open(client, panel)
    needed = client.get("/decisions/needed").get_data(as_text=True)
    assert panel["application"].candidate.name in needed
    assert "<td>All 1</td>" in needed


def test_after_the_hm_submits_the_review_and_packet_open(app, client, auth, people, panel) -> None:
    hm = people["hm"]
    move_to_stage(panel["application"], "hiring_manager")
    interview = make_interview(panel["application"], [hm], stage_key="hiring_manager")
    set_focus(interview, [])
    auth.login(hm.email)
    assert client.get(urls(panel)["review"]).status_code == 404
    submit(client, interview)
    assert_open(client, panel)
    assert "Other interviewers" in client.get(f"/interviews/{interview.id}").get_data(as_text=True)


def test_a_ciso_who_manages_the_opening_and_interviews_as_director(
    app, client, auth, people
) -> None:
    """Blocked before the hiring manager's interview, after it while their director
    interview is open, and while that interview is cancelled in its stage; open once both
    scorecards are in."""
    ciso = make_user("ciso@test.example", "Cyd Ciso", ["hiring_manager", "interviewer"])
    panel = screened(ciso, people["recruiter"])
    application = panel["application"]
    director = make_interview(
        application, [ciso], stage_key="director", starts_at=utcnow() + timedelta(days=7)
    )
    panel["interviews"].append(director)
    auth.login(ciso.email)
    assert_blocked(app, client, panel)

    move_to_stage(application, "hiring_manager")
    hm_interview = make_interview(application, [ciso], stage_key="hiring_manager")
    set_focus(hm_interview, [])
    panel["interviews"].append(hm_interview)
    submit(client, hm_interview)
    assert_blocked(app, client, panel)  # the director interview is still theirs to do

    move_to_stage(application, "director")
    auth.logout()
    cancel_as_recruiter(client, auth, people, director)
    auth.login(ciso.email)
    assert_blocked(app, client, panel)

    rebooked = make_interview(application, [ciso], stage_key="director")
    set_focus(rebooked, [])
    submit(client, rebooked, "yes")
    assert_open(client, panel)


def test_the_blocked_pages_really_are_checked(client, auth, people, panel) -> None:
    """`leaks` finds the screen feedback on the review the recruiter sees."""
    auth.login(people["recruiter"].email)
    body = client.get(urls(panel)["review"]).get_data(as_text=True)
    assert len(leaks(body, panel["application"].id)) >= 8
