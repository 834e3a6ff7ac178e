"""Independent judgement, as the pages apply it: the one place that gathers what
`tracker.domain.independence` decides on. Every page, export and work list that shows
scorecard data, or who has submitted, asks here (directly or through
`feedback_visible`), so the rule cannot drift between them.

One query, however many applications are asked about.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, and_, false, null, or_, select, union_all
from sqlalchemy.orm import aliased

from tracker.domain import independence, policy
from tracker.domain.independence import (
    HIRING_MANAGER_INTERVIEW,
    FeedbackFacts,
    OwnInterview,
    OwnScorecard,
    PlannedInterview,
)
from tracker.extensions import db
from tracker.models import (
    Application,
    Interview,
    InterviewAssignment,
    InterviewStatus,
    Opening,
    PlanInterview,
    PlanStage,
    Scorecard,
    User,
)

SUBMITTED = "submitted"


def feedback_facts(
    user: User, applications: Iterable[int] | Select[tuple[int]]
) -> dict[int, FeedbackFacts]:
    """The independence facts of the user on each given application (ids, or a select of
    ids) where they have any part: an interview, a submitted scorecard, or the hiring
    manager's interview of the plan. Applications absent from the result owe nothing."""
    if not isinstance(applications, Select):
        applications = list(applications)  # used in both halves of the query
    current = aliased(PlanStage)
    held = aliased(PlanStage)
    own = aliased(Scorecard)
    mine = aliased(InterviewAssignment)
    # (b) the hiring manager's interviews of the plan, on the openings whose hiring manager
    # the user is; a row per plan interview, with no interview (an opening whose plan has
    # none leaves rule b nothing to apply to)
    planned = (
        select(
            Application.id,
            current.position,
            null(),
            PlanInterview.id,
            held.position,
            null(),
            false(),
            null(),
        )
        .join(current, current.id == Application.stage_id)
        .join(Opening, Opening.id == Application.opening_id)
        .join(held, held.opening_id == Application.opening_id)
        .join(
            PlanInterview,
            and_(
                PlanInterview.stage_id == held.id,
                PlanInterview.conducted_by == HIRING_MANAGER_INTERVIEW,
            ),
        )
        .where(Opening.hiring_manager_id == user.id, Application.id.in_(applications))
    )
    # (a), (c) and every submission: the user's interviews and scorecards, cancelled too
    interviews = (
        select(
            Application.id,
            current.position,
            Interview.id,
            Interview.plan_interview_id,
            held.position,
            Interview.status,
            mine.id.is_not(None),
            own.status,
        )
        .join(Application, Application.id == Interview.application_id)
        .join(current, current.id == Application.stage_id)
        .join(held, held.id == Interview.stage_id)
        .outerjoin(mine, and_(mine.interview_id == Interview.id, mine.user_id == user.id))
        .outerjoin(own, and_(own.interview_id == Interview.id, own.author_id == user.id))
        .where(
            Application.id.in_(applications),
            or_(mine.id.is_not(None), own.status == SUBMITTED),
        )
    )

    positions: dict[int, int] = {}
    plans: dict[int, list[PlannedInterview]] = {}
    assigned: dict[int, list[OwnInterview]] = {}
    submitted: dict[int, list[OwnScorecard]] = {}
    for (
        application_id,
        position,
        interview_id,
        plan_interview_id,
        stage_position,
        status,
        is_assigned,
        card_status,
    ) in db.session.execute(union_all(planned, interviews)):
        positions[application_id] = position
        if interview_id is None:
            plans.setdefault(application_id, []).append(
                PlannedInterview(plan_interview_id, stage_position, HIRING_MANAGER_INTERVIEW)
            )
            continue
        if is_assigned:
            assigned.setdefault(application_id, []).append(
                OwnInterview(
                    interview_id,
                    plan_interview_id,
                    stage_position,
                    cancelled=status == InterviewStatus.CANCELLED,
                )
            )
        if card_status == SUBMITTED:
            submitted.setdefault(application_id, []).append(
                OwnScorecard(interview_id, plan_interview_id)
            )

    return {
        application_id: FeedbackFacts(
            stage_position=position,
            hiring_manager=application_id in plans,
            plan=tuple(plans.get(application_id, ())),
            assigned=tuple(assigned.get(application_id, ())),
            submitted=tuple(submitted.get(application_id, ())),
        )
        for application_id, position in positions.items()
    }


def feedback_owed(user: User, applications: Iterable[int] | Select[tuple[int]]) -> set[int]:
    """Of the given applications (ids, or a select of ids), those on which the user still
    owes their own feedback: other people's feedback on them stays hidden from the user."""
    return {
        application_id
        for application_id, facts in feedback_facts(user, applications).items()
        if independence.owes_feedback(facts)
    }


def feedback_visible(user: User, application: Application) -> bool:
    """Whether the user may see other people's feedback on this application now."""
    facts = feedback_facts(user, [application.id]).get(application.id)
    if facts is None:  # no part in it: no interview, no scorecard, not its interviewing HM
        facts = FeedbackFacts(stage_position=0)
    return policy.can_see_feedback(user, application.opening, facts)
