"""Admin-issued password reset links: single use, expiring, replaced by a newer one."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.account_support import actions, field_error, reloaded, signed_in_browser, spy_audit
from tests.factories import PASSWORD
from tracker.auth.views import RESET_INVALID
from tracker.extensions import db
from tracker.models import PasswordReset
from tracker.models.types import utcnow
from tracker.services import passwords

NEW_PASSWORD = "a fresh start passphrase"


@pytest.fixture
def issue(app, people):
    def issue(who: str = "recruiter") -> str:
        return passwords.issue_reset(
            people[who], by=people["admin"], ttl=app.config["PASSWORD_RESET_TTL"]
        )

    return issue


def use(client, token: str, new: str = NEW_PASSWORD, confirm: str | None = None):
    return client.post(
        f"/reset/{token}",
        data={"new_password": new, "confirm_password": new if confirm is None else confirm},
    )


def assert_invalid(response) -> None:
    assert response.status_code == 404
    assert RESET_INVALID in response.get_data(as_text=True)
    assert b'name="new_password"' not in response.data


def test_reset_link_sets_a_new_password(app, client, auth, people, issue, monkeypatch) -> None:
    rec = people["recruiter"]
    signed_in_elsewhere = signed_in_browser(app, rec.email)
    assert signed_in_elsewhere.get("/account/").status_code == 200
    rec.failed_logins, rec.locked_until = 0, utcnow() + timedelta(minutes=10)
    db.session.commit()
    token = issue()
    calls = spy_audit(monkeypatch)

    form = client.get(f"/reset/{token}")
    assert form.status_code == 200 and rec.email.encode() in form.data
    assert form.headers["Cache-Control"] == "no-store"
    response = use(client, token)
    assert response.status_code == 302 and response.headers["Location"] == "/login"

    assert actions(calls) == ["password.reset"]
    user = reloaded(rec)
    assert user.locked_until is None and user.password_changed_at is not None
    assert db.session.scalar(select(PasswordReset)).used_at is not None
    assert signed_in_elsewhere.get("/account/").status_code == 302  # every session ended
    assert auth.login(rec.email, PASSWORD).status_code == 200  # the old password is gone
    assert auth.login(rec.email, NEW_PASSWORD).status_code == 302


def test_a_reset_link_works_once(client, issue) -> None:
    token = issue()
    assert use(client, token).status_code == 302
    assert_invalid(client.get(f"/reset/{token}"))
    assert_invalid(use(client, token, "yet another passphrase"))


def test_an_expired_link_is_refused(client, issue) -> None:
    token = issue()
    reset = db.session.scalar(select(PasswordReset))
    reset.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert_invalid(client.get(f"/reset/{token}"))
    assert_invalid(use(client, token))


def test_a_newer_link_replaces_the_older_one(client, issue) -> None:
    older = issue()
    newer = issue()
    assert_invalid(client.get(f"/reset/{older}"))
    assert_invalid(use(client, older))
    assert use(client, newer).status_code == 302


def test_links_for_different_people_are_independent(client, issue) -> None:
    mine = issue("recruiter")
    issue("hm")
    assert client.get(f"/reset/{mine}").status_code == 200


@pytest.mark.parametrize("token", ["nope", "x" * 43, "x" * 500, "%00", "a.b-c_d~e"])
def test_unknown_links_get_the_same_page(client, people, token) -> None:
    assert_invalid(client.get(f"/reset/{token}"))


def test_a_link_for_a_deactivated_account_is_refused(client, people, issue) -> None:
    token = issue()
    people["recruiter"].active = False
    db.session.commit()
    assert_invalid(client.get(f"/reset/{token}"))


def test_only_the_hash_of_the_token_is_stored(issue) -> None:
    token = issue()
    reset = db.session.scalar(select(PasswordReset))
    assert reset.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert len(token) >= 43  # 32 random bytes


@pytest.mark.parametrize(
    ("new", "confirm", "field", "message"),
    [
        ("too short", None, "new_password", "Use between 12 and 128 characters."),
        ("1qaz2wsx3edc", None, "new_password", "most common"),
        ("Rex Recruiter", None, "new_password", "your email address or your name"),
        (NEW_PASSWORD, "something else entirely", "confirm_password", "not the same"),
    ],
)
def test_a_bad_password_keeps_the_link_usable(client, issue, new, confirm, field, message) -> None:
    token = issue()
    response = use(client, token, new, confirm)
    assert response.status_code == 200
    assert message in field_error(response.get_data(as_text=True), field)
    assert db.session.scalar(select(PasswordReset)).used_at is None
    assert use(client, token).status_code == 302
