"""Scorecard rules: ratings, per-requirement summaries, the panel aggregate, coverage,
the default spread of focus requirements, stage gates and decision checks.

Pure functions over plain values; the services load and persist around them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class Rating(StrEnum):
    STRONG_NO = "strong_no"
    NO = "no"
    YES = "yes"
    STRONG_YES = "strong_yes"
    NOT_ASSESSED = "not_assessed"

    @property
    def label(self) -> str:
        return RATING_LABELS[self]

    @property
    def score(self) -> int | None:
        return RATING_SCORES.get(self)


RATING_LABELS = {
    Rating.STRONG_NO: "Strong no",
    Rating.NO: "No",
    Rating.YES: "Yes",
    Rating.STRONG_YES: "Strong yes",
    Rating.NOT_ASSESSED: "Not assessed",
}
RATING_SCORES = {Rating.STRONG_NO: 1, Rating.NO: 2, Rating.YES: 3, Rating.STRONG_YES: 4}
NEEDS_EVIDENCE = {Rating.STRONG_NO, Rating.STRONG_YES}


class Recommendation(StrEnum):
    DEFINITELY_NOT = "definitely_not"
    NO = "no"
    YES = "yes"
    STRONG_YES = "strong_yes"

    @property
    def label(self) -> str:
        return RECOMMENDATION_LABELS[self]

    @property
    def score(self) -> int:
        return RECOMMENDATION_SCORES[self]


RECOMMENDATION_LABELS = {
    Recommendation.DEFINITELY_NOT: "Definitely not",
    Recommendation.NO: "No",
    Recommendation.YES: "Yes",
    Recommendation.STRONG_YES: "Strong yes",
}
RECOMMENDATION_SCORES = {
    Recommendation.DEFINITELY_NOT: 1,
    Recommendation.NO: 2,
    Recommendation.YES: 3,
    Recommendation.STRONG_YES: 4,
}
# A mean at or above this, on the 1 to 4 scale, reads as the panel saying yes.
YES_THRESHOLD = 2.5
DISAGREEMENT_GAP = 2


@dataclass(frozen=True)
class RatingInput:
    """What an interviewer gave one focus requirement."""

    requirement_id: int
    rating: Rating | None
    evidence: str = ""


@dataclass
class FieldErrors(Exception):
    """Several field errors at once, keyed by form field name."""

    errors: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return "; ".join(self.errors.values())


def rating_field(requirement_id: int) -> str:
    return f"rating-{requirement_id}"


def evidence_field(requirement_id: int) -> str:
    return f"evidence-{requirement_id}"


def check_scorecard(
    focus_ids: Sequence[int],
    ratings: Sequence[RatingInput],
    recommendation: Recommendation | None,
    *,
    submitting: bool,
) -> None:
    """Raise FieldErrors naming every field that stops this scorecard being saved or sent.

    A draft may be partial; a submitted scorecard rates every focus requirement (Not
    assessed is an explicit answer), backs each strong rating with evidence, and
    recommends.
    """
    errors: dict[str, str] = {}
    given = {r.requirement_id: r for r in ratings}
    for unknown in sorted(set(given) - set(focus_ids)):
        errors[rating_field(unknown)] = "This requirement is not a focus of this interview."
    if submitting:
        for rid in focus_ids:
            item = given.get(rid)
            if item is None or item.rating is None:
                errors[rating_field(rid)] = "Rate this requirement (or choose Not assessed)."
            elif item.rating in NEEDS_EVIDENCE and not item.evidence.strip():
                errors[evidence_field(rid)] = (
                    f"Evidence is required for a {item.rating.label} rating."
                )
        if recommendation is None:
            errors["recommendation"] = "Give an overall recommendation."
    if errors:
        raise FieldErrors(errors)


@dataclass(frozen=True)
class RequirementSummary:
    """Mechanical summary of one requirement's ratings across submitted scorecards."""

    count: int
    mean: float | None
    disagreement: bool
    not_assessed: int = 0


def summarise(ratings: Iterable[Rating]) -> RequirementSummary:
    scores = []
    not_assessed = 0
    for rating in ratings:
        if rating.score is None:
            not_assessed += 1
        else:
            scores.append(rating.score)
    if not scores:
        return RequirementSummary(0, None, False, not_assessed)
    return RequirementSummary(
        count=len(scores),
        mean=round(sum(scores) / len(scores), 2),
        disagreement=max(scores) - min(scores) >= DISAGREEMENT_GAP,
        not_assessed=not_assessed,
    )


def summarise_all(
    requirement_ids: Sequence[int], ratings: Iterable[tuple[int, Rating]]
) -> dict[int, RequirementSummary]:
    """A summary for every requirement of the opening, rated or not."""
    by_requirement: dict[int, list[Rating]] = {rid: [] for rid in requirement_ids}
    for rid, rating in ratings:
        by_requirement.setdefault(rid, []).append(rating)
    return {rid: summarise(values) for rid, values in by_requirement.items()}


def unassessed(summaries: Mapping[int, RequirementSummary]) -> list[int]:
    """Requirements no submitted scorecard rated (Not assessed does not count)."""
    return [rid for rid, s in summaries.items() if s.count == 0]


@dataclass(frozen=True)
class Aggregate:
    """The overall recommendations reduced the same way for every candidate."""

    count: int
    mean: float | None
    verdict: str | None  # "yes" | "no" | None when nobody has recommended yet

    @property
    def label(self) -> str:
        if self.verdict is None:
            return "No recommendations yet"
        return f"{'Yes' if self.verdict == 'yes' else 'No'} (mean {self.mean:.2f} of 4)"


def aggregate(recommendations: Iterable[Recommendation]) -> Aggregate:
    scores = [r.score for r in recommendations]
    if not scores:
        return Aggregate(0, None, None)
    mean = round(sum(scores) / len(scores), 2)
    return Aggregate(len(scores), mean, "yes" if mean >= YES_THRESHOLD else "no")


# --- Focus requirements -------------------------------------------------------------


@dataclass(frozen=True)
class FocusRequirement:
    requirement_id: int
    category: str
    origin: str  # shared | level | inherited | specialty


@dataclass(frozen=True)
class FocusInterview:
    interview_id: int
    conducted_by: str  # recruiter | hiring_manager | peer | director_or_ciso


def default_focus(
    interviews: Sequence[FocusInterview], requirements: Sequence[FocusRequirement]
) -> dict[int, list[int]]:
    """Spread the requirements so each is assessed by at least one interview.

    The screen takes General and Communication; the hiring manager Leadership and the
    inherited level items; the two peers split Technical and Specialty; the director or
    CISO the opening's own (senior) level items; where the role has no level items of its
    own, the hiring manager and the director split Leadership instead. Whatever has no
    natural home goes to the hiring manager, and if a kind of interview is missing, its
    share goes to the next one that exists, so nothing is left unassessed.
    """
    by_kind: dict[str, list[int]] = {}
    for interview in interviews:
        by_kind.setdefault(interview.conducted_by, []).append(interview.interview_id)
    result: dict[int, list[int]] = {i.interview_id: [] for i in interviews}
    if not interviews:
        return result

    def first_of(*kinds: str) -> int:
        for kind in kinds:
            if by_kind.get(kind):
                return by_kind[kind][0]
        return interviews[0].interview_id

    peers = by_kind.get("peer", [])
    has_own_level = any(r.category == "Level" and r.origin == "level" for r in requirements)
    leadership = [r.requirement_id for r in requirements if r.category == "Leadership"]
    director_leads = set() if has_own_level else set(leadership[(len(leadership) + 1) // 2 :])
    for item in requirements:
        if item.category in ("General", "Communication"):
            target = first_of("recruiter", "hiring_manager", "peer", "director_or_ciso")
        elif item.category == "Technical":
            target = peers[0] if peers else first_of("hiring_manager", "director_or_ciso")
        elif item.category == "Specialty":
            target = peers[-1] if peers else first_of("hiring_manager", "director_or_ciso")
        elif (
            item.category == "Level" and item.origin == "level"
        ) or item.requirement_id in director_leads:
            target = first_of("director_or_ciso", "hiring_manager", "peer")
        else:  # Leadership, inherited Level, anything new
            target = first_of("hiring_manager", "director_or_ciso", "peer", "recruiter")
        result[target].append(item.requirement_id)
    return result


@dataclass(frozen=True)
class Coverage:
    unassessed: list[int]
    repeated: dict[int, int]  # requirement -> number of interviews assessing it


def coverage(requirement_ids: Sequence[int], focus: Mapping[int, Iterable[int]]) -> Coverage:
    """Which requirements no interview assesses, and which several interviews do."""
    counts = dict.fromkeys(requirement_ids, 0)
    for ids in focus.values():
        for rid in set(ids):
            if rid in counts:
                counts[rid] += 1
    return Coverage(
        unassessed=[rid for rid, n in counts.items() if n == 0],
        repeated={rid: n for rid, n in counts.items() if n > 1},
    )


# --- Stage gates ---------------------------------------------------------------------


@dataclass(frozen=True)
class GateInterview:
    name: str
    cancelled: bool
    interviewers: Sequence[str]  # names of the assigned interviewers
    submitted_by: Sequence[str]  # names of those whose scorecard is submitted


def gate_gaps(interviews: Sequence[GateInterview]) -> list[str]:
    """What stops an application leaving an interview stage; empty when complete.

    Every interview that was not cancelled needs a submitted scorecard from each of its
    interviewers; a stage where nothing was scheduled is not complete either.
    """
    live = [i for i in interviews if not i.cancelled]
    if not live:
        return ["No interview of this stage has taken place."]
    gaps = []
    for interview in live:
        missing = [n for n in interview.interviewers if n not in set(interview.submitted_by)]
        if not interview.interviewers:
            gaps.append(f"{interview.name} has no interviewer.")
        elif missing:
            gaps.append(f"{interview.name}: no submitted scorecard from {', '.join(missing)}.")
    return gaps


# --- Decisions -----------------------------------------------------------------------


class Outcome(StrEnum):
    ADVANCE = "advance"
    REJECT = "reject"
    OFFER = "offer"

    @property
    def label(self) -> str:
        return {"advance": "Advance", "reject": "Reject", "offer": "Make an offer"}[self.value]


def goes_against(outcome: Outcome, panel: Aggregate) -> bool:
    """An offer or advance when the panel says no, or a rejection when it says yes."""
    if panel.verdict is None:
        return False
    if outcome is Outcome.REJECT:
        return panel.verdict == "yes"
    return panel.verdict == "no"


@dataclass(frozen=True)
class DecisionInput:
    outcome: Outcome
    rationale: str
    rejection_reason: str | None = None
    against_note: str = ""
    coverage_override: str = ""


def check_decision(data: DecisionInput, panel: Aggregate, unassessed_count: int) -> None:
    """Raise FieldErrors unless the decision carries what the evidence demands."""
    errors: dict[str, str] = {}
    if not data.rationale.strip():
        errors["rationale"] = "Write the rationale for this decision."
    if data.outcome is Outcome.REJECT and not data.rejection_reason:
        errors["rejection_reason"] = "Choose a rejection reason."
    if goes_against(data.outcome, panel) and not data.against_note.strip():
        errors["against_note"] = (
            f"This decision goes against the panel's aggregate ({panel.label}); "
            "explain why the evidence supports it anyway."
        )
    if data.outcome is Outcome.OFFER and unassessed_count and not data.coverage_override.strip():
        errors["coverage_override"] = (
            f"{unassessed_count} requirement(s) of this opening were never rated by a submitted "
            "scorecard; an offer needs a reason to override the coverage gate."
        )
    if errors:
        raise FieldErrors(errors)
