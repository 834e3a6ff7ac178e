"""Admin: people, their roles, sign-in locks and password reset links.

The whole area is for admins (403 for anyone else); an unknown person is 404. Changing
roles or issuing a reset link needs a fresh sign-in.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user, fresh_login_required
from werkzeug.wrappers import Response

from tracker.auth import flow
from tracker.auth.views import no_store
from tracker.domain import policy
from tracker.domain.errors import NotFound, ValidationFailed
from tracker.extensions import db, login_manager
from tracker.forms import EmptyForm, show_domain_error
from tracker.models import User
from tracker.people.forms import AccessForm, PersonForm
from tracker.services import passwords, users

bp = Blueprint("people", __name__, url_prefix="/admin/people")


@bp.before_request
def admins_only() -> Response | None:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not policy.is_admin(current_user):
        abort(403)
    return None


def _person_or_404(user_id: int) -> User:
    try:
        return users.get_person(user_id)
    except NotFound:
        abort(404)


def _me() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _show_link(person: User, token: str) -> Response:
    """The reset link, shown this once: only its hash is stored."""
    ttl = current_app.config["PASSWORD_RESET_TTL"]
    return no_store(
        render_template(
            "people/reset_link.html",
            person=person,
            link=url_for("auth.reset_password", token=token, _external=True),
            hours=int(ttl.total_seconds() // 3600),
        )
    )


@bp.route("/")
def index() -> str:
    return render_template(
        "people/index.html", people=users.everyone(), is_locked=users.is_locked, me=_me()
    )


@bp.route("/new", methods=["GET", "POST"])
@fresh_login_required
def new() -> str | Response | tuple[str, int]:
    form = PersonForm()
    if form.validate_on_submit():
        try:
            person, token = users.create_person(
                form.email.data or "",
                form.name.data or "",
                form.password.data or None,
                form.roles.data or [],
                actor=_me(),
                reset_ttl=current_app.config["PASSWORD_RESET_TTL"],
            )
        except ValidationFailed as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            if token:
                return _show_link(person, token)
            flash(f"{person.name} can now sign in.", "success")
            return redirect(url_for("people.index"))
    status = 422 if form.is_submitted() else 200
    return render_template("people/new.html", form=form), status


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@fresh_login_required
def edit(user_id: int) -> str | Response | tuple[str, int]:
    """Roles and the active flag. The roles are only ever the checkboxes' fixed values."""
    person = _person_or_404(user_id)
    form = AccessForm(data={"roles": sorted(person.role_names), "active": person.active})
    if form.validate_on_submit():
        try:
            changed = users.update_access(
                person,
                form.roles.data or [],
                bool(form.active.data),
                actor=_me(),
                actor_session=flow.current_token(),
            )
        except ValidationFailed as exc:
            db.session.rollback()
            show_domain_error(form, exc)
        else:
            if changed:
                who = "Your other sessions were" if person.id == current_user.id else "They were"
                flash(f"Saved. {who} signed out, so the change applies now.", "success")
            else:
                flash("Nothing changed.", "info")
            return redirect(url_for("people.index"))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "people/edit.html",
        person=person,
        form=form,
        locked=users.is_locked(person),
        is_me=person.id == current_user.id,
    ), status


@bp.route("/<int:user_id>/reset-link", methods=["GET", "POST"])
@fresh_login_required
def reset_link(user_id: int) -> str | Response:
    """Issue a single-use password reset link (the GET page asks to confirm)."""
    person = _person_or_404(user_id)
    form = EmptyForm()
    if not person.active:
        flash("This account is not active: make it active before issuing a reset link.", "warning")
        return redirect(url_for("people.edit", user_id=person.id))
    if form.validate_on_submit():
        token = passwords.issue_reset(
            person, by=_me(), ttl=current_app.config["PASSWORD_RESET_TTL"]
        )
        return _show_link(person, token)
    return render_template("people/reset_confirm.html", person=person, form=form)


@bp.route("/<int:user_id>/unlock", methods=["POST"])
def unlock(user_id: int) -> Response:
    """Lift the lock that repeated failed sign-ins put on an account."""
    person = _person_or_404(user_id)
    if EmptyForm().validate_on_submit():
        users.unlock(person, actor=_me())
        flash(f"{person.name} may sign in again.", "success")
    return redirect(url_for("people.index"))
