"""Form helpers shared by every area."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SubmitField

from tracker.domain.errors import DomainError
from tracker.domain.scoring import FieldErrors


class EmptyForm(FlaskForm):
    """A form with only a CSRF token, for POST-only actions such as sign-out."""

    submit = SubmitField("Submit")


def show_domain_error(form: FlaskForm, error: DomainError | FieldErrors) -> None:
    """Put each message next to the field it concerns, or at the top of the form."""
    pairs = (
        error.errors.items() if isinstance(error, FieldErrors) else [(error.field, error.message)]
    )
    for name, message in pairs:
        field = form._fields.get(name) if name else None
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


def optional_int(value: object) -> int | None:
    """Coerce a select's value to int, where the empty choice means none."""
    if value in (None, "", "None"):
        return None
    return int(value)  # type: ignore[arg-type]


def expected_version(value: object) -> int | None:
    """The version a page showed, from its hidden field: None when the form carried none
    (no check); anything not a version counts as an outdated page (0: versions start at 1)."""
    if value in (None, ""):
        return None
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 0


def choices(pairs: object, optgroup: str | None = None) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices, optionally under an <optgroup>."""
    return [SelectChoice(value, label, optgroup=optgroup) for value, label in pairs]  # type: ignore[attr-defined]


E = TypeVar("E", bound=StrEnum)


def member(enum: type[E], value: str | None) -> E | None:
    """The enum member for a submitted value; anything else counts as not given, so the
    rules' own message ("Choose a rejection reason") answers it rather than a 500."""
    try:
        return enum(value) if value else None
    except ValueError:
        return None
