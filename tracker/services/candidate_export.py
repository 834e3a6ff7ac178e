"""A candidate's personal data as one JSON document: their details, the applications the
exporting user may see with their stage history, and their résumés' metadata."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tracker.domain import policy
from tracker.domain.errors import NotFound
from tracker.extensions import db
from tracker.models import Application, Candidate, StageEventRecord, User
from tracker.models.types import utcnow
from tracker.services import audit, candidates, resumes
from tracker.services.reviews import feedback_withheld

FORMAT = "hiring-tracker/candidate-export/1"


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _event(event: StageEventRecord, notes_withheld: bool) -> dict[str, Any]:
    return {
        "at": _time(event.at),
        "by": event.actor.name,
        "move": event.move,
        "from_stage": event.from_stage.name if event.from_stage else None,
        "to_stage": event.to_stage.name,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "reason": event.reason,
        "withdrawn_by": event.withdrawn_by,
        # The same independence rule as the candidate page: no one's notes while one's
        # own scorecard for the application is outstanding.
        "note": None if notes_withheld else event.note,
        "override_reason": None if notes_withheld else event.override_reason,
    }


def _application(application: Application, notes_withheld: bool) -> dict[str, Any]:
    return {
        "id": application.id,
        "opening": {"id": application.opening_id, "title": application.opening.title},
        "stage": application.stage.name,
        "status": application.status,
        "rejection_reason": application.rejection_reason,
        "withdrawn_by": application.withdrawn_by,
        "applied_at": _time(application.created_at),
        "updated_at": _time(application.updated_at),
        "closed_at": _time(application.closed_at),
        "notes_withheld": notes_withheld,
        "history": [_event(e, notes_withheld) for e in application.events],
    }


def _resume(entry: resumes.ResumeEntry) -> dict[str, Any]:
    resume = entry.resume
    return {
        "id": resume.id,
        "file_name": resume.original_name,
        "content_type": resume.content_type,
        "size_bytes": resume.size_bytes,
        "sha256": resume.sha256,
        "uploaded_at": _time(resume.uploaded_at),
        "uploaded_by": entry.uploaded_by,
    }


def export(user: User, candidate_id: int) -> dict[str, Any]:
    """The export for a user who may see the candidate (NotFound otherwise); the export
    itself is recorded in the audit trail."""
    candidate, applications = candidates.get_candidate(candidate_id, user)
    if not policy.can_export_candidate(user, [a.opening for a in applications]):
        raise NotFound("No such candidate.")
    withheld = feedback_withheld(user, candidate.id)
    document = {
        "format": FORMAT,
        "exported_at": _time(utcnow()),
        "exported_by": {"id": user.id, "name": user.name, "email": user.email},
        "candidate": _candidate(candidate),
        "applications": [_application(a, a.id in withheld) for a in applications],
        "resumes": [_resume(e) for e in resumes.resumes_of(candidate.id)],
    }
    audit.record(
        "candidate.export",
        "candidates",
        candidate.id,
        {"applications": [a.id for a in applications], "resumes": len(document["resumes"])},
        actor=user,
    )
    db.session.commit()
    return document


def _candidate(candidate: Candidate) -> dict[str, Any]:
    return {
        "id": candidate.id,
        "name": candidate.name,
        "email": candidate.email,
        "phone": candidate.phone,
        "location": candidate.location,
        "links": candidate.link_list,
        "source": candidate.source_label,
        "added_at": _time(candidate.created_at),
    }
