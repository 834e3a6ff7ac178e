"""The security tests all start from one world (tests/security/world.py), built once per
run and copied for each test, as tests/conftest.py does with the migrated database."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import app_on_copy_of, make_people, use_fast_password_hashing
from tests.databases import DATABASES
from tests.security.world import FROM_CONFTEST, Database, World, build_world
from tracker import create_app
from tracker.extensions import db
from tracker.models import User


@pytest.fixture(scope="session")
def world_db(template_db: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, World]:
    """The world's database (its URL) and the folder holding its résumé files."""
    folder = tmp_path_factory.mktemp("world")
    url = DATABASES.copy(template_db, folder, "world")
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "RESUME_DIR": str(folder / "resumes"),
        }
    )
    with app.app_context(), pytest.MonkeyPatch.context() as patch:
        use_fast_password_hashing(patch)  # the hashes every test expects
        world = build_world(make_people())
        db.session.remove()
        db.engine.dispose()
    return url, folder, world


@pytest.fixture
def app(world_db: tuple[str, Path, World], tmp_path: Path) -> Iterator[Flask]:
    """As tests/conftest.py's `app`, on a copy of the world's database and résumé files."""
    url, folder, _ = world_db
    shutil.copytree(folder / "resumes", tmp_path / "resumes")
    yield from app_on_copy_of(url, tmp_path)


@pytest.fixture
def world(app: Flask, world_db: tuple[str, Path, World]) -> World:
    return world_db[2]


@pytest.fixture
def people(world: World) -> dict[str, User]:
    """tests/conftest.py's people, as they are in the world."""
    return {key: db.session.get(User, world.people[name].id) for key, name in FROM_CONFTEST.items()}


@pytest.fixture
def database(app: Flask) -> Iterator[Database]:
    saved = Database(app)
    yield saved
    saved.discard()
