"""Second factor (placeholder interface; the twofactor helper's implementation replaces it).

Only what the sign-in page needs: whether a user must give a code after the password.
"""

from __future__ import annotations

from tracker.models import User


def needs_code(user: User) -> bool:
    """True when the user has TOTP turned on."""
    return user.totp_enabled


def verify(user: User, code: str) -> bool:
    """Check a TOTP or recovery code (not implemented in this placeholder)."""
    raise NotImplementedError


def must_enrol(user: User) -> bool:
    """Whether the user must set up TOTP before going on (admins, in the real version)."""
    return False
