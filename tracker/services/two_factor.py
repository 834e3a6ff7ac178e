"""Second factor: TOTP enrolment and checks, single-use recovery codes, and the failure
count of the sign-in step. Each public function that changes something commits once.

A TOTP code signs in once: the time step it matched is kept (`users.totp_last_counter`)
and a code of that step or an earlier one is refused as a replay. The update is
conditional, so two requests racing with the same code cannot both win.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pyotp
from flask import current_app
from sqlalchemy import delete, func, or_, select, update

from tracker.domain import otp
from tracker.domain.errors import DomainError, ValidationFailed
from tracker.extensions import db
from tracker.models import AccessRole, RecoveryCode, User
from tracker.models.types import utcnow
from tracker.services import audit

ISSUER = "Hiring tracker"
WRONG_CODE = "That code is not valid. Use the current code from your app, or a recovery code."
ADMIN_MUST_KEEP = (
    "Two-factor authentication is mandatory for administrators, so it cannot be turned off. "
    "To move to a new device, set up a new authenticator app instead."
)


def needs_code(user: User) -> bool:
    """Whether signing in takes a second step."""
    return user.totp_enabled


def must_enrol(user: User) -> bool:
    """An administrator without TOTP may do nothing until they set it up."""
    return user.has_role(AccessRole.ADMIN) and not user.totp_enabled


def may_disable(user: User) -> bool:
    """Anyone but an administrator may turn TOTP off again."""
    return not user.has_role(AccessRole.ADMIN)


def begin_enrolment(user: User, code: str | None = None) -> None:
    """Draw a new secret awaiting confirmation. Someone who already has TOTP proves it
    with a current code first, so a borrowed session cannot swap the device."""
    if user.totp_enabled and not _consume(user, code or ""):
        raise ValidationFailed(WRONG_CODE, "code")
    user.totp_pending_secret = pyotp.random_base32()
    db.session.commit()


def provisioning_uri(user: User) -> str:
    """The otpauth:// address the QR code carries, for the secret awaiting confirmation."""
    if not user.totp_pending_secret:
        raise DomainError("Start setting up two-factor authentication first.")
    return pyotp.TOTP(user.totp_pending_secret).provisioning_uri(
        name=user.email, issuer_name=ISSUER
    )


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Turn TOTP on with the pending secret once a code from it is right; return the ten
    recovery codes, in plain text this once (only their hashes are kept)."""
    secret = user.totp_pending_secret
    if not secret:
        raise ValidationFailed("Start setting up two-factor authentication first.", "code")
    match = _match(secret, otp.normalise(code), last_step=None)
    if not match.accepted:
        raise ValidationFailed(
            "That code is not right. Check the time on your device and try the next code.",
            "code",
        )
    user.totp_secret = secret
    user.totp_pending_secret = None
    user.totp_enabled_at = utcnow()
    user.totp_last_counter = match.step
    codes = _replace_recovery_codes(user)
    audit.record("2fa.enable", "users", user.id, actor=user)
    db.session.commit()
    return codes


def verify(user: User, code: str) -> bool:
    """A current TOTP code not used before, or an unused recovery code (now used up).
    Commits what it consumes; False for anything else, without saying why."""
    ok = _consume(user, code)
    db.session.commit()
    return ok


def verify_sign_in(user: User, code: str) -> bool:
    """The second step of signing in: refused while the account is locked; a wrong code
    counts towards the lock like a wrong password, and a right one clears the count."""
    now = utcnow()
    if is_locked(user, now):
        return False
    if _consume(user, code):
        user.failed_logins = 0
        user.locked_until = None
        db.session.commit()
        return True
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= current_app.config["LOGIN_LOCKOUT_THRESHOLD"]:
        user.locked_until = now + current_app.config["LOGIN_LOCKOUT_DURATION"]
        user.failed_logins = 0
    db.session.commit()
    return False


def is_locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def regenerate_recovery_codes(user: User, code: str) -> list[str]:
    """New recovery codes for old ones (all of which stop working); a current code first."""
    if not user.totp_enabled:
        raise DomainError("Two-factor authentication is not on.")
    if not _consume(user, code):
        raise ValidationFailed(WRONG_CODE, "code")
    codes = _replace_recovery_codes(user)
    audit.record("2fa.codes_regenerated", "users", user.id, actor=user)
    db.session.commit()
    return codes


def disable(user: User, code: str) -> None:
    """Turn TOTP off, with a current code; never for administrators."""
    if not may_disable(user):
        raise DomainError(ADMIN_MUST_KEEP)
    if not user.totp_enabled:
        raise DomainError("Two-factor authentication is not on.")
    if not _consume(user, code):
        raise ValidationFailed(WRONG_CODE, "code")
    user.totp_secret = None
    user.totp_pending_secret = None
    user.totp_last_counter = None
    user.totp_enabled_at = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record("2fa.disable", "users", user.id, actor=user)
    db.session.commit()


def remaining_recovery_codes(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count(RecoveryCode.id)).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        )
        or 0
    )


def pending_user(pending: Any, now: datetime) -> User | None:
    """The person whose password was right a moment ago (session["pending_login"]), if
    that was at most five minutes ago and they still need a code."""
    if not isinstance(pending, dict):
        return None
    user_id, started = pending.get("user_id"), pending.get("at")
    if not isinstance(user_id, int) or not isinstance(started, str):
        return None
    try:
        started_at = datetime.fromisoformat(started)
    except ValueError:
        return None
    if started_at.tzinfo is None or otp.pending_login_expired(started_at, now):
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active or not needs_code(user):
        return None
    return user


def _consume(user: User, code: str) -> bool:
    """Use up `code` if it is a valid second factor for `user` (not committed)."""
    if not user.totp_secret:
        return False
    code = otp.normalise(code)
    if otp.looks_like_totp(code):
        return _consume_totp(user, code)
    if otp.looks_like_recovery_code(code):
        return _consume_recovery_code(user, code)
    return False


def _match(secret: str, code: str, last_step: int | None) -> otp.TotpMatch:
    totp = pyotp.TOTP(secret)
    return otp.match_totp(code, otp.time_step(utcnow()), last_step, totp.generate_otp)


def _consume_totp(user: User, code: str) -> bool:
    match = _match(user.totp_secret or "", code, user.totp_last_counter)
    if not match.accepted:
        return False
    # Only if no request has used this step or a later one meanwhile.
    result = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_counter.is_(None), User.totp_last_counter < match.step),
        )
        .values(totp_last_counter=match.step)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def _consume_recovery_code(user: User, code: str) -> bool:
    result = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == otp.recovery_code_hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    audit.record("2fa.recovery_used", "users", user.id, actor=user)
    return True


def _replace_recovery_codes(user: User) -> list[str]:
    """Delete the old codes and add ten new ones (not committed); return them in plain text."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [otp.new_recovery_code() for _ in range(otp.RECOVERY_CODE_COUNT)]
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=otp.recovery_code_hash(c)) for c in codes
    )
    return codes
