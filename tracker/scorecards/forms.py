"""The scorecard form, built per interview from its focus requirements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SubmitField, TextAreaField
from wtforms.validators import Length

from tracker.domain.scoring import (
    Rating,
    RatingInput,
    Recommendation,
    evidence_field,
    rating_field,
)
from tracker.forms import choices
from tracker.models import Scorecard
from tracker.services.scorecards import FocusItem

EVIDENCE_MAX = 10_000
TAKEAWAYS_MAX = 10_000
REASON_MAX = 4_000

RATING_CHOICES = [(r.value, r.label) for r in Rating]
RECOMMENDATION_CHOICES = [(r.value, r.label) for r in Recommendation]


class ScorecardForm(FlaskForm):
    """Base of the per-interview forms; the fields are added by `scorecard_form`."""

    focus: Sequence[FocusItem] = ()


def scorecard_form(
    focus: Sequence[FocusItem], *, amend: bool = False, data: dict[str, Any] | None = None
) -> ScorecardForm:
    """A form whose field names are those the scoring rules report errors on
    (`rating-<id>`, `evidence-<id>`, `recommendation`), so each error lands on its field."""
    attrs: dict[str, Any] = {"focus": tuple(focus)}
    for item in focus:
        # validate_choice=False: an empty or unknown choice is reported by read_input,
        # in the words of the scoring rules, not as WTForms' "Not a valid choice".
        attrs[rating_field(item.requirement_id)] = RadioField(
            "Rating", choices=choices(RATING_CHOICES), validate_choice=False
        )
        attrs[evidence_field(item.requirement_id)] = TextAreaField(
            "Evidence",
            validators=[Length(max=EVIDENCE_MAX)],
            description="What the candidate said or did. Required for Strong no and Strong yes.",
        )
    attrs["recommendation"] = RadioField(
        "Overall recommendation", choices=choices(RECOMMENDATION_CHOICES), validate_choice=False
    )
    attrs["key_takeaways"] = TextAreaField("Key takeaways", validators=[Length(max=TAKEAWAYS_MAX)])
    if amend:
        attrs["reason"] = TextAreaField(
            "Reason for the amendment",
            validators=[Length(max=REASON_MAX)],
            description="Required: kept in the history beside the original.",
        )
        # The revision the form was opened on: an amendment sent twice, or from a page
        # older than another amendment, never becomes a second amendment.
        attrs["seen_revision"] = HiddenField()
        attrs["amend_scorecard"] = SubmitField("Amend scorecard")
    else:
        # "Save draft" comes first, so pressing Enter in the form never submits by accident.
        attrs["save_draft"] = SubmitField("Save draft")
        attrs["submit_scorecard"] = SubmitField("Submit scorecard")
    form_class = type("InterviewScorecardForm", (ScorecardForm,), attrs)
    return form_class(data=data) if data is not None else form_class()


def initial_data(scorecard: Scorecard | None) -> dict[str, Any]:
    """The form's starting values: what the user saved last time."""
    if scorecard is None:
        return {}
    data: dict[str, Any] = {
        "recommendation": scorecard.recommendation,
        "key_takeaways": scorecard.key_takeaways,
    }
    for rating in scorecard.ratings:
        data[rating_field(rating.requirement_id)] = rating.rating
        data[evidence_field(rating.requirement_id)] = rating.evidence
    return data


def read_input(
    form: ScorecardForm,
) -> tuple[list[RatingInput], Recommendation | None, str, dict[str, str]]:
    """What the user typed, as scoring inputs, plus errors for values no choice allows."""
    errors: dict[str, str] = {}
    ratings: list[RatingInput] = []
    for item in form.focus:
        raw = form[rating_field(item.requirement_id)].data or ""
        evidence = form[evidence_field(item.requirement_id)].data or ""
        rating: Rating | None = None
        if raw:
            try:
                rating = Rating(raw)
            except ValueError:
                errors[rating_field(item.requirement_id)] = "Choose one of the listed ratings."
                continue
        if rating is not None or evidence.strip():
            ratings.append(RatingInput(item.requirement_id, rating, evidence))
    recommendation: Recommendation | None = None
    raw = form["recommendation"].data or ""
    if raw:
        try:
            recommendation = Recommendation(raw)
        except ValueError:
            errors["recommendation"] = "Choose one of the listed recommendations."
    return ratings, recommendation, form["key_takeaways"].data or "", errors
