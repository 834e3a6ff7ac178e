"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import Migrate, downgrade, upgrade

from tests.databases import DATABASES
from tracker import create_app
from tracker.extensions import db


@pytest.fixture
def fresh_app(tmp_path: Path) -> Iterator[Flask]:
    """An app on an empty database (of the suite's kind), migrated to head by the real
    migrations."""
    url = DATABASES.new(tmp_path, "fresh")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    try:
        with app.app_context():
            upgrade()
            yield app
            db.session.remove()
            db.engine.dispose()
    finally:
        DATABASES.drop(url)


def schema_diff() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": True}
        )
        return compare_metadata(context, db.metadata)


def test_migrated_schema_matches_models(fresh_app: Flask) -> None:
    """A model change without a migration would break every deployed database."""
    assert schema_diff() == []


def test_migrated_schema_has_every_model_table(fresh_app: Flask) -> None:
    """compare_metadata only means something if the migration built the tables at all."""
    tables = set(sa.inspect(db.engine).get_table_names())
    assert tables == set(db.metadata.tables) | {"alembic_version"}


def test_schema_diff_detects_a_missing_column(fresh_app: Flask) -> None:
    """The comparison itself must notice drift, or the test above proves nothing."""
    with db.engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE candidates DROP COLUMN links"))
    diff = schema_diff()
    assert [(d[0], d[3].name) for d in diff] == [("add_column", "links")]


def test_flask_db_check_reports_no_changes(
    fresh_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`flask db check` is what CI runs; it must pass on a freshly migrated database."""
    original = Migrate.get_config

    def get_config(self, *args, **kwargs):
        cfg = original(self, *args, **kwargs)
        cfg.stdout = sys.stdout  # Alembic binds sys.stdout at import; use the runner's
        return cfg

    monkeypatch.setattr(Migrate, "get_config", get_config)
    result = fresh_app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
    assert "No new upgrade operations detected" in result.output


def test_flask_db_check_fails_on_drift(fresh_app: Flask) -> None:
    """The CLI check must exit non-zero when the database and models differ."""
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP INDEX ix_applications_opening_status_stage"))
    result = fresh_app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code != 0


def test_downgrade_to_base_and_upgrade_again(fresh_app: Flask) -> None:
    """The migration must be reversible so a bad deploy can be rolled back."""
    downgrade(revision="base")
    assert set(sa.inspect(db.engine).get_table_names()) == {"alembic_version"}
    upgrade()
    assert schema_diff() == []
    head = ScriptDirectory.from_config(fresh_app.extensions["migrate"].migrate.get_config())
    with db.engine.connect() as conn:
        stamped = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    assert stamped == [head.get_current_head()]


@pytest.mark.parametrize(
    ("kind", "table", "name"),
    [
        ("unique", "users", "uq_users_email"),
        ("unique", "candidates", "uq_candidates_email_normalized"),
        ("unique", "levels", "uq_levels_role_id_key"),
        ("check", "applications", "ck_applications_known_status"),
        ("check", "requirements", "ck_requirements_one_scope"),
        ("foreign_key", "candidates", "fk_candidates_created_by_id_users"),
        ("index", "applications", "uq_applications_active_candidate_opening"),
        ("pk", "users", "pk_users"),
    ],
)
def test_constraints_follow_naming_convention(
    fresh_app: Flask, kind: str, table: str, name: str
) -> None:
    """Named constraints let later migrations drop or alter them on every database."""
    inspector = sa.inspect(db.engine)
    found = {
        "unique": lambda: [c["name"] for c in inspector.get_unique_constraints(table)],
        "check": lambda: [c["name"] for c in inspector.get_check_constraints(table)],
        "foreign_key": lambda: [c["name"] for c in inspector.get_foreign_keys(table)],
        "index": lambda: [c["name"] for c in inspector.get_indexes(table)],
        "pk": lambda: [inspector.get_pk_constraint(table)["name"]],
    }[kind]()
    assert name in found


def test_active_application_index_is_partial(fresh_app: Flask) -> None:
    """Only active applications are unique per candidate and opening; closed ones may repeat."""
    # Each database shows an index's definition in its own catalog.
    definition = {
        "sqlite": "SELECT sql FROM sqlite_master WHERE name = :n",
        "postgresql": "SELECT indexdef FROM pg_indexes WHERE indexname = :n",
    }[db.engine.dialect.name]
    with db.engine.connect() as conn:
        sql = conn.execute(
            sa.text(definition), {"n": "uq_applications_active_candidate_opening"}
        ).scalar_one()
    assert "UNIQUE" in sql
    assert re.search(r"WHERE \(*status\)*(::text)? = 'active'", sql), sql
