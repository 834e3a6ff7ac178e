"""What a report covers (tracker/services/report_scope.py) on the real database: the
openings each viewer may see and filter by, the filters, and the feedback withheld from a
viewer who still owes their own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.factories import make_application, make_interview, make_user, move_to_stage
from tests.queries import recorded_queries
from tests.report_support import report_openings
from tests.review_helpers import write_scorecard
from tracker.extensions import db
from tracker.models import Application, Opening, Scorecard
from tracker.services.report_scope import ReportFilter, Scope, filter_options

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def world(people) -> dict:
    """Openings: A (Staff SIRT) and B (Senior AppSec) of hm/recruiter, D (Distinguished,
    another role) of hm/recruiter, H of the other hiring manager; the interviewer
    interviewed once on H only."""
    openings = report_openings(people)
    a, b, d, h = (openings[k] for k in "abdh")
    on_h = make_application(h, people["other_recruiter"])
    move_to_stage(on_h, "recruiter_screen")
    make_interview(on_h, [people["interviewer"]])
    return {"a": a, "b": b, "d": d, "h": h, "on_h": on_h}


def signed_in(user):
    """The user as a request has them: loaded, roles too (not counted as report queries)."""
    assert user.role_names is not None
    return user


def titles(options) -> list[str]:
    return [o.title for o in options]


@pytest.mark.parametrize(
    ("who", "everyone", "listed"),
    [
        ("admin", True, ["A Staff SIRT", "B Senior AppSec", "D Distinguished", "H Hidden"]),
        ("recruiter", True, ["A Staff SIRT", "B Senior AppSec", "D Distinguished"]),
        ("hm", True, ["A Staff SIRT", "B Senior AppSec", "D Distinguished"]),
        ("other_hm", True, ["H Hidden"]),
        ("other_recruiter", True, ["H Hidden"]),
        ("interviewer", True, []),  # sees no opening as such
        # their own calibration: the openings they interviewed for, and only those
        ("interviewer", False, ["H Hidden"]),
        ("recruiter", False, []),
    ],
)
def test_filter_options_list_the_openings_the_viewer_may_see(
    people, world, who, everyone, listed
) -> None:
    viewer = signed_in(people[who])
    with recorded_queries() as statements:
        options = filter_options(Scope(viewer, everyone=everyone, now=NOW))
    assert len(statements) == 1
    assert titles(options) == listed


def test_filter_options_carry_the_catalog_and_ignore_the_filters(people, world) -> None:
    narrowed = Scope(people["hm"], ReportFilter(opening_id=world["a"].id), now=NOW)
    options = {o.title: o for o in filter_options(narrowed)}
    assert set(options) == {"A Staff SIRT", "B Senior AppSec", "D Distinguished"}
    a, d = options["A Staff SIRT"], options["D Distinguished"]
    assert (a.role, a.level, a.specialty) == (
        "Security Engineer",
        "Staff Security Engineer",
        "SIRT - Security Incident Response Team",
    )
    assert (d.role, d.level, d.specialty) == (
        "Distinguished Engineer",
        "Distinguished Engineer",
        "Secure",
    )
    assert (a.role_id, a.level_id) == (world["a"].role_id, world["a"].level_id)


def openings_in(scope: Scope) -> list[str]:
    return db.session.scalars(
        select(Opening.title).where(scope.openings()).order_by(Opening.title)
    ).all()


@pytest.mark.parametrize(
    ("filters", "listed"),
    [
        ({}, ["A Staff SIRT", "B Senior AppSec", "D Distinguished"]),
        ({"opening": "a"}, ["A Staff SIRT"]),
        ({"opening": "h"}, []),  # someone else's opening: nothing, never its data
        ({"role": "d"}, ["D Distinguished"]),
        ({"level": "b"}, ["B Senior AppSec"]),
        ({"specialty": "a"}, ["A Staff SIRT"]),
        ({"role": "a", "level": "d"}, []),  # a level of another role matches nothing
    ],
)
def test_filters_narrow_the_openings(people, world, filters, listed) -> None:
    ids = {
        "opening_id": world[filters["opening"]].id if "opening" in filters else None,
        "role_id": world[filters["role"]].role_id if "role" in filters else None,
        "level_id": world[filters["level"]].level_id if "level" in filters else None,
        "specialty_id": world[filters["specialty"]].specialty_id
        if "specialty" in filters
        else None,
    }
    assert openings_in(Scope(people["hm"], ReportFilter(**ids), now=NOW)) == listed


def test_the_date_range_is_on_arrival_or_another_timestamp(people, world) -> None:
    arrivals = {}
    for day in (1, 2, 3):
        application = make_application(world["a"], people["recruiter"])
        application.created_at = datetime(2026, 3, day, 9, 0, tzinfo=UTC)
        arrivals[application.id] = day
    db.session.commit()
    scope = Scope(
        people["recruiter"],
        ReportFilter(
            since=datetime(2026, 3, 2, tzinfo=UTC), until=datetime(2026, 3, 3, tzinfo=UTC)
        ),
        now=NOW,
    )
    in_scope = db.session.scalars(scope.applications()).all()
    assert sorted(arrivals[i] for i in in_scope) == [2]
    closed = db.session.scalars(
        select(Application.id).where(
            Application.id.in_(arrivals), scope.received(Application.closed_at)
        )
    ).all()
    assert closed == []  # none closed: nothing closed in the range


def test_as_details_names_what_an_export_covered() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    filters = ReportFilter(
        opening_id=7,
        level_id=3,
        since=datetime(2026, 3, 2, tzinfo=berlin),
        until=datetime(2026, 3, 9, tzinfo=berlin),
    )
    assert filters.as_details() == {
        "opening_id": 7,
        "level_id": 3,
        "since": "2026-03-02T00:00:00+01:00",
        "until": "2026-03-09T00:00:00+01:00",
    }
    assert ReportFilter().as_details() == {}


# --- independent judgement ---------------------------------------------------------------


@pytest.fixture
def owed(people, world) -> dict:
    """On A, Ivy and Pete each have a peer interview with the same candidate; Pete has
    submitted, Ivy has not: Ivy owes her feedback, so Pete's stays out of her figures.
    The application arrived on 1 March; the interviews were held on 10 March."""
    ivy = people["interviewer"]
    pete = make_user("pete@test.example", "Pete Peer", ["interviewer"])
    application = make_application(world["a"], people["recruiter"])
    application.created_at = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    db.session.commit()
    move_to_stage(application, "peer")
    held = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    make_interview(application, [ivy], "Peer interview 1", starts_at=held)
    theirs = make_interview(application, [pete], "Peer interview 2", starts_at=held)
    card = write_scorecard(theirs, pete, {}, "yes")
    return {
        "ivy": ivy,
        "pete": pete,
        "application": application,
        "card": card,
        "on_h": world["on_h"],
    }


def allowed_cards(scope: Scope, author=None) -> list[int]:
    return db.session.scalars(
        select(Scorecard.id).where(scope.feedback_allowed(author)).order_by(Scorecard.id)
    ).all()


def test_feedback_the_viewer_still_owes_is_withheld(people, owed) -> None:
    scope = Scope(owed["ivy"], everyone=False, now=NOW)
    # (she owes hers on H too, where she interviewed and has not written yet)
    assert scope.withheld() == {owed["application"].id, owed["on_h"].id}
    assert allowed_cards(scope) == []
    # and once Ivy has written hers, others' count
    assert Scope(owed["pete"], everyone=False, now=NOW).withheld() == frozenset()


def test_withheld_whatever_the_date_range(people, owed) -> None:
    """A section filtering on when interviews were held (10 March) must not show Pete's
    scorecard to Ivy because the application arrived (1 March) before the range."""
    scope = Scope(
        owed["ivy"],
        ReportFilter(since=datetime(2026, 3, 5, tzinfo=UTC)),
        everyone=False,
        now=NOW,
    )
    assert owed["application"].id not in db.session.scalars(scope.applications()).all()
    assert owed["application"].id in scope.withheld()
    assert allowed_cards(scope) == []


def test_withheld_is_one_query_remembered(people, owed) -> None:
    scope = Scope(signed_in(owed["ivy"]), everyone=False, now=NOW)
    with recorded_queries() as statements:
        scope.feedback_allowed()
        scope.feedback_allowed()
        scope.withheld()
    assert len(statements) == 1


def test_the_viewers_own_scorecards_always_count(people, owed) -> None:
    ivy, application = owed["ivy"], owed["application"]
    mine = make_interview(application, [ivy], "Peer interview 1", starts_at=NOW - timedelta(days=1))
    card = write_scorecard(mine, ivy, {}, "no", status="draft")
    scope = Scope(ivy, everyone=False, now=NOW)
    assert allowed_cards(scope, Scorecard.author_id) == [card.id]
    assert allowed_cards(scope) == []
