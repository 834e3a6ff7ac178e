"""The tiny company both demo-scale test files generate: large enough to have every
stage, outcome and kind of row, small enough to build in well under a second."""

from __future__ import annotations

from tracker.domain.demo_scale import Scale

TINY = Scale(
    "tiny",
    candidates=300,
    applications=450,
    openings=6,
    recruiters=3,
    hiring_managers=3,
    directors=3,
    interviewers=12,
)
