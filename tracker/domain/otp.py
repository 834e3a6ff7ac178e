"""Second-factor rules: which time steps a TOTP code may match, the replay rule, the shape
of recovery codes, and how long a half-finished sign-in waits for its code.

Pure Python: the service computes the expected codes (pyotp) and keeps the counters.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

STEP_SECONDS = 30
# A code from the step before or after the current one still counts (clock drift, typing).
WINDOW = 1
DIGITS = 6
RECOVERY_CODE_COUNT = 10
# Base32 without padding: no 0/1/8/9, so nothing is mistaken for O, I, L or B.
RECOVERY_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
RECOVERY_LENGTH = 10
# After a correct password, the second step must follow within this time.
PENDING_LOGIN_TTL = timedelta(minutes=5)

_TOTP_SHAPE = re.compile(rf"[0-9]{{{DIGITS}}}")
_RECOVERY_SHAPE = re.compile(rf"[{RECOVERY_ALPHABET}]{{{RECOVERY_LENGTH}}}")


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    REPLAY = "replay"
    WRONG = "wrong"


@dataclass(frozen=True)
class TotpMatch:
    outcome: Outcome
    step: int | None = None

    @property
    def accepted(self) -> bool:
        return self.outcome is Outcome.ACCEPTED


def normalise(code: str) -> str:
    """What the person typed, without spaces or dashes, in lower case."""
    return re.sub(r"[\s\-]", "", code or "").lower()


def looks_like_totp(code: str) -> bool:
    """A normalised code of exactly six digits."""
    return bool(_TOTP_SHAPE.fullmatch(code))


def looks_like_recovery_code(code: str) -> bool:
    """A normalised code of ten base32 letters and digits."""
    return bool(_RECOVERY_SHAPE.fullmatch(code))


def time_step(at: datetime, step_seconds: int = STEP_SECONDS) -> int:
    """The TOTP counter (RFC 6238) for an aware moment."""
    return int(at.timestamp()) // step_seconds


def window(current_step: int, width: int = WINDOW) -> list[int]:
    """The steps whose codes are accepted now, oldest first."""
    return list(range(current_step - width, current_step + width + 1))


def match_totp(
    code: str,
    current_step: int,
    last_step: int | None,
    code_at: Callable[[int], str],
    width: int = WINDOW,
) -> TotpMatch:
    """Which step of the window `code` belongs to, and whether that step is still unused.

    A step at or before `last_step` has already signed someone in: its code is a replay.
    Every step of the window is compared, in constant time, whatever matches first.
    """
    if not looks_like_totp(code):
        return TotpMatch(Outcome.WRONG)
    matched = None
    for step in window(current_step, width):
        if hmac.compare_digest(code_at(step).encode(), code.encode()) and matched is None:
            matched = step
    if matched is None:
        return TotpMatch(Outcome.WRONG)
    if last_step is not None and matched <= last_step:
        return TotpMatch(Outcome.REPLAY, matched)
    return TotpMatch(Outcome.ACCEPTED, matched)


def new_recovery_code(choose: Callable[[str], str] = secrets.choice) -> str:
    """A fresh recovery code as shown to the person: `xxxxx-xxxxx`."""
    raw = "".join(choose(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
    return format_recovery_code(raw)


def format_recovery_code(raw: str) -> str:
    half = len(raw) // 2
    return f"{raw[:half]}-{raw[half:]}"


def recovery_code_hash(code: str) -> str:
    """What is stored for a recovery code: the SHA-256 of its normalised form. The codes
    are random with 50 bits, so a fast hash is enough (no guessing from a dictionary)."""
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def pending_login_expired(
    started_at: datetime, now: datetime, ttl: timedelta = PENDING_LOGIN_TTL
) -> bool:
    """Whether a password-checked sign-in waited too long for its second step. A start in
    the future (a clock moved back, a forged value) is not trusted either."""
    return not timedelta(0) <= now - started_at <= ttl
