"""Opening pages: thin views over the openings service."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from tracker import paging
from tracker.candidates.forms import CandidateForm
from tracker.domain import policy
from tracker.domain.errors import NotFound, ValidationFailed
from tracker.domain.pagination import BadCursor
from tracker.domain.requirements import count_by_origin, group_by_category
from tracker.extensions import db
from tracker.forms import show_domain_error
from tracker.models import Opening, Role
from tracker.openings.forms import OpeningForm
from tracker.services import candidates as candidate_service
from tracker.services import catalog, openings

bp = Blueprint("openings", __name__, url_prefix="/openings")


def _roles() -> list[Role]:
    return list(
        db.session.scalars(
            select(Role)
            .order_by(Role.title)
            .options(selectinload(Role.levels), selectinload(Role.specialties))
        )
    )


def _opening_or_404(opening_id: int) -> Opening:
    try:
        return openings.get_opening(opening_id, current_user)
    except NotFound:
        abort(404)


def _input(form: OpeningForm) -> openings.OpeningInput:
    return openings.OpeningInput(
        title=form.title.data or "",
        role_id=form.role_id.data,
        level_id=form.level_id.data,
        specialty_id=form.specialty_id.data,
        hiring_manager_id=form.hiring_manager_id.data,
        recruiter_id=form.recruiter_id.data,
        status=form.status.data,
    )


@bp.route("/")
@login_required
def index() -> str:
    return render_template(
        "openings/index.html",
        rows=openings.visible_openings(current_user),
        can_create=policy.can_create_opening(current_user),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> str | Response | tuple[str, int]:
    if not policy.can_create_opening(current_user):
        abort(403)
    form = OpeningForm()
    form.fill_choices(_roles())
    if not form.is_submitted() and policy.RECRUITER in current_user.role_names:
        form.recruiter_id.data = current_user.id
    if form.validate_on_submit():
        try:
            opening = openings.create_opening(_input(form))
        except ValidationFailed as exc:
            show_domain_error(form, exc)
        else:
            flash(f"Opening “{opening.title}” created with the default interview plan.", "success")
            return redirect(url_for("openings.show", opening_id=opening.id))
    status = 422 if form.is_submitted() else 200
    return render_template("openings/form.html", form=form, opening=None), status


@bp.route("/<int:opening_id>/edit", methods=["GET", "POST"])
@login_required
def edit(opening_id: int) -> str | Response | tuple[str, int]:
    opening = _opening_or_404(opening_id)
    if not policy.can_edit_opening(current_user, opening):
        abort(403)
    form = OpeningForm(obj=opening)
    form.fill_choices(_roles())
    if form.validate_on_submit():
        try:
            openings.update_opening(opening, _input(form), current_user)
        except ValidationFailed as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            flash("Opening saved.", "success")
            return redirect(url_for("openings.show", opening_id=opening.id))
    status = 422 if form.is_submitted() else 200
    return render_template("openings/form.html", form=form, opening=opening), status


@bp.route("/<int:opening_id>")
@login_required
def show(opening_id: int) -> str:
    opening = _opening_or_404(opening_id)
    items = catalog.requirement_set(opening)
    return render_template(
        "openings/show.html",
        opening=opening,
        groups=group_by_category(items),
        origin_counts=count_by_origin(items),
        total=len(items),
        plan=openings.load_plan(opening),
        can_edit=policy.can_edit_opening(current_user, opening),
    )


@bp.route("/<int:opening_id>/board")
@login_required
def board(opening_id: int) -> str:
    opening = _opening_or_404(opening_id)
    return render_template(
        "openings/board.html",
        opening=opening,
        board=openings.board(opening, current_app.config["BOARD_CARDS"]),
        can_add=policy.can_add_candidate(current_user, opening),
    )


LIST_STATUSES = "any(active,hired,rejected,withdrawn)"
LIST_TITLES = {
    "active": "Active",
    "hired": "Hired",
    "rejected": "Rejected",
    "withdrawn": "Withdrawn",
}


@bp.route(f"/<int:opening_id>/applications/<{LIST_STATUSES}:status>")
@login_required
def applications(opening_id: int, status: str) -> str | tuple[str, int]:
    """An opening's applications of one status, in one stage (`?stage=`) or all, a page
    at a time: the rest of a board column, and the closed applications."""
    opening = _opening_or_404(opening_id)
    stages = openings.load_stages(opening)
    stage = None
    if "stage" in request.args:
        stage = next((s for s in stages if str(s.id) == request.args["stage"]), None)
        if stage is None:
            abort(404)
    try:
        position = paging.requested_position(openings.MOVED_KINDS)
    except BadCursor:
        return paging.bad_link()
    which = openings.ApplicationList(status, stage.id if stage else None)
    page = openings.application_page(
        opening,
        which,
        current_app.config["PAGE_SIZE"],
        after=position.after,
        before=position.before,
    )
    args = {"opening_id": opening.id, "status": status}
    if stage is not None:
        args["stage"] = stage.id
    return render_template(
        "openings/applications.html",
        opening=opening,
        status=status,
        title=LIST_TITLES[status],
        stage=stage,
        stage_names={s.id: s.name for s in stages},
        page=page,
        links=paging.links(page, position, "openings.applications", **args),
    )


@bp.route("/<int:opening_id>/candidates/new", methods=["GET", "POST"])
@login_required
def add_candidate(opening_id: int) -> str | Response | tuple[str, int]:
    opening = _opening_or_404(opening_id)
    if not policy.can_add_candidate(current_user, opening):
        abort(403)
    form = CandidateForm()
    if form.validate_on_submit():
        try:
            application = candidate_service.add_to_opening(opening, form.to_input(), current_user)
        except ValidationFailed as exc:
            show_domain_error(form, exc)
        else:
            flash(f"{application.candidate.name} added to {opening.title} in Applied.", "success")
            kept = candidate_service.kept_details(application.candidate, form.to_input())
            if kept:
                flash(
                    f"{application.candidate.name} was already in the tracker; their stored "
                    f"{', '.join(kept)} were kept, not what was typed.",
                    "warning",
                )
            return redirect(url_for("candidates.show", candidate_id=application.candidate_id))
    status = 422 if form.is_submitted() else 200
    return render_template("candidates/new.html", form=form, opening=opening), status
