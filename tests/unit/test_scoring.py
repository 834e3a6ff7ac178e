"""Scoring, coverage, gate and decision rules as plain function calls, table-driven."""

from __future__ import annotations

import pytest

from tracker.domain.scoring import (
    Aggregate,
    DecisionInput,
    FieldErrors,
    FocusInterview,
    FocusRequirement,
    GateInterview,
    Outcome,
    Rating,
    RatingInput,
    Recommendation,
    aggregate,
    check_decision,
    check_scorecard,
    coverage,
    default_focus,
    gate_gaps,
    goes_against,
    summarise,
    summarise_all,
    unassessed,
)

SN, N, Y, SY, NA = Rating


@pytest.mark.parametrize(
    ("ratings", "count", "mean", "disagreement"),
    [
        ([], 0, None, False),
        ([NA, NA], 0, None, False),
        ([Y], 1, 3.0, False),
        ([Y, SY], 2, 3.5, False),
        ([N, SY], 2, 3.0, True),  # 2 and 4: two points apart
        ([SN, Y], 2, 2.0, True),
        ([SN, N], 2, 1.5, False),
        ([SN, SY, NA], 2, 2.5, True),  # Not assessed neither counts nor averages
        ([N, Y, Y], 3, 2.67, False),
    ],
)
def test_summarise(ratings, count, mean, disagreement) -> None:
    summary = summarise(ratings)
    assert (summary.count, summary.mean, summary.disagreement) == (count, mean, disagreement)


def test_summarise_all_and_unassessed() -> None:
    summaries = summarise_all([1, 2, 3], [(1, Y), (1, SY), (2, NA)])
    assert summaries[1].count == 2
    assert summaries[2].not_assessed == 1
    assert unassessed(summaries) == [2, 3]


@pytest.mark.parametrize(
    ("recommendations", "mean", "verdict"),
    [
        ([], None, None),
        ([Recommendation.YES], 3.0, "yes"),
        ([Recommendation.NO, Recommendation.YES], 2.5, "yes"),  # the threshold is inclusive
        ([Recommendation.NO, Recommendation.NO, Recommendation.YES], 2.33, "no"),
        ([Recommendation.DEFINITELY_NOT, Recommendation.STRONG_YES], 2.5, "yes"),
        ([Recommendation.DEFINITELY_NOT], 1.0, "no"),
    ],
)
def test_aggregate(recommendations, mean, verdict) -> None:
    panel = aggregate(recommendations)
    assert (panel.mean, panel.verdict, panel.count) == (mean, verdict, len(recommendations))


FOCUS = [10, 11, 12]


@pytest.mark.parametrize(
    ("ratings", "recommendation", "submitting", "errors"),
    [
        ([], None, False, {}),  # an empty draft is fine
        ([RatingInput(10, SY)], None, False, {}),  # drafts may lack evidence for now
        (
            [],
            None,
            True,
            {"rating-10", "rating-11", "rating-12", "recommendation"},
        ),
        (
            [RatingInput(10, SY), RatingInput(11, SN, " "), RatingInput(12, NA)],
            Recommendation.YES,
            True,
            {"evidence-10", "evidence-11"},
        ),
        (
            [RatingInput(10, Y), RatingInput(11, N), RatingInput(12, NA)],
            Recommendation.NO,
            True,
            set(),
        ),
        (
            [RatingInput(10, Y), RatingInput(11, None), RatingInput(12, SY, "Built the IDS")],
            Recommendation.STRONG_YES,
            True,
            {"rating-11"},
        ),
        ([RatingInput(99, Y)], None, False, {"rating-99"}),
    ],
)
def test_check_scorecard(ratings, recommendation, submitting, errors) -> None:
    if not errors:
        check_scorecard(FOCUS, ratings, recommendation, submitting=submitting)
        return
    with pytest.raises(FieldErrors) as info:
        check_scorecard(FOCUS, ratings, recommendation, submitting=submitting)
    assert set(info.value.errors) == errors


def test_evidence_message_names_the_rating() -> None:
    with pytest.raises(FieldErrors) as info:
        check_scorecard([1], [RatingInput(1, SN)], Recommendation.NO, submitting=True)
    assert info.value.errors["evidence-1"] == "Evidence is required for a Strong no rating."


PLAN = [
    FocusInterview(1, "recruiter"),
    FocusInterview(2, "hiring_manager"),
    FocusInterview(3, "peer"),
    FocusInterview(4, "peer"),
    FocusInterview(5, "director_or_ciso"),
]
REQUIREMENTS = [
    FocusRequirement(100, "General", "shared"),
    FocusRequirement(101, "Communication", "shared"),
    FocusRequirement(102, "Technical", "shared"),
    FocusRequirement(103, "Specialty", "specialty"),
    FocusRequirement(104, "Level", "level"),
    FocusRequirement(105, "Level", "inherited"),
    FocusRequirement(106, "Leadership", "shared"),
    FocusRequirement(107, "Something new", "shared"),
]


def test_default_focus_spreads_as_the_documents_suggest() -> None:
    assert default_focus(PLAN, REQUIREMENTS) == {
        1: [100, 101],
        2: [105, 106, 107],
        3: [102],
        4: [103],
        5: [104],
    }


def test_leadership_is_split_when_the_role_has_no_level_items() -> None:
    """A Distinguished Engineer opening has no level bullets: the hiring manager and the
    director share Leadership, so neither interview is left with nothing to assess."""
    leadership = [FocusRequirement(200 + i, "Leadership", "shared") for i in range(5)]
    focus = default_focus(PLAN, [*REQUIREMENTS[:4], *leadership])
    assert focus[2] == [200, 201, 202]
    assert focus[5] == [203, 204]


@pytest.mark.parametrize(
    "plan",
    [
        PLAN,
        [FocusInterview(2, "hiring_manager")],
        [FocusInterview(3, "peer")],
        [FocusInterview(1, "recruiter"), FocusInterview(5, "director_or_ciso")],
        [FocusInterview(9, "someone_else")],
    ],
)
def test_default_focus_leaves_nothing_unassessed(plan) -> None:
    focus = default_focus(plan, REQUIREMENTS)
    assert coverage([r.requirement_id for r in REQUIREMENTS], focus).unassessed == []


def test_coverage_reports_gaps_and_repeats() -> None:
    result = coverage([1, 2, 3], {10: [1, 2], 11: [2], 12: [2, 2, 99]})
    assert result.unassessed == [3]
    assert result.repeated == {2: 3}


@pytest.mark.parametrize(
    ("interviews", "gaps"),
    [
        ([], ["No interview of this stage has taken place."]),
        (
            [GateInterview("Peer 1", True, ["Ann"], [])],
            ["No interview of this stage has taken place."],
        ),
        ([GateInterview("Peer 1", False, ["Ann"], ["Ann"])], []),
        (
            [
                GateInterview("Peer 1", False, ["Ann"], ["Ann"]),
                GateInterview("Peer 2", True, ["Bob"], []),  # cancelled: does not count
            ],
            [],
        ),
        (
            [GateInterview("Director / CISO", False, ["Dana", "Casey"], ["Dana"])],
            ["Director / CISO: no submitted scorecard from Casey."],
        ),
        ([GateInterview("Peer 1", False, [], [])], ["Peer 1 has no interviewer."]),
    ],
)
def test_gate_gaps(interviews, gaps) -> None:
    assert gate_gaps(interviews) == gaps


YES = Aggregate(3, 3.0, "yes")
NO = Aggregate(3, 2.0, "no")
NONE = Aggregate(0, None, None)


@pytest.mark.parametrize(
    ("outcome", "panel", "against"),
    [
        (Outcome.OFFER, NO, True),
        (Outcome.ADVANCE, NO, True),
        (Outcome.REJECT, YES, True),
        (Outcome.OFFER, YES, False),
        (Outcome.REJECT, NO, False),
        (Outcome.OFFER, NONE, False),
    ],
)
def test_goes_against(outcome, panel, against) -> None:
    assert goes_against(outcome, panel) is against


@pytest.mark.parametrize(
    ("data", "panel", "gaps", "errors"),
    [
        (DecisionInput(Outcome.ADVANCE, "Strong panel"), YES, 0, set()),
        (DecisionInput(Outcome.ADVANCE, " "), YES, 0, {"rationale"}),
        (DecisionInput(Outcome.REJECT, "Gaps in IR"), NO, 0, {"rejection_reason"}),
        (DecisionInput(Outcome.REJECT, "x", "requirement_gap"), NO, 0, set()),
        (DecisionInput(Outcome.OFFER, "x"), NO, 0, {"against_note"}),
        (DecisionInput(Outcome.OFFER, "x", against_note="Peer 2 misread"), NO, 0, set()),
        (DecisionInput(Outcome.OFFER, "x"), YES, 2, {"coverage_override"}),
        (DecisionInput(Outcome.OFFER, "x", coverage_override="Asked in ref"), YES, 2, set()),
        (DecisionInput(Outcome.ADVANCE, "x"), YES, 2, set()),  # the gate is for offers
        (
            DecisionInput(Outcome.REJECT, "", None),
            YES,
            1,
            {"rationale", "rejection_reason", "against_note"},
        ),
    ],
)
def test_check_decision(data, panel, gaps, errors) -> None:
    if not errors:
        check_decision(data, panel, gaps)
        return
    with pytest.raises(FieldErrors) as info:
        check_decision(data, panel, gaps)
    assert set(info.value.errors) == errors
