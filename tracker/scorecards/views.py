"""The interview kit, the scorecard form (draft, submit, amend), My interviews, and the
feedback page that stays hidden until one's own scorecard is in."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from tracker.domain import policy
from tracker.domain.errors import DomainError, NotFound
from tracker.domain.scoring import RATING_LABELS, RECOMMENDATION_LABELS, FieldErrors
from tracker.extensions import db
from tracker.forms import expected_version, show_domain_error
from tracker.models import Interview
from tracker.scorecards.forms import (
    ScorecardForm,
    initial_data,
    read_input,
    scorecard_form,
)
from tracker.services import audit, scorecards
from tracker.services.applications import NotPermitted

bp = Blueprint("scorecards", __name__)

LABELS: dict[str, Any] = {
    "ratings": {r.value: label for r, label in RATING_LABELS.items()},
    "recommendations": {r.value: label for r, label in RECOMMENDATION_LABELS.items()},
}


def _interview_or_404(interview_id: int) -> Interview:
    try:
        return scorecards.get_interview_for(current_user, interview_id)
    except NotFound:
        abort(404)


def _render_kit(
    interview: Interview,
    form: ScorecardForm | None = None,
    amend_form: ScorecardForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The kit page; a bound form (after an error) replaces the fresh one."""
    kit = scorecards.kit(interview, current_user)
    if kit.can_submit and not kit.submitted and form is None:
        form = scorecard_form(kit.focus, data=initial_data(kit.scorecard))
    if kit.can_submit and kit.submitted and amend_form is None:
        amend_form = scorecard_form(kit.focus, amend=True, data=initial_data(kit.scorecard))
    if amend_form is not None and kit.scorecard is not None:
        # The page shows this revision now, so a form sent back from it amends this one.
        amend_form["seen_revision"].data = str(kit.scorecard.revision)
    page = render_template(
        "scorecards/kit.html",
        kit=kit,
        form=form,
        amend_form=amend_form,
        labels=LABELS,
        content_of=scorecards.current_content,
    )
    what = {"interview_id": interview.id}
    audit.viewed("candidates", interview.application.candidate_id, "interview kit", details=what)
    return page, status


@bp.route("/interviews/<int:interview_id>")
@login_required
def kit(interview_id: int) -> tuple[str, int]:
    return _render_kit(_interview_or_404(interview_id))


@bp.route("/interviews/<int:interview_id>/scorecard", methods=["POST"])
@login_required
def save(interview_id: int) -> Response | tuple[str, int]:
    interview = _interview_or_404(interview_id)
    if not policy.can_submit_scorecard(current_user, interview.interviewer_ids):
        abort(403)
    focus = scorecards.focus_for(interview)
    form = scorecard_form(focus)
    if form.validate_on_submit():
        ratings, recommendation, takeaways, errors = read_input(form)
        submit = bool(form["submit_scorecard"].data)
        if errors:
            show_domain_error(form, FieldErrors(errors))
        else:
            try:
                scorecards.save(interview, current_user, ratings, recommendation, takeaways, submit)
            except NotPermitted:
                abort(403)
            except (FieldErrors, DomainError) as exc:
                db.session.rollback()
                show_domain_error(form, exc)
            else:
                flash("Scorecard submitted." if submit else "Draft saved.", "success")
                return redirect(url_for("scorecards.kit", interview_id=interview_id))
    return _render_kit(interview, form=form, status=422)


@bp.route("/interviews/<int:interview_id>/scorecard/amend", methods=["POST"])
@login_required
def amend(interview_id: int) -> Response | tuple[str, int]:
    interview = _interview_or_404(interview_id)
    scorecard = scorecards.own_scorecard(interview, current_user)
    if scorecard is None:
        abort(403)
    if scorecard.status != scorecards.SUBMITTED:
        flash("Only a submitted scorecard is amended; submit this draft instead.", "warning")
        return redirect(url_for("scorecards.kit", interview_id=interview_id))
    focus = scorecards.focus_for(interview)
    form = scorecard_form(focus, amend=True)
    if form.validate_on_submit():
        ratings, recommendation, takeaways, errors = read_input(form)
        if errors:
            show_domain_error(form, FieldErrors(errors))
        else:
            try:
                scorecards.amend(
                    scorecard,
                    current_user,
                    ratings,
                    recommendation,
                    takeaways,
                    form["reason"].data or "",
                    expected_revision=expected_version(form["seen_revision"].data),
                )
            except NotPermitted:
                abort(403)
            except (FieldErrors, DomainError) as exc:
                db.session.rollback()
                show_domain_error(form, exc)
            else:
                flash("Amendment saved; the earlier version stays in the history.", "success")
                return redirect(url_for("scorecards.kit", interview_id=interview_id))
    return _render_kit(interview, amend_form=form, status=422)


@bp.route("/my/interviews")
@login_required
def my_interviews() -> str:
    return render_template(
        "scorecards/my_interviews.html", lists=scorecards.my_interviews(current_user)
    )


@bp.route("/applications/<int:application_id>/feedback")
@login_required
def feedback(application_id: int) -> str:
    try:
        application = scorecards.get_application_for_feedback(current_user, application_id)
        others = scorecards.others_scorecards(current_user, application)
    except NotFound:
        abort(404)
    page = render_template(
        "scorecards/feedback.html",
        application=application,
        scorecards=others,
        labels=LABELS,
        content_of=scorecards.current_content,
    )
    audit.scorecards_viewed(application.id, "feedback", current_user, others)
    return page
