"""Views for the plans area."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("plans", __name__)
