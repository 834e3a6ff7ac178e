"""Résumés: checked by content, stored outside any static folder under a random name, and
handed only to the people who may see the candidate's applications.

The file and its row are written together: a file is never left without its row, and a
row never points at a file that was not written.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import exists, select

from tracker.domain import policy
from tracker.domain.documents import DocumentKind, clean_filename, detect, human_size
from tracker.domain.errors import DomainError, NotFound, ValidationFailed
from tracker.extensions import db
from tracker.models import (
    Application,
    Candidate,
    Interview,
    InterviewAssignment,
    Opening,
    Resume,
    User,
)
from tracker.services import audit
from tracker.services.applications import NotPermitted

log = logging.getLogger(__name__)

FIELD = "resume_file"
_STORAGE_KEY = re.compile(r"[0-9a-f]{64}")


class StorageFailed(DomainError):
    """The file could not be written; nothing was stored."""


@dataclass(frozen=True)
class Store:
    """Where résumés live and how large one may be (from RESUME_DIR, RESUME_MAX_BYTES)."""

    directory: Path
    max_bytes: int

    def path_of(self, resume: Resume) -> Path:
        # The key is ours (random hex), but a row edited by hand must not reach elsewhere.
        if not _STORAGE_KEY.fullmatch(resume.storage_key):
            raise NotFound("No such résumé.")
        return self.directory / resume.storage_key


# --- Who may see what ------------------------------------------------------------------


def _openings_of(candidate_id: int) -> list[Opening]:
    return list(
        db.session.scalars(
            select(Opening)
            .join(Application, Application.opening_id == Opening.id)
            .where(Application.candidate_id == candidate_id)
        ).unique()
    )


def _interviews(user: User, candidate_id: int) -> bool:
    """Whether the user has an interview of any of the candidate's applications."""
    return bool(
        db.session.scalar(
            select(
                exists()
                .where(InterviewAssignment.user_id == user.id)
                .where(InterviewAssignment.interview_id == Interview.id)
                .where(Interview.application_id == Application.id)
                .where(Application.candidate_id == candidate_id)
            )
        )
    )


def may_view(user: User, candidate_id: int) -> bool:
    openings = _openings_of(candidate_id)
    if policy.can_view_candidate(user, openings):
        return True
    return policy.can_view_resume(user, openings, _interviews(user, candidate_id))


def candidate_for_upload(user: User, candidate_id: int) -> Candidate:
    """The candidate, if the user may see them (else NotFound) and add a résumé (else
    NotPermitted)."""
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None:
        raise NotFound("No such candidate.")
    openings = _openings_of(candidate_id)
    if not policy.can_view_candidate(user, openings):
        raise NotFound("No such candidate.")
    if not policy.can_upload_resume(user, openings):
        raise NotPermitted("You may not add a résumé for this candidate.")
    return candidate


# --- Listing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ResumeEntry:
    """A stored résumé with the name of who uploaded it, for the pages."""

    resume: Resume
    uploaded_by: str | None

    @property
    def size(self) -> str:
        return human_size(self.resume.size_bytes)

    @property
    def kind_label(self) -> str:
        kind = next((k for k in DocumentKind if k.content_type == self.resume.content_type), None)
        return kind.label if kind else self.resume.content_type


def resumes_of(candidate_id: int) -> list[ResumeEntry]:
    """Every résumé of the candidate, newest (the current one) first; one query."""
    rows = db.session.execute(
        select(Resume, User.name)
        .outerjoin(User, User.id == Resume.uploaded_by_id)
        .where(Resume.candidate_id == candidate_id)
        .order_by(Resume.uploaded_at.desc(), Resume.id.desc())
    ).all()
    return [ResumeEntry(resume, name) for resume, name in rows]


def current_for(user: User, candidate_id: int) -> ResumeEntry | None:
    """The candidate's current résumé, if there is one and the user may see it."""
    if not may_view(user, candidate_id):
        return None
    entries = resumes_of(candidate_id)
    return entries[0] if entries else None


# --- Upload ----------------------------------------------------------------------------


def upload(
    candidate: Candidate, data: bytes, filename: str | None, actor: User, store: Store
) -> Resume:
    """Check the file by its content, write it under a random name, then record it.
    Raises ValidationFailed (on the file field) for a wrong or oversized file and
    StorageFailed when the disk refuses it; in every failure nothing is kept."""
    if not data:
        raise ValidationFailed("The file is empty. Choose a PDF or Word (.docx) file.", FIELD)
    if len(data) > store.max_bytes:
        raise ValidationFailed(
            f"This file is larger than {human_size(store.max_bytes)}, the most a résumé may "
            "be. Choose a smaller file.",
            FIELD,
        )
    kind = detect(data)
    if kind is None:
        raise ValidationFailed(
            "This file is not a PDF or a Word (.docx) document. Only those are accepted, "
            "whatever the file is named.",
            FIELD,
        )
    key = secrets.token_hex(32)
    path = _write(store.directory, key, data)
    resume = Resume(
        candidate_id=candidate.id,
        storage_key=key,
        original_name=clean_filename(filename, kind),
        content_type=kind.content_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=actor.id,
    )
    try:
        db.session.add(resume)
        db.session.flush()
        audit.record(
            "resume.upload",
            "resumes",
            resume.id,
            {
                "candidate_id": candidate.id,
                "name": resume.original_name,
                "content_type": resume.content_type,
                "size_bytes": resume.size_bytes,
                "sha256": resume.sha256,
            },
            actor=actor,
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        _remove(path)
        raise
    return resume


def _write(directory: Path, key: str, data: bytes) -> Path:
    """Write the file atomically (a temporary file renamed into place), readable by the
    tracker's user only, in a folder only that user may enter."""
    temporary: str | None = None
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(directory, 0o700)
        fd, temporary = tempfile.mkstemp(prefix=".incoming-", dir=directory)  # mode 0600
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        path = directory / key
        os.replace(temporary, path)
        return path
    except OSError:
        log.exception("Could not store a résumé in %s", directory)
        if temporary is not None:
            _remove(Path(temporary))
        raise StorageFailed(
            "The file could not be saved, so nothing was stored. Please try again.", FIELD
        ) from None


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


# --- Download --------------------------------------------------------------------------


def for_download(user: User, resume_id: int, store: Store) -> tuple[Resume, Path]:
    """The résumé and its file, if the user may see the candidate's applications or
    interviews them; NotFound otherwise, so its existence does not leak."""
    resume = db.session.get(Resume, resume_id)
    if resume is None or not may_view(user, resume.candidate_id):
        raise NotFound("No such résumé.")
    path = store.path_of(resume)
    if not path.is_file():
        log.error("Résumé %s has no file at %s", resume.id, path)
        raise NotFound("No such résumé.")
    return resume, path
