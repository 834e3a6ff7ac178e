"""Services against the real migrated database: rules that span rows and transactions."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from flask import Flask
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from tests.factories import catalog_ids, make_application, make_opening
from tracker.domain.errors import MoveNotAllowed, ValidationFailed
from tracker.domain.pipeline import Move, MoveRequest, RejectionReason
from tracker.extensions import db
from tracker.models import Application, Candidate, Opening, StageEventRecord
from tracker.models.types import utcnow
from tracker.services import applications, openings


def event_count() -> int:
    return db.session.scalar(select(func.count()).select_from(StageEventRecord))


def opening_input(people: dict, role: str, level: str, specialty: str | None, **ids):
    role_id, level_id, specialty_id = catalog_ids(role, level, specialty)
    fields = {"role_id": role_id, "level_id": level_id, "specialty_id": specialty_id, **ids}
    return openings.OpeningInput(
        title="Mixed-up opening",
        hiring_manager_id=people["hm"].id,
        recruiter_id=people["recruiter"].id,
        **fields,
    )


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("specialty_id", "Secure is not a specialty of Security Engineer"),
        ("level_id", "not a level of Security Engineer"),
    ],
)
def test_create_opening_refuses_parts_of_another_role(
    app: Flask, people: dict, field: str, message: str
) -> None:
    """A Security Engineer opening with a Distinguished Engineer part would mix requirements."""
    _, de_level, de_specialty = catalog_ids("distinguished-engineer", "distinguished", "secure")
    foreign = {"specialty_id": de_specialty, "level_id": de_level}[field]
    data = opening_input(people, "security-engineer", "staff", "sirt", **{field: foreign})

    with pytest.raises(ValidationFailed) as excinfo:
        openings.create_opening(data)

    assert excinfo.value.field == field
    assert message in excinfo.value.message
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Opening)) == 0


EXPECTED_PLAN = [
    ("applied", "Applied", []),
    ("recruiter_screen", "Recruiter screen", [(30, "recruiter")]),
    ("hiring_manager", "Hiring manager interview", [(60, "hiring_manager")]),
    ("peer", "Peer interviews", [(45, "peer"), (45, "peer")]),
    ("director", "Director / CISO interview", [(60, "director_or_ciso")]),
    ("decision", "Decision", []),
    ("offer", "Offer", []),
    ("hired", "Hired", []),
]


def test_new_opening_gets_the_documented_plan(app: Flask, people: dict) -> None:
    """The documents' process (screen, HM 60, two peers 45, director/CISO 60) is the default."""
    opening = make_opening(people["hm"], people["recruiter"])
    db.session.expire_all()
    plan = openings.load_plan(db.session.get(Opening, opening.id))
    assert [
        (s.key, s.name, [(i.duration_minutes, i.conducted_by) for i in s.interviews]) for s in plan
    ] == EXPECTED_PLAN
    assert [s.position for s in plan] == list(range(8))
    peer_names = [i.name for i in plan[3].interviews]
    assert len(set(peer_names)) == 2


def test_candidate_email_is_case_insensitive(app: Flask, people: dict) -> None:
    """One person is one candidate, however their email was typed."""
    first = make_opening(people["hm"], people["recruiter"], title="One")
    second = make_opening(people["hm"], people["recruiter"], title="Two")

    a = make_application(first, people["recruiter"], name="Zoe", email="Zoe@X.example")
    b = make_application(second, people["recruiter"], name="Zoe", email="zoe@x.example")

    assert a.candidate_id == b.candidate_id
    assert db.session.scalar(select(func.count()).select_from(Candidate)) == 1
    with pytest.raises(ValidationFailed) as excinfo:
        make_application(first, people["recruiter"], name="Zoe", email="ZOE@x.EXAMPLE")
    assert excinfo.value.field == "email"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Application)) == 2


def test_database_refuses_two_active_applications(app: Flask, people: dict) -> None:
    """Even a path that skips the service check cannot create a duplicate active application."""
    opening = make_opening(people["hm"], people["recruiter"])
    existing = make_application(opening, people["recruiter"])
    db.session.add(
        Application(
            candidate_id=existing.candidate_id,
            opening_id=opening.id,
            stage_id=existing.stage_id,
            status="active",
        )
    )
    # The partial unique index, by name (PostgreSQL) or by what it covers (SQLite).
    match = "uq_applications_active_candidate_opening|UNIQUE.*applications.candidate_id"
    with pytest.raises(IntegrityError, match=match):
        db.session.commit()
    db.session.rollback()


def test_database_allows_a_closed_and_an_active_application(app: Flask, people: dict) -> None:
    """The guard is partial: a rejected application must not block a new one."""
    opening = make_opening(people["hm"], people["recruiter"])
    existing = make_application(opening, people["recruiter"])
    db.session.add(
        Application(
            candidate_id=existing.candidate_id,
            opening_id=opening.id,
            stage_id=existing.stage_id,
            status="rejected",
        )
    )
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Application)) == 2


def test_move_advances_and_records_who_when_where(app: Flask, people: dict) -> None:
    """Every move must leave evidence: actor, from, to and a UTC timestamp."""
    opening = make_opening(people["hm"], people["recruiter"])
    application = make_application(opening, people["recruiter"])
    before = utcnow()

    record = applications.move(application, MoveRequest(Move.ADVANCE), people["hm"])

    db.session.expire_all()
    stored = db.session.get(StageEventRecord, record.id)
    assert stored.actor_id == people["hm"].id
    assert stored.move == "advance"
    assert (stored.from_stage.key, stored.to_stage.key) == ("applied", "recruiter_screen")
    assert (stored.from_status, stored.to_status) == ("active", "active")
    assert stored.at.tzinfo is not None
    assert stored.at.utcoffset() == timedelta(0)
    assert stored.at.tzinfo == UTC
    assert before <= stored.at <= utcnow()
    assert db.session.get(Application, application.id).stage.key == "recruiter_screen"
    assert [e.move for e in db.session.get(Application, application.id).events] == [
        "apply",
        "advance",
    ]


def test_refused_move_writes_nothing(app: Flask, people: dict) -> None:
    """A refused move must leave neither a history row nor a changed stage."""
    opening = make_opening(people["hm"], people["recruiter"])
    application = make_application(opening, people["recruiter"])
    events = event_count()

    with pytest.raises(MoveNotAllowed, match="only from Offer"):
        applications.move(application, MoveRequest(Move.HIRE), people["hm"])

    assert not db.session.dirty
    assert not db.session.new
    db.session.rollback()
    db.session.expire_all()
    stored = db.session.get(Application, application.id)
    assert (stored.stage.key, stored.status) == ("applied", "active")
    assert event_count() == events


def test_reopen_refused_while_another_application_is_active(app: Flask, people: dict) -> None:
    """Reopening must not create a second active application for the same person and opening."""
    opening = make_opening(people["hm"], people["recruiter"])
    old = make_application(opening, people["recruiter"], email="sam@cand.example")
    applications.move(
        old, MoveRequest(Move.REJECT, RejectionReason.OTHER, note="Not now."), people["hm"]
    )
    new = make_application(opening, people["recruiter"], email="SAM@cand.example")
    assert new.candidate_id == old.candidate_id
    events = event_count()

    with pytest.raises(MoveNotAllowed, match="another active application"):
        applications.move(old, MoveRequest(Move.REOPEN, note="Changed our mind."), people["hm"])

    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Application, old.id).status == "rejected"
    assert db.session.get(Application, new.id).status == "active"
    assert event_count() == events


def test_reopen_allowed_once_the_other_application_is_closed(app: Flask, people: dict) -> None:
    """The reopen guard must only block the duplicate case, not every reopen."""
    opening = make_opening(people["hm"], people["recruiter"])
    application = make_application(opening, people["recruiter"])
    applications.move(
        application, MoveRequest(Move.REJECT, RejectionReason.OTHER, note="No."), people["hm"]
    )
    record = applications.move(application, MoveRequest(Move.REOPEN, note="Yes."), people["hm"])
    assert (record.from_status, record.to_status) == ("rejected", "active")
    assert db.session.get(Application, application.id).closed_at is None


def _edit(record: StageEventRecord) -> None:
    record.note = "rewritten"


def _delete(record: StageEventRecord) -> None:
    db.session.delete(record)


def _bulk_update(record: StageEventRecord) -> None:
    db.session.execute(
        update(StageEventRecord).where(StageEventRecord.id == record.id).values(note="rewritten")
    )


def _bulk_delete(record: StageEventRecord) -> None:
    db.session.execute(delete(StageEventRecord).where(StageEventRecord.id == record.id))


@pytest.mark.parametrize(
    "tamper",
    [_edit, _delete, _bulk_update, _bulk_delete],
    ids=["edit", "delete", "bulk-update", "bulk-delete"],
)
def test_stage_history_is_append_only(app: Flask, people: dict, tamper) -> None:
    """The history is evidence of fair process: no path through the session may rewrite it."""
    opening = make_opening(people["hm"], people["recruiter"])
    application = make_application(opening, people["recruiter"])
    record = applications.move(
        application, MoveRequest(Move.ADVANCE, note="Strong CV."), people["hm"]
    )
    record_id = record.id

    with pytest.raises(PermissionError, match="append-only"):
        tamper(record)
        db.session.commit()

    db.session.rollback()
    db.session.expire_all()
    stored = db.session.get(StageEventRecord, record_id)
    assert stored is not None
    assert stored.note == "Strong CV."
    assert event_count() == 2
