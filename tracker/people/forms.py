"""People admin forms. Roles come only from a fixed set of checkboxes; anything else
submitted is refused by the field (and again by the service)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.auth.forms import PASSWORD_HINT
from tracker.forms import choices
from tracker.models import AccessRole

ROLE_CHOICES = choices((r.value, r.label) for r in AccessRole)


class RoleChoices(SelectMultipleField):
    """A checkbox per access role."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label: str = "Roles", **kwargs: object) -> None:
        super().__init__(label, choices=ROLE_CHOICES, **kwargs)  # type: ignore[arg-type]


class AccessForm(FlaskForm):
    """What an admin may change about someone: roles and whether the account is active."""

    roles = RoleChoices()
    active = BooleanField("Account active (may sign in)")
    submit = SubmitField("Save")


class PersonForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    roles = RoleChoices()
    password = PasswordField(
        "Initial password",
        validators=[Optional()],
        description=PASSWORD_HINT
        + " Leave it empty to get a one-time link instead, for the person to set their own.",
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Add person")
