"""The move endpoint: validate, ask the service, redirect; on refusal show why (and, when
someone else changed the application first, what it is now)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user, login_required

from tracker.applications.forms import make_move_form
from tracker.candidates.views import render_candidate
from tracker.domain.errors import MoveNotAllowed, NotFound
from tracker.domain.pipeline import MOVE_LABELS, Move, MoveRequest, RejectionReason, Withdrawer
from tracker.extensions import db
from tracker.forms import expected_version, member, show_domain_error
from tracker.services import applications

bp = Blueprint("applications", __name__, url_prefix="/applications")


@bp.route(
    "/<int:application_id>/move/<any(" + ",".join(m.value for m in Move) + "):move>",
    methods=["POST"],
)
@login_required
def move(application_id: int, move: str):
    try:
        application = applications.get_application(application_id, current_user)
    except NotFound:
        abort(404)
    kind = Move(move)
    form = make_move_form(application.id, kind)
    candidate_id = application.candidate_id
    if form.validate_on_submit():
        request = MoveRequest(
            move=kind,
            reason=member(RejectionReason, form.reason.data),
            withdrawn_by=member(Withdrawer, form.withdrawn_by.data),
            note=form.note.data or "",
            override_reason=form.override_reason.data or "",
            from_stage=form.from_stage.data or None,
        )
        try:
            record = applications.move(
                application,
                request,
                current_user,
                expected_version=expected_version(form.seen_version.data),
            )
        except applications.NotPermitted:
            abort(403)
        except applications.ChangedMeanwhile as exc:
            # Show the application as it is now (its new stage, the move that won in its
            # history); keep what the user typed only if their move is still on offer.
            db.session.rollback()
            flash(exc.message, "warning")
            offered = kind in applications.move_options(application)
            bound = {"application_id": application.id, "move": kind, "form": form}
            return render_candidate(candidate_id, bound=bound if offered else None, status=409)
        except MoveNotAllowed as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            flash(
                f"{MOVE_LABELS[kind]}: {application.candidate.name} is now in "
                f"{record.to_stage.name} ({record.to_status}).",
                "success",
            )
            return redirect(
                url_for("candidates.show", candidate_id=candidate_id)
                + f"#application-{application.id}"
            )
    bound = {"application_id": application.id, "move": kind, "form": form}
    return render_candidate(candidate_id, bound=bound, status=422)
