"""Passwords: argon2id hashing, the rules a new password must meet, changing one's own
password, and the admin-issued single-use reset links."""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select, update

from tracker.domain import accounts
from tracker.domain.errors import DomainError, ValidationFailed
from tracker.extensions import db
from tracker.models import PasswordReset, User
from tracker.models.types import utcnow
from tracker.services import audit, sessions

# argon2id with the library's defaults (RFC 9106 low-memory profile).
_hasher = PasswordHasher()
# Verified against when the account is unknown, so both paths take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password-but-the-same-cost")

MIN_PASSWORD = accounts.MIN_PASSWORD
MAX_PASSWORD = accounts.MAX_PASSWORD


class InvalidResetLink(DomainError):
    """The reset link is unknown, used, superseded or expired (one answer for all)."""

    def __init__(self) -> None:
        super().__init__("This link is invalid or has expired.")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def unusable_hash() -> str:
    """A hash of a random secret nobody knows: the account has no password yet, and
    signing in to it costs the same work as to any other."""
    return hash_password(secrets.token_urlsafe(32))


def verify(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; with no hash, the same work against a dummy one."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@cache
def common_passwords() -> frozenset[str]:
    """The 10,000 most common passwords (zxcvbn's list, MIT), read once on first use."""
    text = (resources.files("tracker.auth") / "data" / "common-passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def check_new_password(password: str, *, email: str = "", name: str = "", field: str) -> None:
    """Raise ValidationFailed on `field` when the password may not be used."""
    problem = accounts.password_problem(password, common=common_passwords(), email=email, name=name)
    if problem:
        raise ValidationFailed(problem, field)


def set_password(user: User, password: str) -> None:
    """Store a new password (already checked) and when it changed; no commit."""
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()


def change_password(user: User, current: str, new: str, *, keep_session: str | None) -> None:
    """The person changes their own password: every other session of theirs ends."""
    if not verify(user.password_hash, current):
        raise ValidationFailed("That is not your current password.", "current_password")
    check_new_password(new, email=user.email, name=user.name, field="new_password")
    if verify(user.password_hash, new):
        raise ValidationFailed("Choose a password other than your current one.", "new_password")
    set_password(user, new)
    sessions.end_all(user.id, keep=keep_session, commit=False)
    audit.record("password.change", "users", user.id, actor=user)
    db.session.commit()


def issue_reset(user: User, *, by: User, ttl: timedelta) -> str:
    """A new single-use reset link token for `user`; earlier unused links stop working.

    Only the token's SHA-256 is stored, so the link can be shown once and never again.
    """
    now = utcnow()
    db.session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.user_id == user.id,
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > now,
        )
        .values(expires_at=now)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordReset(
            token_hash=sessions.token_hash(token),
            user_id=user.id,
            created_by_id=by.id,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    audit.record(
        "password.reset_issued",
        "users",
        user.id,
        {"expires_at": (now + ttl).isoformat()},
        actor=by,
    )
    db.session.commit()
    return token


def usable_reset(token: str) -> PasswordReset | None:
    """The unused, unexpired reset this token names, for an active account; else None."""
    reset = db.session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == sessions.token_hash(token))
    )
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    user = db.session.get(User, reset.user_id)
    return reset if user is not None and user.active else None


def reset_password(token: str, new: str) -> User:
    """Set a new password through a reset link: the link is spent, every session of the
    account ends and any lock is lifted. Raises InvalidResetLink or ValidationFailed."""
    reset = usable_reset(token)
    if reset is None:
        raise InvalidResetLink
    user = db.session.get(User, reset.user_id)
    if user is None:
        raise InvalidResetLink
    check_new_password(new, email=user.email, name=user.name, field="new_password")
    # Claimed with a conditional update, so two simultaneous uses cannot both succeed.
    claimed = db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        raise InvalidResetLink
    set_password(user, new)
    user.failed_logins = 0
    user.locked_until = None
    sessions.end_all(user.id, commit=False)
    audit.record("password.reset", "users", user.id, actor=user)
    db.session.commit()
    return user
