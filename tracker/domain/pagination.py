"""Keyset pagination, the pure part: the cursor a page link carries, and cutting the rows
fetched for one page into the page and its neighbours.

A long list is read a page at a time by its sort key (say, when each application last
moved, then its id), never by OFFSET: the database starts where the previous page ended,
so every page costs the same however deep it lies. A cursor is the sort key of the row a
page ends (or starts) at, written plainly in the URL, e.g. `?after=2026-11-20T09:30:00.250000Z,812`.
It names a position, not a row anyone may see: the query that reads it applies the
page's own access rules, so a cursor made up by hand reveals nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

T = TypeVar("T")
Key = tuple[datetime | int, ...]

# Largest id a cursor may name (PostgreSQL's INTEGER): a bigger one names nothing.
MAX_ID = 2**31 - 1
# Longer than any cursor this module writes: anything longer is refused unread.
MAX_LENGTH = 80
SEPARATOR = ","


class BadCursor(ValueError):
    """A page link's cursor that this list did not write (tampered with, or cut short)."""


def encode(key: Key) -> str:
    """A sort key as cursor text: times as ISO 8601 in UTC, ids as digits."""
    parts = []
    for value in key:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError("naive datetime in a cursor; use timezone-aware UTC")
            # "Z" rather than "+00:00": a "+" left bare in a URL reads back as a space.
            parts.append(value.astimezone(UTC).isoformat().replace("+00:00", "Z"))
        elif isinstance(value, int) and not isinstance(value, bool):
            parts.append(str(value))
        else:
            raise TypeError(f"a cursor holds times and ids, not {type(value).__name__}")
    return SEPARATOR.join(parts)


def decode(text: str, kinds: Sequence[type]) -> Key:
    """The sort key a cursor names, one value per kind (datetime or int); BadCursor
    unless it is exactly what `encode` writes for such a key."""
    if not text or len(text) > MAX_LENGTH:
        raise BadCursor("empty or too long")
    parts = text.split(SEPARATOR)
    if len(parts) != len(kinds):
        raise BadCursor(f"expected {len(kinds)} values, got {len(parts)}")
    values: list[datetime | int] = []
    for part, kind in zip(parts, kinds, strict=True):
        if kind is datetime:
            values.append(_moment(part))
        elif kind is int:
            if not (part.isascii() and part.isdigit()) or not 0 < int(part) <= MAX_ID:
                raise BadCursor(f"not an id: {part!r}")
            values.append(int(part))
        else:
            raise TypeError(f"a cursor holds times and ids, not {kind.__name__}")
    return tuple(values)


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadCursor(f"not a time: {text!r}") from None
    if moment.tzinfo is None:
        raise BadCursor("a time without its zone")
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:59:59-01:00: past the calendar in UTC
        raise BadCursor(f"not a time: {text!r}") from None


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, and the cursors of the pages on either side (None at an end)."""

    items: list[T]
    next_key: Key | None = None
    previous_key: Key | None = None

    @property
    def next_cursor(self) -> str | None:
        return encode(self.next_key) if self.next_key is not None else None

    @property
    def previous_cursor(self) -> str | None:
        return encode(self.previous_key) if self.previous_key is not None else None


def cut(
    rows: Sequence[T], size: int, key: Callable[[T], Key], *, backwards: bool, from_cursor: bool
) -> Page[T]:
    """The page from `rows`, fetched in the direction of travel with one row more than
    `size` (that row only says whether more lie that way).

    Forwards (or the first page): rows follow the cursor in list order; a next page
    exists when the extra row came back, a previous one when we started from a cursor.
    Backwards: rows precede the cursor, nearest first; they are put back in list order,
    a previous page exists when the extra row came back, and the next page is the one
    we came from.
    """
    if size < 1:
        raise ValueError("a page holds at least one row")
    more = len(rows) > size
    items = list(rows[:size])
    if backwards:
        items.reverse()
        has_previous, has_next = more, from_cursor
    else:
        has_previous, has_next = from_cursor, more
    return Page(
        items=items,
        next_key=key(items[-1]) if has_next and items else None,
        previous_key=key(items[0]) if has_previous and items else None,
    )
