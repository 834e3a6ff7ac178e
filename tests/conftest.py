"""Fixtures: each test gets its own copy of a database migrated and loaded once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.databases import DATABASES, PostgresDatabases
from tests.factories import PASSWORD, make_user
from tracker import create_app
from tracker.extensions import db
from tracker.models import User


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fast_password_hashing(monkeypatch)


def use_fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Still argon2id, but at a cost that keeps the suite quick; production keeps defaults."""
    from argon2 import PasswordHasher, Type

    from tracker.services import passwords

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
    monkeypatch.setattr(passwords, "_hasher", cheap)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", cheap.hash("dummy"))


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database built by the real migrations and catalog load, copied for each test.
    Its URL: an SQLite file, or a PostgreSQL database when TEST_DATABASE_URL is set."""
    url = DATABASES.new(tmp_path_factory.mktemp("template"), "template")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    try:
        with app.app_context():
            from flask_migrate import upgrade

            from tracker.services.catalog import load_catalog

            upgrade()
            load_catalog()
            db.engine.dispose()
    except BaseException:
        DATABASES.drop(url)
        raise
    yield url
    if isinstance(DATABASES, PostgresDatabases):
        DATABASES.drop_leftovers()


@pytest.fixture
def database_copy(template_db: str, tmp_path: Path) -> Iterator[str]:
    """The URL of a private copy of the migrated database, for a test that builds its own
    app (dropped afterwards)."""
    url = DATABASES.copy(template_db, tmp_path, "copy")
    yield url
    DATABASES.drop(url)


DEMO_DB_PASSWORD = "demo-password-for-tests"


@pytest.fixture(scope="session")
def demo_database(
    template_db: str, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[int], str]:
    """Build (once per session and size) a database holding the demo loaded `copies`
    times over; sign in with the demo emails and DEMO_DB_PASSWORD."""
    built: dict[int, str] = {}

    def build(copies: int = 1) -> str:
        if copies not in built:
            folder = tmp_path_factory.mktemp(f"demo{copies}")
            url = DATABASES.copy(template_db, folder, f"demo{copies}")
            app = create_app(
                {
                    "TESTING": True,
                    "SQLALCHEMY_DATABASE_URI": url,
                    "TRACKER_INSTANCE_DIR": str(folder),
                }
            )
            app.instance_path = str(folder / "instance")
            with pytest.MonkeyPatch.context() as patch, app.app_context():
                from tracker.services.demo import load_demo

                patch.setenv("TRACKER_DEMO_PASSWORD", DEMO_DB_PASSWORD)
                use_fast_password_hashing(patch)
                load_demo(copies=copies)
                db.session.remove()
                db.engine.dispose()
            built[copies] = url
        return built[copies]

    return build


@pytest.fixture
def app(request: pytest.FixtureRequest, template_db: str, tmp_path: Path) -> Iterator[Flask]:
    """The app on a fresh copy of the database; extra settings come from indirect
    parametrisation, e.g. `@pytest.mark.parametrize("app", [{...}], indirect=True)`."""
    yield from app_on_copy_of(template_db, tmp_path, getattr(request, "param", {}))


def app_on_copy_of(database: str, tmp_path: Path, settings: dict | None = None) -> Iterator[Flask]:
    """The test app, in its own context, on a private copy of a prepared database (given
    by URL), dropped afterwards."""
    url = DATABASES.copy(database, tmp_path, "test")
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "TRACKER_INSTANCE_DIR": str(tmp_path),
            # Uploaded résumés go to the test's own folder, never to instance/.
            "RESUME_DIR": str(tmp_path / "resumes"),
            **(settings or {}),
        }
    )
    app.instance_path = str(tmp_path / "instance")
    try:
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()
    finally:
        DATABASES.drop(url)


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
    """Sign in and out through the real pages, with the second step for users with TOTP."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, email: str, password: str = PASSWORD):
        response = self._client.post("/login", data={"email": email, "password": password})
        location = response.headers.get("Location", "")
        if response.status_code == 302 and location.startswith("/login/code"):
            return self._client.post(location, data={"code": self.fresh_code(email)})
        return response

    @staticmethod
    def fresh_code(email: str) -> str:
        """The current code of this user's app. A test may sign in twice within one 30 s
        step, which the app rightly refuses as a replay, so the helper forgets the last
        step used (replays are tested on their own, in tests/web/test_two_factor.py)."""
        user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        user.totp_last_counter = None
        db.session.commit()
        return pyotp.TOTP(user.totp_secret).now()

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
