"""A small hiring world seen from every role, and the tools the security tests share:
signing someone in, every route as a URL, and the database's content before and after.

The world (built through tests/factories.py and the real services):

  opening A   hiring manager `hiring_manager`, recruiter `recruiter`
    application A1 (candidate C1), in the Peer interviews stage
      interview I1  "Peer interview 1": `interviewer` (scorecard submitted) and `multi`
                    (no scorecard yet)
      interview I2  "Peer interview 2": `peer` (scorecard submitted)
  opening B   hiring manager `other_hiring_manager`, recruiter `multi`
    application B1, in the Peer interviews stage
      interview  "Peer interview 1": `other_interviewer`

`other_recruiter` recruits for nothing here; `multi` holds recruiter and interviewer.
C1 has a résumé (uploaded by `recruiter`), and `peer` an unused password reset link
issued by the admin. Every URL argument points at A's objects, the recruiter (`user_id`),
that résumé and that link (URL_ARGS); a new route with a new argument fails the walking
tests until a value is added there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app, session
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.databases import DATABASES
from tests.factories import make_application, make_interview, make_opening, make_user, move_to_stage
from tests.resume_files import make_resume
from tests.routes import Route, concrete_urls
from tracker.auth import flow
from tracker.domain.scoring import Rating, RatingInput, Recommendation
from tracker.extensions import db
from tracker.models import Interview, User
from tracker.models.types import UTCDateTime
from tracker.services import passwords, scorecards

# Every role the access table has a column for, in the table's column order.
ROLES = (
    "anonymous",
    "admin",
    "recruiter",
    "other_recruiter",
    "hiring_manager",
    "other_hiring_manager",
    "interviewer",
    "other_interviewer",
    "multi",
)


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    name: str


@dataclass(frozen=True)
class World:
    """Ids only: the tests' database session is closed and reopened between requests."""

    people: dict[str, Person]
    opening_id: int
    candidate_id: int
    application_id: int
    interview_id: int  # I1: `interviewer` (submitted) and `multi` (not yet)
    second_interview_id: int  # I2: `peer` (submitted)
    plan_interview_id: int  # I1's interview of the plan
    other_opening_id: int
    other_candidate_id: int
    other_application_id: int
    other_interview_id: int
    resume_id: int  # C1's résumé
    reset_token: str  # `peer`'s unused password reset link

    def user(self, role: str) -> User | None:
        """The signed-in user a role stands for; None for anonymous."""
        return None if role == "anonymous" else db.session.get(User, self.people[role].id)


# Each URL argument of any route, from the world. Add a line for a new argument.
URL_ARGS: dict[str, Callable[[World], object]] = {
    "opening_id": lambda w: w.opening_id,
    "candidate_id": lambda w: w.candidate_id,
    "application_id": lambda w: w.application_id,
    "interview_id": lambda w: w.interview_id,
    "plan_interview_id": lambda w: w.plan_interview_id,
    "move": lambda w: "advance",
    "user_id": lambda w: w.people["recruiter"].id,
    "resume_id": lambda w: w.resume_id,
    "token": lambda w: w.reset_token,
}


def url_values(world: World) -> dict[str, object]:
    return {name: value(world) for name, value in URL_ARGS.items()}


def routes(app: Flask, world: World) -> list[Route]:
    return concrete_urls(app, url_values(world))


def submit_scorecard(interview: Interview, author: User, text: str = "Clear evidence.") -> None:
    """A complete scorecard, submitted through the scorecards service."""
    ratings = [
        RatingInput(item.requirement_id, Rating.YES, text)
        for item in scorecards.focus_for(interview)
    ]
    scorecards.save(interview, author, ratings, Recommendation.YES, text, submit=True)


# The keys of tests/conftest.py's `people`, and the roles they stand for here.
FROM_CONFTEST = {
    "admin": "admin",
    "recruiter": "recruiter",
    "other_recruiter": "other_recruiter",
    "hm": "hiring_manager",
    "other_hm": "other_hiring_manager",
    "interviewer": "interviewer",
}


def build_world(people: dict[str, User]) -> World:
    """The world, on top of tests/conftest.py's people."""
    everyone = {name: people[key] for key, name in FROM_CONFTEST.items()} | {
        "other_interviewer": make_user("int2@test.example", "Ian Outsider", ["interviewer"]),
        "multi": make_user("multi@test.example", "Mo Multi", ["recruiter", "interviewer"]),
        "peer": make_user("peer@test.example", "Pat Peer", ["interviewer"]),
    }
    assert everyone["admin"].totp_enabled  # make_user enrols admins: they must have TOTP
    opening = make_opening(everyone["hiring_manager"], everyone["recruiter"])
    application = move_to_stage(make_application(opening, everyone["recruiter"]), "peer")
    interview = make_interview(
        application, [everyone["interviewer"], everyone["multi"]], "Peer interview 1"
    )
    second = make_interview(application, [everyone["peer"]], "Peer interview 2")
    submit_scorecard(interview, everyone["interviewer"])
    submit_scorecard(second, everyone["peer"])

    other_opening = make_opening(
        everyone["other_hiring_manager"], everyone["multi"], title="Security Engineer, AppSec"
    )
    other_application = move_to_stage(
        make_application(other_opening, everyone["multi"], name="Bo Other"), "peer"
    )
    other_interview = make_interview(
        other_application, [everyone["other_interviewer"]], "Peer interview 1"
    )
    resume = make_resume(application.candidate, everyone["recruiter"])
    token = passwords.issue_reset(
        everyone["peer"], by=everyone["admin"], ttl=current_app.config["PASSWORD_RESET_TTL"]
    )
    return World(
        people={k: Person(u.id, u.email, u.name) for k, u in everyone.items()},
        opening_id=opening.id,
        candidate_id=application.candidate_id,
        application_id=application.id,
        interview_id=interview.id,
        second_interview_id=second.id,
        plan_interview_id=interview.plan_interview_id,
        other_opening_id=other_opening.id,
        other_candidate_id=other_application.candidate_id,
        other_application_id=other_application.id,
        other_interview_id=other_interview.id,
        resume_id=resume.id,
        reset_token=token,
    )


# --- Signing in ----------------------------------------------------------------------


class Visitor:
    """A browser signed in as one user (or nobody), through `flow.complete_login`, the one
    way in; it skips the password and second-factor pages, which have their own tests."""

    def __init__(self, client: FlaskClient, user: User | None) -> None:
        self.client = client
        self.cookie: dict[str, Any] = {}
        if user is not None:
            with client.application.test_request_context():
                flow.complete_login(user)
                self.cookie = dict(session)
        self.restore()

    def restore(self) -> None:
        """Put the sign-in back in the browser (after a sign-out or a refused request)."""
        with self.client.session_transaction() as sess:
            sess.clear()
            sess.update(self.cookie)
            sess.permanent = bool(self.cookie)


# --- The database, before and after ----------------------------------------------------

# Columns that change without any change of data: when a session was last used. Like
# every column named in `ignore` below, compared only by whether it holds a value.
VOLATILE = frozenset({"user_sessions.last_seen_at"})
# The audit trail may note a refused request; what matters is that no data changed.
UNCOMPARED_TABLES = frozenset({"audit_events"})


class Database:
    """The test's database: saved once, put back after each request that may write, and
    read whole to show that a refused request changed nothing."""

    def __init__(self, app: Flask) -> None:
        self.url = app.config["SQLALCHEMY_DATABASE_URI"]
        self.folder = Path(app.config["TRACKER_INSTANCE_DIR"])
        self.saved: str | None = None

    def _close(self) -> None:
        db.session.remove()
        db.engine.dispose()

    def save(self) -> None:
        self._close()
        self.discard()
        self.saved = DATABASES.copy(self.url, self.folder, "saved")

    def restore(self) -> None:
        assert self.saved is not None, "save() first"
        self._close()
        DATABASES.replace(self.url, self.saved)

    def discard(self) -> None:
        if self.saved is not None:
            DATABASES.drop(self.saved)
            self.saved = None

    def content(self, ignore: Iterable[str] = VOLATILE, times: bool = True) -> dict[str, list]:
        """Every row of every table (but the audit trail), in primary-key order. Columns in
        `ignore` (random tokens, hashes, salts) and, without `times`, timestamp columns
        show only whether they hold a value: two runs of the same request differ there
        and nowhere else, while a value written where there was none still shows."""
        ignored = set(ignore)
        out: dict[str, list] = {}
        for table in db.metadata.sorted_tables:
            if table.name in UNCOMPARED_TABLES:
                continue
            masked = [
                f"{table.name}.{c.name}" in ignored
                or (not times and isinstance(c.type, UTCDateTime))
                for c in table.columns
            ]
            rows = db.session.execute(select(*table.columns).order_by(*table.primary_key.columns))
            out[table.name] = [
                tuple(v is not None if m else v for v, m in zip(row, masked, strict=True))
                for row in rows
            ]
        db.session.remove()
        return out


def changed_tables(before: dict[str, list], after: dict[str, list]) -> list[str]:
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))
