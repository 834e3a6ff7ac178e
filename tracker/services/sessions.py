"""Server-side sessions: the cookie names a session row, and only a live row signs anyone in.

Flask's signed cookie cannot be revoked: a copy taken before sign-out would keep working.
Here the cookie carries a random token; the database keeps its SHA-256. Signing out, the
idle limit and the absolute limit end the row, and a cookie naming an ended row is refused.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, false, select, update
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import User, UserSession
from tracker.models.types import utcnow


@dataclass(frozen=True)
class Limits:
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)
    fresh: timedelta = timedelta(minutes=10)
    # last_seen is written at most this often, so a busy page does not write every request.
    touch: timedelta = timedelta(seconds=60)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(
    user: User, ip: str | None = None, user_agent: str | None = None, *, commit: bool = True
) -> str:
    """Open a session for a user who has just proved who they are; return its token."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        UserSession(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=now,
            authenticated_at=now,
            last_seen_at=now,
            ip=(ip or "")[:45] or None,
            user_agent=(user_agent or "")[:255] or None,
        )
    )
    if commit:
        db.session.commit()
    return token


def expired(record: UserSession, now: datetime, limits: Limits) -> bool:
    return (
        record.ended_at is not None
        or now - record.last_seen_at > limits.idle
        or now - record.created_at > limits.absolute
    )


def is_fresh(record: UserSession, now: datetime, limits: Limits) -> bool:
    return now - record.authenticated_at <= limits.fresh


def user_and_session(user_id: int, token: str | None) -> tuple[User | None, UserSession | None]:
    """The user (with their roles) and the session this token names for them, in one
    query: every signed-in request starts here. The session is None when the token names
    no session of this user."""
    names_session = (
        and_(UserSession.token_hash == token_hash(token), UserSession.user_id == User.id)
        if token
        else false()
    )
    row = (
        db.session.execute(
            select(User, UserSession)
            .outerjoin(UserSession, names_session)
            .where(User.id == user_id)
            .options(joinedload(User.roles))
        )
        .unique()
        .first()
    )
    return (row[0], row[1]) if row is not None else (None, None)


def still_live(record: UserSession, limits: Limits) -> UserSession | None:
    """The session touched if it is live; None (and the session ended) when it has ended,
    idled out or outlived the absolute limit."""
    now = utcnow()
    if expired(record, now, limits):
        if record.ended_at is None:
            record.ended_at = now
            db.session.commit()
        return None
    if now - record.last_seen_at >= limits.touch:
        record.last_seen_at = now
        db.session.commit()
    return record


def reauthenticated(token: str | None) -> None:
    """The person proved who they are again: the session is fresh for a while."""
    if token:
        db.session.execute(
            update(UserSession)
            .where(UserSession.token_hash == token_hash(token), UserSession.ended_at.is_(None))
            .values(authenticated_at=utcnow())
        )
        db.session.commit()


def end(token: str | None) -> None:
    """End one session (sign-out)."""
    if token:
        db.session.execute(
            update(UserSession)
            .where(UserSession.token_hash == token_hash(token), UserSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
        db.session.commit()


def end_all(user_id: int, *, keep: str | None = None, commit: bool = True) -> int:
    """End every live session of a user, except optionally the one named by `keep`
    (after a password change, say). Returns how many were ended."""
    stmt = (
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    if keep:
        stmt = stmt.where(UserSession.token_hash != token_hash(keep))
    result = db.session.execute(stmt)
    if commit:
        db.session.commit()
    return result.rowcount or 0


def live_sessions(user_id: int) -> list[UserSession]:
    stmt = (
        select(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .order_by(UserSession.last_seen_at.desc())
    )
    return list(db.session.scalars(stmt))
