"""One layout with navigation for each person's work."""

from __future__ import annotations

import pytest

NAV = {
    "Openings": "/openings/",
    "Candidates": "/candidates/",
    "Scorecards due": "/scorecards/due",
    "Needs decision": "/decisions/needed",
    "My interviews": "/my/interviews",
}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", {"Openings", "Candidates", "Scorecards due", "Needs decision"}),
        ("recruiter", {"Openings", "Candidates", "Scorecards due"}),
        ("other_hm", {"Openings", "Candidates", "Needs decision"}),
        ("hm", {"Openings", "Candidates", "Needs decision", "My interviews"}),
        ("interviewer", {"My interviews"}),
    ],
)
def test_navigation_matches_the_work(client, auth, people, who, expected) -> None:
    auth.login(people[who].email)
    page = client.get("/login", follow_redirects=True).get_data(as_text=True)
    shown = {label for label, url in NAV.items() if f'href="{url}">{label}</a>' in page}
    assert shown == expected
    for label in expected:
        assert client.get(NAV[label]).status_code == 200, label


@pytest.mark.parametrize(
    ("who", "start"), [("interviewer", "/my/interviews"), ("recruiter", "/openings/")]
)
def test_start_page_is_the_persons_work(client, auth, people, who, start) -> None:
    auth.login(people[who].email)
    assert client.get("/").headers["Location"] == start
