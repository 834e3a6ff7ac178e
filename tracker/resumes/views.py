"""Résumés: upload on the candidate page, download as an attachment, the résumé in the
interview kit, and the candidate's personal-data export."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    send_file,
    url_for,
)
from flask_login import current_user, fresh_login_required, login_required

from tracker.candidates.views import render_candidate
from tracker.domain import policy
from tracker.domain.documents import human_size
from tracker.domain.errors import DomainError, NotFound
from tracker.forms import show_domain_error
from tracker.models import Candidate, Interview, Opening
from tracker.resumes.forms import ResumeForm
from tracker.services import audit, candidate_export, resumes
from tracker.services.applications import NotPermitted
from tracker.web import CSP

bp = Blueprint("resumes", __name__)

# A file the browser must never render in the tracker's origin: saved, not shown, not
# sniffed, not cached, and sandboxed should anything open it in place.
DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": f"{CSP}; sandbox",
    "Cache-Control": "private, no-store",
}


def store() -> resumes.Store:
    config = current_app.config
    return resumes.Store(Path(config["RESUME_DIR"]), int(config["RESUME_MAX_BYTES"]))


@bp.route("/candidates/<int:candidate_id>/resume", methods=["POST"])
@login_required
def upload(candidate_id: int):
    try:
        candidate = resumes.candidate_for_upload(current_user, candidate_id)
    except NotFound:
        abort(404)
    except NotPermitted:
        abort(403)
    form = ResumeForm()
    if form.validate_on_submit():
        settings = store()
        sent = form.resume_file.data
        # One byte past the limit is enough to know the file is too large.
        data = sent.stream.read(settings.max_bytes + 1)
        try:
            resume = resumes.upload(candidate, data, sent.filename, current_user, settings)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash(f"Résumé uploaded: {resume.original_name}.", "success")
            return redirect(url_for("candidates.show", candidate_id=candidate.id) + "#resume")
    g.resume_form = form  # the candidate page shows this form, with its errors
    return render_candidate(candidate_id, status=422)


@bp.route("/resumes/<int:resume_id>")
@login_required
def download(resume_id: int) -> Response:
    try:
        resume, path = resumes.for_download(current_user, resume_id, store())
    except NotFound:
        abort(404)
    audit.viewed("resumes", resume.id, f"résumé of candidate {resume.candidate_id}")
    response = send_file(
        path,
        mimetype=resume.content_type,
        as_attachment=True,
        download_name=resume.original_name,
        conditional=False,
        etag=False,
    )
    response.headers.update(DOWNLOAD_HEADERS)
    return response


@bp.route("/candidates/<int:candidate_id>/export")
@fresh_login_required
def export_candidate(candidate_id: int) -> Response:
    """The candidate's personal data as JSON; a sign-in of the last minutes is required."""
    try:
        document = candidate_export.export(current_user, candidate_id)
    except NotFound:
        abort(404)
    response = Response(
        json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True),
        mimetype="application/json",
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="candidate-{candidate_id}-export.json"'
    )
    response.headers.update(DOWNLOAD_HEADERS)
    return response


# --- What the candidate page and the interview kit show ---------------------------------


@dataclass
class ResumePanel:
    entries: list[resumes.ResumeEntry]
    form: ResumeForm | None
    max_bytes: int
    can_export: bool

    @property
    def current(self) -> resumes.ResumeEntry | None:
        return self.entries[0] if self.entries else None

    @property
    def earlier(self) -> list[resumes.ResumeEntry]:
        return self.entries[1:]

    @property
    def limit(self) -> str:
        return human_size(self.max_bytes)


@bp.app_template_global()
def resume_panel(candidate: Candidate, openings: list[Opening]) -> ResumePanel:
    """The candidate page's résumé section, for a user who sees the candidate through
    `openings` (those of the applications on the page)."""
    can_upload = policy.can_upload_resume(current_user, openings)
    form = g.get("resume_form") or (ResumeForm() if can_upload else None)
    return ResumePanel(
        entries=resumes.resumes_of(candidate.id),
        form=form if can_upload else None,
        max_bytes=store().max_bytes,
        can_export=policy.can_export_candidate(current_user, openings),
    )


@bp.app_template_global()
def kit_resume(interview: Interview) -> resumes.ResumeEntry | None:
    """The current résumé of the interview's candidate, for the interview kit."""
    return resumes.current_for(current_user, interview.application.candidate_id)


@bp.app_template_filter("filesize")
def filesize(size: int) -> str:
    return human_size(size)
