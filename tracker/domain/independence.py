"""Independent judgement: who still owes their own feedback on an application, and so may
see no one else's. Pure functions over plain values, gathered for one person and one
application by `tracker.services.independence`.

A person is an interviewer of an application when
  (a) they are assigned to any interview of it that was not cancelled, or
  (b) they are the opening's hiring manager, the plan has an interview conducted by
      "hiring_manager", and the application has not moved past that interview's stage
      (its current stage position <= that stage's position).

They owe feedback, and see no other scorecard, rating, recommendation, count or average
for the application, while any of these holds:
  (a) one of their interviews that was not cancelled lacks their submitted scorecard;
  (b) as in (b) above, and they have no submitted scorecard for any interview of that plan
      interview on this application: the hiring manager's interview counts as "assigned,
      not submitted" before it is first scheduled, while it is scheduled, and after it is
      cancelled, until their own scorecard for it is in (or the application moves past
      its stage);
  (c) an interview of theirs was cancelled, the application is still in that interview's
      stage, and they have no submitted scorecard for that plan interview: they are
      expected to be rebooked, so cancelling does not lift the block.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

HIRING_MANAGER_INTERVIEW = "hiring_manager"  # PlanInterview.conducted_by


@dataclass(frozen=True)
class OwnInterview:
    """An interview of the application the person is assigned to (cancelled or not)."""

    interview_id: int
    plan_interview_id: int
    stage_position: int
    cancelled: bool = False


@dataclass(frozen=True)
class OwnScorecard:
    """A scorecard the person has submitted on the application."""

    interview_id: int
    plan_interview_id: int


@dataclass(frozen=True)
class PlannedInterview:
    """An interview of the opening's plan, and the position of its stage."""

    plan_interview_id: int
    stage_position: int
    conducted_by: str


@dataclass(frozen=True)
class FeedbackFacts:
    """What decides independence for one person on one application."""

    stage_position: int  # the application's current stage
    hiring_manager: bool = False  # the person is the opening's hiring manager
    plan: Sequence[PlannedInterview] = ()  # only those conducted by the hiring manager matter
    assigned: Sequence[OwnInterview] = ()
    submitted: Sequence[OwnScorecard] = ()


def _pending_hiring_manager_interviews(facts: FeedbackFacts) -> list[PlannedInterview]:
    """Rule (b): the hiring manager's interviews of the plan the application has not
    moved past yet."""
    if not facts.hiring_manager:
        return []
    return [
        p
        for p in facts.plan
        if p.conducted_by == HIRING_MANAGER_INTERVIEW and facts.stage_position <= p.stage_position
    ]


def is_interviewer(facts: FeedbackFacts) -> bool:
    """(a) assigned to an interview that was not cancelled, or (b) the hiring manager
    whose interview of the plan is still ahead of or at the application's stage."""
    return any(not i.cancelled for i in facts.assigned) or bool(
        _pending_hiring_manager_interviews(facts)
    )


def owed(facts: FeedbackFacts) -> list[str]:
    """Why the person still owes feedback, one line per reason; empty when they do not."""
    done_interviews = {s.interview_id for s in facts.submitted}
    done_plan = {s.plan_interview_id for s in facts.submitted}
    reasons = []
    for interview in facts.assigned:
        if not interview.cancelled and interview.interview_id not in done_interviews:
            reasons.append(f"a: interview {interview.interview_id} has no submitted scorecard")
        elif (
            interview.cancelled
            and interview.stage_position == facts.stage_position
            and interview.plan_interview_id not in done_plan
        ):
            reasons.append(
                f"c: interview {interview.interview_id} was cancelled in the current stage "
                "and is expected to be rebooked"
            )
    for planned in _pending_hiring_manager_interviews(facts):
        if planned.plan_interview_id not in done_plan:
            reasons.append(
                f"b: the hiring manager's interview {planned.plan_interview_id} is still ahead"
            )
    return reasons


def owes_feedback(facts: FeedbackFacts) -> bool:
    """Whether the person may see none of the others' feedback yet (rules a, b, c)."""
    return bool(owed(facts))
