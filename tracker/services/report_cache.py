"""Report pages built a moment ago, kept for a short while in this process.

A report over a large company aggregates tens of thousands of rows; people reload it,
page through its filters and come back to it. Each page is kept for REPORT_CACHE_SECONDS
under a key that holds everything its figures depend on besides the data itself: the
report, the viewer, their roles, the openings they may see, the filters (dates in their
time zone), and the applications whose feedback is withheld from them (so being given an
interview to score changes the key at once: independent judgement never waits for the
cache). The data itself may be up to that many seconds old; the page says when its
figures were computed.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class TimedCache(Generic[T]):
    """At most `size` entries, each served for `seconds` after it was built (0: off)."""

    seconds: float
    size: int = 256
    clock: Callable[[], float] = time.monotonic
    _entries: OrderedDict[Hashable, tuple[float, T]] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get_or_build(self, key: Hashable, build: Callable[[], T]) -> tuple[T, bool]:
        """The kept value for `key` if still fresh, else a new one; and whether it was kept."""
        if self.seconds <= 0:
            return build(), False
        now = self.clock()
        with self._lock:
            kept = self._entries.get(key)
            if kept is not None and now - kept[0] < self.seconds:
                self._entries.move_to_end(key)
                return kept[1], True
        value = build()  # outside the lock: other requests go on meanwhile
        with self._lock:
            self._entries[key] = (now, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value, False

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
