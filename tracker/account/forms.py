"""Your account: the change-password form."""

from __future__ import annotations

from wtforms import PasswordField
from wtforms.validators import DataRequired, Length

from tracker.auth.forms import NewPasswordForm
from tracker.domain.accounts import MAX_PASSWORD


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired(), Length(max=MAX_PASSWORD)],
        render_kw={"autocomplete": "current-password"},
    )
