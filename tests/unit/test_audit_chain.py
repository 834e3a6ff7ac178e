"""The audit trail's hash chain, as plain function calls: what breaks it, and where."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum

import pytest

from tracker.domain.audit_chain import (
    GENESIS,
    ChainCheck,
    Entry,
    canonical_json,
    chain,
    entry_hash,
    json_safe,
    timestamp,
    verify,
)
from tracker.domain.spreadsheet import safe_cell

T0 = datetime(2026, 3, 2, 9, 30, 0, 123456, tzinfo=UTC)


def make_chain(n: int = 5) -> list[Entry]:
    """n linked entries with ids 1..n."""
    entries = chain(
        Entry(
            at=T0 + timedelta(seconds=i),
            actor_id=7 if i % 2 else None,
            actor_email="ann@example.com" if i % 2 else None,
            ip="192.0.2.1",
            action="update",
            object_type="applications",
            object_id=str(i),
            details=canonical_json({"before": {"stage_id": i}, "after": {"stage_id": i + 1}}),
            prev_hash="",
        )
        for i in range(1, n + 1)
    )
    return [replace(e, id=i) for i, e in enumerate(entries, start=1)]


def change(index: int, **fields) -> Callable[[list[Entry]], list[Entry]]:
    def edit(entries: list[Entry]) -> list[Entry]:
        entries[index] = replace(entries[index], **fields)
        return entries

    return edit


def rehashed(index: int, **fields) -> Callable[[list[Entry]], list[Entry]]:
    """A forger who changes an entry and recomputes its own hash (not the ones after)."""

    def edit(entries: list[Entry]) -> list[Entry]:
        forged = replace(entries[index], **fields)
        entries[index] = replace(forged, hash=entry_hash(forged))
        return entries

    return edit


def delete(index: int) -> Callable[[list[Entry]], list[Entry]]:
    return lambda entries: entries[:index] + entries[index + 1 :]


def swap(i: int, j: int) -> Callable[[list[Entry]], list[Entry]]:
    def edit(entries: list[Entry]) -> list[Entry]:
        entries[i], entries[j] = entries[j], entries[i]
        return entries

    return edit


CONTENT = "its content does not match its hash"
LINK = "its previous hash does not match the entry before it"

# (tampering, first broken entry id or None, reason)
CASES = [
    ("intact", lambda entries: entries, None, None),
    ("changed action", change(2, action="view"), 3, CONTENT),
    ("changed actor", change(2, actor_id=99), 3, CONTENT),
    ("changed actor email", change(1, actor_email="eve@example.com"), 2, CONTENT),
    ("changed ip", change(4, ip="203.0.113.9"), 5, CONTENT),
    ("changed object id", change(0, object_id="42"), 1, CONTENT),
    ("changed details", change(2, details='{"after":{},"before":{}}'), 3, CONTENT),
    ("changed time, 1 µs", change(2, at=T0 + timedelta(seconds=3, microseconds=1)), 3, CONTENT),
    ("changed hash", change(2, hash="f" * 64), 3, CONTENT),
    ("changed field, own hash recomputed", rehashed(2, action="view"), 4, LINK),
    ("deleted entry", delete(2), 4, LINK),
    ("deleted first entry", delete(0), 2, LINK),
    ("reordered entries", swap(2, 3), 4, LINK),
    ("changed prev_hash", change(3, prev_hash="0" * 64), 4, LINK),
    ("changed prev_hash, own hash recomputed", rehashed(3, prev_hash="1" * 64), 4, LINK),
]


@pytest.mark.parametrize(
    ("tamper", "broken_id", "reason"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_the_check_names_the_first_broken_entry(tamper, broken_id, reason) -> None:
    result = verify(tamper(make_chain()))
    if broken_id is None:
        assert result is None
    else:
        assert result is not None
        assert (result.entry_id, result.reason.startswith(reason)) == (broken_id, True)


def test_the_check_runs_batch_by_batch_as_over_the_whole_chain() -> None:
    entries = make_chain(7)
    check = ChainCheck()
    for start in range(0, 7, 3):
        assert check.feed(entries[start : start + 3]) is None
    assert (check.count, check.last_hash) == (7, entries[-1].hash)
    tampered = change(5, action="delete")(make_chain(7))
    check = ChainCheck()
    assert check.feed(tampered[:3]) is None
    assert check.feed(tampered[3:6]).entry_id == 6


def test_the_first_entry_follows_the_genesis_hash() -> None:
    entries = make_chain(2)
    assert entries[0].prev_hash == GENESIS == "0" * 64
    assert entries[1].prev_hash == entries[0].hash
    assert len(entries[0].hash) == 64


def test_the_hash_does_not_depend_on_the_stored_id_or_the_zone_the_time_is_given_in() -> None:
    entry = make_chain(1)[0]
    paris = timezone(timedelta(hours=1))
    assert entry_hash(replace(entry, id=999)) == entry.hash
    assert entry_hash(replace(entry, at=entry.at.astimezone(paris))) == entry.hash


def test_the_hash_separates_fields_unambiguously() -> None:
    """Moving text from one field to the next changes the hash (no plain concatenation)."""
    entry = make_chain(1)[0]
    moved = replace(entry, object_type="application", object_id="s" + entry.object_id)
    assert entry_hash(moved) != entry.hash
    assert entry_hash(replace(entry, actor_id=None)) != entry_hash(replace(entry, actor_id=0))


def test_timestamp_is_utc_with_microseconds_and_refuses_naive_times() -> None:
    assert timestamp(T0) == "2026-03-02T09:30:00.123456+00:00"
    assert timestamp(T0.replace(microsecond=0)) == "2026-03-02T09:30:00.000000+00:00"
    with pytest.raises(ValueError, match="naive"):
        timestamp(datetime(2026, 3, 2, 9, 30))


class Colour(Enum):
    RED = "red"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (3, 3),
        ("Zoë", "Zoë"),
        (T0, "2026-03-02T09:30:00.123456+00:00"),
        (date(2026, 3, 2), "2026-03-02"),
        (Colour.RED, "red"),
        (Decimal("1.50"), "1.50"),
        (b"\x01\xff", "01ff"),
        ({"b": {2, 1}, 1: (T0,)}, {"b": [1, 2], "1": ["2026-03-02T09:30:00.123456+00:00"]}),
    ],
)
def test_json_safe_values(value, expected) -> None:
    assert json_safe(value) == expected


def test_canonical_json_is_one_text_for_one_value() -> None:
    assert canonical_json({"b": 1, "a": [1, "é"]}) == '{"a":[1,"é"],"b":1}'
    assert canonical_json({"a": 1, "b": 2}) == canonical_json({"b": 2, "a": 1})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("ann@example.com", "ann@example.com"),
        ("a=b", "a=b"),
        (None, ""),
        (42, "42"),
    ],
)
def test_csv_cells_never_start_a_formula(value, expected) -> None:
    assert safe_cell(value) == expected
