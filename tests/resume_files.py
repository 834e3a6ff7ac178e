"""Tiny documents built in the test (PDF, DOCX, other ZIPs, other files) and a résumé
builder that goes through the real service."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Application, Candidate, Resume, User
from tracker.services import resumes

WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
SHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def pdf(body: bytes = b"") -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + body + b"\n%%EOF\n"


def content_types(part: str = "/word/document.xml", kind: str = WORD_MAIN) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="{part}" ContentType="{kind}"/>'
        "</Types>"
    )


def zipped(members: dict[str, bytes | str], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx(text: str = "Résumé", **overrides: bytes | str) -> bytes:
    """A minimal Word document: the parts a DOCX check looks for, and a paragraph."""
    members: dict[str, bytes | str] = {
        "[Content_Types].xml": content_types(),
        "_rels/.rels": "<Relationships/>",
        "word/document.xml": f"<w:document><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p>"
        "</w:body></w:document>",
    }
    members.update(overrides)
    return zipped(members)


def xlsx() -> bytes:
    """A spreadsheet: an Office ZIP too, but not a Word document."""
    return zipped(
        {
            "[Content_Types].xml": content_types("/xl/workbook.xml", SHEET_MAIN),
            "xl/workbook.xml": "<workbook/>",
        }
    )


def store() -> resumes.Store:
    config = current_app.config
    return resumes.Store(Path(config["RESUME_DIR"]), config["RESUME_MAX_BYTES"])


def make_resume(
    candidate: Candidate, actor: User, data: bytes | None = None, name: str = "cv.pdf"
) -> Resume:
    return resumes.upload(candidate, pdf() if data is None else data, name, actor, store())


def resume_id_for(application: Application) -> int:
    """The candidate's résumé, uploaded by the opening's recruiter if there is none yet
    (for tests that visit every page with real ids)."""
    existing = db.session.scalar(
        select(Resume.id).where(Resume.candidate_id == application.candidate_id)
    )
    if existing is not None:
        return existing
    recruiter = db.session.get(User, application.opening.recruiter_id)
    return make_resume(application.candidate, recruiter).id
