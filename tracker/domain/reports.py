"""Reports as plain data: sections of columns and rows, and the statistics they show.

The services compute counts and sums in SQL; what is left (a median from the two middle
values, a correlation from its sums, how a value reads) is pure and lives here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

DAY = 86400.0


class Kind(StrEnum):
    """How a column's values read, on the page and in the CSV."""

    TEXT = "text"
    COUNT = "count"
    PERCENT = "percent"  # a fraction, 0..1, shown as a percentage
    DAYS = "days"  # seconds, shown in days
    HOURS = "hours"  # seconds, shown in hours
    SCORE = "score"  # a mean on the 1..4 rating scale
    DIFFERENCE = "difference"  # a signed difference of scores
    CORRELATION = "correlation"  # -1..1
    DATE = "date"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Kind = Kind.TEXT


@dataclass(frozen=True)
class Chart:
    """Which columns a chart draws: one bar per row, labelled by `label`; several value
    columns are drawn side by side, or stacked when `stacked`."""

    label: str
    values: tuple[str, ...]
    stacked: bool = False
    title: str = ""
    # The colours: "series" (distinct hues) or "rating" (strong no .. strong yes, then
    # not assessed, from red to green to grey); see app.css.
    palette: str = "series"


@dataclass(frozen=True)
class Section:
    """One report table (and the chart drawn from it); also one CSV download."""

    key: str
    title: str
    description: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    empty: str
    chart: Chart | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def column(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)


def display(value: Any, kind: Kind) -> str:
    """A value as the page shows it; a missing figure is a dash, never a zero."""
    if value is None:
        return "—"
    if kind is Kind.COUNT:
        return f"{int(value):,}"
    if kind is Kind.PERCENT:
        return f"{value * 100:.0f}%"
    if kind is Kind.DAYS:
        return f"{value / DAY:.1f} days"
    if kind is Kind.HOURS:
        return f"{value / 3600:.1f} h"
    if kind is Kind.SCORE:
        return f"{value:.2f}"
    if kind in (Kind.DIFFERENCE, Kind.CORRELATION):
        # + 0.0 turns a rounded -0.00 into +0.00: no sign where there is no difference
        return f"{round(value, 2) + 0.0:+.2f}"
    if kind is Kind.DATE and isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_value(value: Any, kind: Kind) -> Any:
    """A value for a spreadsheet: plain numbers in the unit the header names."""
    if value is None:
        return ""
    if kind is Kind.PERCENT:
        return round(value * 100, 1)
    if kind is Kind.DAYS:
        return round(value / DAY, 2)
    if kind is Kind.HOURS:
        return round(value / 3600, 2)
    if kind in (Kind.SCORE, Kind.DIFFERENCE, Kind.CORRELATION):
        return round(value, 3)
    if kind is Kind.DATE and isinstance(value, date):
        return value.isoformat()
    return value


UNITS = {Kind.PERCENT: " (%)", Kind.DAYS: " (days)", Kind.HOURS: " (hours)"}


def csv_header(column: Column) -> str:
    return column.label + UNITS.get(column.kind, "")


def share(part: int | float | None, whole: int | float | None) -> float | None:
    """part / whole, or None when there is no whole to divide by."""
    if part is None or not whole:
        return None
    return part / whole


# --- percentiles -------------------------------------------------------------------------


def median_ranks(n: int) -> tuple[int, int]:
    """The 1-based ranks whose mean is the median of n sorted values."""
    return (n + 1) // 2, (n + 2) // 2


def p90_rank(n: int) -> int:
    """The nearest-rank 90th percentile: the smallest value with 90% at or below it."""
    return (9 * n + 9) // 10


@dataclass(frozen=True)
class Spread:
    """How long something takes: how many, the median and the 90th percentile."""

    count: int
    median: float | None
    p90: float | None


def spread(count: int, ranked: dict[int, float]) -> Spread:
    """The spread of `count` values, given the values at the ranks that matter (as the
    SQL in `tracker.services.report_sql.ranked_values` returns them)."""
    if count == 0:
        return Spread(0, None, None)
    low, high = median_ranks(count)
    return Spread(count, (ranked[low] + ranked[high]) / 2, ranked[p90_rank(count)])


def spread_of(values: Iterable[float]) -> Spread:
    """The same figures from the values themselves: the reference the SQL is tested on."""
    ordered = sorted(values)
    return spread(len(ordered), {i + 1: v for i, v in enumerate(ordered)})


# --- correlation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Sums:
    """What a Pearson correlation needs, summed in SQL: n, Σx, Σy, Σxy, Σx², Σy²."""

    n: int
    x: float
    y: float
    xy: float
    xx: float
    yy: float


def correlation(s: Sums) -> float | None:
    """Pearson's r from its sums; None when either side does not vary (or n < 3)."""
    if s.n < 3:
        return None
    sxx = s.n * s.xx - s.x * s.x
    syy = s.n * s.yy - s.y * s.y
    if sxx <= 0 or syy <= 0:
        return None
    return (s.n * s.xy - s.x * s.y) / math.sqrt(sxx * syy)


def sums_of(pairs: Sequence[tuple[float, float]]) -> Sums:
    """The sums of (x, y) pairs: the reference the SQL is tested on."""
    return Sums(
        n=len(pairs),
        x=sum(x for x, _ in pairs),
        y=sum(y for _, y in pairs),
        xy=sum(x * y for x, y in pairs),
        xx=sum(x * x for x, _ in pairs),
        yy=sum(y * y for _, y in pairs),
    )


def strength(r: float | None) -> str:
    """How strongly a correlation reads, in words."""
    if r is None:
        return "Too few outcomes"
    size = abs(r)
    if size < 0.1:
        return "None"
    word = "Weak" if size < 0.3 else "Moderate" if size < 0.5 else "Strong"
    return f"{word} ({'goes with hiring' if r > 0 else 'goes with rejection'})"


# --- calibration ---------------------------------------------------------------------------

# An interviewer whose mean rating differs from the panel's on the same applications by at
# least this much (on the 1..4 scale) reads as lenient or harsh.
LEAN_THRESHOLD = 0.25


def lean(own: float | None, panel: float | None) -> str:
    """Lenient, harsh or in line with the rest of the panel."""
    if own is None or panel is None:
        return "No shared applications"
    # rounded, so a difference of exactly the threshold (13/6 against 23/12) is not
    # read as in line by a floating-point error in the last digit
    difference = round(own - panel, 9)
    if difference >= LEAN_THRESHOLD:
        return "Lenient"
    if difference <= -LEAN_THRESHOLD:
        return "Harsh"
    return "In line"


# --- requirement insight -----------------------------------------------------------------

# A requirement that the plan puts in an interview's focus but that fewer than this share of
# that interview's submitted scorecards rate (Not assessed and blank do not count) is flagged.
RARELY_ASSESSED = 0.5


def assessment_flag(planned: int, assessed: int) -> str:
    """How a requirement fares where the plan asks for it: "Never assessed", "Rarely
    assessed" (below RARELY_ASSESSED of the scorecards that should rate it), or ""
    (often enough, or not planned anywhere yet, so nothing to judge)."""
    if planned < 1:
        return ""
    if assessed <= 0:
        return "Never assessed"
    if assessed / planned < RARELY_ASSESSED:
        return "Rarely assessed"
    return ""


def strongest_first(r: float | None) -> tuple[bool, float]:
    """A sort key: the strongest correlation first, either sign; none at the end."""
    return (r is None, -abs(r) if r is not None else 0.0)
