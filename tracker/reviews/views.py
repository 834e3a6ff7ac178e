"""Views for the reviews area."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reviews", __name__)
