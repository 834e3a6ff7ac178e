"""Walk every route in app.url_map so that no new route escapes sign-in or CSRF."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.factories import make_application, make_interview, make_opening

# Routes anyone may reach without signing in; every other route must send them away.
PUBLIC = {"auth.login", "static", "bootstrap.static"}


def concrete_urls(app: Flask, ids: dict[str, int]) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every route, with real ids filled in."""
    out = []
    for rule in app.url_map.iter_rules():
        values = {}
        for arg in rule.arguments:
            if arg == "filename":
                values[arg] = (
                    "css/app.css" if rule.endpoint == "static" else "css/bootstrap.min.css"
                )
            elif arg == "move":
                values[arg] = "advance"
            else:
                values[arg] = ids[arg]
        url = rule.build(values, append_unknown=False)[1]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            out.append((rule.endpoint, method, url))
    return out


@pytest.fixture
def ids(people) -> dict[str, int]:
    opening = make_opening(people["hm"], people["recruiter"])
    application = make_application(opening, people["recruiter"])
    return {
        "opening_id": opening.id,
        "candidate_id": application.candidate_id,
        "application_id": application.id,
        "interview_id": make_interview(application, [people["interviewer"]], stage_key="peer").id,
        "plan_interview_id": next(i.id for s in opening.stages for i in s.interviews),
    }


def test_every_route_needs_sign_in(app, client, ids) -> None:
    """Signed out, only the public routes answer; the rest redirect to sign-in."""
    routes = concrete_urls(app, ids)
    assert len(routes) >= 14
    for endpoint, method, url in routes:
        response = client.open(url, method=method)
        if endpoint in PUBLIC:
            assert response.status_code == 200, (endpoint, method)
        else:
            assert response.status_code == 302, (endpoint, method, response.status_code)
            assert response.headers["Location"].startswith("/login"), endpoint


def test_every_post_route_refuses_a_missing_csrf_token(app, client, auth, people, ids) -> None:
    """With CSRF on, a POST without a token is refused on every route, signed in as admin."""
    auth.login(people["admin"].email)
    app.config["WTF_CSRF_ENABLED"] = True
    posts = [(e, u) for e, m, u in concrete_urls(app, ids) if m == "POST"]
    assert {e for e, _ in posts} >= {"auth.login", "auth.logout", "applications.move"}
    for endpoint, url in posts:
        response = client.post(url, data={"note": "x"})
        assert response.status_code == 400, endpoint
        assert b"Your form expired" in response.data


def test_get_never_changes_anything(app, client, auth, people, ids) -> None:
    """Every GET route answers without writing to the database."""
    from sqlalchemy import event

    from tracker.extensions import db

    auth.login(people["admin"].email)
    writes: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        if statement.lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            writes.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        for endpoint, method, url in concrete_urls(app, ids):
            if method == "GET":
                assert client.get(url).status_code in (200, 302), endpoint
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert writes == []
