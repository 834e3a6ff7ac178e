"""Signing in and out through the pages."""

from __future__ import annotations

import pytest

from tracker.auth.views import LOGIN_FAILED


def test_login_page_renders(client) -> None:
    response = client.get("/login")
    assert response.status_code == 200
    assert b'name="email"' in response.data and b'name="password"' in response.data


def test_pages_need_sign_in(client) -> None:
    response = client.get("/openings/")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]


def test_sign_in_and_out(client, auth, people) -> None:
    """Sign-in opens the pages; sign-out is a POST that closes them again."""
    response = auth.login("REC@test.example")  # email matched without regard to case
    assert response.status_code == 302
    assert client.get("/openings/").status_code == 200
    assert client.get("/logout").status_code == 405  # GET never changes anything
    assert auth.logout().status_code == 302
    assert client.get("/openings/").status_code == 302


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("rec@test.example", "wrong password here"),
        ("nobody@test.example", "correct horse battery staple"),
        ("not-an-email", "whatever it is"),
    ],
)
def test_one_message_for_every_failure(client, people, email: str, password: str) -> None:
    """Unknown account and wrong password read the same, so accounts cannot be guessed."""
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 200
    assert LOGIN_FAILED.encode() in response.data
    assert b"does not exist" not in response.data
    assert client.get("/openings/").status_code == 302


def test_failure_keeps_the_email_typed(client, people) -> None:
    response = client.post("/login", data={"email": "rec@test.example", "password": "nope nope"})
    assert LOGIN_FAILED.encode() in response.data
    assert b'value="rec@test.example"' in response.data


def test_inactive_user_cannot_sign_in(client, people, app) -> None:
    from tracker.extensions import db

    people["recruiter"].active = False
    db.session.commit()
    response = client.post(
        "/login", data={"email": "rec@test.example", "password": "correct horse battery staple"}
    )
    assert LOGIN_FAILED.encode() in response.data


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/candidates/", "/candidates/"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_is_only_ever_local(client, people, target: str, expected: str) -> None:
    """No open redirect: only a local path is followed after sign-in."""
    response = client.post(
        "/login?next=" + target,
        data={"email": "rec@test.example", "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_security_headers_on_every_response(client) -> None:
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
