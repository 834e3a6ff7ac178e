"""Views of personal data and of other interviewers' scorecards leave audit entries, and
each submitted scorecard carries the trail's proof of whether its author saw anyone
else's feedback first."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, select

from tests.factories import make_application, make_interview, make_opening, make_user
from tracker.domain.scoring import Recommendation
from tracker.extensions import db
from tracker.models import AuditEvent, Interview, PlanInterviewFocus, Scorecard
from tracker.services import audit, scorecards


def last(action: str, object_type: str | None = None) -> AuditEvent | None:
    query = select(AuditEvent).where(AuditEvent.action == action)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    return db.session.scalars(query.order_by(AuditEvent.id.desc())).first()


def views_of(object_type: str, object_id: int) -> list[dict]:
    rows = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.action == "view",
            AuditEvent.object_type == object_type,
            AuditEvent.object_id == str(object_id),
        )
        .order_by(AuditEvent.id)
    )
    return [{"actor": r.actor_email, **json.loads(r.details)} for r in rows]


def no_focus(interview: Interview) -> None:
    """An interview that asks for the recommendation only (keeps the posts short)."""
    db.session.execute(
        delete(PlanInterviewFocus).where(
            PlanInterviewFocus.plan_interview_id == interview.plan_interview_id
        )
    )
    db.session.commit()


def submit(client, interview: Interview, recommendation: str = "yes"):
    response = client.post(
        f"/interviews/{interview.id}/scorecard",
        data={"recommendation": recommendation, "submit_scorecard": "Submit scorecard"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(
        select(Scorecard).where(Scorecard.interview_id == interview.id).order_by(Scorecard.id)
    )


@pytest.fixture
def panel(people) -> dict:
    """Two peers, one interview each, focus-free; nobody has submitted yet."""
    ivy, pia = people["interviewer"], make_user("pia@test.example", "Pia Peer", ["interviewer"])
    opening = make_opening(people["hm"], people["recruiter"])
    application = make_application(opening, people["recruiter"])
    first, second = (
        make_interview(application, [who], f"Peer interview {n}", stage_key="peer")
        for n, who in ((1, ivy), (2, pia))
    )
    for interview in (first, second):
        no_focus(interview)
    return {
        "application": application,
        "ivy": ivy,
        "pia": pia,
        "first": first,
        "second": second,
    }


# --- Views recorded -------------------------------------------------------------------------


def test_the_candidate_page_records_a_view(client, auth, people, panel) -> None:
    candidate_id = panel["application"].candidate_id
    auth.login(people["recruiter"].email)
    assert client.get(f"/candidates/{candidate_id}").status_code == 200
    assert views_of("candidates", candidate_id) == [
        {"actor": "rec@test.example", "what": "candidate page"}
    ]


def test_a_page_refused_records_no_view(client, auth, people, panel) -> None:
    candidate_id = panel["application"].candidate_id
    auth.login(people["other_recruiter"].email)
    assert client.get(f"/candidates/{candidate_id}").status_code == 404
    assert views_of("candidates", candidate_id) == []


def test_the_interview_kit_records_a_view_of_the_candidate(client, auth, panel) -> None:
    auth.login(panel["ivy"].email)
    assert client.get(f"/interviews/{panel['first'].id}").status_code == 200
    assert views_of("candidates", panel["application"].candidate_id) == [
        {"actor": "int@test.example", "what": "interview kit", "interview_id": panel["first"].id}
    ]


def test_feedback_review_and_packet_record_the_other_scorecards_shown(
    client, auth, people, panel
) -> None:
    application = panel["application"]
    auth.login(panel["ivy"].email)
    own = submit(client, panel["first"])
    auth.logout()
    auth.login(panel["pia"].email)
    other = submit(client, panel["second"])
    assert client.get(f"/applications/{application.id}/feedback").status_code == 200
    auth.logout()
    auth.login(people["recruiter"].email)  # wrote none: both are someone else's
    for page in ("review", "packet.json", "feedback"):
        assert client.get(f"/applications/{application.id}/{page}").status_code == 200
    both = [own.id, other.id]
    assert views_of("applications", application.id) == [
        {"actor": "pia@test.example", "what": "feedback", "scorecard_ids": [own.id]},
        {"actor": "rec@test.example", "what": "review", "scorecard_ids": both},
        {"actor": "rec@test.example", "what": "decision packet", "scorecard_ids": both},
        {"actor": "rec@test.example", "what": "feedback", "scorecard_ids": both},
    ]


# --- The independence proof -------------------------------------------------------------


def proof(card: Scorecard) -> dict:
    entry = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "scorecard.submit",
            AuditEvent.object_type == "scorecards",
            AuditEvent.object_id == str(card.id),
        )
    )
    assert entry is not None and entry.actor_id == card.author_id
    return json.loads(entry.details)


def test_a_scorecard_submitted_under_the_independence_rules_saw_nothing(
    client, auth, panel
) -> None:
    """The first author could see nothing; the second tried the feedback page (404) and
    the review (404) before submitting: neither showed a scorecard."""
    auth.login(panel["ivy"].email)
    first = submit(client, panel["first"])
    auth.logout()
    auth.login(panel["pia"].email)
    application_id = panel["application"].id
    assert client.get(f"/applications/{application_id}/feedback").status_code == 404
    assert client.get(f"/applications/{application_id}/review").status_code == 404
    second = submit(client, panel["second"])
    for card in (first, second):
        assert proof(card) == {
            "application_id": application_id,
            "saw_others_feedback": False,
            "viewed_scorecard_ids": [],
        }


def test_an_author_who_read_the_feedback_before_a_later_scorecard_is_shown_so(
    client, auth, people, panel
) -> None:
    """Ivy submits, Pia submits, Ivy reads the feedback (allowed: she owes none), then
    gets another interview on the application and submits it: the trail says she had seen
    Pia's scorecard, and the review page says so next to that scorecard."""
    application = panel["application"]
    auth.login(panel["ivy"].email)
    submit(client, panel["first"])
    auth.logout()
    auth.login(panel["pia"].email)
    pias = submit(client, panel["second"])
    auth.logout()
    auth.login(panel["ivy"].email)
    assert client.get(f"/applications/{application.id}/feedback").status_code == 200
    later = make_interview(application, [panel["ivy"]], "Peer interview 2", stage_key="peer")
    no_focus(later)
    ivys_later = submit(client, later)
    assert proof(ivys_later) == {
        "application_id": application.id,
        "saw_others_feedback": True,
        "viewed_scorecard_ids": [pias.id],
    }
    auth.logout()
    auth.login(people["recruiter"].email)
    page = client.get(f"/applications/{application.id}/review").get_data(as_text=True)
    assert page.count("Submitted without seeing others' feedback") == 2
    assert page.count("Saw others' feedback first") == 1
    assert "viewed 1 other scorecard on this application before submitting" in page


def test_a_view_recorded_by_the_helper_counts_as_having_seen_feedback(app, people, panel) -> None:
    """The proof reads the trail, whatever page wrote the view."""
    ivy, application = panel["ivy"], panel["application"]
    audit.record(
        "view",
        "applications",
        application.id,
        {"what": "review", "scorecard_ids": [41, 40]},
        actor=ivy,
    )
    card = scorecards.save(panel["first"], ivy, [], Recommendation.YES, "", submit=True)
    assert proof(card)["viewed_scorecard_ids"] == [40, 41]
    # someone else's view, or a view of another application, does not count
    audit.record("view", "applications", application.id, {"scorecard_ids": [7]}, actor=people["hm"])
    audit.record("view", "applications", application.id + 1, {"scorecard_ids": [8]}, actor=ivy)
    db.session.commit()
    assert audit.others_feedback_seen(ivy.id, application.id) == [40, 41]


def test_an_amendment_records_the_proof_too(client, auth, panel) -> None:
    auth.login(panel["ivy"].email)
    card = submit(client, panel["first"])
    response = client.post(
        f"/interviews/{panel['first'].id}/scorecard/amend",
        data={"recommendation": "no", "reason": "Rethought it."},
    )
    assert response.status_code == 302
    entry = last("scorecard.amend")
    assert entry.object_id == str(card.id)
    assert json.loads(entry.details)["saw_others_feedback"] is False
