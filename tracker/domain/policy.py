"""Who may see and do what, decided per object; anything not granted here is denied.

The functions take plain objects (anything with the attributes used), so they stay free
of Flask and SQLAlchemy and are tested as a table of cases.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from tracker.domain import independence
from tracker.domain.independence import FeedbackFacts


class Person(Protocol):
    id: int

    @property
    def role_names(self) -> set[str]: ...


class OpeningLike(Protocol):
    hiring_manager_id: int
    recruiter_id: int


ADMIN = "admin"
RECRUITER = "recruiter"
HIRING_MANAGER = "hiring_manager"


def _roles(user: Person | None) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", True):
        return set()
    return {str(r) for r in user.role_names}


def is_admin(user: Person | None) -> bool:
    return ADMIN in _roles(user)


def _recruits_for(user: Person, opening: OpeningLike) -> bool:
    return RECRUITER in _roles(user) and opening.recruiter_id == user.id


def _manages(user: Person, opening: OpeningLike) -> bool:
    return HIRING_MANAGER in _roles(user) and opening.hiring_manager_id == user.id


def can_create_opening(user: Person | None) -> bool:
    return bool(_roles(user) & {ADMIN, RECRUITER})


def can_view_opening(user: Person | None, opening: OpeningLike) -> bool:
    if user is None or not _roles(user):
        return False
    return is_admin(user) or _recruits_for(user, opening) or _manages(user, opening)


def can_edit_opening(user: Person | None, opening: OpeningLike) -> bool:
    return can_view_opening(user, opening)


def can_reassign_opening(user: Person | None, opening: OpeningLike) -> bool:
    """Handing an opening to another hiring manager or recruiter: an admin or its hiring
    manager (holding the role; the id alone grants nothing), not its recruiter."""
    return is_admin(user) or (user is not None and _manages(user, opening))


def can_add_candidate(user: Person | None, opening: OpeningLike) -> bool:
    return can_view_opening(user, opening)


def can_move_application(user: Person | None, opening: OpeningLike) -> bool:
    return can_view_opening(user, opening)


def can_view_candidate(user: Person | None, openings: Iterable[OpeningLike]) -> bool:
    """A candidate is visible through any opening of theirs the user may see."""
    return is_admin(user) or any(can_view_opening(user, o) for o in openings)


def can_list_candidates(user: Person | None) -> bool:
    return bool(_roles(user) & {ADMIN, RECRUITER, HIRING_MANAGER})


def can_list_scorecards_due(user: Person | None) -> bool:
    """The recruiters' work list (each sees their own openings' rows)."""
    return bool(_roles(user) & {ADMIN, RECRUITER})


def can_list_decisions_needed(user: Person | None) -> bool:
    """The hiring managers' work list (each sees their own openings' rows)."""
    return bool(_roles(user) & {ADMIN, HIRING_MANAGER})


def can_edit_plan(user: Person | None, opening: OpeningLike) -> bool:
    """The recruiter or hiring manager (or an admin) shapes the interview plan."""
    return can_view_opening(user, opening)


def can_schedule(user: Person | None, opening: OpeningLike) -> bool:
    return can_view_opening(user, opening)


def can_decide(user: Person | None, opening: OpeningLike) -> bool:
    """Only the opening's hiring manager (or an admin) records a decision."""
    return is_admin(user) or (user is not None and _manages(user, opening))


def can_view_interview(
    user: Person | None, opening: OpeningLike, interviewer_ids: Iterable[int]
) -> bool:
    """An assigned interviewer sees their interview's kit; so do the opening's owners."""
    if user is None or not _roles(user):
        return False
    return user.id in set(interviewer_ids) or can_view_opening(user, opening)


def can_submit_scorecard(user: Person | None, interviewer_ids: Iterable[int]) -> bool:
    """Only an interviewer assigned to the interview writes its scorecard."""
    return user is not None and bool(_roles(user)) and user.id in set(interviewer_ids)


def can_see_feedback(user: Person | None, opening: OpeningLike, facts: FeedbackFacts) -> bool:
    """Independent judgement: whoever interviews the candidate (see
    `tracker.domain.independence` for who does, including the hiring manager before their
    own interview) sees no one else's feedback until they owe none, whatever other role
    they hold. Then an interviewer sees it; so do the opening's people."""
    if user is None or not _roles(user) or independence.owes_feedback(facts):
        return False
    return independence.is_interviewer(facts) or can_view_opening(user, opening)


def can_upload_resume(user: Person | None, openings: Iterable[OpeningLike]) -> bool:
    """Whoever works on one of the candidate's openings adds their résumé."""
    return can_view_candidate(user, openings)


def can_view_resume(
    user: Person | None, openings: Iterable[OpeningLike], interviewer_of_any: bool
) -> bool:
    """The candidate's openings' people, and anyone with an interview of one of the
    candidate's applications (the interview kit offers the résumé)."""
    if user is None or not _roles(user):
        return False
    return interviewer_of_any or can_view_candidate(user, openings)


def can_export_candidate(user: Person | None, openings: Iterable[OpeningLike]) -> bool:
    """A candidate's personal data goes out only to the people of their openings."""
    return can_view_candidate(user, openings)


def can_view_pipeline_reports(user: Person | None) -> bool:
    """Funnel, time in stage, sources, load: the people who run openings (each sees the
    openings they may see)."""
    return bool(_roles(user) & {ADMIN, RECRUITER, HIRING_MANAGER})


def can_view_requirement_insight(user: Person | None) -> bool:
    return can_view_pipeline_reports(user)


def can_view_calibration(user: Person | None) -> bool:
    """Anyone who signs in with a role sees at least their own calibration."""
    return bool(_roles(user))


def can_view_everyones_calibration(user: Person | None) -> bool:
    """Hiring managers and admins see every interviewer's, on the openings they may see;
    everyone else only their own."""
    return bool(_roles(user) & {ADMIN, HIRING_MANAGER})
