"""Views for the scorecards area."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("scorecards", __name__)
