"""A request that loses a wait for the database gets a clear 503 and saves nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from tests.factories import make_opening
from tracker.errors import is_contention
from tracker.extensions import db
from tracker.models import Opening


class DriverError(Exception):
    def __init__(self, message: str, sqlstate: str | None = None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("message", "sqlstate", "busy"),
    [
        ("database is locked", None, True),  # SQLite, past the busy timeout
        ("could not serialize access", "40001", True),  # PostgreSQL
        ("deadlock detected", "40P01", True),
        ("canceling statement due to lock timeout", "55P03", True),
        ("no such table: openings", None, False),
        ("connection refused", "08001", False),
    ],
)
def test_contention_is_told_apart_from_faults(message, sqlstate, busy) -> None:
    error = OperationalError("SELECT 1", {}, DriverError(message, sqlstate))
    assert is_contention(error) is busy


def test_a_locked_database_answers_503_and_writes_nothing(app, client, auth, people) -> None:
    make_opening(people["hm"], people["recruiter"])
    before = db.session.scalar(select(func.count()).select_from(Opening))
    app.add_url_rule("/_test/busy", "busy", busy_view, methods=["POST"])
    auth.login(people["recruiter"].email)

    response = client.post("/_test/busy")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert b"nothing you sent was saved" in response.data
    assert db.session.scalar(select(func.count()).select_from(Opening)) == before


def busy_view() -> str:
    """Adds an opening, then the database refuses the commit as a busy SQLite would."""
    existing = db.session.scalars(select(Opening)).first()
    db.session.add(
        Opening(
            title="Written before the refusal",
            role_id=existing.role_id,
            level_id=existing.level_id,
            hiring_manager_id=existing.hiring_manager_id,
            recruiter_id=existing.recruiter_id,
        )
    )
    db.session.flush()
    raise OperationalError("COMMIT", {}, DriverError("database is locked"))


def test_other_operational_errors_stay_faults(app, client) -> None:
    def broken() -> str:
        raise OperationalError("SELECT 1", {}, DriverError("no such table: openings"))

    app.add_url_rule("/_test/broken", "broken", broken)
    with pytest.raises(OperationalError):
        client.get("/_test/broken")  # in tests an unhandled fault propagates
