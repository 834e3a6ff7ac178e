"""The pipeline report's sections on the real database, over a hand-built data set whose
figures are worked out by hand below (and in each test).

Time runs from T, Monday 4 March 2024 09:00 UTC; "day n" is T + n days; NOW is day 28,
Monday 1 April. Two openings:

Opening A, "Staff SIRT" (Hal the hiring manager, Rex the recruiter; security engineer, staff):
  Ada   referral      applied 0, screen 2, HM 5, peer 9, director 12, decision 13, offer 15,
                      hired 16
  Ben   job board     applied 1, screen 2, HM 4, back to screen 5, HM 6, rejected 8
                      (requirement gap)
  Cat   job board     applied 2, screen 3, withdrawn by the candidate 6
  Dan   careers page  applied 3, rejected 4 (not qualified for the level)
  Eve   referral      applied 4, screen 5, rejected 7 (failed to respond), reopened 10,
                      HM 12, still there
  Fay   sourced       applied 5, screen 8, withdrawn by us 9
  Gus   careers page  applied 6, still there
  Kim   referral      applied 7, screen 8.5, HM 9, rejected 11 (requirement gap)
  Lou   sourced       applied 6, screen 8, HM 10, rejected 12 (compensation)
  Cat again (the same candidate as Cat) applied 20, still there

Opening B, "Distinguished" (Hana and Ola; distinguished engineer):
  Hugo  agency        applied 1, screen 3, rejected 5 (compensation)
  Iris  agency        applied 2, still there
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.factories import make_interview, make_opening, make_user
from tests.queries import recorded_queries
from tests.review_helpers import write_scorecard
from tracker.domain import pipeline
from tracker.domain.pipeline import (
    ApplicationState,
    Move,
    MoveRequest,
    RejectionReason,
    Status,
    Withdrawer,
)
from tracker.domain.reports import DAY, Section
from tracker.extensions import db
from tracker.models import (
    Application,
    Candidate,
    Interview,
    InterviewStatus,
    Opening,
    StageEventRecord,
    User,
    normalize_email,
)
from tracker.services.applications import apply_event
from tracker.services.candidates import APPLY_MOVE
from tracker.services.openings import stages_for_rules
from tracker.services.pipeline_report import SECTIONS
from tracker.services.report_scope import ReportFilter, Scope

T = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
NOW = T + timedelta(days=28)
HOUR = timedelta(hours=1)

ADVANCE = MoveRequest(Move.ADVANCE)
DECIDE = MoveRequest(Move.ADVANCE, by_decision=True)  # out of Decision: the HM's decision
BACK = MoveRequest(Move.BACK)
HIRE = MoveRequest(Move.HIRE)
REOPEN = MoveRequest(Move.REOPEN, note="They answered after all.")


def reject(reason: RejectionReason) -> MoveRequest:
    return MoveRequest(Move.REJECT, reason, note="Not for this opening.")


def withdraw(by: Withdrawer) -> MoveRequest:
    return MoveRequest(Move.WITHDRAW, withdrawn_by=by, note="Withdrawn.")


def day(n: float) -> datetime:
    return T + timedelta(days=n)


def days(n: float) -> float:
    """A duration as the report holds it: seconds."""
    return n * DAY


# --- Building the data -------------------------------------------------------------------------


def candidate(name: str, source: str) -> Candidate:
    email = f"{name.lower().replace(' ', '.')}@cand.example"
    return Candidate(name=name, email=email, email_normalized=normalize_email(email), source=source)


def apply(opening: Opening, person: Candidate, on: float, actor: User) -> Application:
    """An application arriving on day `on`, with its "apply" event (as add_to_opening
    records it, but at a chosen time)."""
    first = opening.stages[0]
    application = Application(
        candidate=person, opening=opening, stage=first, created_at=day(on), updated_at=day(on)
    )
    db.session.add(application)
    db.session.add(
        StageEventRecord(
            application=application,
            actor_id=actor.id,
            at=day(on),
            move=APPLY_MOVE,
            to_stage=first,
            from_status=None,
            to_status=Status.ACTIVE.value,
        )
    )
    return application


def walk(application: Application, actor: User, *steps: tuple[float, MoveRequest]) -> None:
    """Moves through the real pipeline rules, each on its day; stage events are written
    once, with their time, as the history is append-only."""
    by_key = {stage.key: stage for stage in application.opening.stages}
    rules = stages_for_rules(application.opening)
    for on, request in steps:
        state = ApplicationState(application.stage.key, Status(application.status))
        event = pipeline.apply_move(rules, state, request, actor.id, day(on))
        db.session.add(apply_event(application, event, by_key))


@dataclass
class Data:
    a: Opening
    b: Opening
    apps: dict[str, Application]
    hal: User
    rex: User
    ivy: User
    pete: User
    hana: User
    ola: User
    admin: User


def build_pipelines(people: dict) -> Data:
    hal, rex = people["hm"], people["recruiter"]
    hana, ola = people["other_hm"], people["other_recruiter"]
    a = make_opening(hal, rex, title="Staff SIRT")
    b = make_opening(
        hana,
        ola,
        title="Distinguished",
        role="distinguished-engineer",
        level="distinguished",
        specialty="secure",
    )
    cat = candidate("Cat", "job_board")
    apps = {
        "ada": apply(a, candidate("Ada", "referral"), 0, rex),
        "ben": apply(a, candidate("Ben", "job_board"), 1, rex),
        "cat": apply(a, cat, 2, rex),
        "dan": apply(a, candidate("Dan", "careers_page"), 3, rex),
        "eve": apply(a, candidate("Eve", "referral"), 4, rex),
        "fay": apply(a, candidate("Fay", "sourced"), 5, rex),
        "gus": apply(a, candidate("Gus", "careers_page"), 6, rex),
        "kim": apply(a, candidate("Kim", "referral"), 7, rex),
        "lou": apply(a, candidate("Lou", "sourced"), 6, rex),
        "hugo": apply(b, candidate("Hugo", "agency"), 1, ola),
        "iris": apply(b, candidate("Iris", "agency"), 2, ola),
    }
    walk(
        apps["ada"],
        rex,
        (2, ADVANCE),
        (5, ADVANCE),
        (9, ADVANCE),
        (12, ADVANCE),
        (13, ADVANCE),
        (15, DECIDE),
        (16, HIRE),
    )
    walk(
        apps["ben"],
        rex,
        (2, ADVANCE),
        (4, ADVANCE),
        (5, BACK),
        (6, ADVANCE),
        (8, reject(RejectionReason.REQUIREMENT_GAP)),
    )
    walk(apps["cat"], rex, (3, ADVANCE), (6, withdraw(Withdrawer.CANDIDATE)))
    walk(apps["dan"], rex, (4, reject(RejectionReason.NOT_QUALIFIED_FOR_LEVEL)))
    walk(
        apps["eve"],
        rex,
        (5, ADVANCE),
        (7, reject(RejectionReason.FAILED_TO_RESPOND)),
        (10, REOPEN),
        (12, ADVANCE),
    )
    walk(apps["fay"], rex, (8, ADVANCE), (9, withdraw(Withdrawer.COMPANY)))
    walk(
        apps["kim"],
        rex,
        (8.5, ADVANCE),
        (9, ADVANCE),
        (11, reject(RejectionReason.REQUIREMENT_GAP)),
    )
    walk(
        apps["lou"],
        rex,
        (8, ADVANCE),
        (10, ADVANCE),
        (12, reject(RejectionReason.COMPENSATION)),
    )
    walk(apps["hugo"], ola, (3, ADVANCE), (5, reject(RejectionReason.COMPENSATION)))
    db.session.commit()  # Cat's first application is closed: she may apply again
    apps["cat2"] = apply(a, cat, 20, rex)
    db.session.commit()
    return Data(
        a=a,
        b=b,
        apps=apps,
        hal=hal,
        rex=rex,
        ivy=people["interviewer"],
        pete=make_user("pete@test.example", "Pete Peer", ["interviewer"]),
        hana=hana,
        ola=ola,
        admin=people["admin"],
    )


def interview(
    application: Application,
    who: list[User],
    starts_at: datetime,
    stage_key: str,
    name: str | None = None,
) -> Interview:
    return make_interview(application, who, name, starts_at=starts_at, stage_key=stage_key)


def add_interviews(d: Data) -> dict[str, Interview]:
    """Interviews and scorecards (durations from the plan: screen 30 min, HM 60, peer 45).

    I1  Eve   screen  day 5, Sat 9 Mar (week of 4 Mar)       Rex         submitted
    I2  Eve   HM      NOW - 2 days, Sat 30 Mar (w. 25 Mar)   Hal, Ivy    Hal none, Ivy draft
    I3  Gus   screen  NOW - 24 h, Sun 31 Mar (w. 25 Mar)     Ivy         none: ended 23.5 h ago
    I4  Cat2  screen  NOW - 25 h, Sun 31 Mar (w. 25 Mar)     Pete        none: ended 24.5 h ago
    I5  Cat2  screen  NOW + 1 h, Mon 1 Apr (w. 1 Apr)        Ivy         not started
    I6  Cat2  screen  NOW - 3 days                           Pete        cancelled
    I7  Ben   HM      day 6, Sun 10 Mar (w. 4 Mar)           Hal         none; Ben is rejected
    I8  Ada   HM      day 7, Mon 11 Mar (w. 11 Mar)          Hal         submitted
    I9  Ada   peer 1  day 10, Thu 14 Mar (w. 11 Mar)         Ivy         submitted
    I10 Ada   peer 2  day 11, Fri 15 Mar (w. 11 Mar)         Pete        submitted
    On opening B:
    I11 Hugo  screen  NOW - 2 days                           Ola         none; Hugo is rejected
    I12 Iris  screen  NOW - 3 days                           Ivy         none: overdue
    """
    apps = d.apps
    i = {
        "i1": interview(apps["eve"], [d.rex], day(5), "recruiter_screen"),
        "i2": interview(apps["eve"], [d.hal, d.ivy], NOW - timedelta(days=2), "hiring_manager"),
        "i3": interview(apps["gus"], [d.ivy], NOW - 24 * HOUR, "recruiter_screen"),
        "i4": interview(apps["cat2"], [d.pete], NOW - 25 * HOUR, "recruiter_screen"),
        "i5": interview(apps["cat2"], [d.ivy], NOW + HOUR, "recruiter_screen"),
        "i6": interview(apps["cat2"], [d.pete], NOW - timedelta(days=3), "recruiter_screen"),
        "i7": interview(apps["ben"], [d.hal], day(6), "hiring_manager"),
        "i8": interview(apps["ada"], [d.hal], day(7), "hiring_manager"),
        "i9": interview(apps["ada"], [d.ivy], day(10), "peer", "Peer interview 1"),
        "i10": interview(apps["ada"], [d.pete], day(11), "peer", "Peer interview 2"),
        "i11": interview(apps["hugo"], [d.ola], NOW - timedelta(days=2), "recruiter_screen"),
        "i12": interview(apps["iris"], [d.ivy], NOW - timedelta(days=3), "recruiter_screen"),
    }
    write_scorecard(i["i1"], d.rex, {}, "yes")
    write_scorecard(i["i2"], d.ivy, {}, "yes", status="draft")
    for key, author in (("i8", d.hal), ("i9", d.ivy), ("i10", d.pete)):
        write_scorecard(i[key], author, {}, "yes")
    i["i6"].status = InterviewStatus.CANCELLED
    db.session.commit()
    return i


@pytest.fixture
def data(people) -> Data:
    d = build_pipelines(people)
    add_interviews(d)
    return d


BUILDERS = dict(SECTIONS)


def section(key: str, viewer: User, **filters) -> Section:
    return BUILDERS[key](Scope(viewer, ReportFilter(**filters), now=NOW))


def rows(key: str, viewer: User, **filters) -> list[tuple]:
    return list(section(key, viewer, **filters).rows)


def approx_rows(expected: list[tuple]) -> list:
    """Durations come from date arithmetic in SQL: equal to a fraction of a second."""
    return [pytest.approx(row, abs=1e-3) for row in expected]


# --- The sections, on opening A (Rex, its recruiter, sees only A) ------------------------------


def test_sections_in_page_order() -> None:
    assert [key for key, _build in SECTIONS] == [
        "funnel",
        "stage-time",
        "decision-time",
        "exits",
        "exit-reasons",
        "sources",
        "scorecards-due",
        "interviewer-load",
    ]


def test_funnel(data) -> None:
    # 10 applications; 7 reached the screen (Ada Ben Cat Eve Fay Kim Lou): 70% of them, and
    # 5 of those 7 the HM interview (Ada Ben Eve Kim Lou). Ben went back and forward again
    # and counts once; Ben, Kim and Lou were rejected in it and count as having reached it,
    # as Dan (rejected in Applied) counts there.
    assert rows("funnel", data.rex) == approx_rows(
        [
            ("Applied", 10, 1.0, 0.7),
            ("Recruiter screen", 7, 0.7, 5 / 7),
            ("Hiring manager interview", 5, 0.5, 0.2),
            ("Peer interviews", 1, 0.1, 1.0),
            ("Director / CISO interview", 1, 0.1, 1.0),
            ("Decision", 1, 0.1, 1.0),
            ("Offer", 1, 0.1, 1.0),
            ("Hired", 1, 0.1, None),
        ]
    )


def test_time_in_stage(data) -> None:
    # Applied, completed stays (days): Ada 2, Ben 1, Cat 1, Dan 1 (ended by his rejection),
    # Eve 1, Fay 3, Kim 1.5, Lou 2 -> 1 1 1 1 1.5 2 2 3: median (1 + 1.5) / 2 = 1.25, p90
    # the 8th = 3; Gus and Cat again are still there.
    # Screen: Ada 3, Ben 2 and 1 (after going back), Cat 3 (withdrawn), Eve 2 (rejected) and
    # 2 (after the reopening), Fay 1, Kim 0.5, Lou 2 -> 0.5 1 1 2 2 2 2 3 3: median 2, p90 3.
    # HM: Ada 4, Ben 1 and 2, Kim 2, Lou 2 -> median 2, p90 4; Eve is still there.
    # Hired: a hire closes the application, so no stay starts there.
    assert rows("stage-time", data.rex) == approx_rows(
        [
            ("Applied", 8, days(1.25), days(3), 2),
            ("Recruiter screen", 9, days(2), days(3), 0),
            ("Hiring manager interview", 5, days(2), days(4), 1),
            ("Peer interviews", 1, days(3), days(3), 0),
            ("Director / CISO interview", 1, days(1), days(1), 0),
            ("Decision", 1, days(2), days(2), 0),
            ("Offer", 1, days(1), days(1), 0),
        ]
    )


def test_time_in_stage_lists_a_stage_with_open_stays_only(data) -> None:
    # Filtered to Eve alone (she arrived on day 4): HM holds her, with no completed stay.
    assert rows("stage-time", data.rex, since=day(4), until=day(4.5)) == approx_rows(
        [
            ("Applied", 1, days(1), days(1), 0),
            ("Recruiter screen", 2, days(2), days(2), 0),
            ("Hiring manager interview", 0, None, None, 1),
        ]
    )


def test_time_to_decision(data) -> None:
    # Hired: Ada, 16 days. Rejected: Dan 1, Kim 4, Lou 6, Ben 7 (Eve was reopened and is
    # not decided): median (4 + 6) / 2 = 5, p90 the 4th = 7. All: 1 4 6 7 16: median 6, p90
    # 16. Cat and Fay withdrew: not decisions.
    assert rows("decision-time", data.rex) == approx_rows(
        [
            ("Hired", 1, days(16), days(16)),
            ("Rejected", 4, days(5), days(7)),
            ("All decisions", 5, days(6), days(16)),
        ]
    )


def test_time_to_decision_shows_an_outcome_without_decisions(data) -> None:
    # On opening B only Hugo was decided (rejected after 4 days); nobody was hired.
    assert rows("decision-time", data.ola) == approx_rows(
        [
            ("Hired", 0, None, None),
            ("Rejected", 1, days(4), days(4)),
            ("All decisions", 1, days(4), days(4)),
        ]
    )


def test_exits_by_stage(data) -> None:
    # Applied: Dan rejected. Screen: Cat withdrew, we withdrew Fay. HM: Ben, Kim, Lou
    # rejected. Eve's rejection was reopened: she is not counted.
    assert rows("exits", data.rex) == [
        ("Applied", 1, 0, 0, 1),
        ("Recruiter screen", 0, 1, 1, 2),
        ("Hiring manager interview", 3, 0, 0, 3),
    ]
    assert section("exits", data.rex).chart.stacked


def test_rejection_reasons_by_stage(data) -> None:
    # HM: requirement gap twice (Ben, Kim) of 3, compensation once (Lou).
    assert rows("exit-reasons", data.rex) == approx_rows(
        [
            ("Applied", "Not qualified for the level", 1, 1.0),
            ("Hiring manager interview", "Requirement gap", 2, 2 / 3),
            ("Hiring manager interview", "Compensation", 1, 1 / 3),
        ]
    )


def test_sources(data) -> None:
    # Referral: Ada (hired), Eve, Kim. Job board: Ben, and Cat twice (one candidate).
    # Careers page: Dan, Gus. Sourced: Fay, Lou. Most applications first, then by key.
    assert rows("sources", data.rex) == approx_rows(
        [
            ("Job board", 3, 2, 0, 0.0),
            ("Referral", 3, 3, 1, 1 / 3),
            ("Careers page", 2, 2, 0, 0.0),
            ("Sourced by recruiter", 2, 2, 0, 0.0),
        ]
    )


def test_scorecards_due(data) -> None:
    # Ivy: I3 ended 23.5 h ago (due), I2 two days ago with her draft (overdue). Hal: I2,
    # overdue. Pete: I4 ended 24.5 h ago, overdue. Not counted: I1 and the peer interviews
    # (submitted), I5 (not started), I6 (cancelled), I7 (Ben is rejected).
    assert rows("scorecards-due", data.rex) == [
        ("Ivy Interviewer", 1, 1, 1),
        ("Hal Manager", 0, 1, 0),
        ("Pete Peer", 0, 1, 0),
    ]


def test_overdue_is_a_day_after_the_interview_ended(data) -> None:
    # Half an hour later I3 (a 30-minute call that started 24 h before NOW) is overdue too.
    later = BUILDERS["scorecards-due"](Scope(data.rex, now=NOW + timedelta(minutes=31)))
    assert later.rows[0] == ("Ivy Interviewer", 0, 2, 1)


def test_interviewer_load(data) -> None:
    # Weeks (Mondays) with interviews: 4 Mar to 1 Apr, 5 weeks. Ivy: I2, I3 (a Sunday,
    # still the week of 25 Mar), I5 (Monday 1 Apr, a new week) and I9: 4 interviews in 3
    # weeks, 0.8 a week, busiest the week of 25 Mar with 2. Hal: I7 (Ben's, closed
    # applications count), I8, I2. Pete: I10, I4 (I6 was cancelled). Rex: I1. Ties go to the
    # earliest week.
    load = section("interviewer-load", data.rex)
    assert list(load.rows) == approx_rows(
        [
            ("Ivy Interviewer", 4, 3, 0.8, date(2024, 3, 25), 2),
            ("Hal Manager", 3, 3, 0.6, date(2024, 3, 4), 1),
            ("Pete Peer", 2, 2, 0.4, date(2024, 3, 11), 1),
            ("Rex Recruiter", 1, 1, 0.2, date(2024, 3, 4), 1),
        ]
    )
    assert "5 weeks, from the week of 2024-03-04 to the week of 2024-04-01" in load.notes[0]


def test_interviewer_load_averages_over_the_filters_weeks(data) -> None:
    # 11 to 25 March (exclusive): the weeks of 11 and 18 March, though only the first has
    # interviews (Ada's three): one each, half a week on average.
    load = section(
        "interviewer-load",
        data.rex,
        since=datetime(2024, 3, 11, tzinfo=UTC),
        until=datetime(2024, 3, 25, tzinfo=UTC),
    )
    assert list(load.rows) == approx_rows(
        [
            ("Hal Manager", 1, 1, 0.5, date(2024, 3, 11), 1),
            ("Ivy Interviewer", 1, 1, 0.5, date(2024, 3, 11), 1),
            ("Pete Peer", 1, 1, 0.5, date(2024, 3, 11), 1),
        ]
    )
    assert "2 weeks" in load.notes[0] and "the filter's dates" in load.notes[0]


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Asia/Tokyo"])
def test_interviewer_load_counts_the_viewers_weeks(data, zone: str) -> None:
    # The same two weeks, as a viewer east or west of UTC picks them: their local
    # midnights fall on another UTC day, but the period is still their two weeks.
    local = ZoneInfo(zone)
    load = section(
        "interviewer-load",
        data.rex,
        since=datetime(2024, 3, 11, tzinfo=local),
        until=datetime(2024, 3, 25, tzinfo=local),
    )
    assert "2 weeks, from the week of 2024-03-11 to the week of 2024-03-18" in load.notes[0]


# --- Filters ---------------------------------------------------------------------------------


def test_opening_role_and_level_filters(data) -> None:
    everything = rows("funnel", data.admin)
    assert everything[:2] == approx_rows(
        [("Applied", 12, 1.0, 8 / 12), ("Recruiter screen", 8, 8 / 12, 5 / 8)]
    )
    only_a = rows("funnel", data.rex)
    assert rows("funnel", data.admin, opening_id=data.a.id) == only_a
    assert rows("funnel", data.admin, level_id=data.a.level_id) == only_a
    only_b = approx_rows([("Applied", 2, 1.0, 0.5), ("Recruiter screen", 1, 0.5, None)])
    assert rows("funnel", data.admin, role_id=data.b.role_id) == only_b
    assert rows("funnel", data.admin, opening_id=data.b.id) == only_b
    assert rows("sources", data.admin, role_id=data.b.role_id) == [("Agency", 2, 2, 0, 0.0)]


def test_date_range_filters_on_arrival(data) -> None:
    # Arrived on days 5 to 7: Fay, Gus, Lou and Kim.
    window = {"since": day(5), "until": day(8)}
    assert rows("funnel", data.rex, **window) == approx_rows(
        [
            ("Applied", 4, 1.0, 0.75),
            ("Recruiter screen", 3, 0.75, 2 / 3),
            ("Hiring manager interview", 2, 0.5, None),
        ]
    )
    assert rows("exits", data.rex, **window) == [
        ("Recruiter screen", 0, 0, 1, 1),
        ("Hiring manager interview", 2, 0, 0, 2),
    ]
    # Kim 4 days, Lou 6
    assert rows("decision-time", data.rex, **window) == approx_rows(
        [
            ("Hired", 0, None, None),
            ("Rejected", 2, days(5), days(6)),
            ("All decisions", 2, days(5), days(6)),
        ]
    )


def test_date_range_filters_on_the_interview_start(data) -> None:
    # From NOW - 36 h: I3 (Ivy, due) and I4 (Pete, overdue); I2 started before.
    assert rows("scorecards-due", data.admin, since=NOW - 36 * HOUR) == [
        ("Pete Peer", 0, 1, 0),
        ("Ivy Interviewer", 1, 0, 0),
    ]


# --- Visibility and independence -------------------------------------------------------------


def test_a_recruiter_of_another_opening_sees_only_theirs(data) -> None:
    assert rows("funnel", data.ola) == approx_rows(
        [("Applied", 2, 1.0, 0.5), ("Recruiter screen", 1, 0.5, None)]
    )
    assert rows("exits", data.ola) == [("Recruiter screen", 1, 0, 0, 1)]
    assert rows("exit-reasons", data.ola) == [("Recruiter screen", "Compensation", 1, 1.0)]
    assert rows("sources", data.ola) == [("Agency", 2, 2, 0, 0.0)]
    # Iris's screen by Ivy is overdue; Hugo's is not counted (he is rejected).
    assert rows("scorecards-due", data.ola) == [("Ivy Interviewer", 0, 1, 0)]
    assert rows("interviewer-load", data.ola) == [
        ("Ivy Interviewer", 1, 1, 1.0, date(2024, 3, 25), 1),
        ("Ola Recruiter", 1, 1, 1.0, date(2024, 3, 25), 1),
    ]
    # Rex asking for B by its id still gets nothing of it.
    for key, _build in SECTIONS:
        assert rows(key, data.rex, opening_id=data.b.id) == [], key


def test_a_hiring_manager_sees_only_their_openings(data) -> None:
    assert rows("funnel", data.hal) == rows("funnel", data.rex)
    assert rows("sources", data.hana) == [("Agency", 2, 2, 0, 0.0)]
    assert [r[0] for r in rows("interviewer-load", data.hal)] == [
        "Ivy Interviewer",
        "Hal Manager",
        "Pete Peer",
        "Rex Recruiter",
    ]
    assert rows("funnel", data.hal, opening_id=data.b.id) == []


def test_no_role_sees_nothing(data) -> None:
    for key, _build in SECTIONS:
        assert rows(key, data.ivy) == [], key


def test_scorecards_due_keeps_independence(data) -> None:
    # Hal owes his own feedback on Eve (I2 unsubmitted) and, as the hiring manager whose
    # interview is still ahead, on Gus and Cat again: on them only his own row counts, so
    # Ivy's and Pete's unsubmitted scorecards there stay out of his figures.
    assert rows("scorecards-due", data.hal) == [("Hal Manager", 0, 1, 0)]
    # The same when the dates are on the interviews: those applications arrived earlier,
    # outside the range, and must stay withheld all the same.
    assert rows("scorecards-due", data.hal, since=NOW - timedelta(days=3)) == [
        ("Hal Manager", 0, 1, 0)
    ]
    # Max is past Hal's interview, which Hal has written up: he owes nothing on Max, and
    # Pete's overdue peer interview there counts for him.
    max_ = apply(data.a, candidate("Max", "referral"), 8, data.rex)
    walk(max_, data.rex, (9, ADVANCE), (10, ADVANCE), (11, ADVANCE))
    db.session.commit()
    write_scorecard(interview(max_, [data.hal], day(10), "hiring_manager"), data.hal, {}, "yes")
    interview(max_, [data.pete], NOW - timedelta(days=2), "peer", "Peer interview 1")
    assert rows("scorecards-due", data.hal) == [("Hal Manager", 0, 1, 0), ("Pete Peer", 0, 1, 0)]
    assert rows("scorecards-due", data.rex)[0] == ("Pete Peer", 0, 2, 0)


# --- Empty scopes and query counts ---------------------------------------------------------


def test_every_section_is_empty_with_a_next_step(people) -> None:
    opening = make_opening(people["hm"], people["recruiter"], title="Nobody yet")
    for key, build in SECTIONS:
        built = build(Scope(people["recruiter"], ReportFilter(opening_id=opening.id), now=NOW))
        assert built.key == key
        assert built.rows == ()
        assert built.empty and built.description


def test_query_counts_do_not_grow_with_the_data(people) -> None:
    d = build_pipelines(people)
    add_interviews(d)

    def counts() -> dict[str, int]:
        out = {}
        for key, build in SECTIONS:
            db.session.expire_all()
            scope = Scope(d.hal, now=NOW)
            scope.openings()  # load the viewer's roles, as the page has already done
            with recorded_queries() as statements:
                built = build(scope)
            assert built.rows, key
            out[key] = len(statements)
        return out

    small = counts()
    assert small == {
        "funnel": 1,
        "stage-time": 2,
        "decision-time": 1,
        "exits": 1,
        "exit-reasons": 1,
        "sources": 1,
        "scorecards-due": 2,  # independence, then the counts
        "interviewer-load": 1,
    }
    # Twice the candidates, stays, decisions and interviews, on more interviewers.
    more = make_user("mo@test.example", "Mo More", ["interviewer"])
    for n in range(12):
        application = apply(d.a, candidate(f"Extra {n}", "event"), n, d.rex)
        walk(
            application,
            d.rex,
            (n + 1, ADVANCE),
            (n + 2, ADVANCE),
            (n + 3, reject(RejectionReason.OTHER) if n % 2 else ADVANCE),
        )
        db.session.commit()
        interview(application, [more, d.ivy], day(n + 1.5), "recruiter_screen")
    assert counts() == small
