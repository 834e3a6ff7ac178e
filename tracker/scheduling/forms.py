"""Scheduling forms: one per interview on the page, each with its own prefix."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import InputRequired, Length, Optional

from tracker.domain.scheduling import COMMON_ZONES, MAX_MINUTES, MIN_MINUTES, to_utc
from tracker.forms import choices
from tracker.models import Interview, PlanInterview, User

# The browser's datetime-local sends "2026-03-02T14:30"; the first format is what it shows.
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class SlotForm(FlaskForm):
    """When, how long, where and with whom; the scheduling rules check the values."""

    starts_at = DateTimeLocalField(
        "Date and time",
        format=LOCAL_FORMATS,
        validators=[InputRequired("Choose the date and time.")],
        invalid_value_message="Enter the date and time as YYYY-MM-DD HH:MM.",
    )
    timezone = SelectField("Time zone", validators=[InputRequired()])
    duration_minutes = IntegerField(
        "Duration (minutes)",
        validators=[Optional()],
        description=f"Between {MIN_MINUTES} and {MAX_MINUTES}.",
        render_kw={"min": MIN_MINUTES, "max": MAX_MINUTES},
    )
    video_url = URLField(
        "Video link",
        validators=[Optional(), Length(max=500)],
        description="Optional; an https:// address.",
    )
    # Only the people offered (active, with the interviewer role); the scheduling rules
    # check again, and name anyone who stopped being able to interview meanwhile.
    interviewer_ids = SelectMultipleField(
        "Interviewers",
        coerce=int,
        invalid_choice_message="Choose interviewers from the list.",
        invalid_value_message="Choose interviewers from the list.",
    )

    def fill(self, interviewers: list[User], zone: str) -> None:
        """The choices: common zones (plus the viewer's own) and everyone who interviews."""
        zones = list(COMMON_ZONES)
        if zone not in zones:
            zones.insert(1, zone)
        self.timezone.choices = choices((z, z.replace("_", " ")) for z in zones)
        self.interviewer_ids.choices = choices((u.id, u.name) for u in interviewers)

    def starts_at_utc(self) -> datetime:
        """The typed wall-clock time in the chosen zone, as UTC (FieldErrors if impossible)."""
        return to_utc(self.starts_at.data, self.timezone.data or "")


class ScheduleForm(SlotForm):
    submit = SubmitField("Schedule")


class RescheduleForm(SlotForm):
    reason = TextAreaField(
        "Reason", validators=[Optional(), Length(max=2000)], description="Kept in the history."
    )
    submit = SubmitField("Reschedule")


class CancelForm(FlaskForm):
    reason = TextAreaField(
        "Reason", validators=[Optional(), Length(max=2000)], description="Kept in the history."
    )
    submit = SubmitField("Cancel interview")


def schedule_form(
    plan_interview: PlanInterview, zone: str, interviewers: list[User], *, posted: bool
) -> ScheduleForm:
    """The posted form, or a blank one with the plan's duration and the viewer's zone."""
    prefix = f"s{plan_interview.id}"
    if posted:
        form = ScheduleForm(prefix=prefix)
    else:
        data = {"duration_minutes": plan_interview.duration_minutes, "timezone": zone}
        form = ScheduleForm(prefix=prefix, formdata=None, data=data)
    form.fill(interviewers, zone)
    return form


def reschedule_form(
    interview: Interview, zone: str, interviewers: list[User], *, posted: bool
) -> RescheduleForm:
    """The posted form, or one showing the interview as it stands in the viewer's zone."""
    prefix = f"r{interview.id}"
    if posted:
        form = RescheduleForm(prefix=prefix)
    else:
        local = interview.starts_at.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
        data = {
            "starts_at": local,
            "timezone": zone,
            "duration_minutes": interview.duration_minutes,
            "video_url": interview.video_url,
            "interviewer_ids": interview.interviewer_ids,
        }
        form = RescheduleForm(prefix=prefix, formdata=None, data=data)
    form.fill(interviewers, zone)
    return form


def cancel_form(interview: Interview, *, posted: bool) -> CancelForm:
    prefix = f"c{interview.id}"
    return CancelForm(prefix=prefix) if posted else CancelForm(prefix=prefix, formdata=None)
