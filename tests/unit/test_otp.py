"""The second-factor rules as plain function calls, table-driven."""

from __future__ import annotations

import hashlib
import itertools
from datetime import UTC, datetime, timedelta

import pytest

from tracker.domain.otp import (
    PENDING_LOGIN_TTL,
    RECOVERY_ALPHABET,
    Outcome,
    TotpMatch,
    format_recovery_code,
    looks_like_recovery_code,
    looks_like_totp,
    match_totp,
    new_recovery_code,
    normalise,
    pending_login_expired,
    recovery_code_hash,
    time_step,
    window,
)

NOW_STEP = 1000


def code_at(step: int) -> str:
    """A stand-in for pyotp: step 1000 has code 001000, and so on."""
    return f"{step % 1_000_000:06d}"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("123456", "123456"),
        (" 123 456 ", "123456"),
        ("123-456", "123456"),
        ("ABCDE-FGHIJ", "abcdefghij"),
        ("abcde fghij\n", "abcdefghij"),
        ("a-b-c\tD", "abcd"),
        ("", ""),
    ],
)
def test_normalise_drops_spaces_dashes_and_case(typed: str, expected: str) -> None:
    assert normalise(typed) == expected


@pytest.mark.parametrize(
    ("code", "totp", "recovery"),
    [
        ("123456", True, False),
        ("12345", False, False),
        ("1234567", False, False),
        ("12345a", False, False),
        ("abcdefghij", False, True),
        ("abcde23456", False, True),
        ("abcdefghi", False, False),
        ("abcdefghijk", False, False),
        ("abcdefgh01", False, False),  # 0 and 1 are not base32
        ("ABCDEFGHIJ", False, False),  # shapes are checked after normalise()
        ("", False, False),
    ],
)
def test_code_shapes(code: str, totp: bool, recovery: bool) -> None:
    assert looks_like_totp(code) is totp
    assert looks_like_recovery_code(code) is recovery


@pytest.mark.parametrize(
    ("at", "step"),
    [
        (datetime(1970, 1, 1, 0, 0, 29, tzinfo=UTC), 0),
        (datetime(1970, 1, 1, 0, 0, 30, tzinfo=UTC), 1),
        (datetime(2030, 1, 1, tzinfo=UTC), 1_893_456_000 // 30),
        (datetime(2030, 1, 1, 1, tzinfo=UTC) + timedelta(seconds=59), 1_893_459_659 // 30),
    ],
)
def test_time_step_is_the_rfc_6238_counter(at: datetime, step: int) -> None:
    assert time_step(at) == step


def test_window_is_one_step_either_side() -> None:
    assert window(NOW_STEP) == [999, 1000, 1001]
    assert window(NOW_STEP, 0) == [1000]


@pytest.mark.parametrize(
    ("code", "last_step", "expected"),
    [
        # Each step of the window is accepted when nothing later was used.
        ("001000", None, TotpMatch(Outcome.ACCEPTED, 1000)),
        ("000999", None, TotpMatch(Outcome.ACCEPTED, 999)),
        ("001001", None, TotpMatch(Outcome.ACCEPTED, 1001)),
        # Outside the window: wrong, however close.
        ("000998", None, TotpMatch(Outcome.WRONG)),
        ("001002", None, TotpMatch(Outcome.WRONG)),
        ("123456", None, TotpMatch(Outcome.WRONG)),
        # The replay rule: the matched step must be later than the last one used.
        ("001000", 999, TotpMatch(Outcome.ACCEPTED, 1000)),
        ("001000", 1000, TotpMatch(Outcome.REPLAY, 1000)),
        ("000999", 1000, TotpMatch(Outcome.REPLAY, 999)),
        ("001001", 1000, TotpMatch(Outcome.ACCEPTED, 1001)),
        ("001000", 1001, TotpMatch(Outcome.REPLAY, 1000)),
        ("001001", 1001, TotpMatch(Outcome.REPLAY, 1001)),
        # Not a code at all.
        ("", None, TotpMatch(Outcome.WRONG)),
        ("01000", None, TotpMatch(Outcome.WRONG)),
        ("abcdef", None, TotpMatch(Outcome.WRONG)),
    ],
)
def test_match_totp(code: str, last_step: int | None, expected: TotpMatch) -> None:
    result = match_totp(code, NOW_STEP, last_step, code_at)
    assert result == expected
    assert result.accepted is (expected.outcome is Outcome.ACCEPTED)


def test_match_totp_compares_every_step_of_the_window() -> None:
    """No early exit: the time taken does not tell which step matched."""
    asked: list[int] = []

    def counting(step: int) -> str:
        asked.append(step)
        return code_at(step)

    match_totp("000999", NOW_STEP, None, counting)
    assert asked == [999, 1000, 1001]


def test_recovery_codes_are_grouped_base32() -> None:
    codes = {new_recovery_code() for _ in range(200)}
    assert len(codes) == 200  # random, not a sequence
    for code in codes:
        first, second = code.split("-")
        assert len(first) == len(second) == 5
        assert set(first + second) <= set(RECOVERY_ALPHABET)
        assert looks_like_recovery_code(normalise(code))


def test_new_recovery_code_draws_each_character() -> None:
    letters = itertools.cycle("abcdefghij")
    assert new_recovery_code(lambda _alphabet: next(letters)) == "abcde-fghij"
    assert format_recovery_code("0123456789") == "01234-56789"


@pytest.mark.parametrize("typed", ["abcde-fghij", "ABCDE-FGHIJ", "abcdefghij", " abcde fghij "])
def test_recovery_code_hash_is_of_the_normalised_code(typed: str) -> None:
    assert recovery_code_hash(typed) == hashlib.sha256(b"abcdefghij").hexdigest()
    assert recovery_code_hash(typed) != recovery_code_hash("abcde-fghik")


START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "expired"),
    [
        (START, False),
        (START + timedelta(minutes=4, seconds=59), False),
        (START + PENDING_LOGIN_TTL, False),
        (START + PENDING_LOGIN_TTL + timedelta(seconds=1), True),
        (START + timedelta(hours=1), True),
        (START - timedelta(seconds=1), True),  # started in the future: not trusted
    ],
)
def test_pending_login_lasts_five_minutes(now: datetime, expired: bool) -> None:
    assert timedelta(minutes=5) == PENDING_LOGIN_TTL
    assert pending_login_expired(START, now) is expired
