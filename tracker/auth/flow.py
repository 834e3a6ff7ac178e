"""Starting and ending a signed-in session; the only places that call login_user/logout_user.

Every way in (password, password then second factor, a finished enrolment) ends with
`complete_login`, so each starts a new server-side session and a new cookie.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request, session
from flask_login import current_user, login_user, logout_user

from tracker.domain.accounts import Lockout
from tracker.models import User
from tracker.services import sessions, users

SESSION_KEY = "sid"


def limits() -> sessions.Limits:
    cfg = current_app.config
    return sessions.Limits(
        idle=cfg["SESSION_IDLE_TIMEOUT"],
        absolute=cfg["SESSION_ABSOLUTE_TIMEOUT"],
        fresh=cfg["FRESH_LOGIN_TIMEOUT"],
    )


def lockout() -> Lockout:
    cfg = current_app.config
    return Lockout(threshold=cfg["LOGIN_LOCKOUT_THRESHOLD"], duration=cfg["LOGIN_LOCKOUT_DURATION"])


def client_ip() -> str | None:
    return request.remote_addr


def complete_login(user: User) -> None:
    """Sign `user` in on a brand-new session: whatever the browser held is dropped first
    (no session fixation), and the cookie carries only the new session's token."""
    session.clear()
    token = sessions.start(user, ip=client_ip(), user_agent=request.user_agent.string, commit=False)
    users.signed_in(user, client_ip())  # logged and audited with the new session
    session[SESSION_KEY] = token
    session.permanent = True  # the cookie lives no longer than the absolute limit
    login_user(user, remember=False, fresh=True)


def end_login() -> None:
    """Sign out: the server-side session ends, so the old cookie is refused from now on."""
    if current_user.is_authenticated:
        users.signed_out(current_user._get_current_object(), client_ip())
    sessions.end(session.get(SESSION_KEY))
    logout_user()
    session.clear()


def current_token() -> str | None:
    return session.get(SESSION_KEY)


def load_user(user_id: str) -> Any:
    """Flask-Login's user loader: the user only if the cookie names their live session.
    The user, their roles and the session come in one query (it runs on every request)."""
    if not user_id.isdigit():
        return None
    user, record = sessions.user_and_session(int(user_id), session.get(SESSION_KEY))
    if user is None or not user.active:
        return None
    record = sessions.still_live(record, limits()) if record is not None else None
    if record is None:
        session.clear()
        return None
    # Flask-Login's fresh_login_required reads this: fresh only shortly after proving it.
    from tracker.models.types import utcnow

    session["_fresh"] = sessions.is_fresh(record, utcnow(), limits())
    return user
