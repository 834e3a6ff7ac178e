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
