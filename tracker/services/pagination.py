"""Keyset pagination in SQL: one page of a long list, read from where the cursor points
(see tracker.domain.pagination for the cursor and how a fetched page is cut).

The list's sort key is a few columns ending in a unique one (the id), all sorted the same
way. A page is `WHERE (key) < (cursor) ORDER BY key DESC LIMIT size + 1` (or the mirror
image), which an index on the key columns answers without reading the rows before it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, literal, tuple_

from tracker.domain.pagination import Key, Page, cut
from tracker.extensions import db


@dataclass(frozen=True)
class Ordering:
    """A list's sort key: its columns (the last one unique) and one direction for all."""

    columns: tuple[ColumnElement[Any], ...]
    descending: bool = True

    def after(self, key: Key) -> ColumnElement[bool]:
        """Rows that come after `key` in list order."""
        row, cursor = self._pair(key)
        return row < cursor if self.descending else row > cursor

    def before(self, key: Key) -> ColumnElement[bool]:
        """Rows that come before `key` in list order."""
        row, cursor = self._pair(key)
        return row > cursor if self.descending else row < cursor

    def _pair(self, key: Key) -> tuple[Any, Any]:
        if len(key) != len(self.columns):
            raise ValueError("the cursor does not fit this list's sort key")
        # Each value bound with its column's type, so a time compares as the column stores it.
        values = [literal(v, c.type) for v, c in zip(key, self.columns, strict=True)]
        return tuple_(*self.columns), tuple_(*values)

    def order(self, *, reverse: bool = False) -> list[ColumnElement[Any]]:
        descending = self.descending != reverse
        return [c.desc() if descending else c.asc() for c in self.columns]


def keyset_page(
    stmt: Select[Any],
    ordering: Ordering,
    key: Callable[[Any], Key],
    size: int,
    *,
    after: Key | None = None,
    before: Key | None = None,
    scalars: bool = False,
) -> Page[Any]:
    """One page of `stmt` (which must not be ordered or limited yet): the first page, the
    page after `after`, or the page before `before`; one query. `key` reads a fetched
    row's sort key (the same columns as `ordering`)."""
    backwards = before is not None and after is None
    if after is not None:
        stmt = stmt.where(ordering.after(after))
    elif before is not None:
        stmt = stmt.where(ordering.before(before))
    stmt = stmt.order_by(*ordering.order(reverse=backwards)).limit(size + 1)
    result = db.session.scalars(stmt) if scalars else db.session.execute(stmt)
    return cut(
        list(result.all()),
        size,
        key,
        backwards=backwards,
        from_cursor=after is not None or before is not None,
    )
