"""The navigation offers each person the areas they may use, and nothing else."""

from __future__ import annotations

import pytest

from tests.factories import make_user

LINKS = {
    "account": 'href="/account/"',
    "people": 'href="/admin/people/"',
    "audit": 'href="/admin/audit/"',
}


@pytest.mark.parametrize(
    ("roles", "shown"),
    [
        (["admin"], {"account", "people", "audit"}),
        (["recruiter"], {"account"}),
        (["hiring_manager", "interviewer"], {"account"}),
        (["interviewer"], {"account"}),
    ],
)
def test_nav_links_follow_roles(client, auth, roles: list[str], shown: set[str]) -> None:
    user = make_user("nav@test.example", "Nav Person", roles)
    auth.login(user.email)

    page = client.get("/account/").get_data(as_text=True)

    assert {name for name, link in LINKS.items() if link in page} == shown
    assert "Two-factor authentication" in page


def test_account_page_links_to_two_factor(client, auth, people) -> None:
    auth.login(people["recruiter"].email)

    page = client.get("/account/").get_data(as_text=True)

    assert 'href="/account/two-factor/"' in page
