"""Counting SQL statements: a page's number of queries is part of its contract."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from tracker.extensions import db


@contextmanager
def recorded_queries() -> Iterator[list[str]]:
    """Every statement sent to the database inside the block, in order."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def count_page_queries(client, url: str) -> int:
    """Queries one GET of the page makes, starting as a real request does: nothing loaded."""
    db.session.expire_all()
    with recorded_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)
