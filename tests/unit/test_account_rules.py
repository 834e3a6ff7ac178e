"""Password rules and the sign-in lock, as plain function calls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tracker.domain.accounts import (
    IS_PERSONAL,
    TOO_COMMON,
    TOO_SHORT_OR_LONG,
    Lockout,
    after_failed_password,
    is_locked,
    password_problem,
)

COMMON = frozenset({"password1234", "qwertyuiopasdf", "short"})
EMAIL = "ann.lee@example.com"
NAME = "Ann Lee Montgomery"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("a" * 11, TOO_SHORT_OR_LONG),
        ("a" * 12, None),
        ("a" * 128, None),
        ("a" * 129, TOO_SHORT_OR_LONG),
        ("", TOO_SHORT_OR_LONG),
        ("ünïcödé-pässwörd", None),  # characters, not bytes
        ("password1234", TOO_COMMON),
        ("PassWord1234", TOO_COMMON),  # common without regard to case
        ("QWERTYUIOPASDF", TOO_COMMON),
        ("password12345", None),  # not on the list
        ("ann.lee@example.com", IS_PERSONAL),
        ("ANN.LEE@EXAMPLE.COM", IS_PERSONAL),
        ("Ann Lee Montgomery", IS_PERSONAL),
        ("ann lee montgomery ", IS_PERSONAL),
        ("Ann Lee Montgomery!", None),
        ("correct horse battery staple", None),
    ],
)
def test_password_rules(password: str, expected: str | None) -> None:
    assert password_problem(password, common=COMMON, email=EMAIL, name=NAME) == expected


def test_length_is_checked_before_the_list() -> None:
    """A short common password gets the length message, which says what to do."""
    assert password_problem("short", common=COMMON) == TOO_SHORT_OR_LONG


def test_without_email_or_name_nothing_is_personal() -> None:
    assert password_problem("            x", common=COMMON, email="", name=" ") is None


POLICY = Lockout(threshold=5, duration=timedelta(minutes=15))


@pytest.mark.parametrize(
    ("failed_before", "expected_count", "locks"),
    [
        (0, 1, False),
        (3, 4, False),
        (4, 0, True),  # the fifth failure in a row locks, and the count starts again
        (9, 0, True),  # a count already past the threshold (policy lowered) locks too
    ],
)
def test_after_failed_password(failed_before: int, expected_count: int, locks: bool) -> None:
    count, until = after_failed_password(failed_before, NOW, POLICY)
    assert count == expected_count
    assert until == (NOW + timedelta(minutes=15) if locks else None)


@pytest.mark.parametrize(
    ("locked_until", "locked"),
    [
        (None, False),
        (NOW + timedelta(seconds=1), True),
        (NOW, False),  # the lock has just run out
        (NOW - timedelta(minutes=1), False),
    ],
)
def test_is_locked(locked_until: datetime | None, locked: bool) -> None:
    assert is_locked(locked_until, NOW) is locked
