"""The review, the decision and the packet on the real database, over a hand-built panel
whose expected counts, means and disagreements are worked out in
tests.review_helpers.build_panel."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.factories import make_interview, make_user, move_to_stage
from tests.review_helpers import (
    Panel,
    build_panel,
    complete_peer_gate,
    requirements_of,
    write_scorecard,
)
from tracker.domain.errors import NotFound, ValidationFailed
from tracker.domain.scoring import DecisionInput, FieldErrors, Outcome
from tracker.extensions import db
from tracker.models import Application, Decision, StageEventRecord
from tracker.services import reviews
from tracker.services.reviews import NotPermitted


@pytest.fixture
def panel(people) -> Panel:
    return build_panel(people)


def load(application: Application) -> Application:
    db.session.expire_all()
    return db.session.get(Application, application.id)


def counts(application: Application) -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).where(Decision.application_id == application.id)),
        db.session.scalar(
            select(func.count()).where(StageEventRecord.application_id == application.id)
        ),
    )


def test_matrix_has_a_column_per_submitted_scorecard(people, panel) -> None:
    review = reviews.review(panel.application, people["hm"])
    assert [(c.interview_name, c.interviewer) for c in review.columns] == [
        ("Hiring manager interview", "Hal Manager"),
        ("Peer interview 1", "Ivy Interviewer"),
        ("Peer interview 2", "Pete Peer"),
    ]
    assert "Dee Drafter" not in {c.interviewer for c in review.columns}


def test_matrix_cells_and_summaries(people, panel) -> None:
    review = reviews.review(panel.application, people["hm"])
    rows = {row.requirement.requirement_id: row for row in review.rows}
    r1, r2, r3 = rows[panel.r1], rows[panel.r2], rows[panel.r3]
    assert [c.label if c else None for c in r1.cells] == ["Strong yes", "No", "Yes"]
    assert r1.cells[0].evidence == "Led the 2023 ransomware response end to end."
    assert r1.cells[0].version == r1.requirement.version
    assert (r1.summary.count, r1.summary.mean, r1.summary.disagreement) == (3, 3.0, True)
    assert (r2.summary.count, r2.summary.mean, r2.summary.disagreement) == (3, 3.33, False)
    assert [c.label if c else None for c in r3.cells] == ["Not assessed", None, None]
    assert (r3.summary.count, r3.summary.mean, r3.summary.not_assessed) == (0, None, 1)
    assert review.disagreements == 1


def test_unassessed_lists_every_requirement_nobody_rated(people, panel) -> None:
    review = reviews.review(panel.application, people["hm"])
    unassessed = {item.requirement_id for item in review.unassessed}
    assert panel.r3 in unassessed  # Not assessed does not count, the draft does not count
    assert panel.r1 not in unassessed and panel.r2 not in unassessed
    assert len(unassessed) == len(review.requirements) - 2


def test_aggregate_of_the_recommendations(people, panel) -> None:
    panel_view = reviews.review(panel.application, people["hm"]).aggregate
    assert (panel_view.count, panel_view.mean, panel_view.verdict) == (3, 3.0, "yes")


def test_rows_are_the_openings_requirement_set_grouped_by_category(people, panel) -> None:
    review = reviews.review(panel.application, people["hm"])
    assert [r.requirement.requirement_id for r in review.rows] == [
        i.requirement_id for i in review.requirements
    ]
    categories = [category for category, _ in review.groups]
    assert categories[:3] == ["General", "Technical", "Communication"]
    assert sum(len(rows) for _, rows in review.groups) == len(review.rows)


def test_an_interviewer_sees_nothing_before_submitting(people, panel) -> None:
    """Hal manages the opening but also interviews for it: until his own scorecard for the
    director round is in, the review does not exist for him."""
    move_to_stage(panel.application, "director")
    make_interview(load(panel.application), [people["hm"]], "Director / CISO interview")
    with pytest.raises(NotFound):
        reviews.review(load(panel.application), people["hm"])
    with pytest.raises(NotFound):
        reviews.packet(load(panel.application), people["hm"])
    # the recruiter, who interviews nobody, still sees it
    assert len(reviews.review(load(panel.application), people["recruiter"]).columns) == 3


def test_interviewers_without_the_opening_and_strangers_see_nothing(people, panel) -> None:
    for who in ("interviewer", "other_hm", "other_recruiter"):
        with pytest.raises(NotFound):
            reviews.review(panel.application, people[who])


def test_advance_decision_is_stored_with_its_evidence_and_moves(people, panel) -> None:
    complete_peer_gate(panel)
    decision = reviews.decide(
        load(panel.application),
        people["hm"],
        DecisionInput(Outcome.ADVANCE, "  Strong on incident response.  "),
    )
    application = load(panel.application)
    assert application.stage.key == "director"
    stored = db.session.get(Decision, decision.id)
    assert (stored.outcome, stored.rationale, stored.against_aggregate) == (
        "advance",
        "Strong on incident response.",
        False,
    )
    assert stored.decided_by_id == people["hm"].id
    evidence = stored.evidence
    assert evidence["aggregate"] == {"count": 4, "mean": 3.0, "verdict": "yes"}
    assert evidence["stage"] == "peer"
    by_key = {r["key"]: r for r in evidence["requirements"]}
    r1_key = next(i.key for i in requirements_of(application) if i.requirement_id == panel.r1)
    assert (by_key[r1_key]["count"], by_key[r1_key]["mean"], by_key[r1_key]["disagreement"]) == (
        3,
        3.0,
        True,
    )
    assert {s["interviewer"] for s in evidence["scorecards"]} == {
        "Hal Manager",
        "Ivy Interviewer",
        "Pete Peer",
        "Dee Drafter",
    }
    hal = next(s for s in evidence["scorecards"] if s["interviewer"] == "Hal Manager")
    assert hal["recommendation"] == "yes"
    assert {"requirement": r1_key, "version": 1, "rating": "strong_yes"}.items() <= (
        hal["ratings"][0].items()
    )
    assert r1_key not in evidence["unassessed"]
    last = application.events[-1]
    assert (last.move, last.from_stage.key, last.to_stage.key, last.note) == (
        "advance",
        "peer",
        "director",
        "Strong on incident response.",
    )


def test_decision_refused_while_the_stage_is_incomplete(people, panel) -> None:
    """Dee's scorecard is only a draft, so the peer stage is not complete."""
    before = counts(panel.application)
    with pytest.raises(ValidationFailed, match="Peer interview 2: no submitted scorecard from Dee"):
        reviews.decide(panel.application, people["hm"], DecisionInput(Outcome.ADVANCE, "Go"))
    assert counts(panel.application) == before


def test_only_the_hiring_manager_or_an_admin_decides(people, panel) -> None:
    complete_peer_gate(panel)
    with pytest.raises(NotPermitted):
        reviews.decide(panel.application, people["recruiter"], DecisionInput(Outcome.ADVANCE, "x"))
    admin_decision = reviews.decide(
        load(panel.application), people["admin"], DecisionInput(Outcome.ADVANCE, "Admin call")
    )
    assert admin_decision.decided_by_id == people["admin"].id


@pytest.mark.parametrize(
    ("given", "fields"),
    [
        (
            DecisionInput(Outcome.REJECT, "", None),
            {"rationale", "rejection_reason", "against_note"},
        ),
        (DecisionInput(Outcome.REJECT, "Gaps", "requirement_gap"), {"against_note"}),
        (DecisionInput(Outcome.REJECT, "Gaps", "bogus", "Evidence is thin"), {"rejection_reason"}),
        (DecisionInput(Outcome.OFFER, "Great"), {"outcome", "coverage_override"}),
    ],
)
def test_refused_decisions_write_nothing(people, panel, given, fields) -> None:
    complete_peer_gate(panel)
    before = counts(panel.application)
    with pytest.raises(FieldErrors) as refused:
        reviews.decide(load(panel.application), people["hm"], given)
    assert set(refused.value.errors) == fields
    assert counts(panel.application) == before
    application = load(panel.application)
    assert (application.stage.key, application.status) == ("peer", "active")


def test_rejection_against_the_panel_needs_and_keeps_the_note(people, panel) -> None:
    complete_peer_gate(panel)
    decision = reviews.decide(
        load(panel.application),
        people["hm"],
        DecisionInput(
            Outcome.REJECT,
            "Containment gaps matter most for this role.",
            "requirement_gap",
            against_note="Ivy's containment evidence outweighs the general yes.",
        ),
    )
    application = load(panel.application)
    assert (application.status, application.rejection_reason) == ("rejected", "requirement_gap")
    last = application.events[-1]
    assert (last.move, last.reason, last.note) == (
        "reject",
        "requirement_gap",
        "Containment gaps matter most for this role.",
    )
    stored = db.session.get(Decision, decision.id)
    assert stored.against_aggregate is True
    assert stored.rejection_reason == "requirement_gap"
    assert stored.evidence["against_note"] == (
        "Ivy's containment evidence outweighs the general yes."
    )


def test_offer_with_unassessed_requirements_needs_a_coverage_override(people, panel) -> None:
    move_to_stage(panel.application, "decision")
    before = counts(panel.application)
    with pytest.raises(FieldErrors) as refused:
        reviews.decide(load(panel.application), people["hm"], DecisionInput(Outcome.OFFER, "Hire"))
    assert set(refused.value.errors) == {"coverage_override"}
    assert counts(panel.application) == before
    decision = reviews.decide(
        load(panel.application),
        people["hm"],
        DecisionInput(
            Outcome.OFFER, "Hire", coverage_override="Specialty items checked in references."
        ),
    )
    application = load(panel.application)
    assert application.stage.key == "offer"
    stored = db.session.get(Decision, decision.id)
    assert stored.coverage_override == "Specialty items checked in references."
    assert len(stored.evidence["unassessed"]) > 0


def test_offer_from_the_last_interview_stage_passes_through_decision(people, panel) -> None:
    move_to_stage(panel.application, "director")
    director = make_user("dana@test.example", "Dana Director", ["interviewer"])
    interview = make_interview(load(panel.application), [director], "Director / CISO interview")
    write_scorecard(interview, director, {panel.r3: ("yes", "")}, "yes")
    before = counts(panel.application)[1]
    reviews.decide(
        load(panel.application),
        people["hm"],
        DecisionInput(Outcome.OFFER, "Strong panel", coverage_override="Rest checked by HM."),
    )
    application = load(panel.application)
    assert application.stage.key == "offer"
    assert [(e.from_stage.key, e.to_stage.key) for e in application.events[before:]] == [
        ("director", "decision"),
        ("decision", "offer"),
    ]


def test_advance_from_decision_is_an_offer(people, panel) -> None:
    """From Decision, Advance would reach Offer without the coverage gate: refused."""
    move_to_stage(panel.application, "decision")
    with pytest.raises(FieldErrors) as refused:
        reviews.decide(load(panel.application), people["hm"], DecisionInput(Outcome.ADVANCE, "x"))
    assert set(refused.value.errors) == {"outcome"}


def test_no_decision_on_a_closed_application_or_outside_the_interviews(people, panel) -> None:
    move_to_stage(panel.application, "applied")
    with pytest.raises(ValidationFailed, match="a decision is taken at the end of an interview"):
        reviews.decide(load(panel.application), people["hm"], DecisionInput(Outcome.ADVANCE, "x"))
    application = load(panel.application)
    application.status = "withdrawn"
    db.session.commit()
    with pytest.raises(ValidationFailed, match="This application is withdrawn"):
        reviews.decide(load(panel.application), people["hm"], DecisionInput(Outcome.REJECT, "x"))


def test_packet_holds_the_whole_record(people, panel) -> None:
    complete_peer_gate(panel)
    reviews.decide(load(panel.application), people["hm"], DecisionInput(Outcome.ADVANCE, "Go"))
    data = reviews.packet(load(panel.application), people["hm"])
    assert data["opening"] == {
        "id": load(panel.application).opening_id,
        "title": "Staff Security Engineer, SIRT",
        "role": "Security Engineer",
        "level": "Staff Security Engineer",
        "grade": 8,
        "specialty": "SIRT - Security Incident Response Team",
    }
    assert len(data["requirements"]) == len(requirements_of(load(panel.application)))
    assert set(data["requirements"][0]) == {"key", "version", "category", "text"}
    interviews = {i["name"]: i for i in data["interviews"]}
    assert interviews["Peer interview 2"]["interviewers"] == [
        {"name": "Pete Peer", "email": "pete@test.example"},
        {"name": "Dee Drafter", "email": "dee@test.example"},
    ]
    assert interviews["Peer interview 1"]["starts_at"].endswith("+00:00")
    assert interviews["Peer interview 1"]["duration_minutes"] == 45
    cards = {c["interviewer"]["name"]: c for c in data["scorecards"]}
    assert set(cards) == {"Hal Manager", "Ivy Interviewer", "Pete Peer", "Dee Drafter"}
    assert cards["Ivy Interviewer"]["recommendation"] == "no"
    assert [r["rating"] for r in cards["Ivy Interviewer"]["ratings"]] == ["no", "yes"]
    assert cards["Ivy Interviewer"]["ratings"][0]["evidence"] == "Vague on containment."
    summaries = {s["requirement"]: s for s in data["requirement_summaries"]}
    r1_key = data["requirements"][0]["key"]
    assert (summaries[r1_key]["count"], summaries[r1_key]["disagreement"]) == (3, True)
    assert data["aggregate"]["verdict"] == "yes"
    assert data["requirements"][2]["key"] not in data["unassessed"]  # Dee rated r3 at last
    moves = [(e["move"], e["from"], e["to"]) for e in data["stage_history"]]
    assert moves == [
        ("apply", None, "Applied"),
        ("advance", "Peer interviews", "Director / CISO interview"),
    ]
    assert [d["outcome"] for d in data["decisions"]] == ["advance"]
    assert data["decisions"][0]["rationale"] == "Go"


def test_packet_never_holds_a_draft(people, panel) -> None:
    data = reviews.packet(panel.application, people["recruiter"])
    assert "Dee Drafter" not in {c["interviewer"]["name"] for c in data["scorecards"]}
    assert "Draft thoughts" not in str(data)


def test_nothing_half_written_when_the_move_fails(people, panel, monkeypatch) -> None:
    """The decision row and the move share one transaction: a refused move takes the
    decision with it."""
    from tracker.domain.errors import MoveNotAllowed
    from tracker.services import applications

    complete_peer_gate(panel)
    before = counts(panel.application)

    def refuse(*args, **kwargs):
        db.session.flush()  # the decision row has reached the database by now
        raise MoveNotAllowed("Refused for the test.")

    monkeypatch.setattr(applications, "record_move", refuse)
    with pytest.raises(MoveNotAllowed):
        reviews.decide(load(panel.application), people["hm"], DecisionInput(Outcome.ADVANCE, "Go"))
    assert counts(panel.application) == before
    assert load(panel.application).stage.key == "peer"
