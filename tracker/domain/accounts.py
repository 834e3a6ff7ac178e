"""Account rules: what makes a password acceptable, and when failed sign-ins lock an account.

Pure functions: the list of common passwords and the clock are passed in, so the rules
are tested as plain calls.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import datetime, timedelta

MIN_PASSWORD = 12
MAX_PASSWORD = 128

TOO_SHORT_OR_LONG = f"Use between {MIN_PASSWORD} and {MAX_PASSWORD} characters."
TOO_COMMON = "This password is one of the most common ones; choose one that is harder to guess."
IS_PERSONAL = "Do not use your email address or your name as your password."


def password_problem(
    password: str, *, common: Container[str], email: str = "", name: str = ""
) -> str | None:
    """Why this password may not be used, or None when it is acceptable.

    `common` holds lower-case passwords; the comparisons ignore case, so "PassWord1234"
    counts as the common "password1234".
    """
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        return TOO_SHORT_OR_LONG
    if password.lower() in common:
        return TOO_COMMON
    personal = {v.strip().casefold() for v in (email, name) if v.strip()}
    if password.strip().casefold() in personal:
        return IS_PERSONAL
    return None


@dataclass(frozen=True)
class Lockout:
    """After `threshold` consecutive failed passwords the account is locked for `duration`."""

    threshold: int = 5
    duration: timedelta = timedelta(minutes=15)


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and now < locked_until


def after_failed_password(
    failed_logins: int, now: datetime, policy: Lockout
) -> tuple[int, datetime | None]:
    """The failure count and lock that follow one more wrong password.

    Reaching the threshold locks the account and starts the count again, so once the lock
    has run out the person has the full number of tries before the next lock.
    """
    count = failed_logins + 1
    if count >= policy.threshold:
        return 0, now + policy.duration
    return count, None
