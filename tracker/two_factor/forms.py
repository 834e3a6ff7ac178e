"""Forms of the second factor: each asks for one code."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

# Codes are short; anything longer is not a code (and is not worth hashing).
CODE_MAX = 32
CURRENT_CODE = "Current code (from your app, or a recovery code)"


def code_field(
    label: str, *, required: bool = True, digits_only: bool = False, **kw: str
) -> StringField:
    """A one-time code: no autocorrect or capitals; a numeric keypad when only digits fit."""
    render_kw = {"autocomplete": "one-time-code", "spellcheck": "false"}
    render_kw |= {"inputmode": "numeric"} if digits_only else {"autocapitalize": "none"}
    presence = DataRequired() if required else Optional()
    validators = [presence, Length(max=CODE_MAX)]
    return StringField(label, validators=validators, render_kw=render_kw, **kw)


class SignInCodeForm(FlaskForm):
    code = code_field(
        "Authentication code or recovery code",
        description="The 6-digit code from your authenticator app, or one of your recovery codes.",
    )
    submit = SubmitField("Sign in")


class ConfirmEnrolmentForm(FlaskForm):
    code = code_field("6-digit code from the app", digits_only=True)
    submit = SubmitField("Turn on two-factor authentication")


class StartEnrolmentForm(FlaskForm):
    """Starting over on a new device needs a current code when TOTP is already on."""

    code = code_field(CURRENT_CODE, required=False)


class CurrentCodeForm(FlaskForm):
    """Regenerating recovery codes or turning TOTP off: a current code first."""

    code = code_field(CURRENT_CODE)
