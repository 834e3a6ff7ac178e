"""TRUSTED_HOSTS: a request for any other host name is refused before any view runs."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("localhost", 200),
        ("127.0.0.1:5000", 200),
        ("evil.example", 400),
        ("localhost.evil.example", 400),
    ],
)
def test_only_trusted_hosts_are_served(client, host: str, status: int) -> None:
    response = client.get("/login", headers={"Host": host})

    assert response.status_code == status
    if status == 400:
        assert b"not served here" in response.data
        assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("hops", "seen"), [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_forwarded_for_is_trusted_only_behind_configured_proxies(
    database_copy: str, hops: int, seen: str
) -> None:
    from flask import request

    from tracker import create_app

    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_copy, "PROXY_HOPS": hops}
    )
    app.add_url_rule("/_ip", "ip", lambda: request.remote_addr or "")

    response = app.test_client().get(
        "/_ip",
        headers={"X-Forwarded-For": "203.0.113.9"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )

    assert response.get_data(as_text=True) == seen
