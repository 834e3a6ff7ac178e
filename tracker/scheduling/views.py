"""Views for the scheduling area."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("scheduling", __name__)
