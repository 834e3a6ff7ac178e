"""Sign-in, sign-out, re-authentication and password reset links; one message for every
sign-in failure so accounts cannot be guessed."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter import RequestLimit
from flask_login import confirm_login, current_user, login_required
from werkzeug.wrappers import Response

from tracker.auth import flow
from tracker.auth.forms import LoginForm, NewPasswordForm, ReauthenticateForm
from tracker.domain.errors import ValidationFailed
from tracker.extensions import limiter
from tracker.forms import EmptyForm, show_domain_error
from tracker.models.types import utcnow
from tracker.services import passwords, sessions, two_factor, users
from tracker.services.users import log
from tracker.two_factor.views import two_factor_redirect

bp = Blueprint("auth", __name__)

LOGIN_FAILED = "Email or password is incorrect."
RESET_INVALID = "This link is invalid or has expired."

# Throttles (Flask-Limiter). Per IP slows one machine trying many accounts; per account
# slows many machines trying one. Only POSTs count: showing a form costs nothing.
LOGIN_LIMIT_PER_IP = "20 per minute"
LOGIN_LIMIT_PER_ACCOUNT = "5 per minute"
RESET_LIMIT_PER_IP = "10 per minute"
REAUTH_LIMIT_PER_USER = "10 per minute"


def log_throttled(limit: RequestLimit) -> None:
    """A refused attempt never reaches the view, so it is logged here (no audit row: the
    refusals cost an attacker nothing and would only fill the trail)."""
    log.warning(
        "sign-in throttled endpoint=%s limit=%s ip=%s at=%s",
        request.endpoint,
        limit.limit,
        flow.client_ip(),
        utcnow().isoformat(),
    )


def submitted_account() -> str:
    """Throttle key: the email as typed, normalised as it is looked up. Read through the
    sign-in form's own field, as every view reads its input (no CSRF check here: the view
    makes it; this only names the bucket)."""
    form = LoginForm(meta={"csrf": False})
    return "account:" + users.lookup_email(form.email.data or "")


def signed_in_user() -> str:
    """Throttle key for password checks made by someone already signed in."""
    return "user:" + str(current_user.get_id())


def safe_next(target: str | None) -> str:
    """Only a local path may be a redirect target (no open redirect)."""
    if not target:
        return url_for("main.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("main.index")
    if "\\" in target:
        return url_for("main.index")
    return target


def no_store(body: str, status: int = 200) -> Response:
    """Pages that carry a reset token or link are never kept in a cache."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT_PER_IP, methods=["POST"], on_breach=log_throttled)
@limiter.limit(
    LOGIN_LIMIT_PER_ACCOUNT, methods=["POST"], key_func=submitted_account, on_breach=log_throttled
)
def login() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = users.authenticate(
            form.email.data or "",
            form.password.data or "",
            ip=flow.client_ip(),
            lockout=flow.lockout(),
        )
        if user is None:
            form.form_errors.append(LOGIN_FAILED)
            return render_template("auth/login.html", form=form), 200
        if two_factor.needs_code(user):
            return two_factor_redirect(user)
        target = safe_next(request.args.get("next"))
        flow.complete_login(user)
        flash(f"Signed in as {user.name}.", "success")
        return redirect(target)
    return render_template("auth/login.html", form=form)


@bp.route("/reauthenticate", methods=["GET", "POST"])
@login_required
@limiter.limit(REAUTH_LIMIT_PER_USER, methods=["POST"], key_func=signed_in_user)
def reauthenticate() -> str | Response:
    """Confirm the password before a sensitive action (export, role change)."""
    form = ReauthenticateForm()
    if form.validate_on_submit():
        if users.check_password(current_user, form.password.data or ""):
            sessions.reauthenticated(flow.current_token())
            confirm_login()
            return redirect(safe_next(request.args.get("next")))
        form.password.errors.append("That password is not correct.")
    return render_template("auth/reauthenticate.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    form = EmptyForm()
    if form.validate_on_submit():
        flow.end_login()
        flash("Signed out.", "info")
    return redirect(url_for("auth.login"))


def invalid_link() -> Response:
    """One page for an unknown, used, superseded or expired link."""
    return no_store(render_template("auth/reset_invalid.html", message=RESET_INVALID), 404)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(RESET_LIMIT_PER_IP, methods=["POST"], on_breach=log_throttled)
def reset_password(token: str) -> Response:
    """Set a new password through an admin-issued link; anyone holding the link may."""
    reset = passwords.usable_reset(token)
    if reset is None:
        return invalid_link()
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            passwords.reset_password(token, form.new_password.data or "")
        except passwords.InvalidResetLink:
            return invalid_link()
        except ValidationFailed as exc:
            show_domain_error(form, exc)
        else:
            flash("Your new password is set. Sign in with it now.", "success")
            return redirect(url_for("auth.login"))
    email = users.get_person(reset.user_id).email
    return no_store(render_template("auth/reset_password.html", form=form, email=email))
