"""The scheduling service on the real database: every rule, the history, UTC storage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text

from tests.factories import make_application, make_opening, make_user, move_to_stage
from tracker.domain.errors import DomainError, NotFound, ValidationFailed
from tracker.domain.pipeline import Move, MoveRequest, RejectionReason
from tracker.domain.scoring import FieldErrors
from tracker.extensions import db
from tracker.models import (
    Application,
    Interview,
    InterviewAssignment,
    InterviewChange,
    PlanInterview,
    PlanStage,
)
from tracker.services import applications, scheduling

NEW_YORK = ZoneInfo("America/New_York")
AT = datetime(2026, 3, 2, 9, 0, tzinfo=NEW_YORK)  # 14:00 UTC
LINK = "https://meet.example/peer-1"


def counts() -> tuple[int, int, int]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Interview, InterviewAssignment, InterviewChange)
    )


def plan_interview(application: Application, name: str) -> PlanInterview:
    return db.session.scalar(
        select(PlanInterview)
        .join(PlanStage)
        .where(PlanStage.opening_id == application.opening_id, PlanInterview.name == name)
    )


@pytest.fixture
def application(people) -> Application:
    opening = make_opening(people["hm"], people["recruiter"])
    return move_to_stage(make_application(opening, people["recruiter"]), "peer")


def book(application, people, name="Peer interview 1", who=("interviewer",), **overrides):
    values = {
        "starts_at_utc": AT,
        "duration_minutes": None,
        "video_url": LINK,
        "interviewer_ids": [people[w].id for w in who],
        "actor": people["recruiter"],
    }
    values.update(overrides)
    return scheduling.schedule(application, plan_interview(application, name).id, **values)


def refused(call, exception=DomainError) -> DomainError | FieldErrors:
    """Run a call that must be refused, and check it wrote nothing."""
    before = counts()
    with pytest.raises(exception) as caught:
        call()
    db.session.rollback()
    assert counts() == before
    return caught.value


def test_schedule_stores_utc_and_records_history(people, application) -> None:
    interview = book(application, people)
    interview_id = interview.id
    db.session.expire_all()
    stored = db.session.get(Interview, interview_id)
    assert stored.starts_at == datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    assert stored.starts_at.tzinfo is UTC
    raw = db.session.execute(
        text("SELECT starts_at FROM interviews WHERE id = :i"), {"i": interview_id}
    ).scalar()
    assert str(raw).startswith("2026-03-02 14:00:00")
    assert stored.duration_minutes == 45  # from the plan
    assert stored.video_url == LINK
    assert stored.status == "scheduled"
    assert stored.interviewer_ids == [people["interviewer"].id]
    assert stored.stage_id == application.stage_id
    [change] = stored.changes
    assert (change.kind, change.actor_id, change.reason) == (
        "scheduled",
        people["recruiter"].id,
        "",
    )
    assert change.starts_at == stored.starts_at and change.previous_starts_at is None
    assert change.interviewers == "Ivy Interviewer"
    assert change.at.tzinfo is UTC


def test_schedule_only_the_current_stage(people, application) -> None:
    error = refused(lambda: book(application, people, name="Hiring manager interview"))
    assert "current stage" in error.message


def test_schedule_only_an_active_application(people, application) -> None:
    applications.move(
        application,
        MoveRequest(Move.REJECT, RejectionReason.REQUIREMENT_GAP, note="gap"),
        people["recruiter"],
    )
    assert "closed" in refused(lambda: book(application, people)).message


def test_one_live_interview_per_plan_interview(people, application) -> None:
    first = book(application, people)
    error = refused(lambda: book(application, people, who=("hm",)))
    assert (
        error.message == "Peer interview 1 is already scheduled; reschedule or cancel it instead."
    )
    scheduling.cancel(first, "Candidate asked to move to another week", people["recruiter"])
    second = book(application, people, who=("hm",))
    assert second.id != first.id and second.status == "scheduled"
    assert db.session.get(Interview, first.id).status == "cancelled"


def test_peer_interviews_need_different_interviewers(people, application) -> None:
    book(application, people, who=("interviewer",))
    error = refused(
        lambda: book(application, people, name="Peer interview 2", who=("hm", "interviewer")),
        FieldErrors,
    )
    assert "Ivy Interviewer already conducts Peer interview 1" in error.errors["interviewer_ids"]
    assert book(application, people, name="Peer interview 2", who=("hm",)).id


def test_a_cancelled_peer_interview_frees_its_interviewer(people, application) -> None:
    first = book(application, people, who=("interviewer",))
    scheduling.cancel(first, "Interviewer on leave", people["recruiter"])
    assert book(application, people, name="Peer interview 2", who=("interviewer",)).id


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"video_url": "http://meet.example/x"}, "video_url", "http:// links are refused"),
        ({"video_url": "javascript:alert(1)"}, "video_url", "https://"),
        ({"duration_minutes": 4}, "duration_minutes", "between 5 and 480"),
        ({"duration_minutes": 481}, "duration_minutes", "between 5 and 480"),
        ({"interviewer_ids": []}, "interviewer_ids", "at least one interviewer"),
        ({"starts_at_utc": datetime(2026, 3, 2, 14, 0)}, "starts_at", "time zone"),
    ],
)
def test_schedule_refuses_bad_fields(people, application, overrides, field, message) -> None:
    error = refused(lambda: book(application, people, **overrides), FieldErrors)
    assert message in error.errors[field]


@pytest.mark.parametrize("who", ["recruiter", "inactive"])
def test_interviewers_hold_the_interviewer_role_and_are_active(people, application, who) -> None:
    if who == "inactive":
        person = make_user("gone@test.example", "Gina Gone", ["interviewer"])
        person.active = False
        db.session.commit()
        name = "Gina Gone"
    else:
        person, name = people["recruiter"], "Rex Recruiter"
    error = refused(lambda: book(application, people, interviewer_ids=[person.id]), FieldErrors)
    assert error.errors["interviewer_ids"].startswith(f"{name} cannot interview")


@pytest.mark.parametrize("who", ["other_hm", "other_recruiter", "interviewer"])
def test_only_those_who_may_schedule(people, application, who) -> None:
    refused(lambda: book(application, people, actor=people[who]), scheduling.NotPermitted)
    interview = book(application, people)
    refused(lambda: scheduling.cancel(interview, "because", people[who]), scheduling.NotPermitted)
    refused(
        lambda: scheduling.reschedule(
            interview, AT + timedelta(days=1), 45, LINK, [people["hm"].id], "x", people[who]
        ),
        scheduling.NotPermitted,
    )


def test_reschedule_moves_and_records_previous_time(people, application) -> None:
    interview = book(application, people, who=("interviewer",))
    later = datetime(2026, 3, 3, 16, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    scheduling.reschedule(
        interview,
        later,
        60,
        "https://meet.example/new",
        [people["hm"].id, people["interviewer"].id],
        "  Candidate has a conflict  ",
        people["hm"],
    )
    db.session.expire_all()
    stored = db.session.get(Interview, interview.id)
    assert stored.starts_at == datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
    assert (stored.duration_minutes, stored.video_url) == (60, "https://meet.example/new")
    assert sorted(stored.interviewer_ids) == sorted([people["hm"].id, people["interviewer"].id])
    scheduled, rescheduled = stored.changes
    assert scheduled.kind == "scheduled"
    assert rescheduled.kind == "rescheduled"
    assert rescheduled.actor_id == people["hm"].id
    assert rescheduled.reason == "Candidate has a conflict"
    assert rescheduled.previous_starts_at == datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    assert rescheduled.starts_at == stored.starts_at
    assert rescheduled.interviewers == "Hal Manager, Ivy Interviewer"
    assert scheduling.sequence(stored) == 1


def test_reschedule_can_swap_interviewers(people, application) -> None:
    interview = book(application, people, who=("interviewer",))
    scheduling.reschedule(interview, AT, None, LINK, [people["hm"].id], "Ivy is ill", people["hm"])
    db.session.expire_all()
    assert db.session.get(Interview, interview.id).interviewer_ids == [people["hm"].id]


def test_reschedule_keeps_the_peer_rule_but_not_against_itself(people, application) -> None:
    first = book(application, people, who=("interviewer",))
    second = book(application, people, name="Peer interview 2", who=("hm",))
    # moving peer 1 with its own interviewer is fine
    scheduling.reschedule(
        first,
        AT + timedelta(hours=2),
        None,
        LINK,
        [people["interviewer"].id],
        "later",
        people["hm"],
    )
    error = refused(
        lambda: scheduling.reschedule(
            second, AT, None, LINK, [people["interviewer"].id], "swap", people["hm"]
        ),
        FieldErrors,
    )
    assert "different interviewers" in error.errors["interviewer_ids"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"reason": " "}, "reason", "Give a reason for rescheduling"),
        ({"video_url": "http://x.example"}, "video_url", "https"),
        ({"duration_minutes": 1000, "reason": ""}, "duration_minutes", "between 5 and 480"),
    ],
)
def test_reschedule_refusals_write_nothing(people, application, change, field, message) -> None:
    interview = book(application, people)
    values = {
        "starts_at_utc": AT + timedelta(days=1),
        "duration_minutes": 45,
        "video_url": LINK,
        "interviewer_ids": [people["interviewer"].id],
        "reason": "moved",
        "actor": people["recruiter"],
    }
    values.update(change)
    error = refused(lambda: scheduling.reschedule(interview, **values), FieldErrors)
    assert message in error.errors[field]
    db.session.expire_all()
    assert db.session.get(Interview, interview.id).starts_at == AT.astimezone(UTC)


def test_reschedule_that_changes_nothing_is_refused(people, application) -> None:
    interview = book(application, people)
    error = refused(
        lambda: scheduling.reschedule(
            interview, AT, 45, LINK, [people["interviewer"].id], "same", people["recruiter"]
        ),
        ValidationFailed,
    )
    assert error.message.startswith("Nothing changed")


def test_reschedule_refuses_a_cancelled_or_left_behind_interview(people, application) -> None:
    interview = book(application, people)
    move_to_stage(application, "director")
    error = refused(
        lambda: scheduling.reschedule(
            interview, AT + timedelta(days=1), 45, LINK, [people["hm"].id], "x", people["hm"]
        )
    )
    assert "earlier stage" in error.message
    move_to_stage(application, "peer")
    scheduling.cancel(interview, "No longer needed", people["hm"])
    error = refused(
        lambda: scheduling.reschedule(
            interview, AT + timedelta(days=1), 45, LINK, [people["hm"].id], "x", people["hm"]
        )
    )
    assert "was cancelled" in error.message


def test_cancel_needs_a_reason_and_is_recorded(people, application) -> None:
    interview = book(application, people)
    error = refused(lambda: scheduling.cancel(interview, "  ", people["recruiter"]), FieldErrors)
    assert "Give a reason for cancelling" in error.errors["reason"]
    scheduling.cancel(interview, "Candidate withdrew from this slot", people["recruiter"])
    db.session.expire_all()
    stored = db.session.get(Interview, interview.id)
    assert stored.status == "cancelled"
    assert stored.cancel_reason == "Candidate withdrew from this slot"
    change = stored.changes[-1]
    assert (change.kind, change.reason, change.interviewers) == (
        "cancelled",
        "Candidate withdrew from this slot",
        "Ivy Interviewer",
    )
    assert change.starts_at == stored.starts_at
    error = refused(lambda: scheduling.cancel(stored, "again", people["recruiter"]))
    assert "already cancelled" in error.message


def test_get_interview_is_for_assigned_interviewers_and_schedulers(people, application) -> None:
    interview = book(application, people)
    for who in ("interviewer", "recruiter", "hm", "admin"):
        assert scheduling.get_interview(interview.id, people[who]).id == interview.id
    for who in ("other_hm", "other_recruiter"):
        with pytest.raises(NotFound):
            scheduling.get_interview(interview.id, people[who])
    with pytest.raises(NotFound):
        scheduling.get_interview(999_999, people["admin"])


def test_interviews_of_candidate_loads_every_application(people, application) -> None:
    interview = book(application, people)
    found = scheduling.interviews_of_candidate(application.candidate_id)
    assert [i.id for i in found[application.id]] == [interview.id]


# --- Ids and dates the database cannot hold ----------------------------------------------

HUGE_IDS = [999_999, 2**31, 2**63, 9999999999999999999999999, -1, 0]


@pytest.mark.parametrize("unknown", HUGE_IDS)
def test_schedule_refuses_unknown_interviewer_ids_on_their_field(
    people, application, unknown
) -> None:
    """However large, an id nobody has is a message on the field, never a database error."""
    error = refused(
        lambda: book(application, people, interviewer_ids=[people["interviewer"].id, unknown]),
        FieldErrors,
    )
    assert error.errors == {"interviewer_ids": "Choose interviewers from the list."}


@pytest.mark.parametrize("unknown", HUGE_IDS)
def test_reschedule_refuses_unknown_interviewer_ids_on_their_field(
    people, application, unknown
) -> None:
    interview = book(application, people)
    error = refused(
        lambda: scheduling.reschedule(
            interview, AT, None, LINK, [unknown], "swap", people["recruiter"]
        ),
        FieldErrors,
    )
    assert error.errors == {"interviewer_ids": "Choose interviewers from the list."}
    db.session.expire_all()
    assert db.session.get(Interview, interview.id).interviewer_ids == [people["interviewer"].id]


FAR = datetime(9999, 12, 31, 23, 50, tzinfo=UTC)  # 30 minutes later does not exist


@pytest.mark.parametrize(
    "starts_at", [FAR, datetime(1, 1, 1, tzinfo=UTC), datetime(1999, 12, 31, 23, 59, tzinfo=UTC)]
)
def test_schedule_refuses_a_start_out_of_the_window(people, application, starts_at) -> None:
    error = refused(
        lambda: book(application, people, starts_at_utc=starts_at, duration_minutes=30),
        FieldErrors,
    )
    assert list(error.errors) == ["starts_at"]
    assert error.errors["starts_at"].startswith("Choose a start between 2000-01-01 and ")


def test_reschedule_to_the_end_of_time_is_refused_and_writes_nothing(people, application) -> None:
    """Accepting it would make the interview's end overflow on every page that shows it."""
    interview = book(application, people)
    error = refused(
        lambda: scheduling.reschedule(
            interview, FAR, 30, LINK, [people["interviewer"].id], "far", people["recruiter"]
        ),
        FieldErrors,
    )
    assert list(error.errors) == ["starts_at"]
    db.session.expire_all()
    stored = db.session.get(Interview, interview.id)
    assert (stored.starts_at, stored.duration_minutes) == (AT.astimezone(UTC), 45)
    assert [c.kind for c in stored.changes] == ["scheduled"]
    assert stored.ends_at == AT.astimezone(UTC) + timedelta(minutes=45)
