"""CSRF on: every POST route of `app.url_map` refuses a request without a valid token,
with the friendly "form expired" page, and writes nothing."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import PASSWORD
from tests.security.world import Database, Visitor, World, changed_tables, routes
from tests.web.test_csrf import token

EXPIRED = b"Your form expired or was not sent from this site"


@pytest.fixture
def csrf_app(app: Flask) -> Flask:
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def sign_in_through_the_page(client: FlaskClient, email: str) -> None:
    """The real sign-in page, with the token it hands out."""
    response = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token(client.get("/login").data)},
    )
    assert response.status_code == 302, response.status_code
    assert not response.headers["Location"].startswith("/login")


# Sent with no token, then with forged ones (plain, and under a form prefix's name).
ATTEMPTS = {
    "no token": {"note": "x", "reason": "other"},
    "forged token": {"csrf_token": "forged", "note": "x"},
    "forged prefixed token": {"a1-advance-csrf_token": "forged.token", "note": "x"},
}


@pytest.mark.parametrize("who", ["recruiter", "admin", "anonymous"])
def test_every_post_route_refuses_a_missing_or_forged_token(
    csrf_app: Flask, client: FlaskClient, world: World, database: Database, who: str
) -> None:
    if who == "recruiter":
        sign_in_through_the_page(client, world.people[who].email)
    elif who == "admin":  # signed in directly: the admin's second step has its own tests
        Visitor(client, world.user(who))
    posts = [r for r in routes(csrf_app, world) if r.method == "POST"]
    assert {r.endpoint for r in posts} >= {
        "auth.login",
        "auth.logout",
        "applications.move",
        "scorecards.save",
        "reviews.decision",
    }
    failures = []
    for route in posts:
        for attempt, data in ATTEMPTS.items():
            before = database.content()
            response = client.post(route.url, data=data)
            if response.status_code != 400 or EXPIRED not in response.data:
                failures.append(f"{route.endpoint} ({attempt}): {response.status_code}")
            changed = changed_tables(before, database.content())
            if changed:
                failures.append(f"{route.endpoint} ({attempt}) changed {changed}")
    assert not failures, "\n".join(failures)
    if who != "anonymous":  # the refusals did not sign anyone out
        assert client.get("/my/interviews").status_code == 200


def test_sign_in_without_a_token_is_refused(csrf_app: Flask, client: FlaskClient, world: World):
    refused = client.post(
        "/login", data={"email": world.people["recruiter"].email, "password": PASSWORD}
    )
    assert refused.status_code == 400
    assert EXPIRED in refused.data
    assert client.get("/my/interviews").status_code == 302  # still signed out


def test_a_token_from_another_session_is_refused(
    csrf_app: Flask, client: FlaskClient, world: World
) -> None:
    """The token is bound to the session it was issued in: one lifted from someone else's
    page does not work here, while this session's own does."""
    sign_in_through_the_page(client, world.people["recruiter"].email)
    other = csrf_app.test_client()
    sign_in_through_the_page(other, world.people["hiring_manager"].email)
    theirs = token(other.get("/my/interviews").data)
    assert client.post("/logout", data={"csrf_token": theirs}).status_code == 400
    assert client.get("/my/interviews").status_code == 200
    mine = token(client.get("/my/interviews").data)
    assert client.post("/logout", data={"csrf_token": mine}).status_code == 302
    assert client.get("/my/interviews").status_code == 302
