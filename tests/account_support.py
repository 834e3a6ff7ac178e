"""Helpers for the account tests: an audit spy, reloading a user, ageing a session."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from tests.factories import PASSWORD
from tracker.extensions import db
from tracker.models import User, UserSession
from tracker.models.types import utcnow
from tracker.services import audit


@dataclass
class AuditCall:
    action: str
    object_type: str
    object_id: object | None
    details: dict[str, Any] = field(default_factory=dict)
    actor_id: int | None = None  # the id only: the object outlives its request's session


def spy_audit(monkeypatch: pytest.MonkeyPatch) -> list[AuditCall]:
    """Replace audit.record with one that keeps each call, in order."""
    calls: list[AuditCall] = []

    def record(
        action: str,
        object_type: str,
        object_id: object | None = None,
        details: dict[str, Any] | None = None,
        *,
        actor: Any = None,
    ) -> None:
        actor_id = getattr(actor, "id", None)
        calls.append(AuditCall(action, object_type, object_id, dict(details or {}), actor_id))

    monkeypatch.setattr(audit, "record", record)
    return calls


def actions(calls: list[AuditCall]) -> list[str]:
    return [c.action for c in calls]


def reloaded(user: User) -> User:
    """The user as the database has it now (after requests made in their own sessions)."""
    db.session.expire_all()
    return db.session.get(User, user.id)


def only_session(user_id: int) -> UserSession:
    db.session.expire_all()
    return db.session.scalars(
        select(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
    ).one()


def make_stale(user_id: int, minutes: int = 11) -> None:
    """Move the user's sign-ins back, so their sessions are no longer fresh."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(authenticated_at=utcnow() - timedelta(minutes=minutes))
    )
    db.session.commit()


def signed_in_browser(
    app, email: str, *, user_agent: str = "Other browser", ip: str = "198.51.100.23"
):
    """Another browser (its own cookies), signed in as `email` from another address."""
    browser = app.test_client()
    browser.post(
        "/login",
        data={"email": email, "password": PASSWORD},
        headers={"User-Agent": user_agent},
        environ_base={"REMOTE_ADDR": ip},
    )
    return browser


def field_error(page: str, field: str) -> str:
    """The message shown next to a form field ('' when there is none)."""
    match = re.search(rf'id="{field}-error"[^>]*>(.*?)</div>', page, re.S)
    return match.group(1) if match else ""
