"""Sign-in, sign-out and re-authentication; one message for every failure so accounts
cannot be guessed."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import confirm_login, current_user, login_required
from werkzeug.wrappers import Response

from tracker.auth import flow
from tracker.auth.forms import LoginForm, ReauthenticateForm
from tracker.forms import EmptyForm
from tracker.services import sessions, two_factor, users
from tracker.two_factor.views import two_factor_redirect

bp = Blueprint("auth", __name__)

LOGIN_FAILED = "Email or password is incorrect."


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


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = users.authenticate(form.email.data or "", form.password.data or "")
        if user is None:
            form.form_errors.append(LOGIN_FAILED)
            return render_template("auth/login.html", form=form), 200
        if two_factor.needs_code(user):
            return two_factor_redirect(user)
        flow.complete_login(user)
        flash(f"Signed in as {user.name}.", "success")
        return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/reauthenticate", methods=["GET", "POST"])
@login_required
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
