"""The hiring manager's review, the decision, the decision packet and the work lists."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_fresh, login_required

from tracker.domain import policy
from tracker.domain.errors import MoveNotAllowed, NotFound, ValidationFailed
from tracker.domain.pipeline import REJECTION_LABELS, RejectionReason
from tracker.domain.scoring import YES_THRESHOLD, DecisionInput, FieldErrors, Outcome
from tracker.extensions import db
from tracker.forms import expected_version, member, show_domain_error
from tracker.models import Application
from tracker.reviews.forms import DecisionForm
from tracker.services import applications, audit, reviews

bp = Blueprint("reviews", __name__)


def _application_or_404(application_id: int) -> Application:
    try:
        return applications.get_application(application_id, current_user)
    except NotFound:
        abort(404)


def _review_or_404(application: Application) -> reviews.Review:
    try:
        return reviews.review(application, current_user)
    except NotFound:
        abort(404)


def _against_warning(review: reviews.Review) -> str | None:
    """What the page says when a decision would go against the panel's aggregate."""
    panel = review.aggregate
    if panel.verdict == "no":
        return (
            f"The panel's aggregate is {panel.label}: advancing or making an offer goes "
            "against it. Say below why the evidence supports it anyway."
        )
    if panel.verdict == "yes":
        return (
            f"The panel's aggregate is {panel.label}: rejecting goes against it. Say below "
            "why the evidence supports it anyway."
        )
    return None


def _render(review: reviews.Review, form: DecisionForm, status: int = 200):
    page = render_template(
        "reviews/review.html",
        review=review,
        application=review.application,
        form=form,
        against_warning=_against_warning(review),
        yes_threshold=YES_THRESHOLD,
        decision_labels={o.value: o.label for o in Outcome},
        rejection_labels={r.value: label for r, label in REJECTION_LABELS.items()},
        independence=audit.independence_of(c.scorecard_id for c in review.columns),
    )
    audit.scorecards_viewed(review.application.id, "review", current_user, review.scorecards)
    return page, status


@bp.route("/applications/<int:application_id>/review")
@login_required
def review(application_id: int):
    application = _application_or_404(application_id)
    data = _review_or_404(application)
    form = DecisionForm(formdata=None)
    form.seen_version.data = str(application.version)
    return _render(data, form)


@bp.route("/applications/<int:application_id>/decision", methods=["POST"])
@login_required
def decision(application_id: int):
    application = _application_or_404(application_id)
    data = _review_or_404(application)
    if not data.can_decide:
        abort(403)
    form = DecisionForm()
    if form.validate_on_submit():
        outcome = member(Outcome, form.outcome.data)
        if outcome is None:
            form.outcome.errors = ["Choose the decision: advance, reject or make an offer."]
        else:
            reason = member(RejectionReason, form.rejection_reason.data)
            given = DecisionInput(
                outcome=outcome,
                rationale=form.rationale.data or "",
                rejection_reason=reason.value if reason else None,
                against_note=form.against_note.data or "",
                coverage_override=form.coverage_override.data or "",
            )
            try:
                reviews.decide(
                    application,
                    current_user,
                    given,
                    expected_version=expected_version(form.seen_version.data),
                )
            except reviews.NotPermitted:
                abort(403)
            except applications.ChangedMeanwhile as exc:
                # The review as it is now (the decision or move that came first); what the
                # user typed stays, for the current version, if a decision is still due.
                db.session.rollback()
                flash(exc.message, "warning")
                current = _review_or_404(_application_or_404(application_id))
                form.seen_version.data = str(current.application.version)
                return _render(current, form, 409)
            except (FieldErrors, ValidationFailed, MoveNotAllowed) as exc:
                db.session.rollback()
                show_domain_error(form, exc)
            else:
                application = db.session.get(Application, application_id)
                flash(
                    f"Decision recorded ({given.outcome.label}): {application.candidate.name} "
                    f"is now in {application.stage.name} ({application.status}).",
                    "success",
                )
                return redirect(url_for("reviews.review", application_id=application_id))
    return _render(_review_or_404(_application_or_404(application_id)), form, 422)


@bp.route("/applications/<int:application_id>/packet.json")
@login_required
def packet(application_id: int):
    application = _application_or_404(application_id)
    try:
        data = reviews.packet(application, current_user)
    except NotFound:
        abort(404)
    download = request.args.get("download") == "1"
    if download and not login_fresh():
        # Taking the packet away is an export: it needs a recent sign-in.
        return current_app.login_manager.needs_refresh()  # type: ignore[attr-defined]
    response = current_app.json.response(data)
    audit.scorecards_viewed(application.id, "decision packet", current_user)
    response.headers["Cache-Control"] = "no-store"
    if download:
        response.headers["Content-Disposition"] = (
            f'attachment; filename="application-{application.id}-packet.json"'
        )
    return response


@bp.route("/scorecards/due")
@login_required
def scorecards_due():
    if not policy.can_list_scorecards_due(current_user):
        abort(403)
    return render_template("reviews/scorecards_due.html", rows=reviews.scorecards_due(current_user))


@bp.route("/decisions/needed")
@login_required
def decisions_needed():
    if not policy.can_list_decisions_needed(current_user):
        abort(403)
    return render_template("reviews/needs_decision.html", rows=reviews.needs_decision(current_user))


@bp.app_template_global()
def review_link_state(application: Application) -> str | None:
    """For the candidate page: "open" when the user may follow a link to the review,
    "own_scorecard_due" while their own scorecard for it is outstanding, else None.

    It says nothing about anyone else's scorecards, and asks the database once per
    candidate page, however many applications it shows.
    """
    if not policy.can_view_opening(current_user, application.opening):
        return None
    cache = g.setdefault("review_blocked", {})
    if application.candidate_id not in cache:
        cache[application.candidate_id] = reviews.feedback_withheld(
            current_user, application.candidate_id
        )
    if application.id in cache[application.candidate_id]:
        return "own_scorecard_due"
    return "open"
