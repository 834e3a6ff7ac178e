"""Real concurrent writers on the test's database: each thread has its own app context,
session and connection, and a barrier lines them up so that all have read the same state
before any of them writes. Of simultaneous moves exactly one is written; the same
scorecard or amendment sent twice at once is written once, and both requests succeed.

On PostgreSQL (READ COMMITTED) the second UPDATE waits for the first to commit and then
matches no row; on SQLite the second writer waits (busy timeout) for the first's commit.
Every wait is bounded: a stuck thread fails the test instead of hanging the suite."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, func, select

from tests.factories import make_application, make_interview, make_opening, move_to_stage
from tracker.domain.errors import DomainError, MoveNotAllowed, ValidationFailed
from tracker.domain.pipeline import Move, MoveRequest, RejectionReason
from tracker.domain.scoring import DecisionInput, Outcome, Rating, RatingInput, Recommendation
from tracker.extensions import db
from tracker.models import (
    Application,
    AuditEvent,
    Decision,
    Interview,
    PlanInterviewFocus,
    Scorecard,
    ScorecardRevision,
    StageEventRecord,
    User,
)
from tracker.services import applications, reviews, scorecards
from tracker.services.applications import ChangedMeanwhile
from tracker.services.catalog import requirement_set

# Generous bounds: a healthy race takes well under a second on either database.
BARRIER_TIMEOUT = 30
JOIN_TIMEOUT = 60

Prepare = Callable[[int], Callable[[], Any]]


def race(app: Flask, prepare: Prepare, writers: int = 2) -> list[Any]:
    """Run `writers` threads at once. Each calls `prepare(i)` to read what it needs (in its
    own app context, so its own session and connection), waits at the barrier until every
    thread has read, then runs the write phase that `prepare` returned. Returns each
    thread's result, or the exception it raised. `prepare` must not touch the test's own
    objects (another thread's session): pass it ids and emails."""
    db.session.commit()  # the test's own session holds nothing while the writers run
    barrier = threading.Barrier(writers, timeout=BARRIER_TIMEOUT)
    outcomes: list[Any] = [None] * writers

    def writer(i: int) -> None:
        with app.app_context():
            try:
                try:
                    write = prepare(i)
                except BaseException:
                    barrier.abort()  # release the others rather than let them wait
                    raise
                barrier.wait()
                outcomes[i] = write()
            except BaseException as exc:  # reported to the test
                outcomes[i] = exc
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=writer, args=(i,), name=f"writer-{i}", daemon=True)
        for i in range(writers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    stuck = [t.name for t in threads if t.is_alive()]
    assert not stuck, f"still running after {JOIN_TIMEOUT}s (a deadlock?): {stuck}"
    return outcomes


def unexpected(outcomes: list[Any], allowed: tuple[type[BaseException], ...] = ()) -> list:
    """The exceptions that are not one of the `allowed` refusals (to show in a failure)."""
    return [o for o in outcomes if isinstance(o, BaseException) and not isinstance(o, allowed)]


def count(model: type, *where: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def load(application_id: int) -> Application:
    db.session.expire_all()
    return db.session.get(Application, application_id)


@pytest.fixture
def application(people) -> Application:
    opening = make_opening(people["hm"], people["recruiter"])
    return make_application(opening, people["recruiter"], name="Rita Race")


# --- Moves -------------------------------------------------------------------------------


def mover(application_id: int, email: str, request: MoveRequest) -> Callable[[], Any]:
    """Read the application as a page would (its version, stage and opening), then move."""
    actor = db.session.scalar(select(User).where(User.email == email))
    application = applications.get_application(application_id, actor)
    seen = application.version
    assert application.stage.key  # loaded: the state this writer decides on

    def write() -> StageEventRecord:
        return applications.move(application, request, actor, expected_version=seen)

    return write


ADVANCE = MoveRequest(Move.ADVANCE, note="On to the screen.")
REJECT = MoveRequest(Move.REJECT, reason=RejectionReason.OTHER, note="Not this time.")


def test_two_moves_of_one_application_exactly_one_wins(app, people, application) -> None:
    app_id, before = application.id, (application.version, count(StageEventRecord))
    actors = [people["recruiter"].email, people["hm"].email]

    outcomes = race(app, lambda i: mover(app_id, actors[i], ADVANCE))

    assert unexpected(outcomes, (ChangedMeanwhile,)) == []
    won = [o for o in outcomes if isinstance(o, StageEventRecord)]
    lost = [o for o in outcomes if isinstance(o, ChangedMeanwhile)]
    assert (len(won), len(lost)) == (1, 1)
    assert "changed by someone else just now" in lost[0].message
    assert "Recruiter screen (active)" in lost[0].message  # the state the loser now sees
    after = load(app_id)
    assert after.version == before[0] + 1
    assert count(StageEventRecord) == before[1] + 1
    assert after.stage.key == "recruiter_screen"
    assert [e.move for e in after.events] == ["apply", "advance"]


def test_eight_writers_advancing_at_once_move_it_one_stage(app, people, application) -> None:
    writers = 8
    app_id, before = application.id, (application.version, count(StageEventRecord))
    changes = count(AuditEvent, AuditEvent.object_type == "stage_events")
    email = people["recruiter"].email

    outcomes = race(app, lambda _: mover(app_id, email, ADVANCE), writers)

    assert unexpected(outcomes, (ChangedMeanwhile,)) == []
    assert sum(isinstance(o, StageEventRecord) for o in outcomes) == 1
    assert sum(isinstance(o, ChangedMeanwhile) for o in outcomes) == writers - 1
    after = load(app_id)
    assert (after.version, after.stage.key) == (before[0] + 1, "recruiter_screen")
    assert count(StageEventRecord) == before[1] + 1
    # nothing half-written: the losers left no audit entry of a move either
    assert count(AuditEvent, AuditEvent.object_type == "stage_events") == changes + 1


def test_a_rejection_racing_an_advance_one_of_them_wins(app, people, application) -> None:
    app_id, before = application.id, (application.version, count(StageEventRecord))
    plan = [(people["recruiter"].email, REJECT), (people["hm"].email, ADVANCE)]

    outcomes = race(app, lambda i: mover(app_id, *plan[i]))

    assert unexpected(outcomes, (ChangedMeanwhile,)) == []
    won = [i for i, o in enumerate(outcomes) if isinstance(o, StageEventRecord)]
    assert len(won) == 1
    after = load(app_id)
    expected = {0: ("applied", "rejected", "reject"), 1: ("recruiter_screen", "active", "advance")}
    assert (after.stage.key, after.status, after.events[-1].move) == expected[won[0]]
    assert after.version == before[0] + 1
    assert count(StageEventRecord) == before[1] + 1


def test_two_decisions_at_once_record_one(app, people, application) -> None:
    """The hiring manager's decision moves the application too: of two sent at once (a
    double click), one is recorded with its move and the other is refused whole."""
    move_to_stage(application, "decision")
    app_id, before = application.id, (application.version, count(StageEventRecord))
    hm_email = people["hm"].email
    given = DecisionInput(
        Outcome.REJECT, "Not the level we need.", rejection_reason=RejectionReason.OTHER.value
    )

    def decider(_: int) -> Callable[[], Any]:
        hm = db.session.scalar(select(User).where(User.email == hm_email))
        loaded = applications.get_application(app_id, hm)
        seen = loaded.version
        return lambda: reviews.decide(loaded, hm, given, expected_version=seen)

    outcomes = race(app, decider)

    assert unexpected(outcomes, (ChangedMeanwhile,)) == []
    assert sum(isinstance(o, Decision) for o in outcomes) == 1
    lost = next(o for o in outcomes if isinstance(o, ChangedMeanwhile))
    assert "You changed this application a moment ago" in lost.message
    assert count(Decision, Decision.application_id == app_id) == 1
    after = load(app_id)
    assert (after.status, after.version) == ("rejected", before[0] + 1)
    assert count(StageEventRecord) == before[1] + 1


# --- Scorecards ------------------------------------------------------------------------


@pytest.fixture
def interview(application, people) -> Interview:
    """A peer interview that has started, with three focus requirements."""
    interview = make_interview(
        application,
        [people["interviewer"]],
        plan_interview_name="Peer interview 1",
        stage_key="peer",
    )
    db.session.execute(
        delete(PlanInterviewFocus).where(
            PlanInterviewFocus.plan_interview_id == interview.plan_interview_id
        )
    )
    for item in requirement_set(application.opening)[:3]:
        db.session.add(
            PlanInterviewFocus(
                plan_interview_id=interview.plan_interview_id, requirement_id=item.requirement_id
            )
        )
    db.session.commit()
    return interview


def ratings_for(interview: Interview, first: Rating = Rating.STRONG_YES) -> list[RatingInput]:
    focus = [f.requirement_id for f in scorecards.focus_for(interview)]
    return [
        RatingInput(focus[0], first, "Walked through a real incident."),
        *(RatingInput(rid, Rating.YES, "") for rid in focus[1:]),
    ]


@contextmanager
def everyone_reads_before_anyone_writes(
    monkeypatch: pytest.MonkeyPatch, writers: int = 2
) -> Iterator[None]:
    """Hold each thread, after its first look at its own scorecard inside the service,
    until every thread has looked: so all of them read "not submitted yet"."""
    barrier = threading.Barrier(writers, timeout=BARRIER_TIMEOUT)
    seen = threading.local()
    original = scorecards.own_scorecard

    def own_scorecard(interview: Interview, user: User) -> Scorecard | None:
        found = original(interview, user)
        if not getattr(seen, "once", False):
            seen.once = True
            barrier.wait()
        return found

    monkeypatch.setattr(scorecards, "own_scorecard", own_scorecard)
    yield


@pytest.mark.parametrize("draft_first", [False, True], ids=["no draft yet", "over a draft"])
def test_the_same_scorecard_submitted_twice_at_once_is_one_submission(
    app, people, interview, monkeypatch, draft_first
) -> None:
    user = people["interviewer"]
    if draft_first:
        scorecards.save(interview, user, ratings_for(interview)[:1], None, "", submit=False)
    submits = count(AuditEvent, AuditEvent.action == "scorecard.submit")
    user_id, interview_id = user.id, interview.id

    def submitter(_: int) -> Callable[[], Any]:
        author = db.session.get(User, user_id)
        loaded = db.session.get(Interview, interview_id)
        content = ratings_for(loaded)
        return lambda: scorecards.save(
            loaded, author, content, Recommendation.YES, "Solid.", submit=True
        )

    with everyone_reads_before_anyone_writes(monkeypatch):
        outcomes = race(app, submitter)

    assert unexpected(outcomes) == []  # both answer success
    assert all(isinstance(o, Scorecard) for o in outcomes)
    assert count(Scorecard, Scorecard.interview_id == interview_id) == 1
    card = db.session.scalar(select(Scorecard).where(Scorecard.interview_id == interview_id))
    assert (card.status, card.revision, card.recommendation) == ("submitted", 1, "yes")
    assert count(ScorecardRevision, ScorecardRevision.scorecard_id == card.id) == 1
    assert count(AuditEvent, AuditEvent.action == "scorecard.submit") == submits + 1


def submitted_card(interview: Interview, user: User) -> Scorecard:
    return scorecards.save(
        interview, user, ratings_for(interview), Recommendation.YES, "Solid.", submit=True
    )


def amender(interview_id: int, user_id: int, first: Rating, reason: str) -> Callable[[], Any]:
    """Open the amend form (revision 1) and send an amendment from it."""
    author = db.session.get(User, user_id)
    loaded = db.session.get(Interview, interview_id)
    card = scorecards.own_scorecard(loaded, author)
    opened_on = card.revision
    content = ratings_for(loaded, first)
    return lambda: scorecards.amend(
        card,
        author,
        content,
        Recommendation.NO,
        "Second view.",
        reason,
        expected_revision=opened_on,
    )


def test_the_same_amendment_sent_twice_at_once_is_one_amendment(app, people, interview) -> None:
    user = people["interviewer"]
    card_id = submitted_card(interview, user).id
    amends = count(AuditEvent, AuditEvent.action == "scorecard.amend")
    ids = interview.id, user.id

    outcomes = race(app, lambda _: amender(*ids, Rating.NO, "Spoke to a reference."))

    assert unexpected(outcomes) == []
    assert all(isinstance(o, Scorecard) for o in outcomes)
    db.session.expire_all()
    card = db.session.get(Scorecard, card_id)
    assert [(r.revision, r.reason) for r in card.revisions] == [
        (1, ""),
        (2, "Spoke to a reference."),
    ]
    assert (card.revision, card.recommendation) == (2, "no")
    assert count(AuditEvent, AuditEvent.action == "scorecard.amend") == amends + 1


def test_two_different_amendments_from_one_revision_save_one(app, people, interview) -> None:
    """Two tabs opened on revision 1: the second amendment is refused, not stacked on a
    version its author never saw."""
    user = people["interviewer"]
    card_id = submitted_card(interview, user).id
    plan = [(Rating.NO, "Spoke to a reference."), (Rating.STRONG_NO, "Re-read my notes.")]
    ids = interview.id, user.id

    outcomes = race(app, lambda i: amender(*ids, *plan[i]))

    assert unexpected(outcomes, (ValidationFailed,)) == []
    assert sum(isinstance(o, Scorecard) for o in outcomes) == 1
    refused = next(o for o in outcomes if isinstance(o, DomainError))
    assert "amended since this form was opened" in refused.message
    db.session.expire_all()
    card = db.session.get(Scorecard, card_id)
    assert [r.revision for r in card.revisions] == [1, 2]
    won = next(i for i, o in enumerate(outcomes) if isinstance(o, Scorecard))
    assert card.revisions[-1].reason == plan[won][1]


def test_a_decision_racing_a_move_one_of_them_wins(app, people, application) -> None:
    """The decision and its move are one transaction: if the recruiter's move comes first,
    no decision is left behind without its move."""
    move_to_stage(application, "decision")
    app_id, before = application.id, (application.version, count(StageEventRecord))
    hm_email, recruiter_email = people["hm"].email, people["recruiter"].email
    given = DecisionInput(
        Outcome.REJECT, "Not the level we need.", rejection_reason=RejectionReason.OTHER.value
    )

    def writer(i: int) -> Callable[[], Any]:
        if i == 1:
            return mover(app_id, recruiter_email, MoveRequest(Move.BACK, note="One more round."))
        hm = db.session.scalar(select(User).where(User.email == hm_email))
        loaded = applications.get_application(app_id, hm)
        seen = loaded.version
        return lambda: reviews.decide(loaded, hm, given, expected_version=seen)

    outcomes = race(app, writer)

    assert unexpected(outcomes, (ChangedMeanwhile,)) == []
    assert sum(isinstance(o, ChangedMeanwhile) for o in outcomes) == 1
    decided = isinstance(outcomes[0], Decision)
    after = load(app_id)
    assert count(Decision, Decision.application_id == app_id) == int(decided)
    assert (after.stage.key, after.status) == (
        ("decision", "rejected") if decided else ("director", "active")
    )
    assert after.version == before[0] + 1
    assert count(StageEventRecord) == before[1] + 1


def test_reopening_two_applications_of_one_candidate_at_once_reopens_one(
    app, people, application, monkeypatch
) -> None:
    """At most one active application per candidate and opening, even when two closed
    ones are reopened at the same moment, both past the service's own check (that no other
    is active): the database's unique index refuses the second, and it is told why."""
    declined = MoveRequest(Move.REJECT, reason=RejectionReason.OTHER, note="Not now.")
    applications.move(application, declined, people["recruiter"])
    candidate = application.candidate
    again = make_application(
        application.opening, people["recruiter"], name=candidate.name, email=candidate.email
    )
    applications.move(again, declined, people["recruiter"])
    ids = [application.id, again.id]
    reopen = MoveRequest(Move.REOPEN, note="They applied again.")
    before = count(StageEventRecord)
    emails = [people["recruiter"].email, people["hm"].email]
    checked = threading.Barrier(2, timeout=BARRIER_TIMEOUT)
    apply_event = applications.apply_event

    def apply_once_both_have_checked(*args: Any) -> StageEventRecord:
        checked.wait()
        return apply_event(*args)

    monkeypatch.setattr(applications, "apply_event", apply_once_both_have_checked)

    outcomes = race(app, lambda i: mover(ids[i], emails[i], reopen))

    assert unexpected(outcomes, (MoveNotAllowed,)) == []
    assert sum(isinstance(o, StageEventRecord) for o in outcomes) == 1
    refused = next(o for o in outcomes if isinstance(o, MoveNotAllowed))
    assert not isinstance(refused, ChangedMeanwhile)  # this application did not change
    assert "Another application of this candidate for this opening" in refused.message
    assert [load(i).status for i in ids].count("active") == 1
    assert count(StageEventRecord) == before + 1
