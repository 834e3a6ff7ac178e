"""An opening's interview plan: focus requirements per interview and their coverage."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from tracker.domain import policy, scoring
from tracker.domain.errors import NotFound, ValidationFailed
from tracker.domain.requirements import SetItem, group_by_category
from tracker.extensions import db
from tracker.models import Opening, PlanInterview, PlanInterviewFocus, PlanStage, User
from tracker.services.applications import NotPermitted
from tracker.services.catalog import requirement_set


def _plan_interviews(opening: Opening) -> list[PlanInterview]:
    return [i for stage in opening.stages for i in stage.interviews]


def apply_default_focus(opening: Opening) -> dict[int, list[int]]:
    """Spread the opening's requirements over its plan's interviews (replacing any focus
    they had) inside the caller's transaction; the caller commits."""
    db.session.flush()  # the plan interviews need their ids
    interviews = _plan_interviews(opening)
    items = requirement_set(opening)
    focus = scoring.default_focus(
        [scoring.FocusInterview(i.id, i.conducted_by) for i in interviews],
        [scoring.FocusRequirement(r.requirement_id, r.category, r.origin) for r in items],
    )
    if interviews:
        db.session.execute(
            delete(PlanInterviewFocus).where(
                PlanInterviewFocus.plan_interview_id.in_([i.id for i in interviews])
            )
        )
    db.session.add_all(
        PlanInterviewFocus(plan_interview_id=interview_id, requirement_id=requirement_id)
        for interview_id, requirement_ids in focus.items()
        for requirement_id in requirement_ids
    )
    db.session.flush()
    return focus


def focus_by_interview(plan_interview_ids: Iterable[int]) -> dict[int, list[int]]:
    """The focus requirement ids of each plan interview, in one query."""
    ids = list(plan_interview_ids)
    focus: dict[int, list[int]] = {i: [] for i in ids}
    if not ids:
        return focus
    rows = db.session.execute(
        select(PlanInterviewFocus.plan_interview_id, PlanInterviewFocus.requirement_id)
        .where(PlanInterviewFocus.plan_interview_id.in_(ids))
        .order_by(PlanInterviewFocus.id)
    )
    for interview_id, requirement_id in rows:
        focus[interview_id].append(requirement_id)
    return focus


@dataclass
class InterviewPlan:
    interview: PlanInterview
    focus: list[SetItem]

    @property
    def focus_ids(self) -> set[int]:
        return {item.requirement_id for item in self.focus}


@dataclass
class StagePlan:
    stage: PlanStage
    interviews: list[InterviewPlan]


@dataclass
class PlanView:
    """The plan page's data: stages, interviews, focus, and what the plan leaves out."""

    stages: list[StagePlan]
    requirements: list[SetItem]
    unassessed: list[SetItem]
    repeated: list[tuple[SetItem, int]]

    @property
    def groups(self) -> list[tuple[str, list[SetItem]]]:
        return group_by_category(self.requirements)


def load_stages(opening: Opening) -> list[PlanStage]:
    return list(
        db.session.scalars(
            select(PlanStage)
            .where(PlanStage.opening_id == opening.id)
            .order_by(PlanStage.position)
            .options(selectinload(PlanStage.interviews))
        )
    )


def plan_view(opening: Opening) -> PlanView:
    """Each stage's interviews with their focus requirements, plus the coverage: the
    requirements no interview assesses and those several do. A constant number of queries."""
    items = requirement_set(opening)
    by_id = {item.requirement_id: item for item in items}
    stages = load_stages(opening)
    focus = focus_by_interview(i.id for s in stages for i in s.interviews)
    stage_plans = []
    for stage in stages:
        interview_plans = []
        for interview in stage.interviews:
            ids = [rid for rid in focus[interview.id] if rid in by_id]
            interview_plans.append(
                InterviewPlan(interview, sorted((by_id[r] for r in ids), key=lambda i: i.order))
            )
        stage_plans.append(StagePlan(stage, interview_plans))
    cover = scoring.coverage(list(by_id), focus)
    return PlanView(
        stages=stage_plans,
        requirements=items,
        unassessed=[by_id[r] for r in cover.unassessed],
        repeated=[(by_id[r], n) for r, n in cover.repeated.items()],
    )


def get_plan_interview(opening: Opening, plan_interview_id: int) -> PlanInterview:
    interview = db.session.get(PlanInterview, plan_interview_id)
    if interview is None or interview.stage.opening_id != opening.id:
        raise NotFound("No such interview in this plan.")
    return interview


def set_focus(
    opening: Opening, plan_interview_id: int, requirement_ids: Sequence[int], actor: User
) -> PlanInterview:
    """Replace one interview's focus with requirements of the opening's set; one transaction."""
    if not policy.can_edit_plan(actor, opening):
        raise NotPermitted()
    interview = get_plan_interview(opening, plan_interview_id)
    allowed = {item.requirement_id for item in requirement_set(opening)}
    chosen = list(dict.fromkeys(requirement_ids))
    if not chosen:
        raise ValidationFailed(
            "Choose at least one requirement for this interview to assess.", "requirement_ids"
        )
    if any(rid not in allowed for rid in chosen):
        raise ValidationFailed(
            "Only requirements of this opening's requirement set can be a focus.",
            "requirement_ids",
        )
    current = set(focus_by_interview([interview.id])[interview.id])
    if set(chosen) != current:
        db.session.execute(
            delete(PlanInterviewFocus).where(
                PlanInterviewFocus.plan_interview_id == interview.id,
                PlanInterviewFocus.requirement_id.not_in(chosen),
            )
        )
        db.session.add_all(
            PlanInterviewFocus(plan_interview_id=interview.id, requirement_id=rid)
            for rid in chosen
            if rid not in current
        )
    db.session.commit()
    return interview


def reset_focus(opening: Opening, actor: User) -> None:
    """Put the whole plan back to the default spread (also for openings older than focus)."""
    if not policy.can_edit_plan(actor, opening):
        raise NotPermitted()
    apply_default_focus(opening)
    db.session.commit()
