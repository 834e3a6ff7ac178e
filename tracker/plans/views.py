"""The interview plan page: each interview's focus requirements, and their coverage."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from tracker.domain import policy
from tracker.domain.errors import NotFound, ValidationFailed
from tracker.extensions import db
from tracker.forms import EmptyForm, show_domain_error
from tracker.models import Opening
from tracker.plans.forms import FocusForm, focus_form
from tracker.services import openings, plans
from tracker.services.applications import NotPermitted

bp = Blueprint("plans", __name__, url_prefix="/openings/<int:opening_id>/plan")


def _opening_or_404(opening_id: int) -> Opening:
    try:
        return openings.get_opening(opening_id, current_user)
    except NotFound:
        abort(404)


def render_plan(
    opening: Opening, bound: tuple[int, FocusForm] | None = None, status: int = 200
) -> tuple[str, int]:
    """The plan page; `bound` replaces one interview's form with the one the user sent."""
    view = plans.plan_view(opening)
    can_edit = policy.can_edit_plan(current_user, opening)
    forms: dict[int, FocusForm] = {}
    if can_edit:
        for stage in view.stages:
            for item in stage.interviews:
                forms[item.interview.id] = focus_form(item.interview.id, sorted(item.focus_ids))
        if bound:
            forms[bound[0]] = bound[1]
    return render_template(
        "plans/show.html",
        opening=opening,
        view=view,
        forms=forms,
        can_edit=can_edit,
        reset_form=EmptyForm(formdata=None) if can_edit else None,
        open_id=bound[0] if bound else None,
    ), status


@bp.route("")
@login_required
def show(opening_id: int) -> tuple[str, int]:
    return render_plan(_opening_or_404(opening_id))


@bp.route("/interviews/<int:plan_interview_id>/focus", methods=["POST"])
@login_required
def set_focus(opening_id: int, plan_interview_id: int) -> Response | tuple[str, int]:
    opening = _opening_or_404(opening_id)
    if not policy.can_edit_plan(current_user, opening):
        abort(403)
    try:
        interview = plans.get_plan_interview(opening, plan_interview_id)
    except NotFound:
        abort(404)
    form = focus_form(interview.id)
    if form.validate_on_submit():
        try:
            plans.set_focus(opening, interview.id, form.requirement_ids.data or [], current_user)
        except NotPermitted:
            abort(403)
        except ValidationFailed as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            flash(f"Focus of “{interview.name}” saved.", "success")
            return redirect(
                url_for("plans.show", opening_id=opening.id) + f"#plan-interview-{interview.id}"
            )
    return render_plan(opening, bound=(interview.id, form), status=422)


@bp.route("/reset", methods=["POST"])
@login_required
def reset(opening_id: int) -> Response:
    opening = _opening_or_404(opening_id)
    if not policy.can_edit_plan(current_user, opening):
        abort(403)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        plans.reset_focus(opening, current_user)
    except NotPermitted:
        abort(403)
    flash("Every interview's focus is back to the default spread.", "success")
    return redirect(url_for("plans.show", opening_id=opening.id))
