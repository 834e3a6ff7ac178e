"""The focus form: which requirements one interview of the plan assesses."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, SubmitField


class FocusForm(FlaskForm):
    # Choices are checked by the plans service, which says which requirement is wrong.
    requirement_ids = SelectMultipleField(
        "Focus requirements", coerce=int, validate_choice=False, default=[]
    )
    submit = SubmitField("Save focus")


def focus_form(plan_interview_id: int, selected: list[int] | None = None, **kwargs) -> FocusForm:
    """A prefix per interview keeps checkbox ids unique on a page with one form each."""
    if selected is not None:
        kwargs.setdefault("formdata", None)
        kwargs["data"] = {"requirement_ids": selected}
    return FocusForm(prefix=f"pi{plan_interview_id}", **kwargs)
