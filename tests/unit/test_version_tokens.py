"""The version a page showed, read back from its hidden field; and which SQLite databases
can take a write-ahead log."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from tracker.database import in_memory, sqlite_pragmas
from tracker.forms import expected_version


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        (None, None),  # the form carried no version: nothing to compare
        ("", None),
        ("1", 1),
        ("42", 42),
        (" 7 ", 7),
        ("abc", 0),  # not a version the page could have shown: never current
        ("1.5", 0),
        ("-1", -1),  # an integer, but no application has it: refused as outdated
    ],
)
def test_expected_version(sent, expected) -> None:
    assert expected_version(sent) == expected


@pytest.mark.parametrize(
    ("url", "memory"),
    [
        ("sqlite://", True),
        ("sqlite:///:memory:", True),
        ("sqlite:///file:shared?mode=memory&cache=shared&uri=true", True),
        ("sqlite:///instance/tracker.sqlite3", False),
        ("sqlite:////tmp/x.sqlite3", False),
    ],
)
def test_in_memory(url, memory) -> None:
    assert in_memory(make_url(url)) is memory


def test_a_file_database_gets_wal_and_memory_does_not() -> None:
    on_file = sqlite_pragmas(make_url("sqlite:////tmp/x.sqlite3"), 5000)
    assert on_file == [("busy_timeout", "5000"), ("journal_mode", "WAL"), ("foreign_keys", "ON")]
    in_ram = sqlite_pragmas(make_url("sqlite://"), 250)
    assert in_ram == [("busy_timeout", "250"), ("foreign_keys", "ON")]
