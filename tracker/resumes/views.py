"""Résumés: upload and download."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("resumes", __name__)
