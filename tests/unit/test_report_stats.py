"""The reports' pure rules (tracker/domain/reports.py), table-driven: how a value reads on
the page and in a CSV, shares, medians and 90th percentiles, correlation, lean."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.domain.reports import (
    LEAN_THRESHOLD,
    Column,
    Kind,
    Section,
    Spread,
    Sums,
    correlation,
    csv_header,
    csv_value,
    display,
    lean,
    median_ranks,
    p90_rank,
    share,
    spread,
    spread_of,
    strength,
    sums_of,
)

DAY, HOUR = 86400, 3600


@pytest.mark.parametrize("kind", list(Kind))
def test_a_missing_figure_is_a_dash_on_the_page_and_empty_in_the_csv(kind) -> None:
    assert display(None, kind) == "—"
    assert csv_value(None, kind) == ""


@pytest.mark.parametrize(
    ("value", "kind", "shown"),
    [
        (0, Kind.COUNT, "0"),
        (1234, Kind.COUNT, "1,234"),
        (0.0, Kind.PERCENT, "0%"),
        (2 / 3, Kind.PERCENT, "67%"),
        (1.0, Kind.PERCENT, "100%"),
        (2.5 * DAY, Kind.DAYS, "2.5 days"),
        (12 * HOUR, Kind.DAYS, "0.5 days"),
        (1.5 * HOUR, Kind.HOURS, "1.5 h"),
        (36 * HOUR, Kind.HOURS, "36.0 h"),
        (10 / 3, Kind.SCORE, "3.33"),
        (4, Kind.SCORE, "4.00"),
        (0.25, Kind.DIFFERENCE, "+0.25"),
        (-0.5, Kind.DIFFERENCE, "-0.50"),
        (0.0, Kind.DIFFERENCE, "+0.00"),
        (-0.004, Kind.DIFFERENCE, "+0.00"),  # rounds to zero: no minus sign on nothing
        (0.7746, Kind.CORRELATION, "+0.77"),
        (-1.0, Kind.CORRELATION, "-1.00"),
        (date(2026, 1, 5), Kind.DATE, "2026-01-05"),
        ("2026-01-05", Kind.DATE, "2026-01-05"),  # SQLite's week_start is text
        ("Peer interviews", Kind.TEXT, "Peer interviews"),
    ],
)
def test_display(value, kind, shown) -> None:
    assert display(value, kind) == shown


@pytest.mark.parametrize(
    ("value", "kind", "written"),
    [
        (7, Kind.COUNT, 7),
        (2 / 3, Kind.PERCENT, 66.7),  # in the unit the header names: (%)
        (1.0, Kind.PERCENT, 100.0),
        (1.5 * DAY, Kind.DAYS, 1.5),
        (DAY / 3, Kind.DAYS, 0.33),
        (5400, Kind.HOURS, 1.5),
        (10 / 3, Kind.SCORE, 3.333),
        (-0.25, Kind.DIFFERENCE, -0.25),
        (0.77459, Kind.CORRELATION, 0.775),
        (date(2026, 1, 5), Kind.DATE, "2026-01-05"),
        ("=HYPERLINK()", Kind.TEXT, "=HYPERLINK()"),  # neutralised by the view (safe_cell)
    ],
)
def test_csv_value(value, kind, written) -> None:
    result = csv_value(value, kind)
    assert result == written
    assert type(result) is type(written)


@pytest.mark.parametrize(
    ("kind", "header"),
    [
        (Kind.TEXT, "Figure"),
        (Kind.COUNT, "Figure"),
        (Kind.PERCENT, "Figure (%)"),
        (Kind.DAYS, "Figure (days)"),
        (Kind.HOURS, "Figure (hours)"),
        (Kind.SCORE, "Figure"),
    ],
)
def test_csv_header_names_the_unit(kind, header) -> None:
    assert csv_header(Column("figure", "Figure", kind)) == header


@pytest.mark.parametrize(
    ("part", "whole", "result"),
    [
        (1, 2, 0.5),
        (2, 3, 2 / 3),
        (0, 5, 0.0),
        (5, 5, 1.0),
        (3, 0, None),  # nothing to divide by: no figure, not zero
        (None, 5, None),
        (2, None, None),
    ],
)
def test_share(part, whole, result) -> None:
    assert share(part, whole) == result


def test_section_finds_its_columns() -> None:
    section = Section(
        "s", "S", "", (Column("a", "A"), Column("b", "B", Kind.COUNT)), (), empty="Nothing."
    )
    assert (section.column("a"), section.column("b")) == (0, 1)


# --- medians and 90th percentiles ---------------------------------------------------------

# n values 10, 20, .., 10n: the median is the middle one (odd n) or the mean of the two
# middle ones (even n); the 90th percentile is the nearest rank ceil(0.9 n).
PERCENTILES = [
    # n, median ranks, p90 rank, median, p90
    (1, (1, 1), 1, 10.0, 10.0),
    (2, (1, 2), 2, 15.0, 20.0),
    (3, (2, 2), 3, 20.0, 30.0),
    (4, (2, 3), 4, 25.0, 40.0),
    (5, (3, 3), 5, 30.0, 50.0),
    (6, (3, 4), 6, 35.0, 60.0),
    (7, (4, 4), 7, 40.0, 70.0),
    (8, (4, 5), 8, 45.0, 80.0),
    (9, (5, 5), 9, 50.0, 90.0),
    (10, (5, 6), 9, 55.0, 90.0),  # ceil(9.0) = 9: the 10th value is above the 90th
    (11, (6, 6), 10, 60.0, 100.0),  # ceil(9.9) = 10
]


@pytest.mark.parametrize(("n", "ranks", "p90_at", "median", "p90"), PERCENTILES)
def test_ranks_and_spread(n, ranks, p90_at, median, p90) -> None:
    values = [10.0 * i for i in range(1, n + 1)]
    assert median_ranks(n) == ranks
    assert p90_rank(n) == p90_at
    assert spread_of(values) == Spread(n, median, p90)
    assert spread_of(reversed(values)) == Spread(n, median, p90)  # order does not matter
    # as the SQL returns them: only the values at the ranks that matter
    needed = {*ranks, p90_at}
    assert spread(n, {rank: 10.0 * rank for rank in needed}) == Spread(n, median, p90)


def test_spread_of_nothing_has_no_figures() -> None:
    assert spread_of([]) == Spread(0, None, None)
    assert spread(0, {}) == Spread(0, None, None)


def test_spread_with_repeated_values() -> None:
    # 1 1 1 5 9: median 1, p90 rank ceil(4.5) = 5 -> 9
    assert spread_of([9, 1, 5, 1, 1]) == Spread(5, 1.0, 9.0)


# --- correlation ---------------------------------------------------------------------------


def test_sums_of() -> None:
    assert sums_of([(1, 2), (3, 4)]) == Sums(n=2, x=4, y=6, xy=14, xx=10, yy=20)


@pytest.mark.parametrize(
    ("pairs", "r"),
    [
        ([(1, 1), (2, 2), (3, 3)], 1.0),
        ([(1, 3), (2, 2), (3, 1)], -1.0),
        # x 1..5, y 2 4 5 4 5: Σdxdy 6, Σdx² 10, Σdy² 6 -> 6 / √60
        ([(1, 2), (2, 4), (3, 5), (4, 4), (5, 5)], 0.774597),
        # ratings against hired (1) or not (0): Σdxdy 2.4, Σdx² 6.8, Σdy² 1.2 -> 0.840
        ([(4, 1), (4, 1), (3, 0), (2, 0), (1, 0)], 0.840168),
        ([(1, 0), (2, 0), (3, 1), (4, 1)], 0.894427),  # Σdxdy 2, Σdx² 5, Σdy² 1 -> 2/√5
        ([(1, 0), (4, 0), (2, 1), (3, 1)], 0.0),  # Σdxdy 0: no relation
        ([(1, 1), (2, 0), (3, 1), (4, 0), (5, 1), (6, 0)], -0.292770),  # -1.5 / √(17.5·1.5)
    ],
)
def test_correlation(pairs, r) -> None:
    assert correlation(sums_of(pairs)) == pytest.approx(r, abs=1e-6)


@pytest.mark.parametrize(
    "pairs",
    [
        [],
        [(1, 1)],
        [(1, 1), (4, 0)],  # two points always lie on a line: too few
        [(3, 0), (3, 1), (3, 1)],  # every rating the same: x does not vary
        [(1, 1), (2, 1), (4, 1)],  # every outcome the same: y does not vary
    ],
)
def test_correlation_is_none_when_it_means_nothing(pairs) -> None:
    assert correlation(sums_of(pairs)) is None


@pytest.mark.parametrize(
    ("r", "words"),
    [
        (None, "Too few outcomes"),
        (0.0, "None"),
        (0.099, "None"),
        (-0.099, "None"),
        (0.1, "Weak (goes with hiring)"),
        (-0.1, "Weak (goes with rejection)"),
        (0.299, "Weak (goes with hiring)"),
        (0.3, "Moderate (goes with hiring)"),
        (-0.499, "Moderate (goes with rejection)"),
        (0.5, "Strong (goes with hiring)"),
        (-1.0, "Strong (goes with rejection)"),
    ],
)
def test_strength(r, words) -> None:
    assert strength(r) == words


# --- calibration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("own", "panel", "reads"),
    [
        (None, 3.0, "No shared applications"),
        (3.0, None, "No shared applications"),
        (3.0, 3.0, "In line"),
        (3.25, 3.0, "Lenient"),  # exactly the threshold
        (3.24, 3.0, "In line"),
        (2.75, 3.0, "Harsh"),
        (2.76, 3.0, "In line"),
        (4.0, 1.0, "Lenient"),
        (1.0, 4.0, "Harsh"),
        # means of 6 and 12 ratings, exactly 0.25 apart, though 13/6 - 23/12 in floating
        # point is a hair below 0.25
        (13 / 6, 23 / 12, "Lenient"),
        (23 / 12, 13 / 6, "Harsh"),
    ],
)
def test_lean(own, panel, reads) -> None:
    assert LEAN_THRESHOLD == 0.25
    assert lean(own, panel) == reads
