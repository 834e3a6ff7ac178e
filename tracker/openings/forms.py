"""The opening form; only these fields are ever read from the request."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from tracker.forms import choices, optional_int
from tracker.models import AccessRole, OpeningStatus, Role
from tracker.services.users import users_with_role


class OpeningForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    role_id = SelectField("Role", coerce=int, validators=[DataRequired()])
    level_id = SelectField("Level", coerce=int, validators=[DataRequired()])
    specialty_id = SelectField("Specialty", coerce=optional_int, validate_choice=True)
    hiring_manager_id = SelectField("Hiring manager", coerce=int, validators=[DataRequired()])
    recruiter_id = SelectField("Recruiter", coerce=int, validators=[DataRequired()])
    status = SelectField(
        "Status", choices=choices((s.value, s.label) for s in OpeningStatus), default="open"
    )
    submit = SubmitField("Save opening")

    def fill_choices(self, roles: list[Role]) -> None:
        """Offer every level and specialty, grouped by role; the service refuses bad pairs."""
        self.role_id.choices = choices((r.id, r.title) for r in roles)
        self.level_id.choices = [
            c
            for r in roles
            for c in choices(
                ((lv.id, f"{lv.title} (grade {lv.grade})") for lv in r.levels), r.title
            )
        ]
        self.specialty_id.choices = choices([("", "— No specialty —")]) + [
            c for r in roles for c in choices(((s.id, s.title) for s in r.specialties), r.title)
        ]
        self.hiring_manager_id.choices = choices(
            (u.id, f"{u.name} ({u.email})") for u in users_with_role(AccessRole.HIRING_MANAGER)
        )
        self.recruiter_id.choices = choices(
            (u.id, f"{u.name} ({u.email})") for u in users_with_role(AccessRole.RECRUITER)
        )
