"""Sign-in security through the pages: throttling, the lock, one message for every failure,
the sign-in log and audit entries, and the hand-over to the second factor."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest

from tests.account_support import actions, reloaded, spy_audit
from tests.factories import PASSWORD
from tracker.auth.views import LOGIN_FAILED
from tracker.extensions import db
from tracker.models.types import utcnow
from tracker.services import passwords, two_factor

THROTTLED = [{"RATELIMIT_ENABLED": True}]
WRONG = "not the right password"


def post_login(client, email: str, password: str = WRONG, ip: str = "127.0.0.1"):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": ip},
    )


def signed_in(client) -> bool:
    return client.get("/openings/").status_code == 200


# Throttling ---------------------------------------------------------------------------


@pytest.mark.parametrize("app", THROTTLED, indirect=True)
def test_sign_in_is_throttled_per_account(client, people) -> None:
    """Five tries a minute for one account, from anywhere; then 429 with a friendly page."""
    for n in range(5):
        assert post_login(client, "rec@test.example", ip=f"10.0.0.{n}").status_code == 200
    refused = post_login(client, " REC@test.example ", ip="10.0.0.99")  # same account
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "Too many requests" in page and "wait" in page
    assert "<!doctype html>" in page.lower()  # the site's page, not a bare error
    # Another account from the same machine is still answered: the key is the account.
    assert post_login(client, "hm@test.example", ip="10.0.0.1").status_code == 200


@pytest.mark.parametrize("app", THROTTLED, indirect=True)
def test_throttled_attempts_are_logged(client, people, caplog) -> None:
    caplog.set_level(logging.INFO, logger="tracker.auth")
    for _ in range(6):
        post_login(client, "rec@test.example", "Secret-Guess-99", ip="203.0.113.9")
    throttled = [line for line in auth_lines(caplog) if "throttled" in line]
    assert len(throttled) == 1
    assert "ip=203.0.113.9" in throttled[0] and "5 per 1 minute" in throttled[0]
    assert "Secret-Guess-99" not in caplog.text


@pytest.mark.parametrize("app", THROTTLED, indirect=True)
def test_sign_in_is_throttled_per_ip(client, people) -> None:
    """Twenty tries a minute from one address, whatever the accounts; other addresses go on."""
    for n in range(20):
        assert post_login(client, f"user{n}@test.example").status_code == 200
    assert post_login(client, "someone-else@test.example").status_code == 429
    assert post_login(client, "someone-else@test.example", ip="10.9.9.9").status_code == 200


@pytest.mark.parametrize("app", THROTTLED, indirect=True)
def test_throttle_counts_only_posts(client, people) -> None:
    for _ in range(6):
        post_login(client, "rec@test.example")
    assert client.get("/login").status_code == 200


@pytest.mark.parametrize("app", THROTTLED, indirect=True)
def test_a_throttled_right_password_does_not_sign_in(client, people) -> None:
    for _ in range(5):
        post_login(client, "rec@test.example")
    assert post_login(client, "rec@test.example", PASSWORD).status_code == 429
    assert not signed_in(client)


@pytest.mark.parametrize("app", THROTTLED, indirect=True)
def test_reset_link_posts_are_throttled_per_ip(app, client, people) -> None:
    token = passwords.issue_reset(
        people["recruiter"], by=people["admin"], ttl=app.config["PASSWORD_RESET_TTL"]
    )
    for _ in range(10):
        response = client.post(f"/reset/{token}", data={"new_password": "x"})
        assert response.status_code == 200
    assert client.post(f"/reset/{token}", data={"new_password": "x"}).status_code == 429


@pytest.mark.parametrize("app", THROTTLED, indirect=True)
@pytest.mark.parametrize("url", ["/reauthenticate", "/account/password"])
def test_password_checks_when_signed_in_are_throttled(client, auth, people, url) -> None:
    """Someone holding a signed-in browser cannot guess the password at speed either."""
    auth.login(people["recruiter"].email)
    wrong = {"password": WRONG, "current_password": WRONG}
    for _ in range(10):
        assert client.post(url, data=wrong).status_code in (200, 422)
    assert client.post(url, data={"password": WRONG}).status_code == 429


def test_throttling_is_off_unless_configured(client, people) -> None:
    """TestConfig turns it off, so the throttle tests above are what switch it on."""
    for _ in range(8):
        assert post_login(client, "rec@test.example").status_code == 200


# The lock after repeated failures -----------------------------------------------------


def test_five_wrong_passwords_lock_the_account(client, people) -> None:
    rec = people["recruiter"]
    for _ in range(4):
        post_login(client, rec.email)
    assert reloaded(rec).failed_logins == 4 and reloaded(rec).locked_until is None
    post_login(client, rec.email)
    locked_until = reloaded(rec).locked_until
    assert locked_until is not None
    assert timedelta(minutes=14) < locked_until - utcnow() <= timedelta(minutes=15)

    response = post_login(client, rec.email, PASSWORD)  # even the right password
    assert LOGIN_FAILED in response.get_data(as_text=True)
    assert not signed_in(client)


def test_the_lock_runs_out(client, people) -> None:
    rec = people["recruiter"]
    for _ in range(5):
        post_login(client, rec.email)
    user = reloaded(rec)
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert post_login(client, rec.email, PASSWORD).status_code == 302
    assert signed_in(client)


def test_a_successful_sign_in_resets_the_count(client, auth, people) -> None:
    rec = people["recruiter"]
    for _ in range(4):
        post_login(client, rec.email)
    assert auth.login(rec.email).status_code == 302
    assert reloaded(rec).failed_logins == 0
    auth.logout()
    for _ in range(4):
        post_login(client, rec.email)
    assert reloaded(rec).locked_until is None
    assert auth.login(rec.email).status_code == 302


@pytest.mark.parametrize(
    "app",
    [{"LOGIN_LOCKOUT_THRESHOLD": 2, "LOGIN_LOCKOUT_DURATION": timedelta(hours=1)}],
    indirect=True,
)
def test_the_lock_follows_the_settings(client, people) -> None:
    rec = people["recruiter"]
    post_login(client, rec.email)
    post_login(client, rec.email)
    assert reloaded(rec).locked_until - utcnow() > timedelta(minutes=59)


def error_area(page: str, email: str) -> str:
    """The page with the email typed taken out, to compare failures with each other."""
    return page.replace(email, "EMAIL")


def test_every_failure_reads_the_same(client, people) -> None:
    """Unknown account, wrong password, locked and inactive accounts: the same page."""
    inactive = people["other_recruiter"]
    inactive.active = False
    locked = people["other_hm"]
    locked.locked_until = utcnow() + timedelta(minutes=10)
    db.session.commit()
    cases = [
        ("nobody@test.example", PASSWORD),
        (people["recruiter"].email, WRONG),
        (locked.email, PASSWORD),
        (inactive.email, PASSWORD),
    ]
    pages = set()
    for email, password in cases:
        response = post_login(client, email, password)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert LOGIN_FAILED in page
        pages.add(error_area(page, email))
    assert len(pages) == 1


def test_failures_at_an_unknown_account_touch_no_account(client, people) -> None:
    for _ in range(6):
        post_login(client, "nobody@test.example")
    assert all(reloaded(u).failed_logins == 0 for u in people.values())


# The sign-in log and audit ------------------------------------------------------------

ISO_UTC = re.compile(r"at=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00")


def auth_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "tracker.auth"]


def test_sign_ins_are_logged_without_the_password(client, auth, people, caplog) -> None:
    caplog.set_level(logging.INFO, logger="tracker.auth")
    rec = people["recruiter"]
    secret_typo = "My-Secret-Typo-42"
    post_login(client, rec.email, secret_typo, ip="203.0.113.7")
    post_login(client, "nobody@test.example", secret_typo, ip="203.0.113.8")
    auth.login(rec.email)
    auth.logout()

    lines = auth_lines(caplog)
    failure, unknown, success, logout = lines
    assert "failure" in failure and f"user_id={rec.id}" in failure and "ip=203.0.113.7" in failure
    assert "failure" in unknown and "email='nobody@test.example'" in unknown
    assert "ip=203.0.113.8" in unknown
    assert "success" in success and f"user_id={rec.id}" in success and "ip=127.0.0.1" in success
    assert "logout" in logout
    assert all(ISO_UTC.search(line) for line in lines), lines
    assert secret_typo not in caplog.text and PASSWORD not in caplog.text
    for record in caplog.records:
        assert secret_typo not in repr(record.args) and PASSWORD not in repr(record.args)


def test_a_known_account_is_logged_by_id_not_email(client, people, caplog) -> None:
    """The email field sometimes receives a password typed in the wrong box."""
    caplog.set_level(logging.INFO, logger="tracker.auth")
    post_login(client, people["recruiter"].email)
    (line,) = auth_lines(caplog)
    assert people["recruiter"].email not in line


def test_log_lines_cannot_be_forged_with_a_newline(client, people, caplog) -> None:
    caplog.set_level(logging.INFO, logger="tracker.auth")
    post_login(client, "x@test.example\nsign-in success user_id=1")
    (line,) = auth_lines(caplog)
    assert "\n" not in line


def test_sign_ins_are_audited(client, auth, people, monkeypatch) -> None:
    calls = spy_audit(monkeypatch)
    rec = people["recruiter"]
    post_login(client, rec.email, ip="203.0.113.7")
    post_login(client, "Nobody@Test.example")
    auth.login(rec.email)
    auth.logout()
    assert actions(calls) == ["login.failure", "login.failure", "login.success", "logout"]
    wrong, unknown, success, logout = calls
    assert (wrong.object_type, wrong.object_id) == ("users", rec.id)
    assert wrong.details["email"] == rec.email and wrong.details["ip"] == "203.0.113.7"
    assert unknown.object_id is None and unknown.details["email"] == "nobody@test.example"
    assert success.object_id == rec.id and success.details["ip"] == "127.0.0.1"
    assert success.actor_id == rec.id and logout.actor_id == rec.id
    assert all(PASSWORD not in repr(c.details) and WRONG not in repr(c.details) for c in calls)


# The second factor ---------------------------------------------------------------------


@pytest.fixture
def code_page(app) -> str:
    """The second factor's page; a stand-in where the two_factor area has not landed."""
    if "two_factor.login_code" not in app.view_functions:
        app.add_url_rule("/login/code", "two_factor.login_code", lambda: "code page")
    return "/login/code"


def test_a_user_with_a_second_factor_is_not_signed_in_by_the_password(
    client, people, code_page, monkeypatch
) -> None:
    calls = spy_audit(monkeypatch)
    monkeypatch.setattr(two_factor, "needs_code", lambda user: user.email == "rec@test.example")
    response = client.post(
        "/login?next=/candidates/", data={"email": "rec@test.example", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith(code_page)
    assert "next=/candidates/" in response.headers["Location"]
    with client.session_transaction() as session:
        assert session["pending_login"]["user_id"] == people["recruiter"].id
        assert "_user_id" not in session and "sid" not in session
    assert not signed_in(client)
    assert "login.success" not in actions(calls)
