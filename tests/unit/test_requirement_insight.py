"""The requirement insight rules as plain function calls, table-driven: the unassessed
flag, the order of correlations, and the correlation the outcome section shows, worked
out by hand."""

from __future__ import annotations

import math

import pytest

from tracker.domain.reports import (
    RARELY_ASSESSED,
    assessment_flag,
    correlation,
    strength,
    strongest_first,
    sums_of,
)


def test_the_threshold_is_half() -> None:
    assert RARELY_ASSESSED == 0.5


@pytest.mark.parametrize(
    ("planned", "assessed", "flag"),
    [
        (0, 0, ""),  # no scorecard of a planned interview yet: nothing to judge
        (1, 0, "Never assessed"),
        (3, 0, "Never assessed"),
        (3, 1, "Rarely assessed"),  # 33%
        (5, 2, "Rarely assessed"),  # 40%
        (2, 1, ""),  # exactly 50% is not below the threshold
        (3, 2, ""),  # 67%
        (3, 3, ""),
        (10, 4, "Rarely assessed"),  # 40%
        (10, 5, ""),
    ],
)
def test_assessment_flag(planned: int, assessed: int, flag: str) -> None:
    assert assessment_flag(planned, assessed) == flag


@pytest.mark.parametrize(
    ("values", "ordered"),
    [
        ([0.2, -0.9, None, 0.5], [-0.9, 0.5, 0.2, None]),
        ([None, None, 0.0], [0.0, None, None]),
        ([-0.3, 0.3], [-0.3, 0.3]),  # a tie keeps the order it came in (a stable sort)
        ([0.3, -0.3], [0.3, -0.3]),
        ([], []),
    ],
)
def test_strongest_first(values: list[float | None], ordered: list[float | None]) -> None:
    assert sorted(values, key=strongest_first) == ordered


@pytest.mark.parametrize(
    ("pairs", "r", "reading"),
    [
        # scores 4 4 2 1, outcomes 1 1 0 0: (4·8 - 11·2) / √((4·37 - 11²)(4·2 - 2²)) = 10 / √108
        ([(4, 1), (4, 1), (2, 0), (1, 0)], 10 / math.sqrt(108), "Strong (goes with hiring)"),
        # scores 2 2 3 4, outcomes 1 1 0 0: (4·4 - 11·2) / √((4·33 - 11²)·4) = -6 / √44
        ([(2, 1), (2, 1), (3, 0), (4, 0)], -6 / math.sqrt(44), "Strong (goes with rejection)"),
        # scores 3 2 3 2, outcomes 1 1 0 0: (4·5 - 10·2) / ... = 0
        ([(3, 1), (2, 1), (3, 0), (2, 0)], 0.0, "None"),
        ([(3, 1), (3, 1), (3, 0), (3, 0)], None, "Too few outcomes"),  # ratings all the same
        ([(4, 1), (3, 1), (2, 1)], None, "Too few outcomes"),  # only hired
        ([(4, 1), (1, 0)], None, "Too few outcomes"),  # fewer than 3 ratings
    ],
)
def test_outcome_correlation(pairs, r: float | None, reading: str) -> None:
    found = correlation(sums_of(pairs))
    assert found == (None if r is None else pytest.approx(r))
    assert strength(found) == reading
