"""Walk every route in app.url_map so that no new route escapes sign-in (CSRF and
per-role access: tests/security)."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.factories import make_application, make_interview, make_opening
from tests.resume_files import make_resume
from tests.routes import STATIC_ENDPOINTS, concrete_urls
from tracker.services import passwords

# Routes anyone may reach without signing in; every other route must send them away.
PUBLIC = {"auth.login", "auth.reset_password", *STATIC_ENDPOINTS}


@pytest.fixture
def ids(app, people) -> dict[str, int | str]:
    opening = make_opening(people["hm"], people["recruiter"])
    application = make_application(opening, people["recruiter"])
    reset_token = passwords.issue_reset(
        people["recruiter"], by=people["admin"], ttl=app.config["PASSWORD_RESET_TTL"]
    )
    return {
        "user_id": people["recruiter"].id,
        "token": reset_token,
        "opening_id": opening.id,
        "candidate_id": application.candidate_id,
        "application_id": application.id,
        "interview_id": make_interview(application, [people["interviewer"]], stage_key="peer").id,
        "plan_interview_id": next(i.id for s in opening.stages for i in s.interviews),
        "resume_id": make_resume(application.candidate, people["recruiter"]).id,
        "status": "active",
        "which": "overdue",
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


def test_get_never_changes_anything(app, client, auth, people, ids) -> None:
    """Every GET route answers without writing to the database, except the audit trail's
    record of what was viewed."""
    from sqlalchemy import event

    from tracker.extensions import db

    auth.login(people["admin"].email)
    writes: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        words = statement.split()
        if words[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            writes.append(" ".join(words[:3]))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        for endpoint, method, url in concrete_urls(app, ids):
            if method == "GET":
                assert client.get(url).status_code in (200, 302), endpoint
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert writes and set(writes) == {"INSERT INTO audit_events"}


# Ids no table holds: just past a 32-bit integer column, past SQLite's 64-bit integers,
# and far past both (PostgreSQL says "integer out of range", SQLite raises OverflowError).
HUGE_IDS = (2**31, 2**63, 9999999999999999999999999)


def int_arguments(app: Flask, endpoint: str) -> list[str]:
    from werkzeug.routing import IntegerConverter

    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    return [a for a, c in rule._converters.items() if isinstance(c, IntegerConverter)]


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_every_route_answers_404_for_an_id_too_big_for_the_database(
    app, client, auth, people, ids, huge
) -> None:
    """Each int argument of each route, in turn, set to an impossible id: 404, never 500."""
    auth.login(people["admin"].email)
    app.config["WTF_CSRF_ENABLED"] = False
    checked: set[tuple[str, str]] = set()
    for endpoint, method, _ in concrete_urls(app, ids):
        for arg in int_arguments(app, endpoint):
            url = next(
                u
                for e, m, u in concrete_urls(app, {**ids, arg: huge})
                if e == endpoint and m == method
            )
            response = client.open(url, method=method, data={"note": "x"})
            assert response.status_code == 404, (endpoint, method, arg, response.status_code)
            checked.add((endpoint, method))
    assert {"candidates.show", "applications.move", "scorecards.kit"} <= {e for e, _ in checked}
    assert len(checked) >= 14


def test_int_urls_accept_ids_up_to_the_largest_32_bit_integer(app) -> None:
    """The converter's default ceiling is 2**31 - 1; an explicit max still wins."""
    from werkzeug.routing import Map, Rule

    converter = app.url_map.converters["int"]
    urls = Map(
        [Rule("/a/<int:n>", endpoint="a"), Rule("/b/<int(max=5):n>", endpoint="b")],
        converters={"int": converter},
    ).bind("localhost")
    assert urls.match(f"/a/{2**31 - 1}") == ("a", {"n": 2**31 - 1})
    assert urls.match("/b/5") == ("b", {"n": 5})
    for url in (f"/a/{2**31}", "/b/6"):
        with pytest.raises(Exception, match="404"):
            urls.match(url)
