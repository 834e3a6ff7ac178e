"""Send people to the page for their work."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def index() -> Response:
    """Interviewers without an opening to run start at their interviews."""
    if not current_user.role_names & {"admin", "recruiter", "hiring_manager"}:
        return redirect(url_for("scorecards.my_interviews"))
    return redirect(url_for("openings.index"))
