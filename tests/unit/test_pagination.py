"""Keyset pagination's pure part, as tables: cursors in and out of URLs, and how the rows
fetched for a page are cut into the page and the keys of its neighbours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tracker.domain.pagination import MAX_ID, BadCursor, Page, cut, decode, encode

MOVED = (datetime, int)  # a list sorted by a time, then by id
AT = datetime(2026, 11, 20, 9, 30, 0, 250000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ((AT, 812), "2026-11-20T09:30:00.250000Z,812"),
        ((AT.replace(microsecond=0), 1), "2026-11-20T09:30:00Z,1"),
        # another zone is written as the same moment in UTC
        (
            (datetime(2026, 11, 20, 10, 30, tzinfo=timezone(timedelta(hours=1))), 7),
            "2026-11-20T09:30:00Z,7",
        ),
        ((5, 6), "5,6"),
    ],
)
def test_a_key_is_written_plainly_and_read_back(key, text) -> None:
    assert encode(key) == text
    kinds = tuple(type(v) for v in key)
    assert decode(text, kinds) == tuple(
        v.astimezone(UTC) if isinstance(v, datetime) else v for v in key
    )


def test_a_cursor_holds_no_plus_sign_a_url_would_turn_into_a_space() -> None:
    assert "+" not in encode((AT, 1))


@pytest.mark.parametrize("key", [(datetime(2026, 1, 1), 1), ("text", 1), (AT, True), (AT, 1.5)])
def test_only_aware_times_and_ids_make_a_cursor(key) -> None:
    with pytest.raises((TypeError, ValueError)):
        encode(key)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "empty"),
        ("x" * 81, "too long"),
        ("2026-11-20T09:30:00Z", "one value short"),
        ("2026-11-20T09:30:00Z,1,2", "one value too many"),
        ("2026-11-20T09:30:00,1", "a time without its zone"),
        ("2026-11-20 09:30:00 00:00,1", "a '+' read back as a space"),
        ("yesterday,1", "not a time"),
        ("2026-13-01T00:00:00Z,1", "no such month"),
        ("2026-11-20T09:30:00Z,abc", "not an id"),
        ("2026-11-20T09:30:00Z,-1", "a negative id"),
        ("2026-11-20T09:30:00Z,0", "no row has id 0"),
        (f"2026-11-20T09:30:00Z,{MAX_ID + 1}", "an id past the largest"),
        ("2026-11-20T09:30:00Z,١٢", "digits of another script"),
        ("2026-11-20T09:30:00Z, 1", "a space"),
    ],
)
def test_a_cursor_this_list_did_not_write_is_refused(text, why) -> None:
    with pytest.raises(BadCursor):
        decode(text, MOVED)


def test_the_largest_id_is_still_an_id() -> None:
    assert decode(f"2026-11-20T09:30:00Z,{MAX_ID}", MOVED)[1] == MAX_ID


def key(n: int) -> tuple[int, int]:
    return (n, n)


@pytest.mark.parametrize(
    ("rows", "backwards", "from_cursor", "items", "next_key", "previous_key"),
    [
        # the first page: nothing before it; a next page when the extra row came back
        ([1, 2, 3, 4], False, False, [1, 2, 3], key(3), None),
        ([1, 2, 3], False, False, [1, 2, 3], None, None),
        ([1, 2], False, False, [1, 2], None, None),
        ([], False, False, [], None, None),
        # a page after a cursor: there is a previous page
        ([4, 5, 6, 7], False, True, [4, 5, 6], key(6), key(4)),
        ([4, 5], False, True, [4, 5], None, key(4)),
        # a cursor past the end: an empty page, and no keys to go on from
        ([], False, True, [], None, None),
        # backwards from a cursor: rows come nearest first and are put back in order;
        # the next page is the one we came from
        ([6, 5, 4, 3], True, True, [4, 5, 6], key(6), key(4)),
        ([2, 1], True, True, [1, 2], key(2), None),
        ([], True, True, [], None, None),
    ],
)
def test_cutting_a_page(rows, backwards, from_cursor, items, next_key, previous_key) -> None:
    page = cut(rows, 3, key, backwards=backwards, from_cursor=from_cursor)
    assert page == Page(items, next_key, previous_key)


def test_a_page_holds_at_least_one_row() -> None:
    with pytest.raises(ValueError):
        cut([1], 0, key, backwards=False, from_cursor=False)


def test_a_page_writes_its_neighbours_cursors() -> None:
    page = Page(["a"], next_key=(AT, 2), previous_key=(AT, 1))
    assert page.next_cursor == "2026-11-20T09:30:00.250000Z,2"
    assert page.previous_cursor == "2026-11-20T09:30:00.250000Z,1"
    assert Page([]).next_cursor is None and Page([]).previous_cursor is None
