"""Fixtures: each test gets its own copy of a database migrated and loaded once."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import PASSWORD, make_user
from tracker import create_app
from tracker.extensions import db


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fast_password_hashing(monkeypatch)


def use_fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Still argon2id, but at a cost that keeps the suite quick; production keeps defaults."""
    from argon2 import PasswordHasher, Type

    from tracker.services import users

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
    monkeypatch.setattr(users, "_hasher", cheap)
    monkeypatch.setattr(users, "_DUMMY_HASH", cheap.hash("dummy"))


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database built by the real migrations and catalog load, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        from tracker.services.catalog import load_catalog

        upgrade()
        load_catalog()
        db.engine.dispose()
    return path


@pytest.fixture
def app(template_db: Path, tmp_path: Path) -> Iterator[Flask]:
    yield from app_on_copy_of(template_db, tmp_path)


def app_on_copy_of(database: Path, tmp_path: Path) -> Iterator[Flask]:
    """The test app, in its own context, on a private copy of a prepared database."""
    db_path = tmp_path / "test.sqlite3"
    shutil.copy(database, db_path)
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
            "TRACKER_INSTANCE_DIR": str(tmp_path),
        }
    )
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


class RequestClient(FlaskClient):
    """Each request gets its own app context (fresh `g` and DB session), as in production;
    otherwise the test's context would leak loaded objects and CSRF state into requests."""

    def open(self, *args, **kwargs):  # type: ignore[override]
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = RequestClient
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


class AuthActions:
    """Sign in and out through the real pages."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, email: str, password: str = PASSWORD):
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def people(app: Flask) -> dict:
    return make_people()


def make_people() -> dict:
    """One person per role, plus someone holding none of the openings."""
    return {
        "admin": make_user("admin@test.example", "Ann Admin", ["admin"]),
        "recruiter": make_user("rec@test.example", "Rex Recruiter", ["recruiter"]),
        "other_recruiter": make_user("rec2@test.example", "Ola Recruiter", ["recruiter"]),
        "hm": make_user("hm@test.example", "Hal Manager", ["hiring_manager", "interviewer"]),
        "other_hm": make_user("hm2@test.example", "Hana Manager", ["hiring_manager"]),
        "interviewer": make_user("int@test.example", "Ivy Interviewer", ["interviewer"]),
    }
