"""Sign-in and sign-out; one message for every failure so accounts cannot be guessed."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from tracker.auth.forms import LoginForm
from tracker.forms import EmptyForm
from tracker.services import users

bp = Blueprint("auth", __name__)

LOGIN_FAILED = "Email or password is incorrect."


def _safe_next(target: str | None) -> str:
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
        session.clear()  # a fresh session on sign-in (no fixation)
        login_user(user)
        flash(f"Signed in as {user.name}.", "success")
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    form = EmptyForm()
    if form.validate_on_submit():
        logout_user()
        session.clear()
        flash("Signed out.", "info")
    return redirect(url_for("auth.login"))
