"""The reports' filter form, read from the query string (it changes nothing)."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from tracker.forms import choices, optional_int
from tracker.services.report_scope import FilterOption

ANY = ""
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)


class ReportFilterForm(FlaskForm):
    """One opening, or every opening the viewer may see narrowed by role, level,
    specialty and the days applications arrived (in the viewer's time zone)."""

    class Meta:
        csrf = False  # a GET filter changes nothing

    opening = SelectField(
        "Opening", default=ANY, invalid_choice_message="Choose one of the openings listed."
    )
    role = SelectField("Role", default=ANY, invalid_choice_message="Choose a role listed.")
    level = SelectField("Level", default=ANY, invalid_choice_message="Choose a level listed.")
    specialty = SelectField(
        "Specialty", default=ANY, invalid_choice_message="Choose a specialty listed."
    )
    date_from = DateField(
        "From", validators=[Optional()], invalid_value_message="Enter a date as YYYY-MM-DD."
    )
    date_to = DateField(
        "To (inclusive)",
        validators=[Optional()],
        invalid_value_message="Enter a date as YYYY-MM-DD.",
    )

    def fill(self, options: list[FilterOption]) -> None:
        """Offer only what the viewer's openings hold."""
        self._options = options
        roles = dict.fromkeys((str(o.role_id), o.role) for o in options)
        levels = dict.fromkeys((str(o.level_id), f"{o.level} ({o.role})") for o in options)
        specialties = dict.fromkeys(
            (str(o.specialty_id), f"{o.specialty} ({o.role})")
            for o in options
            if o.specialty_id is not None
        )
        self.opening.choices = choices(
            [(ANY, "All openings you can see")] + [(str(o.opening_id), o.title) for o in options]
        )
        self.role.choices = choices([(ANY, "Any role"), *roles])
        self.level.choices = choices([(ANY, "Any level"), *levels])
        self.specialty.choices = choices([(ANY, "Any specialty"), *specialties])

    def validate(self, extra_validators=None) -> bool:  # type: ignore[override]
        ok = super().validate(extra_validators)
        if not ok:
            return False
        start, end = self.date_from.data, self.date_to.data
        for field in (self.date_from, self.date_to):
            # a day whose midnight, and the day after it, every time zone can hold
            if field.data and not EARLIEST <= field.data <= LATEST:
                field.errors = [f"Enter a date between {EARLIEST:%Y} and {LATEST:%Y}."]
                ok = False
        if ok and start and end and end < start:
            self.date_to.errors = ["The end date is before the start date."]
            ok = False
        role = optional_int(self.role.data)
        if role is not None:
            role_name = next(o.role for o in self._options if o.role_id == role)
            for field, attribute, plural in (
                (self.level, "level_id", "levels"),
                (self.specialty, "specialty_id", "specialties"),
            ):
                chosen = optional_int(field.data)
                if chosen is not None and not any(
                    getattr(o, attribute) == chosen and o.role_id == role for o in self._options
                ):
                    field.errors = [
                        f"That {field.label.text.lower()} is not one of {role_name}; "
                        f"choose one of its {plural}, or any."
                    ]
                    ok = False
        return ok
