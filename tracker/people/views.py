"""Admin: people, their roles, and password reset links."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("people", __name__)
