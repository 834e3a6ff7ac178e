"""Second factor: TOTP enrolment, sign-in codes, recovery codes."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("two_factor", __name__)
