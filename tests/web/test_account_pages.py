"""Your account: profile, live sessions, changing your own password."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from tests.account_support import (
    actions,
    field_error,
    make_stale,
    reloaded,
    signed_in_browser,
    spy_audit,
)
from tests.factories import PASSWORD
from tracker.extensions import db
from tracker.models import UserSession
from tracker.models.types import utcnow

NEW_PASSWORD = "another long passphrase"


def change(client, current: str = PASSWORD, new: str = NEW_PASSWORD, confirm: str | None = None):
    return client.post(
        "/account/password",
        data={
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
        },
    )


def test_account_page_shows_profile_and_live_sessions(app, client, auth, people) -> None:
    rec = people["recruiter"]
    signed_in_browser(app, rec.email, user_agent="Firefox on the other laptop")
    signed_in_browser(app, people["hm"].email, user_agent="Someone else's browser")
    auth.login(rec.email)
    page = client.get("/account/").get_data(as_text=True)
    assert rec.name in page and rec.email in page and "Recruiter" in page
    assert "This session" in page
    assert "Firefox on the other laptop" in page and "198.51.100.23" in page
    assert "Someone else" not in page  # only your own sessions


def test_account_page_leaves_out_sessions_that_have_timed_out(app, client, auth, people) -> None:
    rec = people["recruiter"]
    signed_in_browser(app, rec.email, user_agent="Idle old browser")
    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    db.session.commit()
    auth.login(rec.email)
    page = client.get("/account/").get_data(as_text=True)
    assert "This session" in page and "Idle old browser" not in page


def test_account_page_needs_sign_in(client) -> None:
    assert client.get("/account/").status_code == 302


def test_change_password(app, client, auth, people, monkeypatch) -> None:
    """The new password works, the old does not, other sessions end and this one goes on."""
    rec = people["recruiter"]
    elsewhere = signed_in_browser(app, rec.email)
    assert elsewhere.get("/account/").status_code == 200
    auth.login(rec.email)
    changed_before = rec.password_changed_at
    calls = spy_audit(monkeypatch)

    response = change(client)
    assert response.status_code == 302 and response.headers["Location"] == "/account/"
    assert client.get("/account/").status_code == 200  # still signed in here
    assert elsewhere.get("/account/").status_code == 302  # signed out there
    assert reloaded(rec).password_changed_at > changed_before
    assert actions(calls) == ["password.change"]
    assert (calls[0].object_type, calls[0].object_id, calls[0].actor_id) == (
        "users",
        rec.id,
        rec.id,
    )

    auth.logout()
    assert auth.login(rec.email, PASSWORD).status_code == 200  # the old one is refused
    assert auth.login(rec.email, NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"current": "not my password"}, "current_password", "not your current password"),
        ({"new": "too short"}, "new_password", "Use between 12 and 128 characters."),
        ({"new": "x" * 129}, "new_password", "Use between 12 and 128 characters."),
        ({"new": "Qwerty123456"}, "new_password", "most common"),
        ({"new": "rec@test.example"}, "new_password", "your email address or your name"),
        ({"new": "REX RECRUITER"}, "new_password", "your email address or your name"),
        ({"new": PASSWORD}, "new_password", "other than your current one"),
        ({"confirm": "a different passphrase"}, "confirm_password", "not the same"),
    ],
)
def test_change_password_explains_what_is_wrong(
    client, auth, people, kwargs, field, message
) -> None:
    rec = people["recruiter"]
    before = (rec.password_hash, rec.password_changed_at)
    auth.login(rec.email)
    response = change(client, **kwargs)
    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), field)
    assert (reloaded(rec).password_hash, reloaded(rec).password_changed_at) == before
    auth.logout()
    assert auth.login(rec.email, PASSWORD).status_code == 302


def test_sign_out_of_the_other_sessions(app, client, auth, people) -> None:
    rec = people["recruiter"]
    elsewhere = signed_in_browser(app, rec.email)
    auth.login(rec.email)
    confirm = client.get("/account/sessions/end-others")
    assert confirm.status_code == 200 and b"198.51.100.23" in confirm.data
    assert elsewhere.get("/account/").status_code == 200  # looking ends nothing
    assert client.post("/account/sessions/end-others").status_code == 302
    assert elsewhere.get("/account/").status_code == 302
    assert client.get("/account/").status_code == 200


def test_signing_out_elsewhere_needs_a_fresh_sign_in(app, client, auth, people) -> None:
    rec = people["recruiter"]
    elsewhere = signed_in_browser(app, rec.email)
    auth.login(rec.email)
    make_stale(rec.id)
    response = client.post("/account/sessions/end-others")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/reauthenticate")
    assert elsewhere.get("/account/").status_code == 200
