"""The résumé upload form: a form of its own, so a refused file loses nothing else."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField


class ResumeForm(FlaskForm):
    # No check of the name or the browser's content type here: the service judges the
    # file by its bytes.
    resume_file = FileField(
        "Résumé file", validators=[FileRequired("Choose a PDF or Word (.docx) file.")]
    )
    submit = SubmitField("Upload résumé")
