"""The security tests all start from one world (tests/security/world.py), built once per
run and copied for each test, as tests/conftest.py does with the migrated database."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import app_on_copy_of, make_people, use_fast_password_hashing
from tests.security.world import FROM_CONFTEST, Database, World, build_world
from tracker import create_app
from tracker.extensions import db
from tracker.models import User


def resume_dir(world_path: Path) -> Path:
    """Where the world's résumé files are kept, next to its database."""
    return world_path.parent / "resumes"


@pytest.fixture(scope="session")
def world_db(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, World]:
    path = tmp_path_factory.mktemp("world") / "world.sqlite3"
    shutil.copy(template_db, path)
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "RESUME_DIR": str(resume_dir(path)),
        }
    )
    with app.app_context(), pytest.MonkeyPatch.context() as patch:
        use_fast_password_hashing(patch)  # the hashes every test expects
        world = build_world(make_people())
        db.session.remove()
        db.engine.dispose()
    return path, world


@pytest.fixture
def app(world_db: tuple[Path, World], tmp_path: Path) -> Iterator[Flask]:
    """As tests/conftest.py's `app`, on a copy of the world's database and résumé files."""
    shutil.copytree(resume_dir(world_db[0]), tmp_path / "resumes")
    yield from app_on_copy_of(world_db[0], tmp_path)


@pytest.fixture
def world(app: Flask, world_db: tuple[Path, World]) -> World:
    return world_db[1]


@pytest.fixture
def people(world: World) -> dict[str, User]:
    """tests/conftest.py's people, as they are in the world."""
    return {key: db.session.get(User, world.people[name].id) for key, name in FROM_CONFTEST.items()}


@pytest.fixture
def database(app: Flask) -> Database:
    return Database(app)
