"""The audit trail's filter form (read from the query string; it changes nothing)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional, Regexp

from tracker.forms import choices
from tracker.models import User

SYSTEM = "system"
_NAME = r"^[a-z0-9_.-]*$"


def _name_field(label: str, longest: int, examples: str) -> StringField:
    """A type or action name as the trail writes them: lower case, digits, _ . -"""
    return StringField(
        label,
        validators=[
            Optional(),
            Length(max=longest),
            Regexp(_NAME, message=f"Use a name as the trail lists it, such as {examples}."),
        ],
        description=f"Such as {examples}.",
    )


class TrailFilterForm(FlaskForm):
    """Who, what object, which action, between which dates (in the viewer's time zone)."""

    class Meta:
        csrf = False  # a GET filter changes nothing

    person = SelectField(
        "Person",
        invalid_choice_message="Choose a person from the list.",
        default="",
    )
    object_type = _name_field("Object type", 60, "candidates, applications, scorecards, users")
    object_id = StringField("Object id", validators=[Optional(), Length(max=64)])
    action = _name_field("Action", 40, "create, update, delete, view, scorecard.submit")
    date_from = DateField(
        "From", validators=[Optional()], invalid_value_message="Enter a date as YYYY-MM-DD."
    )
    date_to = DateField(
        "To (inclusive)",
        validators=[Optional()],
        invalid_value_message="Enter a date as YYYY-MM-DD.",
    )

    def fill(self, people: list[User]) -> None:
        self.person.choices = choices(
            [("", "Anyone"), (SYSTEM, "System (no one signed in)")]
            + [(str(u.id), f"{u.name} <{u.email}>") for u in people]
        )

    def validate(self, extra_validators=None) -> bool:  # type: ignore[override]
        ok = super().validate(extra_validators)
        start, end = self.date_from.data, self.date_to.data
        if ok and start and end and end < start:
            self.date_to.errors = ["The end date is before the start date."]
            return False
        return ok
