"""The decision form: outcome, reason, rationale, and the notes the evidence may demand."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from tracker.domain.pipeline import REJECTION_LABELS
from tracker.domain.scoring import Outcome
from tracker.forms import choices


class DecisionForm(FlaskForm):
    """What the hiring manager decides; the scoring rules say which notes are required."""

    outcome = RadioField(
        "Decision",
        choices=choices((o.value, o.label) for o in Outcome),
        validators=[Optional()],
    )
    rejection_reason = SelectField(
        "Rejection reason",
        choices=choices(
            [("", "— Choose a reason —")]
            + [(r.value, label) for r, label in REJECTION_LABELS.items()]
        ),
        validators=[Optional()],
    )
    rationale = TextAreaField("Rationale", validators=[Optional(), Length(max=8000)])
    against_note = TextAreaField(
        "Why this goes against the panel", validators=[Optional(), Length(max=8000)]
    )
    coverage_override = TextAreaField(
        "Coverage override reason", validators=[Optional(), Length(max=4000)]
    )
    # The application's version the page showed: a second click, another tab or someone
    # else's change in between is refused, so a decision is never recorded twice.
    seen_version = HiddenField()
    submit = SubmitField("Record the decision")
