"""Your account: profile, live sessions, and changing your own password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, fresh_login_required, login_required
from werkzeug.wrappers import Response

from tracker.account.forms import ChangePasswordForm
from tracker.auth import flow
from tracker.auth.views import REAUTH_LIMIT_PER_USER, signed_in_user
from tracker.domain.errors import ValidationFailed
from tracker.extensions import limiter
from tracker.forms import EmptyForm, show_domain_error
from tracker.models import UserSession
from tracker.models.types import utcnow
from tracker.services import passwords, sessions

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/")
@login_required
def index() -> str:
    return render_template(
        "account/index.html",
        user=current_user,
        live=_live_sessions(),
        is_current=_is_current,
    )


def _live_sessions() -> list[UserSession]:
    """Your sessions that would still let someone in (an idle or old one is ended only
    when next used, so it is left out here)."""
    now, limits = utcnow(), flow.limits()
    return [
        s for s in sessions.live_sessions(current_user.id) if not sessions.expired(s, now, limits)
    ]


def _is_current(record: UserSession) -> bool:
    return record.token_hash == sessions.token_hash(flow.current_token() or "")


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit(REAUTH_LIMIT_PER_USER, methods=["POST"], key_func=signed_in_user)
def change_password() -> str | Response | tuple[str, int]:
    """Change your own password; your other sessions end, this one goes on."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            passwords.change_password(
                current_user,
                form.current_password.data or "",
                form.new_password.data or "",
                keep_session=flow.current_token(),
            )
        except ValidationFailed as exc:
            show_domain_error(form, exc)
        else:
            flash("Password changed. Your other sessions have been signed out.", "success")
            return redirect(url_for("account.index"))
    status = 422 if form.is_submitted() else 200
    return render_template("account/password.html", form=form), status


@bp.route("/sessions/end-others", methods=["GET", "POST"])
@fresh_login_required
def end_other_sessions() -> str | Response:
    """Sign out everywhere else. Needs a recent password; the GET page asks to confirm, so
    the re-authentication page has somewhere to come back to."""
    form = EmptyForm()
    if form.validate_on_submit():
        ended = sessions.end_all(current_user.id, keep=flow.current_token())
        flash(f"Signed out of {ended} other session{'s' if ended != 1 else ''}.", "success")
        return redirect(url_for("account.index"))
    others = [s for s in _live_sessions() if not _is_current(s)]
    return render_template("account/end_others.html", form=form, others=others)
