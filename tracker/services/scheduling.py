"""Scheduling an application's interviews: schedule, reschedule, cancel, calendar invites."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from icalendar import Calendar, Event, vCalAddress, vText
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from tracker import MAX_ID
from tracker.domain import policy
from tracker.domain import scheduling as rules
from tracker.domain.errors import NotFound, ValidationFailed
from tracker.domain.pipeline import Status
from tracker.extensions import db
from tracker.models import (
    AccessRole,
    Application,
    Interview,
    InterviewAssignment,
    InterviewChange,
    InterviewStatus,
    Opening,
    PlanInterview,
    PlanStage,
    User,
)
from tracker.models.types import utcnow
from tracker.services.applications import NotPermitted

UID_DOMAIN = "hiring-tracker"


def _people(user_ids: Iterable[int]) -> dict[int, rules.Person]:
    """The chosen people as the rules see them: name, and whether they may interview.
    An id no row can have (out of the id column's range) is left out, so the rules call
    it unknown instead of the database failing on it."""
    ids = [i for i in dict.fromkeys(user_ids) if 0 < i <= MAX_ID]
    if not ids:
        return {}
    users = db.session.scalars(select(User).where(User.id.in_(ids)))
    return {
        u.id: rules.Person(u.name, u.active and u.has_role(AccessRole.INTERVIEWER)) for u in users
    }


def _live_interviews(application: Application, stage_id: int) -> list[Interview]:
    return list(
        db.session.scalars(
            select(Interview)
            .where(
                Interview.application_id == application.id,
                Interview.stage_id == stage_id,
                Interview.status == InterviewStatus.SCHEDULED,
            )
            .options(
                joinedload(Interview.plan_interview),
                selectinload(Interview.assignments),
            )
        )
    )


def _bookings(live: Sequence[Interview], excluding: int | None = None) -> list[rules.Booking]:
    return [
        rules.Booking(
            i.plan_interview.name, i.plan_interview.conducted_by, frozenset(i.interviewer_ids)
        )
        for i in live
        if i.id != excluding
    ]


def _names(people: dict[int, rules.Person], ids: Sequence[int]) -> str:
    return ", ".join(people[i].name for i in ids if i in people)


def _commit() -> None:
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ValidationFailed(
            "The interview changed while you were working on it; reload and try again."
        ) from None


def schedule(
    application: Application,
    plan_interview_id: int,
    starts_at_utc: datetime,
    duration_minutes: int | None,
    video_url: str,
    interviewer_ids: Sequence[int],
    actor: User,
) -> Interview:
    """Book one interview of the application's current stage, and record it in history."""
    if not policy.can_schedule(actor, application.opening):
        raise NotPermitted()
    plan_interview = get_plan_interview(application, plan_interview_id)
    live = _live_interviews(application, plan_interview.stage_id)
    already = next((i for i in live if i.plan_interview_id == plan_interview.id), None)
    rules.check_schedulable(
        application_active=application.status == Status.ACTIVE.value,
        current_stage=plan_interview.stage_id == application.stage_id,
        already_live=plan_interview.name if already else None,
    )
    people = _people(interviewer_ids)
    now = utcnow()
    slot = rules.check_slot(
        rules.Slot(starts_at_utc, duration_minutes, video_url, tuple(interviewer_ids)),
        default_minutes=plan_interview.duration_minutes,
        people=people,
        conducted_by=plan_interview.conducted_by,
        others=_bookings(live),
        now=now,
    )
    interview = Interview(
        application=application,
        stage_id=plan_interview.stage_id,
        plan_interview=plan_interview,
        starts_at=slot.starts_at,
        duration_minutes=slot.duration_minutes,
        video_url=slot.video_url,
        status=InterviewStatus.SCHEDULED,
        created_at=now,
        updated_at=now,
    )
    interview.assignments = [InterviewAssignment(user_id=uid) for uid in slot.interviewer_ids]
    db.session.add(interview)
    db.session.add(
        InterviewChange(
            interview=interview,
            actor_id=actor.id,
            at=now,
            kind=rules.ChangeKind.SCHEDULED,
            starts_at=slot.starts_at,
            interviewers=_names(people, slot.interviewer_ids),
        )
    )
    _commit()
    return interview


def _slot_of(interview: Interview) -> rules.Slot:
    return rules.Slot(
        interview.starts_at,
        interview.duration_minutes,
        interview.video_url,
        tuple(interview.interviewer_ids),
    )


def reschedule(
    interview: Interview,
    starts_at_utc: datetime,
    duration_minutes: int | None,
    video_url: str,
    interviewer_ids: Sequence[int],
    reason: str,
    actor: User,
) -> Interview:
    """Move a live interview (time, length, link or interviewers), with a reason."""
    application = interview.application
    if not policy.can_schedule(actor, application.opening):
        raise NotPermitted()
    rules.check_changeable(
        cancelled=interview.status == InterviewStatus.CANCELLED,
        application_active=application.status == Status.ACTIVE.value,
        current_stage=interview.stage_id == application.stage_id,
    )
    live = _live_interviews(application, interview.stage_id)
    people = _people(interviewer_ids)
    now = utcnow()
    slot, reason = rules.check_reschedule(
        _slot_of(interview),
        rules.Slot(starts_at_utc, duration_minutes, video_url, tuple(interviewer_ids)),
        reason,
        default_minutes=interview.duration_minutes,
        people=people,
        conducted_by=interview.plan_interview.conducted_by,
        others=_bookings(live, excluding=interview.id),
        now=now,
    )
    previous = interview.starts_at
    interview.starts_at = slot.starts_at
    interview.duration_minutes = slot.duration_minutes or interview.duration_minutes
    interview.video_url = slot.video_url
    interview.updated_at = now
    # Keep the rows of people who stay: deleting and re-adding the same person in one
    # flush would trip the (interview, user) unique constraint.
    keep = set(slot.interviewer_ids)
    for assignment in list(interview.assignments):
        if assignment.user_id not in keep:
            interview.assignments.remove(assignment)
    present = {a.user_id for a in interview.assignments}
    interview.assignments.extend(
        InterviewAssignment(user_id=uid) for uid in slot.interviewer_ids if uid not in present
    )
    db.session.add(
        InterviewChange(
            interview=interview,
            actor_id=actor.id,
            at=now,
            kind=rules.ChangeKind.RESCHEDULED,
            reason=reason,
            starts_at=slot.starts_at,
            previous_starts_at=previous,
            interviewers=_names(people, slot.interviewer_ids),
        )
    )
    _commit()
    return interview


def cancel(interview: Interview, reason: str, actor: User) -> Interview:
    """Call an interview off, with a reason; a new one may be scheduled in its place."""
    if not policy.can_schedule(actor, interview.application.opening):
        raise NotPermitted()
    if interview.status == InterviewStatus.CANCELLED:
        raise ValidationFailed("This interview is already cancelled.")
    reason = rules.check_reason(reason, "cancelling")
    now = utcnow()
    interview.status = InterviewStatus.CANCELLED
    interview.cancel_reason = reason
    interview.updated_at = now
    db.session.add(
        InterviewChange(
            interview=interview,
            actor_id=actor.id,
            at=now,
            kind=rules.ChangeKind.CANCELLED,
            reason=reason,
            starts_at=interview.starts_at,
            interviewers=", ".join(a.user.name for a in interview.assignments),
        )
    )
    _commit()
    return interview


# --- Reading ---------------------------------------------------------------------------

# People shown by name only: their roles (loaded eagerly by default) are not fetched.
_ASSIGNED_PEOPLE = (
    selectinload(Interview.assignments).joinedload(InterviewAssignment.user).lazyload(User.roles)
)
_HISTORY = selectinload(Interview.changes).joinedload(InterviewChange.actor).lazyload(User.roles)
_INTERVIEW_DETAIL = (
    joinedload(Interview.plan_interview),
    joinedload(Interview.stage),
    _ASSIGNED_PEOPLE,
    _HISTORY,
)


def get_interview(interview_id: int, user: User) -> Interview:
    """The interview if the user is assigned to it or may see its opening, else NotFound."""
    interview = db.session.get(
        Interview,
        interview_id,
        options=[
            joinedload(Interview.application).options(
                joinedload(Application.candidate),
                joinedload(Application.opening).joinedload(Opening.recruiter),
            ),
            *_INTERVIEW_DETAIL,
        ],
    )
    if interview is None or not policy.can_view_interview(
        user, interview.application.opening, interview.interviewer_ids
    ):
        raise NotFound("No such interview.")
    return interview


def interviews_of(application_ids: Iterable[int]) -> dict[int, list[Interview]]:
    """Every interview of these applications, in stage and plan order, in constant queries."""
    ids = list(application_ids)
    result: dict[int, list[Interview]] = {i: [] for i in ids}
    if not ids:
        return result
    rows = db.session.scalars(
        select(Interview)
        .join(Interview.stage)
        .join(Interview.plan_interview)
        .where(Interview.application_id.in_(ids))
        .options(
            contains_eager(Interview.stage),
            contains_eager(Interview.plan_interview),
            _ASSIGNED_PEOPLE,
            _HISTORY,
        )
        .order_by(PlanStage.position, PlanInterview.position, Interview.id)
    )
    for interview in rows:
        result[interview.application_id].append(interview)
    return result


def interviews_of_candidate(candidate_id: int) -> dict[int, list[Interview]]:
    """Every interview of a candidate's applications, keyed by application, for the
    candidate page: names, stages and interviewers, in two queries however many there are."""
    result: dict[int, list[Interview]] = {}
    rows = db.session.scalars(
        select(Interview)
        .join(Interview.application)
        .join(Interview.stage)
        .join(Interview.plan_interview)
        .where(Application.candidate_id == candidate_id)
        .options(
            contains_eager(Interview.stage),
            contains_eager(Interview.plan_interview),
            _ASSIGNED_PEOPLE,
        )
        .order_by(PlanStage.position, PlanInterview.position, Interview.id)
    )
    for interview in rows:
        result.setdefault(interview.application_id, []).append(interview)
    return result


def get_plan_interview(application: Application, plan_interview_id: int) -> PlanInterview:
    plan_interview = db.session.get(PlanInterview, plan_interview_id)
    if plan_interview is None or plan_interview.stage.opening_id != application.opening_id:
        raise NotFound("No such interview in this opening's plan.")
    return plan_interview


@dataclass
class PlannedInterview:
    """One interview of the current stage's plan: its live booking, if any, and the
    cancelled ones before it."""

    plan_interview: PlanInterview
    live: Interview | None = None
    cancelled: list[Interview] = field(default_factory=list)


@dataclass
class SchedulePage:
    application: Application
    planned: list[PlannedInterview]
    earlier: list[Interview]  # interviews of other stages
    schedulable: bool  # active, and the current stage holds interviews


def schedule_page(application: Application) -> SchedulePage:
    """What the scheduling page shows for one application."""
    stage_interviews = list(
        db.session.scalars(
            select(PlanInterview)
            .where(PlanInterview.stage_id == application.stage_id)
            .order_by(PlanInterview.position)
        )
    )
    planned = {p.id: PlannedInterview(p) for p in stage_interviews}
    earlier = []
    for interview in interviews_of([application.id])[application.id]:
        slot = planned.get(interview.plan_interview_id)
        if slot is None or interview.stage_id != application.stage_id:
            earlier.append(interview)
        elif interview.status == InterviewStatus.SCHEDULED:
            slot.live = interview
        else:
            slot.cancelled.append(interview)
    return SchedulePage(
        application=application,
        planned=list(planned.values()),
        earlier=earlier,
        schedulable=application.status == Status.ACTIVE.value and bool(stage_interviews),
    )


def interviewers() -> list[User]:
    """Everyone who may be chosen as an interviewer."""
    from tracker.services.users import users_with_role

    return users_with_role(AccessRole.INTERVIEWER)


# --- Calendar invites ------------------------------------------------------------------


def sequence(interview: Interview) -> int:
    """The iCalendar revision: one per reschedule, and one more once cancelled, so that a
    calendar which imported an earlier invite applies the change."""
    kinds = [c.kind for c in interview.changes]
    return kinds.count(rules.ChangeKind.RESCHEDULED) + kinds.count(rules.ChangeKind.CANCELLED)


def calendar_invite(interview: Interview) -> bytes:
    """The interview as an iCalendar VEVENT, times in UTC, stable UID per interview."""
    application = interview.application
    opening = application.opening
    cancelled = interview.status == InterviewStatus.CANCELLED
    cal = Calendar()
    cal.add("prodid", "-//Hiring tracker//Interviews//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", f"interview-{interview.id}@{UID_DOMAIN}")
    event.add("dtstamp", interview.updated_at)
    event.add("created", interview.created_at)
    event.add("last-modified", interview.updated_at)
    event.add("dtstart", interview.starts_at)
    event.add("dtend", interview.ends_at)
    event.add("sequence", sequence(interview))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add(
        "summary",
        f"Interview: {interview.plan_interview.name} with {application.candidate.name}",
    )
    lines = [
        f"Opening: {opening.title}",
        f"Stage: {interview.stage.name}",
        f"Interviewers: {', '.join(a.user.name for a in interview.assignments)}",
    ]
    if interview.video_url:
        lines.append(f"Video link: {interview.video_url}")
        event.add("location", interview.video_url)
        event.add("url", interview.video_url)
    if cancelled and interview.cancel_reason:
        lines.append(f"Cancelled: {interview.cancel_reason}")
    event.add("description", "\n".join(lines))
    organizer = vCalAddress(f"mailto:{opening.recruiter.email}")
    organizer.params["cn"] = vText(opening.recruiter.name)
    event.add("organizer", organizer)
    for assignment in interview.assignments:
        attendee = vCalAddress(f"mailto:{assignment.user.email}")
        attendee.params["cn"] = vText(assignment.user.name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee)
    cal.add_component(event)
    return cal.to_ical()
