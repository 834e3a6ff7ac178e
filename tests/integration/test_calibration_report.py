"""The interviewer calibration report on hand-built data: each figure the tests expect is
worked out by hand in the docstrings and comments, not recomputed by the report's code.

The world (opening "Staff Security Engineer, SIRT", hiring manager Hal, recruiter Rex):

  A1 hired, A2 rejected, A3 withdrawn; all arrived 7 days before day D (Monday
  2025-03-03) and are past the hiring manager's stage, so Hal owes nothing on them.

  ratings (r1, r2, r3), scores strong no 1 .. strong yes 4, NA = not assessed
    A1: Ivy (SY, SY, NA)  Pete (SN, SN)  Zed (Y, SY)   + Dee's draft (SN): never counts
    A2: Ivy (SY, SY)      Pete (SN, N)   Zed (N, N)
    A3: Ivy (Y, Y)        (nobody else: not shared)

  lean, over the shared applications A1 and A2
    Ivy:  own (4+4+4+4)/4 = 4.00; panel (1+1+3+4 + 1+2+2+2)/8 = 16/8 = 2.00; +2.00 Lenient
    Pete: own (1+1+1+2)/4 = 1.25; panel (4+4+3+4 + 4+4+2+2)/8 = 27/8 = 3.375; -2.125 Harsh
    Zed:  own (3+4+2+2)/4 = 2.75; panel (4+4+1+1 + 4+4+1+2)/8 = 21/8 = 2.625; +0.125 In line

  recommendations: Ivy yes, yes, strong yes (A3 withdrawn: left out); Pete definitely
  not, no; Zed strong yes, no.

  interviews (start, length) and first submissions
    Ivy  A1 D 09:00 60 min, at D 12:00 (2 h); A2 D+1 09:00 60, D+1 20:00 (10 h);
         A3 D+2 09:00 60, D+3 14:00 (28 h)
    Pete A1 D 13:00 45 min, at D 13:30 (before the end: 0); A2 D+1 13:00 45, D+1 16:45 (3 h)
    Zed  A1 D 15:00 60 min, at D+1 22:00 (30 h); A2 D+1 15:00 60, D+2 18:00 (26 h)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.factories import make_application, make_interview, make_opening, make_user, move_to_stage
from tests.queries import recorded_queries
from tests.review_helpers import requirements_of, write_scorecard
from tracker.domain.reports import Section
from tracker.extensions import db
from tracker.models import Application, Interview, Scorecard, User
from tracker.services.calibration_report import (
    SECTIONS,
    agreement,
    panel_lean,
    rating_distribution,
    turnaround,
)
from tracker.services.report_scope import ReportFilter, Scope

D = datetime(2025, 3, 3, tzinfo=UTC)
NOW = D + timedelta(days=10)
HOUR = 3600.0

RATING = {"SN": "strong_no", "N": "no", "Y": "yes", "SY": "strong_yes", "NA": "not_assessed"}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return D + timedelta(days=day, hours=hour, minutes=minute)


@dataclass
class World:
    opening: Any
    a1: Application
    a2: Application
    a3: Application
    r: list[int]  # the opening's first three requirements
    ivy: User
    pete: User
    zed: User
    hal: User
    rex: User


def interview(
    application: Application,
    who: list[User],
    starts_at: datetime,
    minutes: int,
    stage_key: str = "peer",
) -> Interview:
    held = make_interview(application, who, starts_at=starts_at, stage_key=stage_key)
    held.duration_minutes = minutes
    db.session.commit()
    return held


def card(
    held: Interview,
    author: User,
    ratings: tuple[str, ...],
    recommendation: str | None,
    submitted_at: datetime,
    requirements: list[int],
    status: str = "submitted",
) -> Scorecard:
    scorecard = write_scorecard(
        held,
        author,
        {rid: (RATING[r], "") for rid, r in zip(requirements, ratings, strict=False)},
        recommendation,
        status=status,
    )
    if status == "submitted":
        scorecard.submitted_at = submitted_at
        db.session.commit()
    return scorecard


def close(application: Application, status: str, stage_key: str) -> None:
    move_to_stage(application, stage_key)
    application.status = status
    application.closed_at = NOW - timedelta(days=1)
    db.session.commit()


def arrived(application: Application, when: datetime) -> None:
    application.created_at = when
    db.session.commit()


@pytest.fixture
def world(people) -> World:
    hal, rex, ivy = people["hm"], people["recruiter"], people["interviewer"]
    pete = make_user("pete@test.example", "Pete Peer", ["interviewer"])
    zed = make_user("zed@test.example", "Zed Zimmer", ["interviewer"])
    dee = make_user("dee@test.example", "Dee Drafter", ["interviewer"])
    opening = make_opening(hal, rex)
    a1 = make_application(opening, rex, name="Ada One")
    a2 = make_application(opening, rex, name="Ben Two")
    a3 = make_application(opening, rex, name="Cy Three")
    r = [item.requirement_id for item in requirements_of(a1)[:3]]
    for application in (a1, a2, a3):
        arrived(application, D - timedelta(days=7))
        move_to_stage(application, "peer")

    # Ivy: the director's slot, 60 minutes, 09:00 on D, D+1, D+2
    i1 = interview(a1, [ivy], at(0, 9), 60, "director")
    i2 = interview(a2, [ivy], at(1, 9), 60, "director")
    i3 = interview(a3, [ivy], at(2, 9), 60, "director")
    card(i1, ivy, ("SY", "SY", "NA"), "yes", at(0, 12), r)
    card(i2, ivy, ("SY", "SY"), "yes", at(1, 20), r)
    card(i3, ivy, ("Y", "Y"), "strong_yes", at(3, 14), r)
    # Pete: peers, 45 minutes, 13:00 on D and D+1
    p1 = interview(a1, [pete, dee], at(0, 13), 45)
    p2 = interview(a2, [pete], at(1, 13), 45)
    card(p1, pete, ("SN", "SN"), "definitely_not", at(0, 13, 30), r)
    card(p2, pete, ("SN", "N"), "no", at(1, 16, 45), r)
    card(p1, dee, ("SN",), "definitely_not", at(0, 14), r, status="draft")
    # Zed: 60 minutes, 15:00 on D and D+1
    z1 = interview(a1, [zed], at(0, 15), 60)
    z2 = interview(a2, [zed], at(1, 15), 60)
    card(z1, zed, ("Y", "SY"), "strong_yes", at(1, 22), r)
    card(z2, zed, ("N", "N"), "no", at(2, 18), r)

    close(a1, "hired", "hired")
    close(a2, "rejected", "decision")
    close(a3, "withdrawn", "director")
    return World(opening, a1, a2, a3, r, ivy, pete, zed, hal, rex)


def scope(viewer: User, everyone: bool = True, **filters: Any) -> Scope:
    return Scope(viewer, ReportFilter(**filters), everyone=everyone, now=NOW)


def table(section: Section) -> dict[str, dict[str, Any]]:
    """The section's rows by interviewer name, each as {column key: value}."""
    keys = [c.key for c in section.columns]
    return {row[0]: dict(zip(keys, row, strict=True)) for row in section.rows}


def lean_figures(section: Section) -> dict[str, tuple]:
    return {
        name: (
            row["rated"],
            row["shared"],
            row["own"],
            row["panel"],
            row["difference"],
            row["lean"],
        )
        for name, row in table(section).items()
    }


def approx_rows(expected: dict[str, tuple]) -> dict[str, tuple]:
    return {
        name: tuple(pytest.approx(v) if isinstance(v, float) else v for v in row)
        for name, row in expected.items()
    }


# --- the sections, as the hiring manager sees them -----------------------------------------


def test_sections_in_page_order() -> None:
    assert [key for key, _ in SECTIONS] == [
        "calibration-ratings",
        "calibration-lean",
        "calibration-agreement",
        "calibration-turnaround",
    ]


def test_rating_distribution_counts_submitted_ratings(world: World) -> None:
    rows = table(rating_distribution(scope(world.hal)))
    # (scorecards, strong no, no, yes, strong yes, not assessed); Dee's draft is nowhere
    assert {
        name: (
            r["scorecards"],
            r["strong_no"],
            r["no"],
            r["yes"],
            r["strong_yes"],
            r["not_assessed"],
        )
        for name, r in rows.items()
    } == {
        "Ivy Interviewer": (3, 0, 0, 2, 4, 1),
        "Pete Peer": (2, 3, 1, 0, 0, 0),
        "Zed Zimmer": (2, 0, 2, 1, 1, 0),
    }


def test_lean_compares_each_mean_with_the_rest_of_the_panel(world: World) -> None:
    section = panel_lean(scope(world.hal))
    assert list(table(section)) == ["Ivy Interviewer", "Pete Peer", "Zed Zimmer"]
    # (rated, shared, own, panel, difference, reads as): A3 is Ivy's alone, so it is
    # rated but not shared and its two Yes (3) stay out of her 4.00; her Not assessed
    # counts nowhere
    assert lean_figures(section) == approx_rows(
        {
            "Ivy Interviewer": (3, 2, 4.0, 2.0, 2.0, "Lenient"),
            "Pete Peer": (2, 2, 1.25, 3.375, -2.125, "Harsh"),
            "Zed Zimmer": (2, 2, 2.75, 2.625, 0.125, "In line"),
        }
    )
    assert section.chart is not None and section.chart.values == ("difference",)


def test_lean_with_nobody_to_compare_with(world: World) -> None:
    # Only Ivy has rated A3; narrowed to its interview day she has no panel
    section = panel_lean(scope(world.hal, since=at(2, 0), until=at(3, 0)))
    assert lean_figures(section) == {
        "Ivy Interviewer": (1, 0, None, None, None, "No shared applications"),
    }


def test_agreement_with_the_final_decision(world: World) -> None:
    rows = table(agreement(scope(world.hal)))
    # (decided, agreed, rate, said yes and rejected, said no and hired); A3 was withdrawn:
    # Ivy's Strong yes on it is left out
    assert {
        name: (r["decided"], r["agreed"], r["rate"], r["yes_rejected"], r["no_hired"])
        for name, r in rows.items()
    } == {
        "Ivy Interviewer": (2, 1, 0.5, 1, 0),  # yes on hired A1, yes on rejected A2
        "Pete Peer": (2, 1, 0.5, 0, 1),  # definitely not on hired A1, no on rejected A2
        "Zed Zimmer": (2, 2, 1.0, 0, 0),  # strong yes on hired A1, no on rejected A2
    }


def test_agreement_leaves_out_active_applications(world: World) -> None:
    a4 = make_application(world.opening, world.rex, name="Dot Four")
    move_to_stage(a4, "director")
    held = interview(a4, [world.ivy], at(3, 9), 60, "director")
    card(held, world.ivy, ("Y",), "no", at(3, 11), world.r)
    rows = table(agreement(scope(world.hal)))
    assert (rows["Ivy Interviewer"]["decided"], rows["Ivy Interviewer"]["agreed"]) == (2, 1)


def test_turnaround_from_the_end_of_the_interview(world: World) -> None:
    rows = table(turnaround(scope(world.hal)))
    # (scorecards, median, 90th percentile, later than 24 hours)
    assert {
        name: (r["scorecards"], r["median"], r["p90"], r["late"]) for name, r in rows.items()
    } == {
        # 2 h, 10 h, 28 h: the middle one; the 90th percentile of three is the third
        "Ivy Interviewer": (3, pytest.approx(10 * HOUR), pytest.approx(28 * HOUR), 1),
        # submitted 15 minutes before the planned end: 0, not -0.25 h; and 3 h
        "Pete Peer": (2, pytest.approx(1.5 * HOUR), pytest.approx(3 * HOUR), 0),
        # 30 h and 26 h
        "Zed Zimmer": (2, pytest.approx(28 * HOUR), pytest.approx(30 * HOUR), 2),
    }


def test_turnaround_times_the_first_submission_not_an_amendment(world: World) -> None:
    """An amendment adds a revision; submitted_at, the first submission, stays."""
    from tracker.domain.scoring import Rating, RatingInput, Recommendation
    from tracker.services import scorecards

    a4 = make_application(world.opening, world.rex, name="Dot Four")
    move_to_stage(a4, "peer")
    held = interview(a4, [world.zed], at(4, 9), 45)
    focus = [f.requirement_id for f in scorecards.focus_for(held)]
    ratings = [RatingInput(rid, Rating.YES) for rid in focus]
    first = scorecards.save(
        held, world.zed, ratings, Recommendation.YES, "", submit=True, now=at(4, 10, 45)
    )
    scorecards.amend(
        first,
        world.zed,
        [RatingInput(rid, Rating.NO) for rid in focus],
        Recommendation.NO,
        "",
        "Second thoughts",
        now=at(9, 9, 45),
    )
    rows = table(turnaround(scope(world.hal)))
    # Zed: 30 h, 26 h and now 1 h (not the 5 days of the amendment)
    assert rows["Zed Zimmer"]["scorecards"] == 3
    assert rows["Zed Zimmer"]["median"] == pytest.approx(26 * HOUR)
    assert rows["Zed Zimmer"]["late"] == 2


# --- filters -----------------------------------------------------------------------------


def test_dates_filter_on_when_the_interview_was_held(world: World) -> None:
    """Narrowed to day D+1 only the A2 interviews count, though A2 arrived days before."""
    s = scope(world.hal, since=at(1, 0), until=at(2, 0))
    assert {n: r["scorecards"] for n, r in table(rating_distribution(s)).items()} == {
        "Ivy Interviewer": 1,
        "Pete Peer": 1,
        "Zed Zimmer": 1,
    }
    # on A2 alone: Ivy 4 against (1+2+2+2)/4 = 1.75; Pete 1.5 against (4+4+2+2)/4 = 3.00;
    # Zed 2.0 against (4+4+1+2)/4 = 2.75
    assert lean_figures(panel_lean(s)) == approx_rows(
        {
            "Ivy Interviewer": (1, 1, 4.0, 1.75, 2.25, "Lenient"),
            "Pete Peer": (1, 1, 1.5, 3.0, -1.5, "Harsh"),
            "Zed Zimmer": (1, 1, 2.0, 2.75, -0.75, "Harsh"),
        }
    )
    assert {n: (r["decided"], r["agreed"]) for n, r in table(agreement(s)).items()} == {
        "Ivy Interviewer": (1, 0),
        "Pete Peer": (1, 1),
        "Zed Zimmer": (1, 1),
    }
    assert {n: r["median"] for n, r in table(turnaround(s)).items()} == {
        "Ivy Interviewer": pytest.approx(10 * HOUR),
        "Pete Peer": pytest.approx(3 * HOUR),
        "Zed Zimmer": pytest.approx(26 * HOUR),
    }


def test_opening_filter(world: World, people) -> None:
    other = make_opening(people["hm"], people["recruiter"], title="Second opening")
    b1 = make_application(other, people["recruiter"], name="Bea Other")
    move_to_stage(b1, "director")
    held = interview(b1, [world.pete], at(0, 9), 60, "director")
    card(held, world.pete, ("SY", "SY"), "yes", at(0, 11), world.r)

    everything = table(rating_distribution(scope(world.hal)))
    assert everything["Pete Peer"]["scorecards"] == 3
    narrowed = scope(world.hal, opening_id=other.id)
    for build in (rating_distribution, panel_lean, turnaround):
        assert list(table(build(narrowed))) == ["Pete Peer"], build.__name__
    # Pete alone on B1: nothing shared, his 4.00 has no panel to compare with
    assert lean_figures(panel_lean(narrowed)) == {
        "Pete Peer": (1, 0, None, None, None, "No shared applications")
    }
    # the first opening's figures are as before
    first = scope(world.hal, opening_id=world.opening.id)
    assert table(rating_distribution(first))["Pete Peer"]["scorecards"] == 2


# --- who sees whose figures ------------------------------------------------------------------


def every_section(s: Scope) -> dict[str, Section]:
    return {key: build(s) for key, build in SECTIONS}


def test_an_interviewer_sees_only_their_own_row(world: World) -> None:
    sections = every_section(scope(world.ivy, everyone=False))
    for key, section in sections.items():
        assert list(table(section)) == ["Ivy Interviewer"], key
    # her figures are the same as in her manager's view: the panel still counts
    assert lean_figures(sections["calibration-lean"]) == approx_rows(
        {"Ivy Interviewer": (3, 2, 4.0, 2.0, 2.0, "Lenient")}
    )
    assert table(sections["calibration-agreement"])["Ivy Interviewer"]["rate"] == 0.5
    assert table(sections["calibration-turnaround"])["Ivy Interviewer"]["late"] == 1


def test_a_recruiter_sees_only_their_own_row(world: World) -> None:
    """Rex screened A1 (30 minutes from 08:00, submitted 09:30: 1 h), rating Yes, Yes.
    His panel on A1 is Ivy 4, 4, Pete 1, 1, Zed 3, 4: 17/6 = 2.833; 3.00 is In line."""
    held = interview(world.a1, [world.rex], at(0, 8), 30, "recruiter_screen")
    card(held, world.rex, ("Y", "Y"), "yes", at(0, 9, 30), world.r)
    sections = every_section(scope(world.rex, everyone=False))
    for key, section in sections.items():
        assert list(table(section)) == ["Rex Recruiter"], key
    assert lean_figures(sections["calibration-lean"]) == approx_rows(
        {"Rex Recruiter": (1, 1, 3.0, 17 / 6, 3.0 - 17 / 6, "In line")}
    )
    assert table(sections["calibration-agreement"])["Rex Recruiter"]["rate"] == 1.0
    assert table(sections["calibration-turnaround"])["Rex Recruiter"]["median"] == (
        pytest.approx(1 * HOUR)
    )


def test_hiring_managers_see_everyone_on_their_own_openings_only(world: World, people) -> None:
    """Hana's opening: Ivy and Wes both interviewed Bo; Wes interviews nowhere else."""
    wes = make_user("wes@test.example", "Wes West", ["interviewer"])
    theirs = make_opening(people["other_hm"], people["other_recruiter"], title="Theirs")
    bo = make_application(theirs, people["other_recruiter"], name="Bo Elsewhere")
    move_to_stage(bo, "director")
    for who, hour, ratings in ((world.ivy, 9, ("N", "N")), (wes, 11, ("Y", "Y"))):
        held = interview(bo, [who], at(0, hour), 60, "director")
        card(held, who, ratings, "no", at(0, hour + 2), world.r)

    hal = every_section(scope(world.hal))
    for key, section in hal.items():
        assert list(table(section)) == ["Ivy Interviewer", "Pete Peer", "Zed Zimmer"], key
    # Ivy's figures on Hal's opening only: Bo is not in them
    assert table(hal["calibration-ratings"])["Ivy Interviewer"]["scorecards"] == 3
    assert lean_figures(hal["calibration-lean"])["Ivy Interviewer"][:2] == (3, 2)

    hana = every_section(scope(people["other_hm"]))
    assert list(table(hana["calibration-ratings"])) == ["Ivy Interviewer", "Wes West"]
    # Bo alone: Ivy 2.00 against Wes's 3.00, Wes 3.00 against Ivy's 2.00
    assert lean_figures(hana["calibration-lean"]) == approx_rows(
        {
            "Ivy Interviewer": (1, 1, 2.0, 3.0, -1.0, "Harsh"),
            "Wes West": (1, 1, 3.0, 2.0, 1.0, "Lenient"),
        }
    )
    # Bo is still active: no agreement figures on Hana's opening
    assert hana["calibration-agreement"].rows == ()

    admin = every_section(scope(people["admin"]))
    assert list(table(admin["calibration-ratings"])) == [
        "Ivy Interviewer",
        "Pete Peer",
        "Wes West",
        "Zed Zimmer",
    ]
    assert table(admin["calibration-ratings"])["Ivy Interviewer"]["scorecards"] == 4


# --- independent judgement ---------------------------------------------------------------------

# Hal still owes his scorecard on A2 (his interview there has none). Other people's
# ratings on A2 must reach no figure of his:
#   ratings  Ivy 2 scorecards (A1, A3), Pete 1, Zed 1
#   lean     Ivy rated A1, A3, shared A1: 4.00 against (1+1+3+4)/4 = 2.25: +1.75
#            Pete 1.00 against (4+4+3+4)/4 = 3.75: -2.75; Zed 3.50 against 2.50: +1.00
#   agreement only A1: Ivy yes/hired 1 of 1; Pete definitely not/hired 0 of 1; Zed 1 of 1
#   turnaround Ivy 2 h and 28 h; Pete 0; Zed 30 h
WITHHELD_A2 = {
    "calibration-ratings": {"Ivy Interviewer": 2, "Pete Peer": 1, "Zed Zimmer": 1},
    "calibration-lean": {
        "Ivy Interviewer": (2, 1, 4.0, 2.25, 1.75, "Lenient"),
        "Pete Peer": (1, 1, 1.0, 3.75, -2.75, "Harsh"),
        "Zed Zimmer": (1, 1, 3.5, 2.5, 1.0, "Lenient"),
    },
    "calibration-agreement": {"Ivy Interviewer": 1.0, "Pete Peer": 0.0, "Zed Zimmer": 1.0},
    "calibration-turnaround": {"Ivy Interviewer": 2, "Pete Peer": 1, "Zed Zimmer": 1},
}


def figures_with_a2_withheld(s: Scope) -> dict[str, dict]:
    sections = every_section(s)
    return {
        "calibration-ratings": {
            n: r["scorecards"] for n, r in table(sections["calibration-ratings"]).items()
        },
        "calibration-lean": lean_figures(sections["calibration-lean"]),
        "calibration-agreement": {
            n: r["rate"] for n, r in table(sections["calibration-agreement"]).items()
        },
        "calibration-turnaround": {
            n: r["scorecards"] for n, r in table(sections["calibration-turnaround"]).items()
        },
    }


def expected_withheld() -> dict[str, dict]:
    return {**WITHHELD_A2, "calibration-lean": approx_rows(WITHHELD_A2["calibration-lean"])}


def test_a_hiring_manager_who_owes_feedback_sees_none_of_the_others_on_it(world: World) -> None:
    interview(world.a2, [world.hal], at(1, 11), 60, "director")  # no scorecard from Hal
    assert figures_with_a2_withheld(scope(world.hal)) == expected_withheld()


def test_independence_holds_when_the_application_arrived_before_the_date_range(
    world: World,
) -> None:
    """The dates are on the interviews; A2 arrived a week before them. Narrowing to the
    interview days must not let the others' ratings on A2 back in."""
    interview(world.a2, [world.hal], at(1, 11), 60, "director")
    narrowed = scope(world.hal, since=at(0, 0), until=at(5, 0))
    assert figures_with_a2_withheld(narrowed) == expected_withheld()


def test_the_viewers_own_figures_count_where_they_still_owe(world: World) -> None:
    """Ivy still owes a second scorecard on A2: her own A2 ratings stay in her figures,
    the others' on A2 do not, so only A1 is shared: 4.00 against (1+1+3+4)/4 = 2.25."""
    interview(world.a2, [world.ivy], at(1, 17), 60, "director")
    sections = every_section(scope(world.ivy, everyone=False))
    assert table(sections["calibration-ratings"])["Ivy Interviewer"]["scorecards"] == 3
    assert lean_figures(sections["calibration-lean"]) == approx_rows(
        {"Ivy Interviewer": (3, 1, 4.0, 2.25, 1.75, "Lenient")}
    )
    assert table(sections["calibration-agreement"])["Ivy Interviewer"]["decided"] == 2


# --- empty states ---------------------------------------------------------------------------------


def test_someone_without_interviews_is_told_what_to_do(world: World) -> None:
    nina = make_user("nina@test.example", "Nina New", ["interviewer"])
    for key, section in every_section(scope(nina, everyone=False)).items():
        assert section.rows == (), key
        assert section.empty.startswith("You have no submitted scorecards"), key
        assert "once you submit scorecards" in section.empty, key


def test_a_manager_with_nothing_in_range_is_told_what_to_do(world: World) -> None:
    for key, section in every_section(scope(world.hal, since=at(30, 0))).items():
        assert section.rows == (), key
        assert section.empty.startswith("No submitted scorecards"), key
        assert "widen the filters" in section.empty, key


# --- a fixed number of queries -----------------------------------------------------------------


def queries_per_section(s_factory) -> dict[str, int]:
    """Each section's queries on a fresh scope (its withheld applications not yet known),
    the viewer loaded as a request's signed-in user is."""
    rating_distribution(s_factory())
    counts = {}
    for key, build in SECTIONS:
        s = s_factory()
        with recorded_queries() as statements:
            build(s)
        counts[key] = len(statements)
    return counts


def grow(world: World, people, copies: int) -> None:
    """More applications, interviewers and scorecards, on two openings."""
    other = make_opening(people["other_hm"], people["other_recruiter"], title="More")
    for n in range(copies):
        extra = make_user(f"extra{n}@test.example", f"Extra {n}", ["interviewer"])
        for opening in (world.opening, other):
            application = make_application(opening, people["recruiter"], name=f"More {n}")
            move_to_stage(application, "director")
            for who, hour in ((extra, 9), (world.ivy, 11)):
                held = interview(application, [who], at(n % 3, hour), 60, "director")
                card(held, who, ("Y", "N", "SY"), "yes", at(n % 3, hour + 5), world.r)
            if n % 2:
                close(application, "rejected", "decision")


def test_query_count_does_not_grow_with_the_data(world: World, people) -> None:
    def plain() -> Scope:
        return scope(world.hal)

    def dated() -> Scope:
        return scope(world.hal, since=at(0, 0), until=at(5, 0))

    def own() -> Scope:
        return scope(world.ivy, everyone=False)

    before = [queries_per_section(f) for f in (plain, dated, own)]
    # one withheld query, then the section's own: ratings 1, lean 1, agreement 1, and
    # turnaround 2 (counts, then the ranks of the median and 90th percentile); the
    # withheld query ignores the date range (see Scope.withheld)
    assert before[0] == {
        "calibration-ratings": 2,
        "calibration-lean": 2,
        "calibration-agreement": 2,
        "calibration-turnaround": 3,
    }
    assert before[1] == before[0] == before[2]
    grow(world, people, 6)
    assert table(rating_distribution(plain()))["Extra 5"]["scorecards"] == 1
    assert [queries_per_section(f) for f in (plain, dated, own)] == before


def test_drafts_never_count(world: World) -> None:
    dee = db.session.scalar(select(User).where(User.email == "dee@test.example"))
    for key, section in every_section(scope(world.hal)).items():
        assert dee.name not in table(section), key
