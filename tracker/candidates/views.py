"""Candidate pages."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user, login_required

from tracker import paging
from tracker.applications.forms import move_forms
from tracker.domain import policy
from tracker.domain.errors import NotFound
from tracker.domain.pagination import BadCursor
from tracker.services import applications as application_service
from tracker.services import audit, candidates

bp = Blueprint("candidates", __name__, url_prefix="/candidates")


@bp.route("/")
@login_required
def index() -> str | tuple[str, int]:
    if not policy.can_list_candidates(current_user):
        abort(403)
    try:
        position = paging.requested_position(candidates.NEWEST_KINDS)
    except BadCursor:
        return paging.bad_link()
    page = candidates.candidate_page(
        current_user,
        current_app.config["PAGE_SIZE"],
        after=position.after,
        before=position.before,
    )
    return render_template(
        "candidates/index.html",
        candidates=page.items,
        links=paging.links(page, position, "candidates.index"),
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
            if status == 409:
                # The user has now been shown the current state: a re-send is from it.
                bound["form"].from_stage.data = application.stage.key
                bound["form"].seen_version.data = str(application.version)
            # Otherwise (a field to correct) the form keeps the state the user acted on,
            # so a change by someone else meanwhile is still caught when they re-send.
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
