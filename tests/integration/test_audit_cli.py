"""`flask audit verify` on a test copy of the database whose append-only triggers were
dropped, so that tampering is possible and must be caught."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from sqlalchemy import func, select, text

from tests.factories import make_application, make_opening
from tests.queries import recorded_queries
from tracker.domain.audit_chain import entry_hash
from tracker.extensions import db
from tracker.models import AuditEvent
from tracker.services import audit


@pytest.fixture
def trail(app, people) -> list[int]:
    """Ids of a trail of some length (the catalog load and the people made its start)."""
    make_application(make_opening(people["hm"], people["recruiter"]), people["recruiter"])
    return list(db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))


def tamper(sql: str, **params) -> None:
    """Raw SQL behind the application's back, with the guarding triggers gone."""
    db.session.close()  # its open transaction would keep DROP TRIGGER waiting for its lock
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("DROP TRIGGER audit_events_append_only ON audit_events")
        else:
            connection.exec_driver_sql("DROP TRIGGER audit_events_no_update")
            connection.exec_driver_sql("DROP TRIGGER audit_events_no_delete")
        connection.execute(text(sql), params)
    db.session.expire_all()


def verify(runner, *args: str):
    return runner.invoke(args=["audit", "verify", *args])


def test_an_intact_trail_is_reported_with_its_length(runner, trail) -> None:
    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert f"Audit trail intact: {len(trail)} entries." in result.output
    last_hash = db.session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()))
    assert last_hash in result.output


def test_a_changed_entry_is_named(runner, trail) -> None:
    target = trail[len(trail) // 2]
    tamper("UPDATE audit_events SET details = '{}' WHERE id = :id", id=target)
    result = verify(runner)
    assert result.exit_code == 1
    assert f"Broken at entry #{target}: its content does not match its hash" in result.output


def test_a_deleted_entry_breaks_the_link_of_the_next(runner, trail) -> None:
    target = trail[10]
    tamper("DELETE FROM audit_events WHERE id = :id", id=target)
    result = verify(runner)
    assert result.exit_code == 1
    assert f"Broken at entry #{trail[11]}: its previous hash does not match" in result.output


def test_a_forged_entry_with_its_own_hash_recomputed_breaks_the_next(runner, trail) -> None:
    """A forger who knows the hashing rule rewrites one entry and its hash: that entry
    checks out, the next one's link does not."""
    a, b = trail[5], trail[6]
    row = db.session.get(AuditEvent, a)
    forged = replace(next(audit._entries([row])), action="view")
    tamper(
        "UPDATE audit_events SET action = 'view', hash = :hash WHERE id = :id",
        hash=entry_hash(forged),
        id=a,
    )
    result = verify(runner)
    assert result.exit_code == 1
    assert f"Broken at entry #{b}: its previous hash does not match" in result.output


def test_the_walk_goes_in_batches_by_id(runner, trail) -> None:
    target = trail[-2]  # well past the first batches
    tamper("UPDATE audit_events SET action = 'view' WHERE id = :id", id=target)
    with recorded_queries() as statements:
        result = verify(runner, "--batch-size", "50")
    assert result.exit_code == 1
    assert f"Broken at entry #{target}:" in result.output
    walks = [s for s in statements if "FROM audit_events" in s]
    assert len(walks) == len(trail) // 50 + 1
    # keyset: each batch starts after the last id seen (SQLite's dialect always renders an
    # OFFSET clause, bound to 0 here)
    assert all(re.search(r"WHERE audit_events.id > (\?|%\(\w+\)s)", s) for s in walks)


def test_the_trail_is_the_same_length_after_verifying(runner, trail) -> None:
    """Verifying reads; it adds nothing to the trail it checks."""
    verify(runner)
    assert db.session.scalar(select(func.count(AuditEvent.id))) == len(trail)
