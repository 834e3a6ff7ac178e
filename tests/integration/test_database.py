"""Connection settings: on SQLite every connection runs in WAL mode, waits for a busy
writer, and enforces foreign keys; PostgreSQL connections are left as they are."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from tests.conftest import make_people
from tests.factories import make_application, make_opening
from tracker import create_app
from tracker.extensions import db
from tracker.models import Application, StageEventRecord
from tracker.services.catalog import load_catalog


def sqlite_app(uri: str, **settings: object) -> Flask:
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": uri, **settings})


@pytest.fixture
def file_app(tmp_path: Path) -> Iterator[Flask]:
    """An app on its own SQLite file (whatever database the suite runs on)."""
    app = sqlite_app(f"sqlite:///{tmp_path / 'settings.sqlite3'}")
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def pragma(engine: Engine, name: str) -> object:
    """The PRAGMA's value on a connection opened just now (none kept from before)."""
    engine.dispose()
    with engine.connect() as connection:
        return connection.exec_driver_sql(f"PRAGMA {name}").scalar()


@pytest.mark.parametrize(
    ("name", "expected"),
    [("journal_mode", "wal"), ("busy_timeout", 5000), ("foreign_keys", 1)],
)
def test_each_pragma_is_set_on_every_new_connection(file_app, name, expected) -> None:
    assert pragma(db.engine, name) == expected


def test_the_busy_timeout_comes_from_the_settings(tmp_path: Path) -> None:
    app = sqlite_app(f"sqlite:///{tmp_path / 'busy.sqlite3'}", SQLITE_BUSY_TIMEOUT_MS=1234)
    with app.app_context():
        assert pragma(db.engine, "busy_timeout") == 1234
        db.engine.dispose()


@pytest.mark.parametrize(
    ("name", "expected"),
    # An in-memory database has no file for a write-ahead log: it keeps its own journal.
    [("journal_mode", "memory"), ("busy_timeout", 5000), ("foreign_keys", 1)],
)
def test_in_memory_sqlite_gets_what_it_can_take(name, expected) -> None:
    app = sqlite_app("sqlite://")
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql(f"PRAGMA {name}").scalar() == expected
        db.engine.dispose()


def our_listeners(engine: Engine) -> list:
    return [fn for fn in engine.pool.dispatch.connect if fn.__module__ == "tracker.database"]


def test_only_sqlite_engines_get_the_settings(file_app) -> None:
    """PostgreSQL needs none of it (and would refuse the PRAGMAs): its engine gets no
    listener. Building the app does not connect, so no server is needed here."""
    assert len(our_listeners(db.engine)) == 1
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@/none"}
    )
    with app.app_context():
        assert db.engine.dialect.name == "postgresql"
        assert our_listeners(db.engine) == []


def test_a_row_pointing_at_nothing_is_refused(app, people) -> None:
    """Foreign keys are enforced (SQLite ignores them unless told otherwise)."""
    opening = make_opening(people["hm"], people["recruiter"])
    db.session.add(
        Application(
            candidate_id=2_000_000_000, opening_id=opening.id, stage_id=opening.stages[0].id
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Application)) == 0


def test_migrations_rebuild_tables_that_rows_refer_to(file_app) -> None:
    """Batch migrations copy, drop and rename a table on SQLite: with foreign keys on,
    dropping `applications` (which stage events refer to) would fail, so the migrations
    run with them off, check them at the end, and hand the connection back with them on."""
    upgrade()
    load_catalog()
    people = make_people()
    application = make_application(make_opening(people["hm"], people["recruiter"]), people["hm"])
    application_id = application.id
    db.session.remove()

    downgrade(revision="0003")  # drops applications.version: a rebuild of the table
    upgrade()

    assert pragma_now(db.engine, "foreign_keys") == 1
    assert db.session.get(Application, application_id).version == 1
    assert db.session.scalar(
        select(func.count()).where(StageEventRecord.application_id == application_id)
    )


def pragma_now(engine: Engine, name: str) -> object:
    """The PRAGMA on a pooled connection (the one the migration just gave back)."""
    with engine.connect() as connection:
        return connection.exec_driver_sql(f"PRAGMA {name}").scalar()
