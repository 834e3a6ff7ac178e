"""The audit trail's hash chain: how an entry is serialised and hashed, and how a run of
entries is checked. Pure functions over plain values (no Flask, no SQLAlchemy), so the
rule that makes the trail tamper-evident is stated once and tested as plain calls.

Each entry's hash is SHA-256 over a canonical serialisation of its content and the hash
of the entry before it (`GENESIS` for the first). Changing any field of an entry breaks
its own hash; removing or reordering entries breaks the link of the entry after.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

GENESIS = "0" * 64
REDACTED = "[redacted]"


def json_safe(value: Any) -> Any:
    """A value JSON can carry unchanged in meaning: datetimes as ISO text (UTC kept), enums
    by value, sets sorted, anything else unknown as its text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return json_safe(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((json_safe(v) for v in value), key=repr)
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return str(value)


def canonical_json(value: Any) -> str:
    """One text for one value: sorted keys, no spaces, Unicode kept."""
    return json.dumps(json_safe(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def timestamp(at: datetime) -> str:
    """The entry's time as hashed: UTC ISO 8601 with microseconds, whatever the zone given."""
    if at.tzinfo is None:
        raise ValueError("naive datetime given; audit times are timezone-aware UTC")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Entry:
    """One audit entry as stored (`id` and `hash` as read back; None before writing)."""

    at: datetime
    actor_id: int | None
    actor_email: str | None
    ip: str | None
    action: str
    object_type: str
    object_id: str | None
    details: str  # canonical JSON text
    prev_hash: str
    hash: str | None = None
    id: int | None = None


def entry_hash(entry: Entry) -> str:
    """SHA-256 over the entry's content and its previous hash; the stored `hash` and `id`
    are not part of it."""
    content = [
        timestamp(entry.at),
        entry.actor_id,
        entry.actor_email,
        entry.ip,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.details,
        entry.prev_hash,
    ]
    text = json.dumps(content, separators=(",", ":"), ensure_ascii=False)  # plain values
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first entry at which the chain does not hold, and why."""

    entry_id: int | None
    reason: str


class ChainCheck:
    """Walks entries in id order, possibly batch by batch, remembering the last hash."""

    def __init__(self, last_hash: str = GENESIS) -> None:
        self.last_hash = last_hash
        self.count = 0

    def feed(self, entries: Iterable[Entry]) -> Break | None:
        """Check the next entries; the first break found, else None."""
        for entry in entries:
            if entry.prev_hash != self.last_hash:
                return Break(
                    entry.id,
                    "its previous hash does not match the entry before it "
                    "(an entry was removed, reordered or changed)",
                )
            if entry_hash(entry) != entry.hash:
                return Break(
                    entry.id, "its content does not match its hash (changed after writing)"
                )
            self.last_hash = entry.hash
            self.count += 1
        return None


def verify(entries: Iterable[Entry]) -> Break | None:
    """The first break in a whole chain given in id order, else None."""
    return ChainCheck().feed(entries)


def chain(entries: Iterable[Entry], prev_hash: str = GENESIS) -> list[Entry]:
    """Link new entries after `prev_hash`, each hashed over the one before it."""
    linked = []
    for entry in entries:
        entry = replace(entry, prev_hash=prev_hash, hash=None)
        prev_hash = entry_hash(entry)
        linked.append(replace(entry, hash=prev_hash))
    return linked
