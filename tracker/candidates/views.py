"""Candidate pages."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from tracker.applications.forms import move_forms
from tracker.domain import policy
from tracker.domain.errors import NotFound
from tracker.services import applications as application_service
from tracker.services import audit, candidates

bp = Blueprint("candidates", __name__, url_prefix="/candidates")


@bp.route("/")
@login_required
def index() -> str:
    if not policy.can_list_candidates(current_user):
        abort(403)
    return render_template(
        "candidates/index.html", candidates=candidates.visible_candidates(current_user)
    )


def render_candidate(candidate_id: int, bound: dict | None = None, status: int = 200):
    """The candidate page; `bound` replaces one move form with the one the user sent."""
    try:
        candidate, applications = candidates.get_candidate(candidate_id, current_user)
    except NotFound:
        abort(404)
    panels = []
    for application in applications:
        can_move = policy.can_move_application(current_user, application.opening)
        targets = application_service.move_options(application) if can_move else {}
        forms = move_forms(
            application.id, application.stage.key, list(targets), application.version
        )
        if bound and bound["application_id"] == application.id:
            bound["form"].from_stage.data = application.stage.key  # re-sent from this page
            bound["form"].seen_version.data = str(application.version)
            forms[bound["move"]] = bound["form"]
        panels.append(
            {
                "application": application,
                "forms": forms,
                "targets": targets,
                "open": bound["move"]
                if bound and bound["application_id"] == application.id
                else None,
            }
        )
    page = render_template("candidates/show.html", candidate=candidate, panels=panels)
    audit.viewed("candidates", candidate.id, "candidate page")
    return page, status


@bp.route("/<int:candidate_id>")
@login_required
def show(candidate_id: int):
    return render_candidate(candidate_id)
