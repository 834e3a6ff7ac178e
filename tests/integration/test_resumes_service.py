"""The résumé service on a real database and a real folder: what is stored, where, with
which permissions, what happens when the disk or the database fails, and who may see it."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from tests.factories import make_application, make_interview, make_opening, make_user
from tests.resume_files import docx, make_resume, pdf, store
from tracker.domain.errors import NotFound, ValidationFailed
from tracker.extensions import db
from tracker.models import Resume
from tracker.services import audit, resumes
from tracker.services.applications import NotPermitted

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def application(people):
    opening = make_opening(people["hm"], people["recruiter"])
    return make_application(opening, people["recruiter"])


@pytest.fixture
def candidate(application):
    return application.candidate


@pytest.fixture
def audit_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    calls: list[tuple] = []
    monkeypatch.setattr(audit, "record", lambda *a, **k: calls.append((a, k)))
    return calls


def stored_files() -> list[Path]:
    folder = store().directory
    return sorted(folder.iterdir()) if folder.exists() else []


def resume_count() -> int:
    return db.session.scalar(select(func.count(Resume.id)))


def test_upload_stores_the_file_under_a_random_name_with_its_metadata(
    candidate, people, audit_calls
) -> None:
    data = pdf(b"Zo\xc3\xab's experience")
    resume = resumes.upload(candidate, data, "C:\\docs\\My CV.pdf", people["recruiter"], store())
    path = store().directory / resume.storage_key
    assert len(resume.storage_key) == 64 and int(resume.storage_key, 16) >= 0
    assert "cv" not in resume.storage_key.lower()
    assert path.read_bytes() == data
    assert stored_files() == [path]  # no temporary file left behind
    assert (resume.original_name, resume.content_type) == ("My CV.pdf", "application/pdf")
    assert resume.size_bytes == len(data)
    assert resume.sha256 == hashlib.sha256(data).hexdigest()
    assert resume.uploaded_by_id == people["recruiter"].id
    assert resume.candidate_id == candidate.id
    assert [(a[0], a[1], a[2]) for a, _ in audit_calls] == [("resume.upload", "resumes", resume.id)]
    assert audit_calls[0][0][3]["sha256"] == resume.sha256


def test_file_and_folder_are_private_to_the_tracker(candidate, people) -> None:
    old = os.umask(0o022)  # a permissive umask must not loosen them
    try:
        resume = make_resume(candidate, people["recruiter"])
    finally:
        os.umask(old)
    folder = store().directory
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / resume.storage_key).stat().st_mode) == 0o600


def test_the_folder_is_not_under_any_static_folder(app) -> None:
    """The default is instance/resumes, outside the package and its static folder."""
    from config import Config

    default = Path(Config.RESUME_DIR).resolve()
    package = Path(app.root_path).resolve()
    assert package not in default.parents and Path(app.static_folder).resolve() != default
    assert default.name == "resumes"


@pytest.mark.parametrize(
    ("data", "name", "kind", "kept"),
    [
        (pdf(), "cv.docx", "application/pdf", "cv.pdf"),  # a PDF sent as .docx is a PDF
        (docx(), "cv.pdf", DOCX_TYPE, "cv.docx"),
        (docx(), "../../evil\u202efdp.exe", DOCX_TYPE, "evilfdp.docx"),
    ],
)
def test_kind_and_extension_follow_the_content(candidate, people, data, name, kind, kept) -> None:
    resume = make_resume(candidate, people["recruiter"], data, name)
    assert (resume.content_type, resume.original_name) == (kind, kept)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"MZ\x90\x00 a program named cv.pdf", "not a PDF or a Word"),
        (b"", "empty"),
        (pdf(b"x" * 200), "larger than 100 bytes"),
    ],
)
def test_refused_files_store_nothing(candidate, people, audit_calls, data, message) -> None:
    small = resumes.Store(store().directory, max_bytes=100)
    with pytest.raises(ValidationFailed, match=message) as refused:
        resumes.upload(candidate, data, "cv.pdf", people["recruiter"], small)
    assert refused.value.field == "resume_file"
    assert resume_count() == 0 and stored_files() == [] and audit_calls == []


def test_a_file_of_exactly_the_limit_is_accepted(candidate, people) -> None:
    data = pdf().ljust(100, b" ")
    resume = resumes.upload(
        candidate, data, "cv.pdf", people["recruiter"], resumes.Store(store().directory, 100)
    )
    assert resume.size_bytes == 100


def test_when_the_file_cannot_be_written_nothing_is_stored(
    candidate, people, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(*_args) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(resumes.os, "replace", disk_full)
    with pytest.raises(resumes.StorageFailed, match="nothing was stored") as failed:
        make_resume(candidate, people["recruiter"])
    assert failed.value.field == "resume_file"
    assert resume_count() == 0
    assert stored_files() == []  # the temporary file is gone too


def test_when_the_database_write_fails_the_file_is_removed(
    candidate, people, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused() -> None:
        raise SQLAlchemyError("database is locked")

    monkeypatch.setattr(db.session, "commit", refused)
    with pytest.raises(SQLAlchemyError):
        make_resume(candidate, people["recruiter"])
    monkeypatch.undo()
    assert resume_count() == 0
    assert stored_files() == []


def test_older_resumes_are_kept_and_the_newest_is_current(candidate, people) -> None:
    first = make_resume(candidate, people["recruiter"], name="first.pdf")
    second = make_resume(candidate, people["hm"], docx(), name="second.docx")
    entries = resumes.resumes_of(candidate.id)
    assert [e.resume.id for e in entries] == [second.id, first.id]
    assert [e.uploaded_by for e in entries] == [people["hm"].name, people["recruiter"].name]
    assert len(stored_files()) == 2
    assert resumes.current_for(people["recruiter"], candidate.id).resume.id == second.id


# --- Who may see it -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("admin", True),
        ("recruiter", True),
        ("hm", True),
        ("other_recruiter", False),
        ("other_hm", False),
        ("interviewer", False),
    ],
)
def test_download_only_for_the_candidates_people(candidate, people, who, allowed) -> None:
    resume = make_resume(candidate, people["recruiter"])
    if allowed:
        found, path = resumes.for_download(people[who], resume.id, store())
        assert found.id == resume.id and path.is_file()
        assert resumes.current_for(people[who], candidate.id) is not None
    else:
        with pytest.raises(NotFound):
            resumes.for_download(people[who], resume.id, store())
        assert resumes.current_for(people[who], candidate.id) is None


def test_an_interviewer_of_any_of_the_candidates_applications_may_download(
    application, people
) -> None:
    """Assigned to an interview of another application of the same candidate: still theirs."""
    resume = make_resume(application.candidate, people["recruiter"])
    with pytest.raises(NotFound):
        resumes.for_download(people["interviewer"], resume.id, store())
    other_opening = make_opening(people["other_hm"], people["other_recruiter"], title="Other")
    other = make_application(other_opening, people["admin"], email=application.candidate.email)
    make_interview(other, [people["interviewer"]], stage_key="peer")
    assert resumes.for_download(people["interviewer"], resume.id, store())[0].id == resume.id
    # another interviewer, not assigned, gets nothing
    bystander = make_user("int2@test.example", "Ines Interviewer", ["interviewer"])
    with pytest.raises(NotFound):
        resumes.for_download(bystander, resume.id, store())


def test_a_row_pointing_outside_the_folder_is_not_followed(candidate, people) -> None:
    resume = make_resume(candidate, people["recruiter"])
    resume.storage_key = "../" + "a" * 61
    db.session.commit()
    with pytest.raises(NotFound):
        resumes.for_download(people["recruiter"], resume.id, store())


def test_a_missing_file_is_not_found(candidate, people) -> None:
    resume = make_resume(candidate, people["recruiter"])
    (store().directory / resume.storage_key).unlink()
    with pytest.raises(NotFound):
        resumes.for_download(people["recruiter"], resume.id, store())


@pytest.mark.parametrize("who", ["other_recruiter", "interviewer"])
def test_upload_is_for_the_candidates_people(application, people, who) -> None:
    """Not even their interviewer adds one; to everyone else the candidate does not exist."""
    make_interview(application, [people["interviewer"]], stage_key="peer")
    with pytest.raises(NotFound):
        resumes.candidate_for_upload(people[who], application.candidate_id)
    assert resumes.candidate_for_upload(people["hm"], application.candidate_id).id == (
        application.candidate_id
    )
    with pytest.raises(NotFound):
        resumes.candidate_for_upload(people["admin"], 2**31 - 1)


def test_not_permitted_is_a_separate_answer(candidate, people, monkeypatch) -> None:
    """Seeing the candidate but not allowed to add: 403 territory, not 404."""
    monkeypatch.setattr(resumes.policy, "can_upload_resume", lambda *_: False)
    with pytest.raises(NotPermitted):
        resumes.candidate_for_upload(people["recruiter"], candidate.id)
