"""Demo interviews and scorecards: realistic ratings and evidence for the review pages.

Stages an application has passed get interviews with submitted scorecards; its current
interview stage gets a mix of upcoming interviews, drafts and overdue scorecards. One
Director / CISO interview has two interviewers who disagree, and some peers leave
requirements Not assessed, so the reviews show a disagreement and a coverage gap.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from tracker.domain.demo_scale import HABITS
from tracker.domain.scoring import Rating as R
from tracker.domain.scoring import Recommendation
from tracker.extensions import db
from tracker.models import (
    Application,
    Decision,
    Interview,
    InterviewAssignment,
    InterviewChange,
    PlanInterview,
    PlanInterviewFocus,
    PlanStage,
    Rating,
    Requirement,
    RequirementVersion,
    Scorecard,
    ScorecardRevision,
    User,
)
from tracker.models.types import utcnow
from tracker.services import audit
from tracker.services.scorecards import current_content

EVIDENCE = {
    R.STRONG_YES: [
        "Walked through a real incident end to end: detection, containment, and the "
        "post-mortem actions they owned. Precise and unprompted.",
        "Gave two detailed examples and explained the trade-offs they made and why; "
        "answered follow-ups without hesitation.",
    ],
    R.YES: [
        "Solid answer with a concrete example from their current role.",
        "Covered the essentials; needed one prompt to go deeper but got there.",
    ],
    R.NO: [
        "Answer stayed generic; could not give an example they had handled themselves.",
        "Described the idea but not how they would apply it here.",
    ],
    R.STRONG_NO: [
        "Could not explain the basics and contradicted themselves when asked to go deeper.",
    ],
}
TAKEAWAYS = {
    Recommendation.STRONG_YES: "Exceptional depth; I would be glad to work with them.",
    Recommendation.YES: "Good fit for the level; some gaps that coaching would close.",
    Recommendation.NO: "Not yet at this level; the gaps are in the core of the role.",
    Recommendation.DEFINITELY_NOT: "Clear gaps in the fundamentals for this role.",
}


class DemoPanel:
    """Everything the demo needs to write interviews for one opening."""

    def __init__(self, rng: random.Random, people: dict[str, User], opening_id: int) -> None:
        self.rng = rng
        self.people = people
        stages = db.session.scalars(
            select(PlanStage).where(PlanStage.opening_id == opening_id)
        ).all()
        self.stages = {s.key: s for s in stages}
        self.plan: dict[int, list[PlanInterview]] = {}
        for pi in db.session.scalars(
            select(PlanInterview)
            .where(PlanInterview.stage_id.in_([s.id for s in stages]))
            .order_by(PlanInterview.position)
        ):
            self.plan.setdefault(pi.stage_id, []).append(pi)
        self.focus: dict[int, list[int]] = {}
        for plan_interview_id, requirement_id in db.session.execute(
            select(PlanInterviewFocus.plan_interview_id, PlanInterviewFocus.requirement_id)
            .join(Requirement)
            .order_by(Requirement.position)
        ):
            self.focus.setdefault(plan_interview_id, []).append(requirement_id)
        self.versions = dict(
            db.session.execute(
                select(RequirementVersion.requirement_id, RequirementVersion.id)
                .join(Requirement)
                .where(RequirementVersion.version == Requirement.version)
            ).all()
        )

    def interviewers(self, plan_interview: PlanInterview, hm: User, twin: bool) -> list[User]:
        p = self.people
        if plan_interview.conducted_by == "recruiter":
            return [p["recruiter@example.com"]]
        if plan_interview.conducted_by == "hiring_manager":
            return [hm]
        if plan_interview.conducted_by == "director_or_ciso":
            return (
                [p["director@example.com"], p["ciso@example.com"]]
                if twin
                else [p["director@example.com"]]
            )
        first = plan_interview.position == 0
        return [p["peer1@example.com"] if first else p["peer2@example.com"]]


def add_interviews(
    panel: DemoPanel,
    application: Application,
    hm: User,
    entered: dict[str, datetime],
    current: str,
    now: datetime,
    strength: float,
    twin_director: bool = False,
) -> int:
    """Interviews for every interview stage the application reached; returns how many."""
    db.session.flush()  # the application needs its id for the scorecards
    count = 0
    for key, stage in panel.stages.items():
        if stage.kind != "interview" or key not in entered:
            continue
        passed = key != current or application.status != "active"
        for plan_interview in panel.plan.get(stage.id, []):
            people = panel.interviewers(plan_interview, hm, twin_director)
            if passed:
                starts = entered[key] + timedelta(hours=10 + 2 * plan_interview.position)
                _interview(
                    panel,
                    application,
                    stage,
                    plan_interview,
                    people,
                    starts,
                    strength,
                    submitted=True,
                    twin=twin_director,
                )
            else:
                kind = panel.rng.choice(["upcoming", "draft", "overdue", "submitted"])
                offsets = {"upcoming": 26, "draft": -3, "overdue": -60, "submitted": -20}
                starts = (now + timedelta(hours=offsets[kind])).replace(
                    minute=0, second=0, microsecond=0
                )
                _interview(
                    panel,
                    application,
                    stage,
                    plan_interview,
                    people,
                    starts,
                    strength,
                    submitted=kind == "submitted",
                    draft=kind == "draft",
                    twin=twin_director,
                )
            count += 1
    return count


def _interview(
    panel: DemoPanel,
    application: Application,
    stage: PlanStage,
    plan_interview: PlanInterview,
    people: list[User],
    starts: datetime,
    strength: float,
    *,
    submitted: bool,
    draft: bool = False,
    twin: bool = False,
) -> None:
    interview = Interview(
        application=application,
        stage=stage,
        plan_interview=plan_interview,
        starts_at=starts,
        duration_minutes=plan_interview.duration_minutes,
        video_url="https://video.example.com/room/" + str(panel.rng.randint(10000, 99999)),
        created_at=starts - timedelta(days=2),
        updated_at=starts - timedelta(days=2),
    )
    interview.assignments = [InterviewAssignment(user_id=u.id) for u in people]
    db.session.add(interview)
    db.session.add(
        InterviewChange(
            interview=interview,
            actor_id=panel.people["recruiter@example.com"].id,
            at=starts - timedelta(days=2),
            kind="scheduled",
            starts_at=starts,
            interviewers=", ".join(u.name for u in people),
        )
    )
    if not (submitted or draft):
        return
    focus = panel.focus.get(plan_interview.id, [])
    for index, person in enumerate(people):
        # With two directors, the second one sees the candidate quite differently.
        lean = strength if index == 0 else (1.0 - strength if twin else strength)
        lean = min(1.0, max(0.0, lean + HABITS.get(person.email, (0.0, 300))[0]))
        _scorecard(panel, interview, application, person, focus, lean, submitted, starts)


def _rating_for(rng: random.Random, lean: float) -> R:
    roll = rng.random()
    if roll < 0.08:
        return R.NOT_ASSESSED
    value = lean + rng.uniform(-0.25, 0.25)
    if value > 0.8:
        return R.STRONG_YES
    if value > 0.5:
        return R.YES
    if value > 0.25:
        return R.NO
    return R.STRONG_NO


def _scorecard(
    panel: DemoPanel,
    interview: Interview,
    application: Application,
    person: User,
    focus: list[int],
    lean: float,
    submitted: bool,
    starts: datetime,
) -> None:
    rng = panel.rng
    slowest = HABITS.get(person.email, (0.0, 300))[1]
    at = starts + timedelta(minutes=interview.duration_minutes + rng.randint(20, slowest))
    at = min(at, utcnow() - timedelta(minutes=5))  # a draft of a recent interview: just now
    scorecard = Scorecard(
        interview=interview,
        author_id=person.id,
        application_id=application.id,
        status="submitted" if submitted else "draft",
        created_at=at,
        updated_at=at,
    )
    ratings = []
    chosen = focus if submitted else focus[: max(1, len(focus) // 2)]
    for requirement_id in chosen:
        value = _rating_for(rng, lean)
        evidence = rng.choice(EVIDENCE[value]) if value in EVIDENCE else ""
        ratings.append(
            Rating(
                requirement_id=requirement_id,
                requirement_version_id=panel.versions[requirement_id],
                rating=value.value,
                evidence=evidence,
            )
        )
    scorecard.ratings = ratings
    if submitted:
        recommendation = (
            Recommendation.STRONG_YES
            if lean > 0.8
            else Recommendation.YES
            if lean > 0.5
            else Recommendation.NO
            if lean > 0.25
            else Recommendation.DEFINITELY_NOT
        )
        scorecard.recommendation = recommendation.value
        scorecard.key_takeaways = TAKEAWAYS[recommendation]
        scorecard.submitted_at = at
        scorecard.revision = 1
        db.session.add(scorecard)
        db.session.flush()
        audit.record_scorecard("scorecard.submit", scorecard, person)
        db.session.add(
            ScorecardRevision(
                scorecard=scorecard,
                revision=1,
                author_id=person.id,
                at=at,
                content=current_content(scorecard),
            )
        )
    else:
        db.session.add(scorecard)


def record_offer_decision(application: Application, hm: User, viewer: User, at: datetime) -> None:
    """The hiring manager's offer decision for a demo application that reached Offer, with
    the same evidence snapshot a real decision keeps."""
    from tracker.domain.scoring import Outcome, goes_against
    from tracker.services.reviews import review, snapshot

    db.session.flush()
    evidence = review(application, viewer)
    against = goes_against(Outcome.OFFER, evidence.aggregate)
    record = snapshot(evidence)
    record["against_note"] = (
        "The panel was split; the director's concerns were checked in two reference calls."
        if against
        else ""
    )
    db.session.add(
        Decision(
            application_id=application.id,
            decided_by_id=hm.id,
            at=at,
            outcome=Outcome.OFFER.value,
            rationale="Consistent evidence across the panel on the level and specialty "
            "requirements; the gaps noted are coachable.",
            against_aggregate=against,
            coverage_override=(
                "The unassessed items were covered in reference calls."
                if evidence.unassessed
                else ""
            ),
            evidence=record,
        )
    )
