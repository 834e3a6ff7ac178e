"""`flask demo`: realistic data on an empty database, and never on a real one."""

from __future__ import annotations

import stat
from itertools import pairwise
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.factories import make_user
from tracker.extensions import db
from tracker.models import (
    Application,
    Candidate,
    Opening,
    Requirement,
    RequirementVersion,
    StageEventRecord,
    User,
)
from tracker.models.types import utcnow
from tracker.services import users
from tracker.services.demo import DEMO_OPENINGS

DEMO_PASSWORD = "demo-password-for-tests"

# What the demo promises in its login banner: email -> roles.
EXPECTED_USERS = {
    "admin@example.com": {"admin"},
    "recruiter@example.com": {"recruiter", "interviewer"},  # conducts the screens
    "hm@example.com": {"hiring_manager", "interviewer"},
    "peer1@example.com": {"interviewer"},
    "peer2@example.com": {"interviewer"},
    "peer3@example.com": {"interviewer"},
    "director@example.com": {"hiring_manager", "interviewer"},
    "ciso@example.com": {"hiring_manager", "interviewer"},
}

# title -> (role, level, specialty, hiring manager)
EXPECTED_OPENINGS = {
    "Senior Security Engineer, Application Security": (
        "security-engineer",
        "senior",
        "application-security",
        "hm@example.com",
    ),
    "Staff Security Engineer, SIRT": ("security-engineer", "staff", "sirt", "hm@example.com"),
    "Distinguished Engineer, Secure": (
        "distinguished-engineer",
        "distinguished",
        "secure",
        "ciso@example.com",
    ),
}

COUNTED = (User, Opening, Candidate, Application, StageEventRecord, Requirement, RequirementVersion)


def counts() -> dict[str, int]:
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in COUNTED}


@pytest.fixture
def demo_env(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TRACKER_DEMO_PASSWORD", DEMO_PASSWORD)
    return DEMO_PASSWORD


@pytest.fixture
def demo(app: Flask, runner, demo_env: str) -> str:
    """The fixture database with the demo loaded through the real command."""
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def test_demo_loads_the_three_openings(demo: str) -> None:
    """The demo must show the documents' roles at the right levels and specialties."""
    found = {
        o.title: (o.role.key, o.level.key, o.specialty.key, o.hiring_manager.email)
        for o in db.session.scalars(select(Opening))
    }
    assert found == EXPECTED_OPENINGS
    assert "Demo data loaded: 3 openings" in demo


def test_demo_has_a_realistic_number_of_candidates(demo: str) -> None:
    """Enough candidates to fill the board, one application each."""
    candidates = db.session.scalar(select(func.count()).select_from(Candidate))
    applications = db.session.scalar(select(func.count()).select_from(Application))
    assert 35 <= candidates <= 50
    assert applications == candidates
    assert f"{candidates} candidates" in demo


@pytest.mark.parametrize("spec", DEMO_OPENINGS, ids=[o[0] for o in DEMO_OPENINGS])
def test_demo_fills_the_planned_stages(demo: str, spec: tuple) -> None:
    """Every stage the demo promises to fill must show candidates on the board."""
    title, spread = spec[0], spec[-1]
    opening = db.session.scalar(select(Opening).where(Opening.title == title))
    for stage in opening.stages:
        status = "hired" if stage.key == "hired" else "active"
        n = db.session.scalar(
            select(func.count())
            .select_from(Application)
            .where(Application.stage_id == stage.id, Application.status == status)
        )
        assert n == spread.get(stage.key, 0), stage.key
        if stage.key in spread:
            assert n > 0, stage.key


def test_demo_shows_every_outcome(demo: str) -> None:
    """Rejected, withdrawn and hired applications must all appear, fully recorded."""
    apps = list(db.session.scalars(select(Application)))
    by_status = {s: [a for a in apps if a.status == s] for s in ("rejected", "withdrawn", "hired")}
    assert all(by_status.values()), {s: len(v) for s, v in by_status.items()}
    assert all(a.rejection_reason for a in by_status["rejected"])
    assert all(a.withdrawn_by == "candidate" for a in by_status["withdrawn"])
    assert all(a.closed_at is not None for s in by_status.values() for a in s)
    assert all(a.closed_at is None for a in apps if a.status == "active")


def test_demo_histories_are_consistent(demo: str) -> None:
    """Each history must replay from `apply` to the application's current stage and status."""
    now = utcnow()
    apps = list(db.session.scalars(select(Application)))
    assert apps
    for app_row in apps:
        events = app_row.events
        first = events[0]
        assert (first.move, first.from_stage, first.from_status) == ("apply", None, None)
        assert (first.to_stage.key, first.to_status) == ("applied", "active")
        assert first.at == app_row.created_at
        for before, after in pairwise(events):
            assert after.from_stage_id == before.to_stage_id, app_row.id
            assert after.from_status == before.to_status, app_row.id
            assert before.at <= after.at, app_row.id
        last = events[-1]
        assert (last.to_stage_id, last.to_status) == (app_row.stage_id, app_row.status)
        assert last.at == app_row.updated_at
        assert last.at <= now
        assert all(e.to_stage.opening_id == app_row.opening_id for e in events)


def test_demo_users_have_their_roles_and_can_sign_in(demo: str) -> None:
    """The login banner must be true: every account exists, with its roles, and signs in."""
    found = {u.email: {r.role for r in u.roles} for u in db.session.scalars(select(User))}
    assert found == EXPECTED_USERS
    for email in EXPECTED_USERS:
        assert users.authenticate(email, DEMO_PASSWORD) is not None, email
        assert email in demo
    assert users.authenticate("admin@example.com", DEMO_PASSWORD + "x") is None
    assert DEMO_PASSWORD not in demo  # the banner names the variable, not the secret


def test_second_run_changes_nothing(demo: str, runner) -> None:
    """`make run` calls the demo on every start; a second run must be a no-op."""
    before = counts()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "already loaded; nothing was changed" in result.output
    assert counts() == before


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (["demo"], 1, "refuses to mix into it"),
        (["demo", "--if-empty"], 0, "Demo data not loaded"),
    ],
    ids=["plain", "if-empty"],
)
def test_demo_refuses_a_real_database(
    app: Flask, runner, demo_env: str, args: list[str], exit_code: int, message: str
) -> None:
    """Demo people must never be mixed into real hiring data."""
    make_user("someone@real.example", "Real Person", ["recruiter"])
    before = counts()
    result = runner.invoke(args=args)
    assert result.exit_code == exit_code, result.output
    assert message in result.output
    assert "1 other users" in result.output
    db.session.expire_all()
    assert counts() == before
    assert db.session.scalars(select(User.email)).all() == ["someone@real.example"]


def test_short_demo_password_is_refused(app: Flask, runner, monkeypatch) -> None:
    """A demo reachable on a network must not get a trivially guessable password."""
    monkeypatch.setenv("TRACKER_DEMO_PASSWORD", "short")
    before = counts()
    result = runner.invoke(args=["demo"])
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output
    assert counts() == before


def test_generated_password_is_stored_privately_and_reused(
    app: Flask, runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without TRACKER_DEMO_PASSWORD the demo makes one up, once, and keeps it private."""
    monkeypatch.delenv("TRACKER_DEMO_PASSWORD", raising=False)
    path = Path(app.instance_path) / "demo-password"
    assert not path.exists()

    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    password = path.read_text().strip()
    assert len(password) >= users.MIN_PASSWORD
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert f"password for all: {password}" in first.output

    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert "already loaded" in second.output
    assert f"password for all: {password}" in second.output
    assert path.read_text().strip() == password
    db.session.expire_all()
    assert users.authenticate("recruiter@example.com", password) is not None


def test_demo_reviews_are_filled_in_with_a_disagreement_and_a_coverage_gap(
    runner, monkeypatch
) -> None:
    """Later-stage candidates' reviews show real evidence, a disagreement and a gap."""
    from tracker.models import Application, PlanStage, User
    from tracker.services.reviews import review

    monkeypatch.setenv("TRACKER_DEMO_PASSWORD", "demo password for tests")
    assert runner.invoke(args=["demo"]).exit_code == 0
    admin = db.session.scalar(select(User).where(User.email == "admin@example.com"))
    later = db.session.scalars(
        select(Application)
        .join(PlanStage, Application.stage_id == PlanStage.id)
        .where(PlanStage.key.in_(["decision", "offer", "hired"]))
    ).all()
    assert len(later) >= 5
    disagreements = gaps = 0
    for application in later:
        result = review(application, admin)
        assert len(result.columns) >= 5  # screen, manager, two peers, director(s)
        rated = [c for row in result.rows for c in row.cells if c is not None]
        assert any(c.evidence for c in rated)
        disagreements += sum(1 for row in result.rows if row.summary.disagreement)
        gaps += len(result.unassessed)
        assert result.aggregate.verdict is not None
    assert disagreements >= 1
    assert gaps >= 1
    from tracker.models import Decision

    for application in later:
        decided = db.session.scalars(
            select(Decision).where(Decision.application_id == application.id)
        ).all()
        reached_offer = application.stage.key in ("offer", "hired")
        assert len(decided) == (1 if reached_offer else 0), application.stage.key
        if decided:
            assert decided[0].outcome == "offer" and decided[0].evidence["requirements"]
