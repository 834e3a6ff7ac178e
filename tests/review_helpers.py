"""Builders for review, gate and work-list tests: scorecards written straight to the
database, so these tests do not depend on the scorecard pages or service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, select

from tests.factories import make_application, make_interview, make_opening, make_user, move_to_stage
from tracker.domain.requirements import SetItem
from tracker.extensions import db
from tracker.models import (
    Application,
    Interview,
    Rating,
    Requirement,
    RequirementVersion,
    Scorecard,
    User,
)
from tracker.models.types import utcnow
from tracker.services.catalog import requirement_set


def requirements_of(application: Application) -> list[SetItem]:
    """The opening's requirement set, in document order."""
    return requirement_set(application.opening)


def current_version_id(requirement_id: int) -> int:
    return db.session.scalar(
        select(RequirementVersion.id)
        .join(Requirement, Requirement.id == RequirementVersion.requirement_id)
        .where(
            and_(
                RequirementVersion.requirement_id == requirement_id,
                RequirementVersion.version == Requirement.version,
            )
        )
    )


def write_scorecard(
    interview: Interview,
    author: User,
    ratings: dict[int, tuple[str, str]],
    recommendation: str | None,
    takeaways: str = "",
    *,
    status: str = "submitted",
) -> Scorecard:
    """A scorecard by `author` for `interview`: ratings are {requirement id: (rating,
    evidence)}, each recorded against the requirement's current text version."""
    now = utcnow()
    card = Scorecard(
        interview_id=interview.id,
        author_id=author.id,
        application_id=interview.application_id,
        status=status,
        recommendation=recommendation,
        key_takeaways=takeaways,
        created_at=now - timedelta(minutes=5),
        updated_at=now,
        submitted_at=now if status == "submitted" else None,
        revision=1 if status == "submitted" else 0,
    )
    card.ratings = [
        Rating(
            requirement_id=rid,
            requirement_version_id=current_version_id(rid),
            rating=rating,
            evidence=evidence,
        )
        for rid, (rating, evidence) in ratings.items()
    ]
    db.session.add(card)
    db.session.commit()
    return card


@dataclass
class Panel:
    application: Application
    r1: int
    r2: int
    r3: int
    hm_interview: Interview
    peer1: Interview
    peer2: Interview
    ivy: User
    pete: User
    drafter: User


def build_panel(people: dict) -> Panel:
    """Three submitted scorecards and one draft on a candidate in Peer interviews.

    requirement  HM (Hal)     Peer 1 (Ivy)  Peer 2 (Pete)   count  mean  disagreement
    r1           Strong yes   No            Yes             3      3.00  yes (4 - 2)
    r2           Yes          Yes           Strong yes      3      3.33  no
    r3           Not assessed -             -               0      -     no  (unassessed)
    recommendations: Yes (3), No (2), Strong yes (4): mean 3.00, the panel says yes.
    A draft by Dee (Strong no on r3, Definitely not) must change none of it.
    """
    opening = make_opening(people["hm"], people["recruiter"])
    application = make_application(opening, people["recruiter"], name="Rhea Review")
    items = requirements_of(application)
    r1, r2, r3 = items[0].requirement_id, items[1].requirement_id, items[2].requirement_id
    ivy = people["interviewer"]
    pete = make_user("pete@test.example", "Pete Peer", ["interviewer"])
    dee = make_user("dee@test.example", "Dee Drafter", ["interviewer"])
    hm_interview = make_interview(application, [people["hm"]], stage_key="hiring_manager")
    move_to_stage(application, "peer")
    peer1 = make_interview(application, [ivy], "Peer interview 1")
    peer2 = make_interview(application, [pete, dee], "Peer interview 2")
    write_scorecard(
        hm_interview,
        people["hm"],
        {
            r1: ("strong_yes", "Led the 2023 ransomware response end to end."),
            r2: ("yes", ""),
            r3: ("not_assessed", ""),
        },
        "yes",
        "Strong incident lead.",
    )
    write_scorecard(peer1, ivy, {r1: ("no", "Vague on containment."), r2: ("yes", "")}, "no")
    write_scorecard(
        peer2, pete, {r1: ("yes", ""), r2: ("strong_yes", "Wrote our runbooks.")}, "strong_yes"
    )
    write_scorecard(
        peer2, dee, {r3: ("strong_no", "Draft thoughts")}, "definitely_not", status="draft"
    )
    return Panel(application, r1, r2, r3, hm_interview, peer1, peer2, ivy, pete, dee)


def complete_peer_gate(panel: Panel) -> None:
    """Dee's draft keeps Peer interview 2 open; her submission completes the stage."""
    card = db.session.scalar(select(Scorecard).where(Scorecard.author_id == panel.drafter.id))
    card.status = "submitted"
    card.submitted_at = card.updated_at
    card.recommendation = "yes"
    card.ratings[0].rating = "yes"
    db.session.commit()
