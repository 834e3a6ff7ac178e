"""The audit trail on a real database: every change recorded with before and after, in the
same transaction, hash-chained, append-only, and in id order with concurrent writers."""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DatabaseError

from tests.factories import make_application, make_opening, move_to_stage
from tracker.domain.audit_chain import GENESIS, REDACTED
from tracker.extensions import db
from tracker.models import AuditEvent, Candidate, PlanInterviewFocus, User, UserSession
from tracker.models.types import utcnow
from tracker.services import audit, sessions

ROOT = Path(__file__).resolve().parents[2]


def entries(**where) -> list[AuditEvent]:
    """Entries matching the given columns, oldest first."""
    query = select(AuditEvent).order_by(AuditEvent.id)
    for column, value in where.items():
        query = query.where(getattr(AuditEvent, column) == value)
    return list(db.session.scalars(query))


def last_entry() -> AuditEvent:
    return db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()


def details(entry: AuditEvent) -> dict:
    return json.loads(entry.details)


def count() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


# --- Every change, with before and after ------------------------------------------------


def test_a_created_object_is_recorded_with_its_values(app, people) -> None:
    opening = make_opening(people["hm"], people["recruiter"])
    application = make_application(opening, people["recruiter"], name="Zoë Núñez")
    [created] = entries(action="create", object_type="candidates")
    assert created.object_id == str(application.candidate_id)
    values = details(created)
    assert values["before"] == {}
    assert values["after"]["name"] == "Zoë Núñez"
    assert values["after"]["id"] == application.candidate_id
    assert values["after"]["created_at"].endswith("+00:00")  # datetimes as ISO, UTC
    assert created.actor_id is None  # no request: the system


def test_an_update_records_the_changed_columns_before_and_after(app, people) -> None:
    opening = make_opening(people["hm"], people["recruiter"])
    application = make_application(opening, people["recruiter"])
    old_stage = application.stage_id
    move_to_stage(application, "peer")  # the old value is loaded: after commit it is not
    [changed] = entries(action="update", object_type="applications")
    assert changed.object_id == str(application.id)
    assert details(changed) == {
        "before": {"stage_id": old_stage},
        "after": {"stage_id": application.stage_id},
    }


def test_an_update_of_a_value_never_loaded_still_records_the_old_value(app, people) -> None:
    """Set straight after a commit (everything expired): the old value is read from the row."""
    candidate_id = make_application(
        make_opening(people["hm"], people["recruiter"]), people["recruiter"], name="Old Name"
    ).candidate_id
    db.session.expire_all()
    candidate = db.session.get(Candidate, candidate_id)
    db.session.expire(candidate)
    candidate.name = "New Name"
    db.session.commit()
    [changed] = entries(action="update", object_type="candidates")
    assert details(changed) == {"before": {"name": "Old Name"}, "after": {"name": "New Name"}}


def test_a_delete_records_the_whole_row_before(app, people) -> None:
    opening = make_opening(people["hm"], people["recruiter"])
    focus = db.session.scalars(select(PlanInterviewFocus)).first()
    row = {"id": focus.id, "plan_interview_id": focus.plan_interview_id}
    db.session.expire(focus)  # nothing loaded: the row is read before it goes
    db.session.delete(focus)
    db.session.commit()
    [removed] = entries(action="delete", object_type="plan_interview_focus")
    assert removed.object_id == str(row["id"])
    before = details(removed)["before"]
    assert before["plan_interview_id"] == row["plan_interview_id"] and "requirement_id" in before
    assert details(removed)["after"] == {}
    assert opening.id  # (the opening's plan gave the focus row)


def test_orm_update_and_delete_statements_are_recorded_per_row(app, people) -> None:
    """Statements that skip the flush (as the plan service's focus reset) still leave one
    entry per row they touch."""
    make_opening(people["hm"], people["recruiter"])
    first = db.session.scalars(select(PlanInterviewFocus).order_by(PlanInterviewFocus.id)).first()
    same_interview = PlanInterviewFocus.plan_interview_id == first.plan_interview_id
    ids = list(db.session.scalars(select(PlanInterviewFocus.id).where(same_interview)))
    db.session.execute(update(User).where(User.id == people["hm"].id).values(name="Hal M."))
    db.session.execute(delete(PlanInterviewFocus).where(same_interview))
    db.session.commit()
    [renamed] = entries(action="update", object_type="users", object_id=str(people["hm"].id))
    assert details(renamed) == {"before": {"name": "Hal Manager"}, "after": {"name": "Hal M."}}
    removed = entries(action="delete", object_type="plan_interview_focus")
    assert sorted(int(e.object_id) for e in removed) == sorted(ids)


def test_secret_columns_are_redacted_but_their_change_is_noted(app, people) -> None:
    user = people["interviewer"]
    [created] = entries(action="create", object_type="users", object_id=str(user.id))
    assert details(created)["after"]["password_hash"] == REDACTED
    user.password_hash = "$argon2id$v=19$new"
    user.totp_secret = "JBSWY3DPEHPK3PXP"
    user.totp_pending_secret = None
    db.session.commit()
    changed = entries(action="update", object_type="users")[-1]
    assert details(changed)["after"] == {"password_hash": REDACTED, "totp_secret": REDACTED}
    assert details(changed)["before"] == {"password_hash": REDACTED, "totp_secret": None}
    trail = " ".join(e.details for e in entries())
    assert "argon2id" not in trail and "JBSWY3DPEHPK3PXP" not in trail


def test_session_touches_and_the_trail_itself_are_not_recorded(app, people) -> None:
    before = count()
    token = sessions.start(people["admin"], ip="192.0.2.1")
    record = db.session.scalar(select(UserSession))
    record.last_seen_at = utcnow()
    db.session.commit()
    sessions.end(token)
    assert count() == before
    assert not entries(object_type="user_sessions")


def test_a_rollback_leaves_no_entry_and_a_commit_always_has_one(app, people) -> None:
    before = count()
    people["hm"].name = "Rolled Back"
    db.session.flush()  # written, with its entry, inside the transaction
    assert count() == before + 1
    db.session.rollback()
    assert count() == before
    assert "Rolled Back" not in " ".join(e.details for e in entries())
    people["hm"].name = "Committed"
    db.session.commit()
    assert details(last_entry())["after"] == {"name": "Committed"}


def test_explicit_records_carry_the_given_actor_and_chain_on(app, people) -> None:
    audit.record("sign_in", "users", people["admin"].id, {"ok": True}, actor=people["admin"])
    db.session.commit()
    entry = last_entry()
    assert (entry.action, entry.actor_id, entry.actor_email) == (
        "sign_in",
        people["admin"].id,
        "admin@test.example",
    )
    assert entry.details == '{"ok":true}'
    assert entry.prev_hash == entries()[-2].hash
    assert audit.verify().broken is None


def test_a_change_in_a_request_names_the_signed_in_user_and_ip(app, client, auth, people) -> None:
    opening = make_opening(people["hm"], people["recruiter"])
    application = make_application(opening, people["recruiter"])
    auth.login(people["recruiter"].email)
    response = client.post(
        f"/applications/{application.id}/move/advance",
        data={"from_stage": application.stage.key},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    assert response.status_code == 302
    [moved] = entries(action="update", object_type="applications")
    assert (moved.actor_id, moved.actor_email, moved.ip) == (
        people["recruiter"].id,
        "rec@test.example",
        "198.51.100.7",
    )


def test_the_whole_trail_chains_from_genesis(app, people) -> None:
    make_application(make_opening(people["hm"], people["recruiter"]), people["recruiter"])
    trail = entries()
    assert trail[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(trail))
    result = audit.verify(batch_size=7)
    assert (result.broken, result.count, result.last_hash) == (None, len(trail), trail[-1].hash)


# --- Append-only --------------------------------------------------------------------------


def test_the_orm_refuses_to_change_delete_or_add_an_entry(app, people) -> None:
    entry = last_entry()
    entry.action = "nothing"
    with pytest.raises(PermissionError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(last_entry())
    with pytest.raises(PermissionError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.add(
        AuditEvent(action="forged", object_type="x", details="{}", prev_hash="0", hash="0")
    )
    with pytest.raises(PermissionError, match="append-only"):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    "statement",
    [
        update(AuditEvent).values(action="nothing"),
        delete(AuditEvent).where(AuditEvent.id > 0),
    ],
    ids=["bulk update", "bulk delete"],
)
def test_orm_statements_on_the_trail_are_refused(app, people, statement) -> None:
    with pytest.raises(PermissionError, match="append-only"):
        db.session.execute(statement)


@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_events SET action = 'nothing'", "DELETE FROM audit_events"],
    ids=["raw update", "raw delete"],
)
def test_the_database_refuses_raw_sql_changes(app, people, sql) -> None:
    before = count()
    with pytest.raises(DatabaseError, match="audit_events is append-only"):
        db.session.execute(text(sql))
    db.session.rollback()
    assert count() == before


# Code that changes or removes audit rows, in any spelling the application could use.
FORBIDDEN = re.compile(
    r"(?:update|delete)\(\s*AuditEvent\b"
    r"|AuditEvent\.__table__\.(?:update|delete)\("
    r"|\b(?:UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+audit_events\b",
    re.IGNORECASE,
)


def test_no_code_in_the_application_updates_or_deletes_audit_rows() -> None:
    """A grep over tracker/: the trail is only ever appended to."""
    for sample in (
        "db.session.execute(update(AuditEvent).values(x=1))",
        "delete( AuditEvent)",
        "AuditEvent.__table__.delete()",
        'text("delete from audit_events")',
        "TRUNCATE TABLE audit_events",
    ):
        assert FORBIDDEN.search(sample), sample  # the pattern catches each spelling
    offenders = []
    for path in sorted((ROOT / "tracker").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FORBIDDEN.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


# --- Concurrent writers --------------------------------------------------------------------


def test_concurrent_writers_chain_in_id_order(app, people) -> None:
    """A second transaction that wants to append waits for the first to commit and then
    reads its hash, rather than chaining after the same entry (a fork)."""
    db.session.commit()
    audit.record("first", "test", 1)  # this transaction now holds the chain
    done = threading.Event()
    failures: list[BaseException] = []

    def second_writer() -> None:
        try:
            with app.app_context():
                audit.record("second", "test", 2)
                db.session.commit()
                db.session.remove()
        except BaseException as exc:  # reported to the test below
            failures.append(exc)
        finally:
            done.set()

    thread = threading.Thread(target=second_writer)
    thread.start()
    time.sleep(0.3)
    assert not done.is_set()  # waiting for the chain
    db.session.commit()
    thread.join(timeout=10)
    assert failures == []
    first, second = entries(object_type="test")
    assert (first.action, second.action) == ("first", "second")
    assert second.id > first.id and second.prev_hash == first.hash
    assert audit.verify().broken is None


def test_postgresql_takes_the_advisory_lock_before_reading_the_last_hash() -> None:
    executed: list[str] = []
    connection = SimpleNamespace(
        dialect=SimpleNamespace(name="postgresql"),
        execute=lambda statement, params=None: executed.append(str(statement)),
    )
    audit._lock_chain(connection)
    assert executed == ["SELECT pg_advisory_xact_lock(:key)"]


def test_viewed_commits_its_entry_on_its_own(app, people) -> None:
    before = count()
    audit.viewed("candidates", 5, "candidate page")
    db.session.rollback()  # nothing left to undo: the entry is in
    assert count() == before + 1
    entry = last_entry()
    assert (entry.action, entry.object_type, entry.object_id) == ("view", "candidates", "5")
    assert details(entry) == {"what": "candidate page"}
