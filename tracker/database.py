"""Connection settings the database needs on every connection: for SQLite, WAL (readers
never wait for the writer), a busy timeout (a second writer waits for the first instead of
failing at once) and foreign keys (off by default in SQLite). PostgreSQL needs none."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import Engine, event
from sqlalchemy.engine import URL

from tracker.extensions import db


def configure(app: Flask) -> None:
    """Register the per-connection settings on each of the app's SQLite engines."""
    with app.app_context():
        engines = list(db.engines.values())
    busy_timeout_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])
    for engine in engines:
        if engine.dialect.name == "sqlite":
            _on_sqlite_connect(engine, busy_timeout_ms)


def in_memory(url: URL) -> bool:
    """An in-memory database (`sqlite://`, `:memory:`, `mode=memory`), which has no file
    for a write-ahead log."""
    return url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"


def sqlite_pragmas(url: URL, busy_timeout_ms: int) -> list[tuple[str, str]]:
    """The PRAGMAs each new connection to this SQLite database runs, in order."""
    pragmas = [
        ("busy_timeout", str(int(busy_timeout_ms))),
        ("foreign_keys", "ON"),
    ]
    if not in_memory(url):
        # Stored in the file: the first connection switches it, later ones find it set.
        pragmas.insert(1, ("journal_mode", "WAL"))
    return pragmas


def _on_sqlite_connect(engine: Engine, busy_timeout_ms: int) -> None:
    pragmas = sqlite_pragmas(engine.url, busy_timeout_ms)

    def set_pragmas(dbapi_connection: Any, _record: object) -> None:
        # A fresh connection has no transaction open, so each PRAGMA takes effect.
        cursor = dbapi_connection.cursor()
        try:
            for name, value in pragmas:
                cursor.execute(f"PRAGMA {name}={value}")  # names and values from this module
        finally:
            cursor.close()

    event.listen(engine, "connect", set_pragmas)
