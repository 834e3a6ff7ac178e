"""The candidate form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from tracker.forms import choices
from tracker.models import SOURCES
from tracker.services.candidates import CandidateInput


class CandidateForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    phone = StringField("Phone", validators=[Optional(), Length(max=40)])
    location = StringField("Location", validators=[Optional(), Length(max=200)])
    links = TextAreaField(
        "Links",
        validators=[Optional(), Length(max=2000)],
        description="One http(s) address per line: profile, portfolio, repositories.",
    )
    source = SelectField("Source", choices=choices(SOURCES.items()), default="careers_page")
    submit = SubmitField("Add candidate")

    def to_input(self) -> CandidateInput:
        return CandidateInput(
            name=self.name.data or "",
            email=self.email.data or "",
            phone=self.phone.data or "",
            location=self.location.data or "",
            links=self.links.data or "",
            source=self.source.data or "other",
        )
