"""`flask users create`: the only way to make the first account, so it must be strict."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import User
from tracker.services import users

GOOD_PASSWORD = "a-long-enough-password"


@pytest.fixture(autouse=True)
def no_password_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKER_NEW_USER_PASSWORD", raising=False)


def create(runner, email: str, *roles: str, password: str = GOOD_PASSWORD, name: str = "Ann Lee"):
    args = ["users", "create", "--email", email, "--name", name, "--password", password]
    for role in roles:
        args += ["--role", role]
    return runner.invoke(args=args)


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        (["recruiter", "hiring_manager"], {"recruiter", "hiring_manager"}),
        (["recruiter,interviewer"], {"recruiter", "interviewer"}),
        (["ADMIN"], {"admin"}),
        (["interviewer", "interviewer"], {"interviewer"}),
    ],
    ids=["repeated-option", "comma-separated", "upper-case", "duplicate-role"],
)
def test_create_user_with_roles(app: Flask, runner, roles: list[str], expected: set[str]) -> None:
    """An account gets exactly the roles asked for, and an argon2id hash, never the password."""
    result = create(runner, "  Ann.Lee@Example.COM ", *roles)
    assert result.exit_code == 0, result.output
    assert "Created ann.lee@example.com" in result.output

    user = db.session.scalar(select(User))
    assert user.email == "ann.lee@example.com"
    assert user.name == "Ann Lee"
    assert {r.role for r in user.roles} == expected
    assert user.password_hash.startswith("$argon2id$")
    assert GOOD_PASSWORD not in user.password_hash
    assert users.authenticate("ANN.LEE@example.com", GOOD_PASSWORD) == user


def test_password_can_come_from_the_environment(
    app: Flask, runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scripts set TRACKER_NEW_USER_PASSWORD so the password stays out of shell history."""
    monkeypatch.setenv("TRACKER_NEW_USER_PASSWORD", GOOD_PASSWORD)
    result = runner.invoke(
        args=["users", "create", "--email", "e@x.example", "--name", "E", "--role", "admin"]
    )
    assert result.exit_code == 0, result.output
    assert users.authenticate("e@x.example", GOOD_PASSWORD) is not None


@pytest.mark.parametrize(
    ("email", "roles", "password", "message"),
    [
        ("TAKEN@example.com", ["recruiter"], GOOD_PASSWORD, "already exists"),
        ("new@example.com", ["recruiter", "boss"], GOOD_PASSWORD, "Unknown role 'boss'"),
        ("new@example.com", ["recruiter"], "elevenchars", "Use between 12 and 128 characters"),
        ("new@example.com", ["recruiter"], "x" * 129, "Use between 12 and 128 characters"),
        ("not-an-email", ["recruiter"], GOOD_PASSWORD, "Error:"),
        ("new@example.com", [","], GOOD_PASSWORD, "at least one role"),
    ],
    ids=[
        "duplicate-email-other-case",
        "unknown-role",
        "short-password",
        "long-password",
        "bad-email",
        "no-role",
    ],
)
def test_create_user_refusals(
    app: Flask, runner, email: str, roles: list[str], password: str, message: str
) -> None:
    """Each refusal must say what is wrong, exit non-zero and create nobody."""
    assert create(runner, "taken@example.com", "admin").exit_code == 0
    before = user_count()

    result = create(runner, email, *roles, password=password)

    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert user_count() == before
