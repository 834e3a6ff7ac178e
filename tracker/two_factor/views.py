"""Second factor: TOTP enrolment, sign-in codes, recovery codes.

Setting up: POST start (a new secret awaits confirmation) -> the enrolment page shows it
as a QR code (an SVG drawn here by segno) and as text -> a code from the app turns TOTP
on and shows the ten recovery codes once, in that POST's response, never in a GET.
Signing in: the password view hands over through `two_factor_redirect`; /login/code
asks for the code and only then signs the person in.
"""

from __future__ import annotations

import io
import logging

import segno
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from tracker.auth import flow
from tracker.domain.errors import DomainError, ValidationFailed
from tracker.extensions import limiter
from tracker.forms import show_domain_error
from tracker.models import User
from tracker.models.types import utcnow
from tracker.services import sessions, two_factor
from tracker.two_factor.forms import (
    ConfirmEnrolmentForm,
    CurrentCodeForm,
    SignInCodeForm,
    StartEnrolmentForm,
)

bp = Blueprint("two_factor", __name__)
PREFIX = "/account/two-factor"
log = logging.getLogger(__name__)

PENDING_KEY = "pending_login"
CODE_FAILED = "That code is not valid."
EXPIRED = "Signing in took too long. Please enter your email and password again."
MUST_ENROL = (
    "Administrators must use two-factor authentication. Set up an authenticator app to continue."
)
# An admin without TOTP may still reach these (and everything in this blueprint).
ENROLMENT_EXEMPT = {"auth.logout", "static", "bootstrap.static"}


def two_factor_redirect(user: User) -> Response:
    """After a correct password: remember who (not signed in yet) and ask for the code."""
    session.clear()
    session[PENDING_KEY] = {"user_id": user.id, "at": utcnow().isoformat()}
    return redirect(url_for("two_factor.login_code", next=request.args.get("next")))


@bp.before_app_request
def require_admin_enrolment() -> Response | None:
    """A signed-in admin without TOTP is sent to set it up, whatever they asked for."""
    if not current_app.config.get("TOTP_REQUIRED_FOR_ADMINS", True):
        return None
    if request.endpoint is None or request.blueprint == bp.name:
        return None
    if request.endpoint in ENROLMENT_EXEMPT:
        return None
    if current_user.is_authenticated and two_factor.must_enrol(me()):
        flash(MUST_ENROL, "warning")
        return redirect(url_for("two_factor.status"))
    return None


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login_code() -> str | Response:
    """The second step of signing in, for five minutes after a correct password."""
    from tracker.auth.views import safe_next  # the auth views import this module

    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    user = two_factor.pending_user(session.get(PENDING_KEY), utcnow())
    if user is None:
        if session.pop(PENDING_KEY, None) is not None:
            flash(EXPIRED, "info")
        return redirect(url_for("auth.login", next=request.args.get("next")))
    form = SignInCodeForm()
    if form.validate_on_submit():
        if two_factor.verify_sign_in(user, form.code.data or ""):
            log.info("sign-in: second factor accepted user=%s ip=%s", user.id, flow.client_ip())
            flow.complete_login(user)
            flash(f"Signed in as {user.name}.", "success")
            return redirect(safe_next(request.args.get("next")))
        log.warning("sign-in: second factor refused user=%s ip=%s", user.id, flow.client_ip())
        form.code.errors = [*form.code.errors, CODE_FAILED]
    return render_template("two_factor/login_code.html", form=form)


@bp.route(f"{PREFIX}/")
@login_required
def status() -> tuple[str, int]:
    return status_page()


def status_page(code: int = 200, **forms: object) -> tuple[str, int]:
    """The status page; a form given by name replaces the blank one (to show its errors)."""
    blank = {
        "start_form": StartEnrolmentForm(prefix="start", formdata=None),
        "regenerate_form": CurrentCodeForm(prefix="regenerate", formdata=None),
        "disable_form": CurrentCodeForm(prefix="disable", formdata=None),
    }
    return render_template(
        "two_factor/status.html",
        remaining=two_factor.remaining_recovery_codes(me()),
        must_keep=not two_factor.may_disable(me()),
        **{**blank, **forms},
    ), code


@bp.route(f"{PREFIX}/start", methods=["POST"])
@login_required
def start() -> str | tuple[str, int] | Response:
    form = StartEnrolmentForm(prefix="start")
    if form.validate_on_submit():
        try:
            two_factor.begin_enrolment(me(), form.code.data)
        except DomainError as error:
            show_domain_error(form, error)
            return status_page(start_form=form)
        return redirect(url_for("two_factor.enrol"))
    return status_page(start_form=form)


@bp.route(f"{PREFIX}/enrol", methods=["GET", "POST"])
@login_required
def enrol() -> Response | tuple[str, int]:
    """Show the pending secret and take a code from it; on success, the recovery codes."""
    if not me().totp_pending_secret:
        return redirect(url_for("two_factor.status"))
    form = ConfirmEnrolmentForm()
    if form.validate_on_submit():
        try:
            codes = two_factor.confirm_enrolment(me(), form.code.data or "")
        except DomainError as error:
            show_domain_error(form, error)
        else:
            restart_session(me())
            flash("Two-factor authentication is on.", "success")
            return recovery_codes_page(codes)
    secret = me().totp_pending_secret
    page = render_template(
        "two_factor/enrol.html",
        form=form,
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    )
    return no_store(Response(page))


@bp.route(f"{PREFIX}/qr.svg")
@login_required
def qr() -> Response:
    """The pending secret as a QR code, drawn here: nothing leaves for a third party."""
    if not me().totp_pending_secret:
        return redirect(url_for("two_factor.status"))
    out = io.BytesIO()
    segno.make(two_factor.provisioning_uri(me()), error="m").save(
        out, kind="svg", scale=5, border=4, xmldecl=False, title="Two-factor set-up code"
    )
    return no_store(Response(out.getvalue(), mimetype="image/svg+xml"))


@bp.route(f"{PREFIX}/recovery-codes", methods=["POST"])
@login_required
def regenerate() -> Response | tuple[str, int]:
    form = CurrentCodeForm(prefix="regenerate")
    if form.validate_on_submit():
        try:
            codes = two_factor.regenerate_recovery_codes(me(), form.code.data or "")
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash("New recovery codes made; the old ones no longer work.", "success")
            return recovery_codes_page(codes)
    return status_page(regenerate_form=form)


@bp.route(f"{PREFIX}/disable", methods=["POST"])
@login_required
def disable() -> Response | tuple[str, int]:
    form = CurrentCodeForm(prefix="disable")
    if form.validate_on_submit():
        try:
            two_factor.disable(me(), form.code.data or "")
        except ValidationFailed as error:
            show_domain_error(form, error)
        except DomainError as error:  # an admin: not an action they may take
            show_domain_error(form, error)
            return status_page(403, disable_form=form)
        else:
            flash("Two-factor authentication is off.", "info")
            return redirect(url_for("two_factor.status"))
    return status_page(disable_form=form)


def recovery_codes_page(codes: list[str]) -> Response:
    """Shown once, as the answer to the POST that made them; never stored by the browser."""
    return no_store(Response(render_template("two_factor/recovery_codes.html", codes=codes)))


def restart_session(user: User) -> None:
    """The second factor changes how this person signs in: a new session, and no other
    session (say, one opened with a stolen password) lives on."""
    flow.complete_login(user)
    sessions.end_all(user.id, keep=flow.current_token())


def me() -> User:
    """The signed-in user itself, not Flask-Login's proxy (services keep and compare it)."""
    return current_user._get_current_object()  # type: ignore[attr-defined]


def no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response
