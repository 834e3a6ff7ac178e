"""The reports decide in SQL which applications' feedback a viewer still owes
(`report_scope.owed_applications`); every other page asks the domain through
`independence.feedback_owed`. Both must give the same answer, case by case and on the
whole demo: otherwise a report could show someone feedback that no other page would.

Only applications with interviews are compared: the reports list no others (they hold no
feedback to withhold)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import and_, exists, select, true

from tests.conftest import app_on_copy_of
from tests.factories import make_application, make_interview, make_opening, make_user, move_to_stage
from tests.review_helpers import write_scorecard
from tracker.extensions import db
from tracker.models import Application, Interview, InterviewStatus, Opening, User
from tracker.models.types import utcnow
from tracker.services.independence import feedback_owed
from tracker.services.report_scope import Scope, owed_applications


def with_interviews(condition):
    return (
        select(Application.id)
        .join(Opening, Opening.id == Application.opening_id)
        .where(exists().where(Interview.application_id == Application.id), condition)
    )


def both_answers(user: User, condition=None) -> tuple[set[int], set[int]]:
    """(the domain's answer, the SQL's answer) over every application with interviews."""
    condition = condition if condition is not None else true()
    in_python = feedback_owed(user, with_interviews(condition))
    in_sql = set(db.session.scalars(owed_applications(user, condition)))
    return in_python, in_sql


Setup = Callable[[Application, dict], None]


def cancel(interview: Interview) -> Interview:
    interview.status = InterviewStatus.CANCELLED
    db.session.commit()
    return interview


def submitted(interview: Interview, author: User, status: str = "submitted") -> None:
    write_scorecard(interview, author, {}, "yes", status=status)


# Each case leaves one application in some state; `who` owes feedback on it (or not) by
# the rules of tracker.domain.independence, which both answers must agree with.
CASES: dict[str, tuple[str, Setup, bool]] = {
    "peer scheduled, nothing submitted": (
        "peer",
        lambda a, p: make_interview(a, [p["peer"]], "Peer interview 1", stage_key="peer"),
        True,
    ),
    "peer submitted": (
        "peer",
        lambda a, p: submitted(make_interview(a, [p["peer"]], stage_key="peer"), p["peer"]),
        False,
    ),
    "peer saved only a draft": (
        "peer",
        lambda a, p: submitted(
            make_interview(a, [p["peer"]], stage_key="peer"), p["peer"], status="draft"
        ),
        True,
    ),
    "peer with two interviews, one submitted": (
        "peer",
        lambda a, p: (
            submitted(
                make_interview(a, [p["peer"]], "Peer interview 1", stage_key="peer"), p["peer"]
            ),
            make_interview(a, [p["peer"]], "Peer interview 2", stage_key="peer"),
        ),
        True,
    ),
    "peer cancelled, still in that stage (c)": (
        "peer",
        lambda a, p: (
            move_to_stage(a, "peer"),
            cancel(make_interview(a, [p["peer"]], stage_key="peer")),
        ),
        True,
    ),
    "peer cancelled, application moved on": (
        "peer",
        lambda a, p: (
            cancel(make_interview(a, [p["peer"]], stage_key="peer")),
            move_to_stage(a, "director"),
        ),
        False,
    ),
    "peer cancelled, application back a stage": (
        "peer",
        lambda a, p: (
            cancel(make_interview(a, [p["peer"]], stage_key="peer")),
            move_to_stage(a, "hiring_manager"),
        ),
        False,
    ),
    "peer cancelled, rebooked and submitted": (
        "peer",
        lambda a, p: (
            move_to_stage(a, "peer"),
            cancel(make_interview(a, [p["peer"]], "Peer interview 1", stage_key="peer")),
            submitted(
                make_interview(a, [p["peer"]], "Peer interview 1", stage_key="peer"), p["peer"]
            ),
        ),
        False,
    ),
    "peer cancelled, submitted only for the other peer interview": (
        "peer",
        lambda a, p: (
            move_to_stage(a, "peer"),
            cancel(make_interview(a, [p["peer"]], "Peer interview 1", stage_key="peer")),
            submitted(
                make_interview(a, [p["other"]], "Peer interview 2", stage_key="peer"), p["peer"]
            ),
        ),
        True,
    ),
    "HM, screen held by the recruiter, own interview ahead (b)": (
        "hm",
        lambda a, p: (
            move_to_stage(a, "recruiter_screen"),
            make_interview(a, [p["recruiter"]], stage_key="recruiter_screen"),
        ),
        True,
    ),
    "HM, rejected at the screen, own interview never held (b)": (
        "hm",
        lambda a, p: (
            move_to_stage(a, "recruiter_screen"),
            make_interview(a, [p["recruiter"]], stage_key="recruiter_screen"),
            setattr(a, "status", "rejected"),
            setattr(a, "rejection_reason", "other"),
            db.session.commit(),
        ),
        True,
    ),
    "HM, in their stage, scheduled, not submitted": (
        "hm",
        lambda a, p: (
            move_to_stage(a, "hiring_manager"),
            make_interview(a, [p["hm"]], stage_key="hiring_manager"),
        ),
        True,
    ),
    "HM, in their stage, submitted": (
        "hm",
        lambda a, p: (
            move_to_stage(a, "hiring_manager"),
            submitted(make_interview(a, [p["hm"]], stage_key="hiring_manager"), p["hm"]),
        ),
        False,
    ),
    "HM, their interview cancelled in its stage": (
        "hm",
        lambda a, p: (
            move_to_stage(a, "hiring_manager"),
            cancel(make_interview(a, [p["hm"]], stage_key="hiring_manager")),
        ),
        True,
    ),
    "HM, submitted on the interview that was then cancelled": (
        "hm",
        lambda a, p: (
            move_to_stage(a, "hiring_manager"),
            submitted(cancel(make_interview(a, [p["hm"]], stage_key="hiring_manager")), p["hm"]),
        ),
        False,
    ),
    "HM, moved past their stage without them": (
        "hm",
        lambda a, p: (
            move_to_stage(a, "peer"),
            make_interview(a, [p["peer"]], stage_key="peer"),
        ),
        False,
    ),
    "HM, past their stage, a peer interview of theirs open": (
        "hm",
        lambda a, p: (
            move_to_stage(a, "peer"),
            make_interview(a, [p["hm"]], stage_key="peer"),
        ),
        True,
    ),
    "someone with no part in it": (
        "other",
        lambda a, p: make_interview(a, [p["peer"]], stage_key="peer"),
        False,
    ),
}


@pytest.fixture
def cast(people) -> dict:
    return {
        "hm": people["hm"],
        "recruiter": people["recruiter"],
        "peer": people["interviewer"],
        "other": make_user("other@test.example", "Olly Other", ["interviewer"]),
    }


@pytest.mark.parametrize("case", CASES)
def test_each_case_gets_the_same_answer(people, cast, case) -> None:
    who, setup, owes = CASES[case]
    opening = make_opening(people["hm"], people["recruiter"])
    application = make_application(opening, people["recruiter"])
    setup(application, cast)
    for name, user in cast.items():
        in_python, in_sql = both_answers(user)
        assert in_sql == in_python, (case, name)
    assert (application.id in both_answers(cast[who])[1]) is owes


def test_all_cases_together_and_the_active_only(people, cast) -> None:
    """Every case on one opening at once, and narrowed to the active applications as the
    pipeline report's Scorecards due asks (Scope.withheld(active_only=True))."""
    opening = make_opening(people["hm"], people["recruiter"])
    for _who, setup, _owes in CASES.values():
        setup(make_application(opening, people["recruiter"]), cast)
    active = Application.status == "active"
    for user in cast.values():
        assert both_answers(user)[1] == both_answers(user)[0]
        assert both_answers(user, active)[1] == both_answers(user, active)[0]
        assert Scope(user, now=utcnow() + timedelta(days=1)).withheld(
            active_only=True
        ) == frozenset(both_answers(user, and_(active, Scope(user).openings()))[0])


@contextmanager
def on_the_demo(demo_database, tmp_path) -> Iterator[None]:
    with contextmanager(app_on_copy_of)(demo_database(1), tmp_path):
        yield


def test_the_whole_demo_gets_the_same_answers(demo_database, tmp_path) -> None:
    with on_the_demo(demo_database, tmp_path):
        checked = 0
        for user in db.session.scalars(select(User).order_by(User.id)):
            in_python, in_sql = both_answers(user)
            assert in_sql == in_python, user.email
            checked += len(in_python)
        assert checked > 20  # the demo has owed feedback to compare
