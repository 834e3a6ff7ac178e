"""The plans service on the real database: default focus, changing it, and coverage."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.factories import catalog_ids, make_opening
from tracker.domain.errors import NotFound, ValidationFailed
from tracker.extensions import db
from tracker.models import Opening, PlanInterviewFocus, Requirement
from tracker.services import catalog, openings, plans
from tracker.services.applications import NotPermitted

OPENINGS = {
    "staff-sirt": ("Staff Security Engineer, SIRT", "security-engineer", "staff", "sirt"),
    "de-secure": (
        "Distinguished Engineer, Secure",
        "distinguished-engineer",
        "distinguished",
        "secure",
    ),
}


def focus_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(PlanInterviewFocus))


def by_name(view: plans.PlanView) -> dict[str, plans.InterviewPlan]:
    return {i.interview.name: i for s in view.stages for i in s.interviews}


def categories(item: plans.InterviewPlan) -> set[str]:
    return {r.category for r in item.focus}


@pytest.fixture
def opening(people) -> Opening:
    return make_opening(people["hm"], people["recruiter"])


@pytest.mark.parametrize("kind", list(OPENINGS))
def test_default_focus_assesses_every_requirement(people, kind: str) -> None:
    """A new opening's plan spreads its whole requirement set over its interviews."""
    title, role, level, specialty = OPENINGS[kind]
    opening = make_opening(people["hm"], people["recruiter"], title, role, level, specialty)
    db.session.expire_all()  # read back what was stored, not what is in memory
    view = plans.plan_view(opening)
    required = {r.requirement_id for r in catalog.requirement_set(opening)}
    assessed = {r.requirement_id for i in by_name(view).values() for r in i.focus}
    assert len(required) > 30
    assert assessed == required
    assert view.unassessed == []
    assert view.repeated == []  # the default gives each requirement one home
    assert focus_rows() == len(required)


@pytest.mark.parametrize("kind", list(OPENINGS))
def test_default_focus_follows_the_documents_split(people, kind: str) -> None:
    """Screen: General and Communication; peers split Technical and Specialty."""
    title, role, level, specialty = OPENINGS[kind]
    opening = make_opening(people["hm"], people["recruiter"], title, role, level, specialty)
    interviews = by_name(plans.plan_view(opening))
    items = catalog.requirement_set(opening)
    screen = interviews["Recruiter screening call"]
    assert categories(screen) == {"General", "Communication"}
    assert screen.focus_ids == {
        i.requirement_id for i in items if i.category in ("General", "Communication")
    }
    assert categories(interviews["Peer interview 1"]) == {"Technical"}
    assert categories(interviews["Peer interview 2"]) == {"Specialty"}
    assert interviews["Peer interview 1"].focus_ids.isdisjoint(
        interviews["Peer interview 2"].focus_ids
    )
    if kind == "staff-sirt":
        # the hiring manager takes the inherited level items, the director the Staff ones
        assert {r.origin for r in interviews["Hiring manager interview"].focus} == {"inherited"}
        assert {r.origin for r in interviews["Director / CISO interview"].focus} == {"level"}
    else:
        # no level items of its own: the hiring manager and the director share Leadership
        assert categories(interviews["Hiring manager interview"]) == {"Leadership"}
        assert categories(interviews["Director / CISO interview"]) == {"Leadership"}


def test_create_opening_without_commit_leaves_focus_to_the_callers_transaction(people) -> None:
    """commit=False only flushes: rolling back drops the opening and its focus together."""
    role_id, level_id, specialty_id = catalog_ids()
    opening = openings.create_opening(
        openings.OpeningInput(
            title="Draft",
            role_id=role_id,
            level_id=level_id,
            specialty_id=specialty_id,
            hiring_manager_id=people["hm"].id,
            recruiter_id=people["recruiter"].id,
        ),
        commit=False,
    )
    assert opening.id is not None and focus_rows() > 0
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Opening)) == 0
    assert focus_rows() == 0


def test_set_focus_replaces_one_interviews_focus(people, opening) -> None:
    view = plans.plan_view(opening)
    screen = by_name(view)["Recruiter screening call"]
    technical = [r.requirement_id for r in view.requirements if r.category == "Technical"][:2]
    general = sorted(screen.focus_ids)[:1]
    plans.set_focus(opening, screen.interview.id, [*general, *technical], people["hm"])
    db.session.expire_all()
    after = by_name(plans.plan_view(opening))
    assert after["Recruiter screening call"].focus_ids == {*general, *technical}
    assert after["Peer interview 1"].focus_ids >= set(technical)  # others are untouched


def test_coverage_lists_unassessed_and_repeated(people, opening) -> None:
    view = plans.plan_view(opening)
    interviews = by_name(view)
    screen = interviews["Recruiter screening call"]
    dropped, *kept = sorted(screen.focus_ids, key=lambda r: str(r))
    technical = next(iter(interviews["Peer interview 1"].focus_ids))
    plans.set_focus(opening, screen.interview.id, [*kept, technical], people["recruiter"])
    plans.set_focus(
        opening,
        interviews["Hiring manager interview"].interview.id,
        [*interviews["Hiring manager interview"].focus_ids, technical],
        people["recruiter"],
    )
    view = plans.plan_view(opening)
    assert [r.requirement_id for r in view.unassessed] == [dropped]
    assert [(r.requirement_id, n) for r, n in view.repeated] == [(technical, 3)]


def test_set_focus_refuses_requirements_outside_the_set(people, opening) -> None:
    """A Distinguished Engineer requirement is no focus of a Security Engineer interview."""
    foreign = db.session.scalar(
        select(Requirement.id).where(Requirement.key.like("distinguished-engineer%")).limit(1)
    )
    assert foreign is not None
    interview = by_name(plans.plan_view(opening))["Peer interview 1"]
    before = focus_rows()
    for ids in ([*interview.focus_ids, foreign], [999_999]):
        with pytest.raises(ValidationFailed) as caught:
            plans.set_focus(opening, interview.interview.id, ids, people["hm"])
        assert caught.value.field == "requirement_ids"
        assert "requirement set" in caught.value.message
        db.session.rollback()
    with pytest.raises(ValidationFailed, match="at least one requirement"):
        plans.set_focus(opening, interview.interview.id, [], people["hm"])
    db.session.rollback()
    assert focus_rows() == before
    assert by_name(plans.plan_view(opening))["Peer interview 1"].focus_ids == interview.focus_ids


@pytest.mark.parametrize("who", ["other_hm", "other_recruiter", "interviewer"])
def test_set_focus_is_for_the_openings_owners(people, opening, who: str) -> None:
    interview = by_name(plans.plan_view(opening))["Peer interview 1"]
    with pytest.raises(NotPermitted):
        plans.set_focus(opening, interview.interview.id, [], people[who])
    with pytest.raises(NotPermitted):
        plans.reset_focus(opening, people[who])


def test_set_focus_refuses_another_openings_interview(people, opening) -> None:
    other = make_opening(people["hm"], people["recruiter"], title="Other")
    foreign = by_name(plans.plan_view(other))["Peer interview 1"]
    with pytest.raises(NotFound):
        plans.set_focus(opening, foreign.interview.id, list(foreign.focus_ids), people["hm"])


def test_reset_focus_restores_the_default(people, opening) -> None:
    default = {name: i.focus_ids for name, i in by_name(plans.plan_view(opening)).items()}
    screen = by_name(plans.plan_view(opening))["Recruiter screening call"]
    plans.set_focus(opening, screen.interview.id, list(screen.focus_ids)[:1], people["hm"])
    plans.reset_focus(opening, people["admin"])
    db.session.expire_all()
    assert {n: i.focus_ids for n, i in by_name(plans.plan_view(opening)).items()} == default
