"""Every response carries the security headers: pages, redirects, errors (400, 403, 404,
405, 413, 429, 500), static files and downloads. HSTS only in production. A Host outside
TRUSTED_HOSTS is refused with 400."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, abort
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.routes import concrete_urls
from tests.security.world import ROLES, Visitor, World, url_values
from tracker import create_app
from tracker.extensions import limiter

STRICT_REFERRER = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}


def csp(value: str) -> dict[str, list[str]]:
    directives = (d.strip().split() for d in value.split(";") if d.strip())
    return {d[0].lower(): d[1:] for d in directives}


def header_problems(response: TestResponse) -> list[str]:
    problems = []
    policy = csp(response.headers.get("Content-Security-Policy", ""))
    scripts = policy.get("script-src", policy.get("default-src"))
    if scripts is None:
        problems.append("CSP does not restrict scripts")
    elif {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(scripts):
        problems.append(f"CSP allows {scripts}")
    if policy.get("frame-ancestors") != ["'none'"]:
        problems.append(f"frame-ancestors {policy.get('frame-ancestors')}")
    if policy.get("object-src") != ["'none'"]:
        problems.append(f"object-src {policy.get('object-src')}")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    if response.headers.get("Referrer-Policy") not in STRICT_REFERRER:
        problems.append(f"Referrer-Policy {response.headers.get('Referrer-Policy')}")
    if response.headers.get("X-Frame-Options") != "DENY":
        problems.append("X-Frame-Options is not DENY")
    return problems


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("default-src 'self'; script-src 'self' 'unsafe-inline'", "CSP allows"),
        ("default-src 'self'; frame-ancestors 'self'", "frame-ancestors"),
        ("style-src 'self'", "CSP does not restrict scripts"),
    ],
)
def test_the_check_sees_a_weak_policy(value: str, problem: str) -> None:
    response = TestResponse([], 200, {"Content-Security-Policy": value}, request=None)
    assert any(p.startswith(problem) for p in header_problems(response))


@pytest.fixture
def error_routes(app: Flask) -> Flask:
    """Routes that fail on purpose (added before the first request): a crash and a burst."""

    def crash() -> str:
        raise RuntimeError("boom")

    def limited() -> str:
        abort(429)

    app.add_url_rule("/_test/crash", "test_crash", crash)
    app.add_url_rule("/_test/limited", "test_limited", limited)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def every_kind_of_response(
    app: Flask, client: FlaskClient, world: World
) -> Iterator[tuple[str, TestResponse]]:
    """Every GET route as each role (pages, downloads, static files, redirects, 403, 404),
    every POST route signed out, and each error page."""
    values = url_values(world)
    gets = [r for r in concrete_urls(app, values) if r.method == "GET"]
    for role in ROLES:
        Visitor(client, world.user(role))
        for route in gets:
            yield f"{role} GET {route.url}", client.get(route.url)
        yield (
            f"{role} GET packet download",
            client.get(f"/applications/{world.application_id}/packet.json?download=1"),
        )
    Visitor(client, None)
    for route in concrete_urls(app, values):
        if route.method == "POST":
            yield f"anonymous POST {route.url}", client.post(route.url)
    yield "unknown URL", client.get("/no/such/page")
    yield "wrong method", client.get("/logout")
    yield "crash", client.get("/_test/crash")
    yield "too many requests", client.get("/_test/limited")
    yield "untrusted host", client.get("/login", headers={"Host": "evil.example"})
    app.config["MAX_CONTENT_LENGTH"] = 100
    yield "too large", client.post("/login", data={"email": "x" * 1000})
    app.config["WTF_CSRF_ENABLED"] = True
    yield "no CSRF token", client.post("/login", data={"email": "a@b.example"})


def test_every_response_carries_the_headers(
    error_routes: Flask, client: FlaskClient, world: World
) -> None:
    seen: set[int] = set()
    kinds: set[str] = set()
    problems = []
    for label, response in every_kind_of_response(error_routes, client, world):
        seen.add(response.status_code)
        kinds.add(response.mimetype)
        problems += [f"{label} [{response.status_code}]: {p}" for p in header_problems(response)]
        if "Strict-Transport-Security" in response.headers:
            problems.append(f"{label}: HSTS outside production")
    assert not problems, "\n".join(problems)
    assert {200, 302, 400, 403, 404, 405, 413, 429, 500} <= seen
    # Pages, static files, and each download: packet, calendar invite, résumé, trail.
    assert {
        "text/html",
        "text/css",
        "application/json",
        "text/calendar",
        "application/pdf",
        "text/csv",
    } <= kinds


def test_a_real_rate_limit_answers_429_with_the_headers(database_copy: str) -> None:
    """Flask-Limiter's own refusal, not just abort(429), goes through the same hook."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_copy,
            "RATELIMIT_ENABLED": True,
        }
    )
    app.add_url_rule("/_test/once", "once", limiter.limit("1 per minute")(lambda: "ok"))
    client = app.test_client()
    assert client.get("/_test/once").status_code == 200
    refused = client.get("/_test/once")
    assert refused.status_code == 429
    assert header_problems(refused) == []
    assert b"Please wait a moment" in refused.data


# --- Production: HSTS, and hosts ------------------------------------------------------


@pytest.fixture
def production_app(monkeypatch: pytest.MonkeyPatch, database_copy: str, tmp_path: Path) -> Flask:
    import config

    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_copy,
            "SECRET_KEY": "k" * 64,
            "TRUSTED_HOSTS": ["tracker.example"],
        },
        env="production",
    )


@pytest.mark.parametrize(
    "path", ["/login", "/openings/", "/no/such/page", "/static/css/app.css", "/logout"]
)
def test_production_sends_hsts_on_every_kind_of_response(production_app: Flask, path: str):
    response = production_app.test_client().get(path, base_url="https://tracker.example")
    assert response.status_code in (200, 302, 404, 405)
    hsts = response.headers["Strict-Transport-Security"]
    assert int(hsts.split("max-age=")[1].split(";")[0]) >= 31536000
    assert header_problems(response) == []


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("tracker.example", 200),
        ("tracker.example:443", 200),
        ("evil.example", 400),
        ("tracker.example.evil.example", 400),
        ("localhost", 400),
    ],
)
def test_production_answers_only_its_own_host(production_app: Flask, host: str, status: int):
    client = production_app.test_client()
    response = client.get("/login", base_url="https://tracker.example", headers={"Host": host})
    assert response.status_code == status


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("path", ["/login", "/openings/", "/logout", "/static/css/app.css"])
def test_an_untrusted_host_is_refused_before_anything_runs(
    client: FlaskClient, world: World, method: str, path: str
) -> None:
    """Signed in or not, any route, any method: 400, with the headers, and no page (the
    page's links would be built for the attacker's host)."""
    Visitor(client, world.user("admin"))
    response = client.open(path, method=method, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert b"evil.example" not in response.data
    assert header_problems(response) == []
    assert client.get("/my/interviews").status_code == 200  # the trusted host still works


def test_development_trusts_only_the_local_host(database_copy: str) -> None:
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_copy, "SECRET_KEY": "k" * 64},
        env="development",
    )
    client = app.test_client()
    assert client.get("/login", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/login", headers={"Host": "localhost:5000"}).status_code == 200
    assert client.get("/login", headers={"Host": "127.0.0.1:5000"}).status_code == 200
