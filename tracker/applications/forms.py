"""Move forms: one per kind of move, each with a CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from tracker.domain.pipeline import MOVE_LABELS, REJECTION_LABELS, Move, Withdrawer
from tracker.forms import choices


class MoveForm(FlaskForm):
    """The fields any move may need; the pipeline rules say which are required."""

    reason = SelectField(
        "Reason",
        choices=choices(
            [("", "— Choose a reason —")]
            + [(r.value, label) for r, label in REJECTION_LABELS.items()]
        ),
        validators=[Optional()],
    )
    withdrawn_by = RadioField(
        "Who withdrew",
        choices=choices((w.value, w.label) for w in Withdrawer),
        validators=[Optional()],
    )
    note = TextAreaField("Note", validators=[Optional(), Length(max=4000)])
    override_reason = TextAreaField("Override reason", validators=[Optional(), Length(max=4000)])
    from_stage = HiddenField()  # the stage the page showed: a stale form is refused
    # The application's version the page showed: a page older than anyone's change since
    # is refused, with the application as it is now (tracker.services.applications).
    seen_version = HiddenField()
    submit = SubmitField("Move")


def form_prefix(application_id: int, move: Move) -> str:
    """A prefix per form keeps field ids unique when a page shows many move forms."""
    return f"a{application_id}-{move.value}"


def make_move_form(application_id: int, move: Move, **kwargs: object) -> MoveForm:
    form = MoveForm(prefix=form_prefix(application_id, move), **kwargs)
    form.submit.label.text = MOVE_LABELS[move]
    return form


def move_forms(
    application_id: int, stage_key: str, moves: list[Move], version: int | None = None
) -> dict[Move, MoveForm]:
    """Fresh move forms for a page showing the application at `stage_key` and `version`."""
    forms = {m: make_move_form(application_id, m, formdata=None) for m in moves}
    for form in forms.values():
        form.from_stage.data = stage_key
        form.seen_version.data = "" if version is None else str(version)
    return forms
