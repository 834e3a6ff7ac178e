"""Page links of long lists: the cursor a request carries, and the answer to a bad one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import render_template, request, url_for

from tracker.domain.pagination import BadCursor, Key, Page, decode

AFTER, BEFORE = "after", "before"
BAD_LINK = (
    "This page link is broken or was changed by hand, so the tracker cannot tell which "
    "page it means. Open the list again from its first page."
)


@dataclass(frozen=True)
class Position:
    """Where in a list the request asks to start: after a key, before one, or at the top."""

    after: Key | None = None
    before: Key | None = None

    @property
    def at_start(self) -> bool:
        return self.after is None and self.before is None


def requested_position(kinds: Sequence[type]) -> Position:
    """The `after` or `before` cursor of the query string (not both); BadCursor if it is
    not one this list writes."""
    after, before = request.args.get(AFTER), request.args.get(BEFORE)
    if after is not None and before is not None:
        raise BadCursor("both after and before")
    if after is not None:
        return Position(after=decode(after, kinds))
    if before is not None:
        return Position(before=decode(before, kinds))
    return Position()


def bad_link() -> tuple[str, int]:
    """400, saying what is wrong, rather than guessing a page."""
    return render_template(
        "errors/error.html", code=400, title="Bad page link", message=BAD_LINK
    ), 400


@dataclass(frozen=True)
class PageLinks:
    """Where the pager's links lead (None: no such page)."""

    next: str | None
    previous: str | None
    first: str | None


def links(page: Page[Any], position: Position, endpoint: str, **args: Any) -> PageLinks:
    """The links of a page of the list at `endpoint` (with the list's own arguments):
    Next and Previous carry the cursor; First appears once away from the top."""
    return PageLinks(
        next=url_for(endpoint, **args, after=page.next_cursor) if page.next_cursor else None,
        previous=(
            url_for(endpoint, **args, before=page.previous_cursor) if page.previous_cursor else None
        ),
        first=None if position.at_start else url_for(endpoint, **args),
    )
