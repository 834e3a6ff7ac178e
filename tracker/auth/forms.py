"""Sign-in, re-authentication and password forms; only these fields are read from a request."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from tracker.domain.accounts import MAX_PASSWORD, MIN_PASSWORD

PASSWORD_HINT = (
    f"{MIN_PASSWORD} to {MAX_PASSWORD} characters. A few unrelated words make a good one; "
    "very common passwords are refused."
)


class LoginForm(FlaskForm):
    email = EmailField(
        "Email",
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(max=MAX_PASSWORD)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField("Sign in")


class ReauthenticateForm(FlaskForm):
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(max=MAX_PASSWORD)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField("Confirm")


class NewPasswordForm(FlaskForm):
    """A new password typed twice; the rules themselves are checked by the service."""

    new_password = PasswordField(
        "New password",
        validators=[DataRequired()],
        description=PASSWORD_HINT,
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        "Repeat the new password",
        validators=[
            DataRequired(),
            EqualTo("new_password", message="The two passwords are not the same."),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Set password")
