"""The test databases: SQLite files by default, PostgreSQL when TEST_DATABASE_URL is set.

TEST_DATABASE_URL names a PostgreSQL server and a database on it to connect to for
administration (e.g. `postgresql+psycopg://postgres@/postgres?host=/tmp&port=5433`);
every test database is then a database of its own on that server, created from a
template (PostgreSQL's CREATE DATABASE ... TEMPLATE copies a prepared database in
milliseconds, as copying the file does for SQLite) and dropped afterwards. `make
test-postgres` (scripts/with-postgres) starts a throwaway server and sets the variable.
"""

from __future__ import annotations

import itertools
import os
import secrets
import shutil
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

SERVER_URL = os.environ.get("TEST_DATABASE_URL", "").strip()


class SQLiteFiles:
    """Each database is a file in the test's own temporary folder."""

    dialect = "sqlite"

    def new(self, folder: Path, name: str) -> str:
        path = folder / f"{name}.sqlite3"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"

    def copy(self, source: str, folder: Path, name: str) -> str:
        target = self.new(folder, name)
        source_path, target_path = _path(source), _path(target)
        shutil.copy(source_path, target_path)
        # A database in WAL mode keeps recent commits beside the file until a checkpoint.
        for suffix in ("-wal", "-shm"):
            side = Path(f"{source_path}{suffix}")
            if side.exists():
                shutil.copy(side, Path(f"{target_path}{suffix}"))
        return target

    def replace(self, target: str, source: str) -> None:
        """Make `target` hold what `source` holds (engines on both must be disposed)."""
        for suffix in ("-wal", "-shm"):
            Path(f"{_path(target)}{suffix}").unlink(missing_ok=True)
        shutil.copy(_path(source), _path(target))
        for suffix in ("-wal", "-shm"):
            side = Path(f"{_path(source)}{suffix}")
            if side.exists():
                shutil.copy(side, Path(f"{_path(target)}{suffix}"))

    def drop(self, url: str) -> None:
        """Files go with the test's temporary folder."""


def _path(url: str) -> Path:
    assert url.startswith("sqlite:///"), url
    return Path(url.removeprefix("sqlite:///"))


class PostgresDatabases:
    """Each database is a database of its own on one server, named after this process."""

    dialect = "postgresql"

    def __init__(self, server_url: str) -> None:
        self._server = make_url(server_url)
        self._admin: Engine | None = None
        self._numbers = itertools.count(1)
        # Unique to this run (a pid alone repeats, and may meet a killed run's leftovers).
        self._prefix = f"t{os.getpid()}{secrets.token_hex(3)}_"

    @property
    def admin(self) -> Engine:
        if self._admin is None:
            self._admin = create_engine(self._server, isolation_level="AUTOCOMMIT")
        return self._admin

    def _url(self, database: str) -> str:
        return self._server.set(database=database).render_as_string(hide_password=False)

    def _fresh_name(self, name: str) -> str:
        # Identifiers of at most 63 characters, made of safe characters only.
        cleaned = "".join(c for c in name.lower() if c.isalnum() or c == "_")[:30]
        return f"{self._prefix}{next(self._numbers)}_{cleaned}"

    def _execute(self, statement: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(statement))

    def new(self, folder: Path, name: str) -> str:
        database = self._fresh_name(name)
        self._execute(f'CREATE DATABASE "{database}"')
        return self._url(database)

    def copy(self, source: str, folder: Path, name: str) -> str:
        database = self._fresh_name(name)
        template = make_url(source).database
        self._execute(f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
        return self._url(database)

    def replace(self, target: str, source: str) -> None:
        """Make `target` hold what `source` holds: drop it and copy the source again."""
        database, template = make_url(target).database, make_url(source).database
        self._execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        self._execute(f'CREATE DATABASE "{database}" TEMPLATE "{template}"')

    def drop(self, url: str) -> None:
        database = make_url(url).database
        assert database and database.startswith(self._prefix), database
        self._execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')

    def drop_leftovers(self) -> None:
        """Databases this process made and did not drop (a test that failed midway)."""
        with self.admin.connect() as connection:
            names = connection.execute(
                text("SELECT datname FROM pg_database WHERE starts_with(datname, :prefix)"),
                {"prefix": self._prefix},
            ).scalars()
            for name in list(names):
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def backend() -> SQLiteFiles | PostgresDatabases:
    if not SERVER_URL:
        return SQLiteFiles()
    if not SERVER_URL.startswith("postgresql"):
        raise RuntimeError(f"TEST_DATABASE_URL must name a PostgreSQL server, not {SERVER_URL!r}")
    return PostgresDatabases(SERVER_URL)


DATABASES = backend()
