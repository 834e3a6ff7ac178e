"""Report pages kept for a moment: what the key holds decides who may be served a kept
page, so each of those is tested; the timing is a fake clock, not the real one."""

from __future__ import annotations

import pytest

from tests.factories import make_application, make_interview, make_opening, move_to_stage
from tests.queries import recorded_queries
from tracker.extensions import db
from tracker.services.report_cache import TimedCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("seconds", "later", "kept"),
    [
        (60, 0, True),
        (60, 59.9, True),
        (60, 60, False),  # fresh for exactly `seconds`, no longer
        (0, 0, False),  # 0 switches keeping off
    ],
)
def test_a_value_is_kept_for_its_seconds(seconds, later, kept) -> None:
    clock = Clock()
    cache: TimedCache[int] = TimedCache(seconds=seconds, clock=clock)
    builds = iter(range(10))
    first, _ = cache.get_or_build("k", lambda: next(builds))
    clock.now += later
    second, was_kept = cache.get_or_build("k", lambda: next(builds))
    assert (second == first, was_kept) == (kept, kept)


def test_the_oldest_entry_goes_first_when_full() -> None:
    cache: TimedCache[str] = TimedCache(seconds=60, size=2, clock=Clock())
    for key in ("a", "b"):
        cache.get_or_build(key, lambda key=key: key)
    cache.get_or_build("a", lambda: "rebuilt")  # a is used again: b is now the oldest
    cache.get_or_build("c", lambda: "c")
    assert cache.get_or_build("a", lambda: "rebuilt")[1] is True
    assert cache.get_or_build("b", lambda: "rebuilt") == ("rebuilt", False)


@pytest.fixture
def keeping(app) -> None:
    app.config["REPORT_CACHE_SECONDS"] = 60  # read when the app first keeps a page


def report_queries(client, url: str = "/reports/pipeline") -> int:
    with recorded_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    assert b"Figures as of" in response.data
    return len(statements)


def test_a_reload_is_served_from_the_kept_page(keeping, client, auth, people) -> None:
    make_application(make_opening(people["hm"], people["recruiter"]), people["recruiter"])
    auth.login(people["hm"].email)
    built = report_queries(client)
    kept = report_queries(client)
    assert kept < built
    assert report_queries(client, "/reports/pipeline?date_from=") == built  # other filters


def test_another_viewer_never_gets_someone_elses_page(keeping, client, auth, people) -> None:
    opening = make_opening(people["hm"], people["recruiter"])
    make_application(opening, people["recruiter"])
    auth.login(people["hm"].email)
    built = report_queries(client)
    auth.logout()
    auth.login(people["recruiter"].email)
    assert report_queries(client) == built  # built again, for this viewer


def test_owing_feedback_is_a_new_page_at_once(keeping, client, auth, people) -> None:
    """Being given an interview to score changes what may be shown: no waiting."""
    opening = make_opening(people["hm"], people["recruiter"])
    application = make_application(opening, people["recruiter"])
    auth.login(people["hm"].email)
    built = report_queries(client)
    assert report_queries(client) < built
    move_to_stage(application, "hiring_manager")
    make_interview(application, [people["hm"]], plan_interview_name="Hiring manager interview")
    db.session.commit()
    assert report_queries(client) == built


def test_losing_an_opening_is_a_new_page_at_once(keeping, client, auth, people) -> None:
    """A hiring manager replaced on an opening no longer gets figures that include it."""
    kept_opening = make_opening(people["hm"], people["recruiter"])
    lost_opening = make_opening(people["hm"], people["recruiter"])
    for opening in (kept_opening, lost_opening):
        make_application(opening, people["recruiter"])
    auth.login(people["hm"].email)
    built = report_queries(client)
    assert report_queries(client) < built
    lost_opening.hiring_manager_id = people["other_hm"].id
    db.session.commit()
    assert report_queries(client) == built


def test_another_time_zone_is_another_page(keeping, client, auth, people) -> None:
    """The dates of the default window are the viewer's midnights."""
    make_application(make_opening(people["hm"], people["recruiter"]), people["recruiter"])
    auth.login(people["hm"].email)
    built = report_queries(client)
    people["hm"].timezone = "Pacific/Auckland"
    db.session.commit()
    assert report_queries(client) == built
